#include "services/token/secret_box.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/status/status_macros.h"

namespace cmcp::token {

absl::StatusOr<SecretBox> SecretBox::Create(std::string current_key_id, std::map<std::string, std::string> keys) {
  if (!keys.contains(current_key_id)) {
    return absl::InvalidArgumentError(absl::StrCat("no key with id \"", current_key_id, "\""));
  }
  for (const auto& [id, key] : keys) {
    if (key.size() != 32) {
      return absl::InvalidArgumentError(absl::StrCat("key \"", id, "\" must be 32 bytes, got ", key.size()));
    }
  }
  return SecretBox(std::move(current_key_id), std::move(keys));
}

absl::StatusOr<SealedSecret> SecretBox::Seal(const std::string& plaintext, const std::string& associated_data) const {
  CMCP_ASSIGN_OR_RETURN(std::string ciphertext, AesGcmSeal(keys_.at(current_key_id_), plaintext, associated_data));
  return SealedSecret{current_key_id_, std::move(ciphertext)};
}

absl::StatusOr<std::string> SecretBox::Open(const SealedSecret& sealed, const std::string& associated_data) const {
  auto key = keys_.find(sealed.key_id);
  if (key == keys_.end()) {
    return absl::DataLossError(absl::StrCat("credentials were sealed with key \"", sealed.key_id,
                                            "\", which is not configured"));
  }
  return AesGcmOpen(key->second, sealed.ciphertext, associated_data);
}

}  // namespace cmcp::token
