#include "soql/error.hpp"

#include "soql/utf8.hpp"

#include <algorithm>

namespace pe::soql {
namespace {

bool is_word(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Code points in text[from, to), counting each invalid byte as one (it prints as U+FFFD).
size_t code_points(std::string_view text, size_t from, size_t to) {
  size_t count = 0;
  for (size_t i = from; i < to;) {
    size_t n = utf8_sequence_length(text, i);
    i += n == 0 ? 1 : n;
    ++count;
  }
  return count;
}

// Appends text with invalid UTF-8 replaced by U+FFFD and NUL spelled out.
void append_printable(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else if (text[i] == '\0') {
      out += "\\0";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
}

}  // namespace

void throw_exception_from_error(const SoqlError& error, const boost::source_location&) {
  throw ErrorException(to_error(error));
}

Error to_error(const SoqlError& error) {
  return Error{Errc::invalid_argument, error.error_code + ": " + error.message};
}

std::string query_error_message(std::string_view soql, size_t offset, std::string_view text) {
  offset = std::min(offset, soql.size());
  size_t newline = soql.substr(0, offset).rfind('\n');
  size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  size_t line_end = soql.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = soql.size();
  size_t row = 1 + static_cast<size_t>(std::count(soql.begin(), soql.begin() + line_start, '\n'));

  // Salesforce shows about 30 characters either side of the error, widened to whole words:
  // "SELECT Id, DepProbeField__c FROM Account LIMIT" for an error at column 12 of
  // "SELECT Id, DepProbeField__c FROM Account LIMIT 1".
  constexpr size_t kContext = 30;
  size_t lo = offset > line_start + kContext ? offset - kContext : line_start;
  while (lo > line_start && is_word(soql[lo]) && is_word(soql[lo - 1])) --lo;
  while (lo < offset && is_space(soql[lo])) ++lo;
  size_t hi = std::min(line_end, offset + kContext + 1);
  while (hi < line_end && is_word(soql[hi]) && is_word(soql[hi - 1])) ++hi;
  while (hi > offset + 1 && hi > lo && is_space(soql[hi - 1])) --hi;
  hi = std::max(hi, std::min(offset, line_end));
  // A window that starts or ends inside a multi-byte character would print U+FFFD for a valid
  // character: move it to the character's boundaries.
  while (lo > line_start && lo < soql.size() &&
         (static_cast<unsigned char>(soql[lo]) & 0xC0) == 0x80) {
    --lo;
  }
  while (hi < line_end && (static_cast<unsigned char>(soql[hi]) & 0xC0) == 0x80) ++hi;

  std::string out = "\n";
  append_printable(out, soql.substr(lo, hi - lo));
  out += '\n';
  out.append(code_points(soql, lo, offset), ' ');
  out += "^\nERROR at Row:" + std::to_string(row) +
         ":Column:" + std::to_string(code_points(soql, line_start, offset) + 1) + "\n";
  append_printable(out, text);
  return out;
}

std::string printable(std::string_view text, size_t max_chars) {
  size_t end = 0;
  size_t chars = 0;
  while (end < text.size() && chars < max_chars) {
    size_t n = utf8_sequence_length(text, end);
    end += n == 0 ? 1 : n;
    ++chars;
  }
  std::string out;
  append_printable(out, text.substr(0, end));
  if (end < text.size()) out += "...";
  return out;
}

}  // namespace pe::soql
