// base64.hpp: base64 in its two alphabets, strict both ways.
//
// Standard base64 (RFC 4648 section 4: `+/`, padded) is what AppLink's context headers and Basic
// authentication use; base64url (section 5: `-_`, unpadded) is what tokens put in URLs and
// headers use (the local org's invocation tokens, sealed secrets). Decoding accepts input with or
// without its padding and refuses everything else: whitespace, characters of the other alphabet,
// a length that no encoding has, and non-zero bits after the last byte (so that one byte string
// has exactly one encoding).
//
//   std::string header = base64_encode(R"({"orgId":"00D..."})");
//   auto json = base64_decode(header);          // std::optional<std::string>
//   std::string token = base64url_encode(mac);  // no '=', safe in a URL
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pe {

std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);

// nullopt for input that is not base64 of that alphabet (see above).
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace pe
