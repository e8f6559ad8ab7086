// sfid.hpp: Salesforce record Ids, validated and compared in their 18-character form.
//
// An Id is 15 case-sensitive characters [0-9A-Za-z] (3 of key prefix naming the object type, then
// the record), or those 15 plus a 3-character suffix that encodes which of them are upper case,
// so that the 18-character form survives case-insensitive systems. We accept both, verify the
// suffix of an 18-character Id strictly (it must be the checksum of the 15 characters as given),
// and always store and print 18 characters. Parsing does not allocate: the webhook validates
// hundreds of thousands of Ids a second.
//
// Strictness, our choice: the suffix exists so that an 18-character Id survives systems that
// change case, and Salesforce may accept such an Id in another case; no source we trust
// (salesforce-facts.md, section 1) says so for the REST API. We accept only the exact form
// Salesforce returns (the 15 characters in their case, the suffix in upper case), so that two
// spellings never name one record here and another in the org. Comparison, ordering and hashing use
// the 18-character form, so a 15- and an 18-character spelling of one record are equal.
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
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace pe {

class SalesforceId {
 public:
  // The null Id, 000000000000000AAA (all zeros, the empty key Salesforce itself uses), so that
  // records holding Ids can be plain structs; is_null() tells it apart.
  constexpr SalesforceId() = default;

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
  constexpr bool is_null() const {
    if (std::is_constant_evaluated()) return chars_ == kNull;
    // Three loads instead of a call to memcmp: the pricing engine asks this for every line.
    uint64_t a;
    uint64_t b;
    uint16_t c;
    std::memcpy(&a, chars_.data(), 8);
    std::memcpy(&b, chars_.data() + 8, 8);
    std::memcpy(&c, chars_.data() + 16, 2);
    // One test of three differences, not three branches.
    return ((a ^ 0x3030303030303030ull) | (b ^ 0x4130303030303030ull) | (c ^ 0x4141u)) == 0;
  }

  friend bool operator==(const SalesforceId&, const SalesforceId&) = default;
  friend auto operator<=>(const SalesforceId&, const SalesforceId&) = default;

 private:
  static constexpr std::array<char, 18> kNull = {'0', '0', '0', '0', '0', '0', '0', '0', '0',
                                                 '0', '0', '0', '0', '0', '0', 'A', 'A', 'A'};
  std::array<char, 18> chars_ = kNull;
};

// The 3-character checksum suffix of a 15-character Id (no validation).
std::array<char, 3> salesforce_id_suffix(std::string_view id15);
// Whether `text` has the shape of a key prefix: 3 letters or digits ("006", "a0B").
bool is_key_prefix(std::string_view text);
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
