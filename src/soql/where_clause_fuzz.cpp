// where_clause_fuzz.cpp: libFuzzer target for the product's where-clause check
// (check_where_clause, where_clause.hpp), on the fields of a describe of Opportunity.
//
// Properties: no crash, leak or undefined behaviour (built with ASan and UBSan); a clause it
// accepts, embedded as `SELECT Id FROM Opportunity WHERE <clause>`, also parses with parse_soql
// (so what the product queues is a statement Salesforce's grammar, as we know it, accepts); a
// problem's position is within the clause (at most its length in characters) and its message is
// non-empty, valid UTF-8 and short. Built only with -DPE_FUZZ=ON and clang; run with scripts/fuzz
// (corpus: src/soql/fuzz_corpus/where_clause/).
#include "soql/parser.hpp"
#include "soql/utf8.hpp"
#include "soql/where_clause.hpp"

#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

const pe::soql::ObjectFields& opportunity() {
  static const pe::soql::ObjectFields fields =
      pe::soql::fields_from_describe(boost::json::parse(R"({"name": "Opportunity", "fields": [
        {"name": "Id", "type": "id", "relationshipName": null},
        {"name": "Name", "type": "string", "relationshipName": null},
        {"name": "AccountId", "type": "reference", "relationshipName": "Account"},
        {"name": "OwnerId", "type": "reference", "relationshipName": "Owner"},
        {"name": "StageName", "type": "picklist", "relationshipName": null},
        {"name": "Amount", "type": "currency", "relationshipName": null},
        {"name": "Probability", "type": "percent", "relationshipName": null},
        {"name": "TotalOpportunityQuantity", "type": "double", "relationshipName": null},
        {"name": "CloseDate", "type": "date", "relationshipName": null},
        {"name": "CreatedDate", "type": "datetime", "relationshipName": null},
        {"name": "IsWon", "type": "boolean", "relationshipName": null},
        {"name": "Description", "type": "textarea", "filterable": false}]})")
                                         .as_object());
  return fields;
}

size_t characters(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    size_t n = pe::soql::utf8_sequence_length(text, i);
    i += n == 0 ? 1 : n;
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view clause(reinterpret_cast<const char*>(data), size);
  auto problem = pe::soql::check_where_clause(clause, opportunity());
  if (!problem) {
    if (!pe::soql::parse_soql("SELECT Id FROM Opportunity WHERE " + std::string(clause))) {
      std::abort();
    }
    return 0;
  }
  if (problem->position > characters(clause)) std::abort();
  const std::string& message = problem->message;
  if (message.empty() || !pe::soql::is_valid_utf8(message)) std::abort();
  // About 60 characters of the clause at most, plus the words around them.
  if (characters(message) > 200) std::abort();
  return 0;
}
