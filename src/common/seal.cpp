#include "common/seal.hpp"

#include "common/base64.hpp"
#include "common/config.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace pe {
namespace {

constexpr std::string_view kVersion = "v1.";
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
// Far above an access token (about 112 bytes); a bound on what open() will decode.
constexpr size_t kMaxSealedText = 64 * 1024;

struct CipherFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out(text.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(text[2 * i]);
    int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = char(hi * 16 + lo);
  }
  return out;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Result<Sealer> Sealer::from_key_text(std::string_view text) {
  std::optional<std::string> raw;
  if (text.size() == 2 * kKeyBytes) raw = decode_hex(text);
  if (!raw) raw = base64_decode(text);
  if (!raw) raw = base64url_decode(text);
  if (!raw || raw->size() != kKeyBytes) {
    if (raw) OPENSSL_cleanse(raw->data(), raw->size());
    return Error{Errc::invalid_argument,
                 "PRICING_SEAL_KEY must be 32 random bytes as 64 hex digits or as base64 "
                 "(make one with: openssl rand -hex 32)"};
  }
  std::array<unsigned char, kKeyBytes> key;
  std::copy(raw->begin(), raw->end(), key.begin());
  OPENSSL_cleanse(raw->data(), raw->size());
  Sealer sealer(key);
  OPENSSL_cleanse(key.data(), key.size());
  return sealer;
}

Sealer::~Sealer() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string Sealer::seal(std::string_view plaintext, std::string_view associated) const {
  std::string box(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  if (RAND_bytes(out, kNonceBytes) != 1) throw std::runtime_error("no randomness from OpenSSL");
  Cipher ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out) &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(associated),
                              static_cast<int>(associated.size())) &&
            EVP_EncryptUpdate(ctx.get(), out + kNonceBytes, &n, bytes(plaintext),
                              static_cast<int>(plaintext.size())) &&
            EVP_EncryptFinal_ex(ctx.get(), out + kNonceBytes + n, &n) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                out + kNonceBytes + plaintext.size());
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  std::string text = std::string(kVersion) + base64url_encode(box);
  OPENSSL_cleanse(box.data(), box.size());
  return text;
}

Result<std::string> Sealer::open(std::string_view sealed, std::string_view associated) const {
  Error malformed{Errc::invalid_argument, "not a sealed value"};
  if (sealed.size() > kMaxSealedText || sealed.substr(0, kVersion.size()) != kVersion) {
    return malformed;
  }
  auto box = base64url_decode(sealed.substr(kVersion.size()));
  if (!box || box->size() < kNonceBytes + kTagBytes) return malformed;
  const size_t length = box->size() - kNonceBytes - kTagBytes;
  const auto* in = bytes(*box);
  std::string plain(length, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  Cipher ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  // The tag is set before the final step, which checks it.
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), in) &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(associated),
                              static_cast<int>(associated.size())) &&
            EVP_DecryptUpdate(ctx.get(), out, &n, in + kNonceBytes, static_cast<int>(length)) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                                const_cast<unsigned char*>(in + kNonceBytes + length)) &&
            EVP_DecryptFinal_ex(ctx.get(), out + n, &n) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return Error{Errc::permission_denied, "the sealed value does not authenticate"};
  }
  return plain;
}

std::optional<Sealer> sealer_from(EnvReader& read) {
  auto key = read.optional_string("PRICING_SEAL_KEY");
  if (!key || key->empty()) return std::nullopt;
  auto sealer = Sealer::from_key_text(*key);
  OPENSSL_cleanse(key->data(), key->size());
  if (!sealer) {
    read.add_error("PRICING_SEAL_KEY", sealer.error().message);
    return std::nullopt;
  }
  return std::move(*sealer);
}

}  // namespace pe
