// utf8.hpp: the two UTF-8 checks SOQL needs on caller text (statements, error echoes).
//
// SOQL arrives as bytes (a URL, a JSON body); the parser refuses text that is not UTF-8 rather than
// guessing, and error messages echo caller text only in a form that is valid JSON.
//
//   if (!is_valid_utf8(soql)) return error;
//   size_t n = utf8_sequence_length(text, i);   // 1-4, or 0 for an invalid sequence at i
#pragma once

#include <cstddef>
#include <string_view>

namespace pe::soql {

// Length of the well-formed UTF-8 sequence starting at text[i] (1 to 4), or 0 when the bytes
// there are not one (stray continuation byte, overlong form, surrogate, beyond U+10FFFF,
// truncated sequence). i must be < text.size().
size_t utf8_sequence_length(std::string_view text, size_t i);

bool is_valid_utf8(std::string_view text);

}  // namespace pe::soql
