#include "common/sfid.hpp"

#include <algorithm>
#include <stdexcept>

namespace pe {
namespace {

constexpr std::string_view kSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct PrefixType {
  std::string_view prefix;
  std::string_view type;
};

// Key prefixes of the objects we use (salesforce-facts.md, section 1).
constexpr std::array<PrefixType, 14> kPrefixes = {{
    {"001", "Account"},
    {"003", "Contact"},
    {"005", "User"},
    {"006", "Opportunity"},
    {"00D", "Organization"},
    {"00k", "OpportunityLineItem"},
    {"01s", "Pricebook2"},
    {"01t", "Product2"},
    {"01u", "PricebookEntry"},
    {"0Q0", "Quote"},
    {"0QL", "QuoteLineItem"},
    {"750", "BulkJob"},
    {"e00", "PlatformEvent"},
    {"01g", "QueryLocator"},
}};

bool is_id_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// The input, shortened for error messages so a hostile 1 MB "id" does not become a 1 MB error.
std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > 40) out += "...";
  return out;
}

Error malformed(std::string_view text, std::string_view why) {
  return Error{Errc::invalid_argument,
               "malformed Salesforce Id '" + shown(text) + "': " + std::string(why)};
}

}  // namespace

std::array<char, 3> salesforce_id_suffix(std::string_view id15) {
  std::array<char, 3> suffix{};
  for (int group = 0; group < 3; ++group) {
    int bits = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id15[group * 5 + i];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix[group] = kSuffixAlphabet[bits];
  }
  return suffix;
}

Result<SalesforceId> SalesforceId::parse(std::string_view text) {
  if (text.size() != 15 && text.size() != 18) {
    return malformed(text, "must be 15 or 18 characters, not " + std::to_string(text.size()));
  }
  if (!std::all_of(text.begin(), text.end(), is_id_char)) {
    return malformed(text, "only letters and digits are allowed");
  }
  SalesforceId id;
  std::copy_n(text.begin(), 15, id.chars_.begin());
  auto suffix = salesforce_id_suffix(text);
  if (text.size() == 18 && !std::equal(suffix.begin(), suffix.end(), text.begin() + 15)) {
    return malformed(text, "the last 3 characters are not the checksum of the first 15");
  }
  std::copy(suffix.begin(), suffix.end(), id.chars_.begin() + 15);
  return id;
}

SalesforceId SalesforceId::make(std::string_view prefix, uint64_t serial) {
  if (!is_key_prefix(prefix)) {
    throw std::invalid_argument("a key prefix is 3 letters or digits");
  }
  SalesforceId id;
  std::copy(prefix.begin(), prefix.end(), id.chars_.begin());
  for (int i = 14; i >= 3; --i) {
    id.chars_[i] = kBase62[serial % 62];
    serial /= 62;
  }
  auto suffix = salesforce_id_suffix(id.str15());
  std::copy(suffix.begin(), suffix.end(), id.chars_.begin() + 15);
  return id;
}

std::string_view SalesforceId::sobject_type() const { return sobject_type_for_prefix(prefix()); }

std::string_view sobject_type_for_prefix(std::string_view prefix) {
  for (const auto& p : kPrefixes) {
    if (p.prefix == prefix) return p.type;
  }
  return {};
}

bool is_key_prefix(std::string_view text) {
  return text.size() == 3 && std::all_of(text.begin(), text.end(), is_id_char);
}

std::string_view key_prefix_for(std::string_view sobject_type) {
  for (const auto& p : kPrefixes) {
    if (p.type == sobject_type) return p.prefix;
  }
  return {};
}

}  // namespace pe
