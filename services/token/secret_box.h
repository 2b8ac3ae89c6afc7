// File: secret_box.h
// Seals Caspio client secrets with AES-256-GCM under the current key and
// opens them under whichever key sealed them (key ids make rotation possible:
// add the new key as current, keep the old one as previous until every
// account has been re-sealed). The associated data binds a ciphertext to its
// account, so a sealed secret copied onto another account does not open.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace cmcp::token {

struct SealedSecret {
  std::string key_id;
  std::string ciphertext;
};

class SecretBox {
 public:
  // `keys` maps key id -> 32 raw key bytes and must contain `current_key_id`.
  static absl::StatusOr<SecretBox> Create(std::string current_key_id, std::map<std::string, std::string> keys);

  absl::StatusOr<SealedSecret> Seal(const std::string& plaintext, const std::string& associated_data) const;
  // DATA_LOSS when the key is unknown or the value was tampered with.
  absl::StatusOr<std::string> Open(const SealedSecret& sealed, const std::string& associated_data) const;

 private:
  SecretBox(std::string current, std::map<std::string, std::string> keys)
      : current_key_id_(std::move(current)), keys_(std::move(keys)) {}
  std::string current_key_id_;
  std::map<std::string, std::string> keys_;
};

}  // namespace cmcp::token
