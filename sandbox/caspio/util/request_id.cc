#include "sandbox/caspio/util/request_id.h"

#include <cstdint>
#include <cstring>
#include <random>

#include "common/crypto/crypto.h"

namespace cmcp::sandbox {
namespace {

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator = [] {
    const std::string seed_bytes = RandomBytes(sizeof(uint64_t) * 4);
    std::seed_seq seq(seed_bytes.begin(), seed_bytes.end());
    return std::mt19937_64(seq);
  }();
  return generator;
}

}  // namespace

std::string NewRequestId() {
  static const char kHex[] = "0123456789abcdef";
  uint64_t hi = Generator()();
  uint64_t lo = Generator()();
  // RFC 4122 version 4, variant 1.
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
    bytes[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
  }
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

}  // namespace cmcp::sandbox
