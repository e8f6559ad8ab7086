#include "common/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace pe {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool contains_ci(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return lower(a) == lower(b); });
  return it != haystack.end();
}

bool starts_with_ci(std::string_view text, size_t pos, std::string_view prefix) {
  if (text.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[pos + i]) != lower(prefix[i])) return false;
  }
  return true;
}

// Characters that may appear in a token, a base64 credential or a session id.
bool is_token_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '~' || c == '+' || c == '/' ||
         c == '=' || c == '!' || c == '%';
}

// Where a key=value style value ends.
bool ends_value(char c, char quote) {
  if (quote != 0) return c == quote;
  return c == '&' || c == ' ' || c == ',' || c == ';' || c == '}' || c == '\n' || c == '\r' ||
         c == '\t' || c == '"' || c == '\'';
}

// A Salesforce session id: 00D + 12 or 15 alphanumerics + '!' + token characters.
size_t session_id_length(std::string_view text, size_t pos) {
  if (!starts_with_ci(text, pos, "00d")) return 0;
  if (pos > 0 && is_alnum(text[pos - 1])) return 0;
  size_t i = pos + 3;
  while (i < text.size() && is_alnum(text[i])) ++i;
  size_t id_len = i - pos;
  if ((id_len != 15 && id_len != 18) || i >= text.size() || text[i] != '!') return 0;
  ++i;
  size_t token_start = i;
  while (i < text.size() && is_token_char(text[i])) ++i;
  return i - token_start >= 8 ? i - pos : 0;
}

// Given text[pos..] starting with a sensitive key name (already matched, ending at key_end), finds
// the separator and returns [value_begin, value_end) of the value, or {0, 0} when there is none.
std::pair<size_t, size_t> value_after_key(std::string_view text, size_t key_end) {
  size_t i = key_end;
  // Allow the rest of an identifier ("access_token_v2"), a closing quote, spaces.
  while (i < text.size() && (is_alnum(text[i]) || text[i] == '_' || text[i] == '-')) ++i;
  bool quoted_key = i < text.size() && (text[i] == '"' || text[i] == '\'');
  if (quoted_key) ++i;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i >= text.size() || (text[i] != '=' && text[i] != ':')) return {0, 0};
  ++i;
  while (i < text.size() && text[i] == ' ') ++i;
  char quote = 0;
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) quote = text[i++];
  size_t begin = i;
  // "Authorization: Bearer xyz" is handled by the Bearer rule, which keeps the scheme visible.
  if (starts_with_ci(text, begin, "bearer ") || starts_with_ci(text, begin, "basic "))
    return {0, 0};
  while (i < text.size() && !ends_value(text[i], quote)) {
    if (quote != 0 && text[i] == '\\' && i + 1 < text.size()) ++i;
    ++i;
  }
  if (i == begin) return {0, 0};
  // A JSON member whose value is not a string (a number, object, array or literal) carries no
  // secret worth hiding; an unquoted value after an unquoted key (key=value) always might.
  if (quote == 0 && (quoted_key || text[begin] == '{' || text[begin] == '[')) return {0, 0};
  return {begin, std::min(i, text.size())};
}

// A JWT or a base64 JSON document ("eyJ" is base64 of '{"'): an invocation's `auth` token, an
// x-request-context or x-client-context value. At least 20 characters of base64, base64url and
// dots, at a word boundary.
size_t encoded_json_length(std::string_view text, size_t pos) {
  if (text.compare(pos, 3, "eyJ") != 0) return 0;
  if (pos > 0 && (is_alnum(text[pos - 1]) || text[pos - 1] == '_' || text[pos - 1] == '-' ||
                  text[pos - 1] == '.' || text[pos - 1] == '+' || text[pos - 1] == '/')) {
    return 0;
  }
  size_t i = pos;
  while (i < text.size() &&
         (is_alnum(text[i]) || text[i] == '.' || text[i] == '_' || text[i] == '-' ||
          text[i] == '+' || text[i] == '/' || text[i] == '=')) {
    ++i;
  }
  return i - pos >= 20 ? i - pos : 0;
}

constexpr std::array<std::string_view, 10> kSensitiveWords = {
    "token",  "password", "passwd",  "secret",     "authorization",
    "cookie", "apikey",   "api_key", "credential", "x-client-context"};

// The length of a sensitive key word starting at pos, or 0.
size_t sensitive_word_at(std::string_view text, size_t pos) {
  for (auto word : kSensitiveWords) {
    if (starts_with_ci(text, pos, word)) return word.size();
  }
  return 0;
}

// "Bearer xyz" / "Basic xyz" at pos: returns how much to keep (the scheme and spaces) and how
// much to skip (scheme, spaces and credentials), or {0, 0}.
std::pair<size_t, size_t> auth_scheme_at(std::string_view text, size_t pos) {
  if (pos > 0 && is_alnum(text[pos - 1])) return {0, 0};
  for (std::string_view scheme : {std::string_view("bearer "), std::string_view("basic ")}) {
    if (!starts_with_ci(text, pos, scheme)) continue;
    size_t j = pos + scheme.size();
    while (j < text.size() && text[j] == ' ') ++j;
    size_t k = j;
    while (k < text.size() && is_token_char(text[k])) ++k;
    if (k > j) return {j - pos, k - pos};
  }
  return {0, 0};
}

// Whether a rule can start at a character: the first letters of the auth schemes ("bearer ",
// "basic "), of "://", of session ids ("00D"), of encoded JSON ("eyJ") and of the sensitive words.
// Every other character
// is copied without trying the rules, which keeps redaction cheap on ordinary log values.
constexpr std::array<bool, 256> kRuleStarts = [] {
  std::array<bool, 256> starts{};
  auto mark = [&](char c) {
    starts[static_cast<unsigned char>(c)] = true;
    if (c >= 'a' && c <= 'z') starts[static_cast<unsigned char>(c - 'a' + 'A')] = true;
  };
  mark('b');
  mark(':');
  mark('0');
  mark('e');
  for (auto word : kSensitiveWords) mark(word[0]);
  return starts;
}();

}  // namespace

bool is_sensitive_key(std::string_view key) {
  return std::any_of(kSensitiveWords.begin(), kSensitiveWords.end(),
                     [&](std::string_view word) { return contains_ci(key, word); });
}

std::string redact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (!kRuleStarts[static_cast<unsigned char>(c)]) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (auto [keep, skip] = auth_scheme_at(text, i); skip > 0) {
      out.append(text.substr(i, keep));
      out.append(kRedacted);
      i += skip;
      continue;
    }
    // scheme://user:password@host
    if (c == ':' && starts_with_ci(text, i, "://")) {
      size_t j = i + 3;
      size_t colon = std::string_view::npos;
      size_t k = j;
      while (k < text.size() && text[k] != '@' && text[k] != '/' && text[k] != ' ' &&
             text[k] != '"' && text[k] != '?' && text[k] != '#') {
        if (text[k] == ':' && colon == std::string_view::npos) colon = k;
        ++k;
      }
      if (k < text.size() && text[k] == '@' && colon != std::string_view::npos) {
        out.append(text.substr(i, colon + 1 - i));
        out.append(kRedacted);
        i = k;  // continue from '@'
        continue;
      }
    }
    if (size_t n = encoded_json_length(text, i); n > 0) {
      out.append(kRedacted);
      i += n;
      continue;
    }
    if (size_t n = session_id_length(text, i); n > 0) {
      out.append(kRedacted);
      i += n;
      continue;
    }
    if (size_t n = sensitive_word_at(text, i); n > 0) {
      auto [begin, end] = value_after_key(text, i + n);
      if (end > begin) {
        out.append(text.substr(i, begin - i));
        out.append(kRedacted);
        i = end;
        continue;
      }
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace pe
