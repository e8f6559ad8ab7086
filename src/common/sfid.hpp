// sfid.hpp: Salesforce record Ids, validated and compared in their 18-character form.
//
// An Id is 15 case-sensitive characters [0-9A-Za-z] (3 of key prefix naming the object type, then
// the record), or those 15 plus a 3-character suffix that encodes which of them are upper case,
// so that the 18-character form survives case-insensitive systems. We accept both, verify the
// suffix of an 18-character Id strictly (it must be the checksum of the 15 characters as given),
// and always store and print 18 characters. Parsing does not allocate: the webhook validates
// hundreds of thousands of Ids a second.
//
//   auto id = SalesforceId::parse("006am000006pSAY");      // Result<SalesforceId>
//   id->str();             // "006am000006pSAYAA2"
//   id->sobject_type();    // "Opportunity"
//   SalesforceId::make("0Q0", 42);   // a valid Id minted by the local org
#pragma once

#include "common/error.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pe {

class SalesforceId {
 public:
  // 15 or 18 characters of [0-9A-Za-z]; an 18-character Id's suffix must match its checksum.
  // Errc::invalid_argument otherwise, with a message that names the problem.
  static Result<SalesforceId> parse(std::string_view text);
  // An Id with the given 3-character key prefix and a serial number (base 62 in the remaining
  // 12 characters). Throws std::invalid_argument for a bad prefix: that is a programming error.
  static SalesforceId make(std::string_view prefix, uint64_t serial);

  std::string_view str() const { return {chars_.data(), chars_.size()}; }
  std::string_view str15() const { return {chars_.data(), 15}; }
  std::string_view prefix() const { return {chars_.data(), 3}; }
  // The sObject type of the key prefix ("Opportunity"), or "" for a prefix we do not know.
  std::string_view sobject_type() const;

  friend bool operator==(const SalesforceId&, const SalesforceId&) = default;
  friend auto operator<=>(const SalesforceId&, const SalesforceId&) = default;

 private:
  SalesforceId() = default;
  std::array<char, 18> chars_{};
};

// The 3-character checksum suffix of a 15-character Id (no validation).
std::array<char, 3> salesforce_id_suffix(std::string_view id15);
// "Opportunity" for "006", ... ; "" when unknown.
std::string_view sobject_type_for_prefix(std::string_view prefix);
// "006" for "Opportunity", ... ; "" when unknown.
std::string_view key_prefix_for(std::string_view sobject_type);

}  // namespace pe

template <>
struct std::hash<pe::SalesforceId> {
  size_t operator()(const pe::SalesforceId& id) const noexcept {
    return std::hash<std::string_view>()(id.str());
  }
};
