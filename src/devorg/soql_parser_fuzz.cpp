// soql_parser_fuzz.cpp: libFuzzer target for the SOQL front end (lexer, parser, translator).
//
// Every input must come back as either a compiled query or an ApiError, without a crash, a
// leak or undefined behaviour (the target is built with ASan and UBSan); every error message
// must be valid UTF-8, since the REST layer puts it in a JSON body; and a compiled statement's
// placeholders must match its bound values one to one (no caller text in the SQL). Built only with
// -DPE_FUZZ=ON and clang; run with scripts/fuzz (corpus: src/devorg/fuzz_corpus/soql/).
#include "devorg/soql_translator.hpp"
#include "soql/utf8.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view soql(reinterpret_cast<const char*>(data), size);
  pe::devorg::TranslateOptions options;
  // A fixed clock keeps runs reproducible.
  options.now = std::chrono::system_clock::time_point(std::chrono::seconds(1'710'343'400));
  auto compiled = pe::devorg::compile_soql(soql, options);
  if (!compiled) {
    const auto& error = compiled.error();
    if (error.error_code.empty() || !pe::soql::is_valid_utf8(error.message)) std::abort();
    return 0;
  }
  // No caller text reaches the SQL: every value is a placeholder (and the SQL has no other '?',
  // since names come from the schema), so the placeholders match the bound values one to one.
  auto placeholders = [](const std::string& sql) {
    return static_cast<size_t>(std::count(sql.begin(), sql.end(), '?'));
  };
  if (placeholders(compiled->sql) != compiled->params.size()) std::abort();
  if (placeholders(compiled->count_sql) != compiled->count_params.size()) std::abort();
  for (const auto& child : compiled->children) {
    if (placeholders(child.sql(3)) != 3 + child.params.size()) std::abort();
  }
  return 0;
}
