// soql_parser_fuzz.cpp: libFuzzer target for the SOQL front end (lexer, parser, translator).
//
// Every input must come back as either a compiled query or an ApiError, without a crash, a
// leak or undefined behaviour (the target is built with ASan and UBSan), and every error
// message must be valid UTF-8, since the REST layer puts it in a JSON body. Built only with
// -DPE_FUZZ=ON and clang; run with scripts/fuzz (corpus: src/devorg/fuzz_corpus/soql/).
#include "devorg/soql_translator.hpp"
#include "devorg/utf8.hpp"

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
    if (error.error_code.empty() || !pe::devorg::is_valid_utf8(error.message)) std::abort();
    return 0;
  }
  // Children's statements are built per page; build one as the executor would.
  for (const auto& child : compiled->children) {
    if (child.sql(3).empty()) std::abort();
  }
  return 0;
}
