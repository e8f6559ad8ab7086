// redact.hpp: keeps secrets out of everything we print.
//
// Access tokens, Authorization headers and passwords inside URLs must never reach a log line, an
// error message or Redis. The logger passes every message and value through redact(); code that
// builds an error message from a URL or a header should do the same.
//
//   redact("GET redis://user:hunter2@host:6379")      -> "GET redis://user:[REDACTED]@host:6379"
//   redact("Authorization: Bearer 00Dxx!AQ4.abc")     -> "Authorization: Bearer [REDACTED]"
//   redact(R"({"accessToken":"abc"})")               -> R"({"accessToken":"[REDACTED]"})"
//   is_sensitive_key("X-Client-Context")               -> true
#pragma once

#include <string>
#include <string_view>

namespace pe {

inline constexpr std::string_view kRedacted = "[REDACTED]";

// True for names whose values are secrets: anything containing token, password, passwd, secret,
// authorization, cookie, apikey/api_key, credential, or the AppLink x-client-context header.
bool is_sensitive_key(std::string_view key);

// Replaces the secrets found in free text:
//  - the credentials after "Bearer " / "Basic " (any case);
//  - the password of "scheme://user:password@" (and "scheme://:password@");
//  - Salesforce session ids ("00D" + org id + "!" + token);
//  - JWTs and base64 JSON ("eyJ...", 20 characters or more): invocation auth tokens and the
//    x-request-context / x-client-context header values;
//  - the value after a sensitive key written as key=value, key: value, "key":"value".
// Text without secrets comes back unchanged.
std::string redact(std::string_view text);

}  // namespace pe
