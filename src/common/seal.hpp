// seal.hpp: secrets that must rest somewhere (an access token a job needs hours later) sealed
// with authenticated encryption, under a key that lives only in the environment.
//
// AES-256-GCM (OpenSSL): a fresh 96-bit random nonce per seal, a 128-bit tag, and associated data
// chosen by the caller that binds the sealed value to what it belongs to (a job's id): a sealed
// token copied onto another job does not open. The text form is
//   "v1." base64url(nonce ‖ ciphertext ‖ tag)
// so the key can be rotated later by a new version prefix. The key is PRICING_SEAL_KEY: 32 bytes,
// given as 64 hex digits or as base64 (standard or url alphabet); `openssl rand -hex 32` makes
// one. Nothing here logs, and errors never contain the plaintext, the key or the sealed text.
//
//   auto sealer = Sealer::from_key_text(env.get("PRICING_SEAL_KEY").value_or("")).value();
//   std::string sealed = sealer.seal(access_token, job_id);   // store this in Redis
//   auto token = sealer.open(sealed, job_id);                 // Result<std::string>
#pragma once

#include "common/error.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace pe {

class Sealer {
 public:
  static constexpr size_t kKeyBytes = 32;

  // invalid_argument when the text is not 32 bytes in hex or base64 (the message says which
  // forms are accepted, never the text).
  static Result<Sealer> from_key_text(std::string_view text);
  explicit Sealer(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}
  Sealer(const Sealer&) = default;
  Sealer& operator=(const Sealer&) = default;
  ~Sealer();

  std::string seal(std::string_view plaintext, std::string_view associated) const;
  // invalid_argument when the text is not a sealed value, permission_denied when it does not
  // authenticate (another key, other associated data, altered).
  Result<std::string> open(std::string_view sealed, std::string_view associated) const;

 private:
  std::array<unsigned char, kKeyBytes> key_;
};

class EnvReader;
// PRICING_SEAL_KEY: a Sealer, nullopt when unset, or a problem added to `read` when malformed.
std::optional<Sealer> sealer_from(EnvReader& read);

}  // namespace pe
