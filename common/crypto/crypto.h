// File: crypto.h
// The few primitives the cluster needs, on OpenSSL: secure random bytes,
// SHA-256, HMAC-SHA256, constant-time comparison, base64url, and AES-256-GCM
// authenticated encryption for credentials at rest.
//
//   std::string token = Base64UrlEncode(RandomBytes(32));        // 256-bit URL token
//   std::string stored = Hex(HmacSha256(pepper, token));          // what Redis keeps
//   StatusOr<std::string> sealed = AesGcmSeal(key, secret, aad);  // nonce|ciphertext|tag
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace cmcp {

// `n` bytes from the OS CSPRNG (OpenSSL RAND_bytes). Aborts if the RNG fails,
// since no caller can proceed safely without randomness.
std::string RandomBytes(size_t n);

// Raw 32-byte digests.
std::string Sha256(absl::string_view data);
std::string HmacSha256(absl::string_view key, absl::string_view data);

// Compares in time independent of where the inputs differ (lengths may leak).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Lower-case hex.
std::string Hex(absl::string_view bytes);

// URL-safe base64 without padding (RFC 4648 §5).
std::string Base64UrlEncode(absl::string_view bytes);
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);
// Standard base64 with padding (RFC 4648 §4), for MCP image/blob content.
std::string Base64Encode(absl::string_view bytes);
absl::StatusOr<std::string> Base64Decode(absl::string_view text);

// A random RFC 4122 version-4 UUID, lower case.
std::string NewUuid();

// AES-256-GCM. `key` must be 32 bytes. Output: 12-byte nonce | ciphertext | 16-byte tag.
// `aad` is authenticated but not encrypted (bind ciphertexts to their owner).
absl::StatusOr<std::string> AesGcmSeal(absl::string_view key, absl::string_view plaintext,
                                       absl::string_view aad);
absl::StatusOr<std::string> AesGcmOpen(absl::string_view key, absl::string_view sealed,
                                       absl::string_view aad);

// A tamper-evident envelope for small payloads handed to clients (session
// ids, cursors): base64url(payload) "." base64url(first 16 bytes of
// HMAC-SHA256(key, payload)). Only visible ASCII. Not encrypted: never put a
// secret in the payload.
std::string SealEnvelope(absl::string_view key, absl::string_view payload);
// The payload, or INVALID_ARGUMENT when `envelope` is malformed, longer than
// `max_length`, or was not sealed with `key`.
absl::StatusOr<std::string> OpenEnvelope(absl::string_view key, absl::string_view envelope, size_t max_length);

}  // namespace cmcp
