#include "common/json_schema.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace pe {
namespace {

namespace json = boost::json;

const json::object& document() {
  static const json::value doc = json::parse(R"({
    "components": {"schemas": {
      "Request": {"type": "object", "required": ["opportunityIds"], "additionalProperties": false,
        "properties": {
          "opportunityIds": {"type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": true,
                             "items": {"$ref": "#/components/schemas/Id"}},
          "callbackUrl": {"type": "string", "maxLength": 10},
          "mode": {"type": "string", "enum": ["a", "b"]},
          "count": {"type": "integer", "minimum": 1, "maximum": 5},
          "note": {"type": "string", "nullable": true}}},
      "Id": {"type": "string", "pattern": "^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$"}}}})");
  return doc.get_object();
}

Result<void> check(std::string_view body) {
  SchemaValidator validator(document());
  const auto& schema = document().at("components").at("schemas").at("Request").get_object();
  return validator.validate(json::parse(body), schema);
}

std::string message(std::string_view body) {
  auto r = check(body);
  return r ? "ok" : r.error().message;
}

TEST(JsonSchema, AcceptsWhatTheSchemaDescribes) {
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001"], "count": 3, "note": null})"), "ok");
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001AAA"], "mode": "b"})"), "ok");
}

TEST(JsonSchema, NamesTheFieldAtFault) {
  EXPECT_EQ(message(R"({})"), "opportunityIds: is required");
  EXPECT_EQ(message(R"([])"), "the body: must be an object");
  EXPECT_EQ(message(R"({"opportunityIds": "006"})"), "opportunityIds: must be an array");
  EXPECT_EQ(message(R"({"opportunityIds": []})"), "opportunityIds: must hold at least 1 items");
  EXPECT_EQ(message(R"({"opportunityIds": ["a","b","c","d"]})"),
            "opportunityIds: must hold at most 3 items");
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001", "006' OR Name != '"]})"),
            "opportunityIds[1]: must match ^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$");
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001", "006000000000001"]})"),
            "opportunityIds[1]: repeats an earlier item");
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001"], "extra": 1})"),
            "extra: is not a known field");
  EXPECT_EQ(
      message(R"({"opportunityIds": ["006000000000001"], "callbackUrl": "https://x.example"})"),
      "callbackUrl: must be at most 10 characters");
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001"], "mode": "c"})"),
            "mode: must be one of [\"a\",\"b\"]");
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001"], "count": 2.5})"),
            "count: must be an integer");
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001"], "count": 9})"),
            "count: must be at most 5");
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001"], "count": 0})"),
            "count: must be at least 1");
}

TEST(JsonSchema, ABrokenReferenceIsTheDocumentsFaultNotTheCallers) {
  json::value doc = json::parse(R"({"components": {"schemas": {}}})");
  SchemaValidator validator(doc.get_object());
  json::object schema{{"$ref", "#/components/schemas/Missing"}};
  auto r = validator.validate(json::parse("{}"), schema);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::internal);
}

TEST(JsonSchema, CountsCharactersNotBytes) {
  // "ü" is two bytes: ten of them are ten characters.
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += "\xc3\xbc";
  EXPECT_EQ(message(R"({"opportunityIds": ["006000000000001"], "callbackUrl": ")" + ten + "\"}"),
            "ok");
}

}  // namespace
}  // namespace pe
