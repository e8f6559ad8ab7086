#include "pricing/pricing_engine.hpp"

#include <cstring>
#include <string>

namespace pe::pricing {
namespace {

__extension__ using i128 = __int128;

// The n bytes at a and b are equal. Inline word compares: these strings are short (a status
// label, a 50-byte description) and a call to memcmp costs more than comparing them.
bool same_bytes(const char* a, const char* b, size_t n) {
  auto word = [](const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  };
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  uint64_t diff = word(a + n - 8) ^ word(b + n - 8);  // the last 8, overlapping the words below
  for (size_t i = 0; i + 8 <= n; i += 8) diff |= word(a + i) ^ word(b + i);
  return diff == 0;
}

// out = prefix + text, without writing when it already is (a reused plan's description always
// is): comparing is cheaper than copying, and leaves the string's memory clean.
void set_text(std::string& out, std::string_view prefix, std::string_view text) {
  if (out.size() == prefix.size() + text.size() &&
      same_bytes(out.data(), prefix.data(), prefix.size()) &&
      same_bytes(out.data() + prefix.size(), text.data(), text.size())) {
    return;
  }
  out.assign(prefix).append(text);
}

// discount / subtotal rounded half up to 6 places, both >= 0 and subtotal > 0: what
// Decimal::divide computes, inline for the common case where discount × 10^6 fits in 64 bits.
Decimal discount_rate(Decimal discount, Decimal subtotal) {
  const auto n = static_cast<uint64_t>(discount.units());
  const auto d = static_cast<uint64_t>(subtotal.units());
  if (discount.is_negative() || n > static_cast<uint64_t>(INT64_MAX) / Decimal::kUnitsPerOne) {
    auto rate = discount.divide(subtotal, Decimal::kScale);
    return rate ? *rate : Decimal();
  }
  const uint64_t scaled = n * Decimal::kUnitsPerOne;
  uint64_t q = scaled / d;
  const uint64_t r = scaled % d;
  q += r >= d - r;  // 2r >= d: half up
  return Decimal::from_units(static_cast<int64_t>(q));
}

std::string line_problem(const Opportunity& opp, size_t i, std::string_view problem) {
  const auto& line = opp.lines[i];
  return "line " + std::to_string(i + 1) + " (" + std::string(line.id.str()) +
         "): " + std::string(problem);
}

// Empty when the line can be priced, else what is wrong with it.
std::string check_line(const OpportunityLine& line, int scale) {
  if (line.pricebook_entry_id.is_null()) return "no price book entry";
  if (!line.quantity.is_positive()) {
    return "quantity must be positive, not " + line.quantity.to_string();
  }
  if (!line.list_price.is_positive()) {
    return "list price must be positive, not " + line.list_price.to_string();
  }
  if (!line.list_price.has_scale(scale)) {
    return "list price " + line.list_price.to_string() + " has more than " + std::to_string(scale) +
           " decimal places";
  }
  if (line.discount_override &&
      (line.discount_override->is_negative() || *line.discount_override > Decimal::one())) {
    return "discount override must be a rate from 0 to 1, not " +
           line.discount_override->to_string();
  }
  return {};
}

}  // namespace

std::string_view to_string(QuoteStatus status) {
  switch (status) {
    case QuoteStatus::draft:
      return "draft";
    case QuoteStatus::needs_review:
      return "needs_review";
    case QuoteStatus::skipped:
      return "skipped";
  }
  return "skipped";
}

std::vector<std::string> PricingEngine::explain(const QuotePlan& plan, size_t line) const {
  std::vector<std::string> out;
  if (line >= plan.lines.size()) return out;
  const LinePlan& l = plan.lines[line];
  static constexpr std::pair<RuleKind, std::string_view> kNames[] = {
      {RuleKind::region, "region"},
      {RuleKind::family, "family"},
      {RuleKind::volume, "volume"},
      {RuleKind::deal_size, "deal size"},
      {RuleKind::discount_override, "override"},
      {RuleKind::cap, "cap"},
      {RuleKind::custom, "custom"}};
  for (auto [kind, name] : kNames) {
    if (l.fired.has(kind)) out.emplace_back(name);
  }
  return out;
}

std::vector<std::string> PricingEngine::explain_quote(const QuotePlan&) const { return {}; }

QuotePlan PricingEngine::price(const Opportunity& opportunity) const {
  QuotePlan plan;
  price_into(opportunity, plan);
  return plan;
}

void PricingEngine::price_batch(std::span<const Opportunity> opportunities,
                                std::vector<QuotePlan>& out) const {
  out.resize(opportunities.size());
  for (size_t i = 0; i < opportunities.size(); ++i) price_into(opportunities[i], out[i]);
}

void quote_name(std::string_view opportunity_name, std::string& out) {
  constexpr std::string_view kPrefix = "Quote for ";
  std::string_view name = opportunity_name.empty() ? "Opportunity" : opportunity_name;
  // A reused plan's name already starts with the prefix: keep it and replace only the rest.
  if (out.size() >= kPrefix.size() && same_bytes(out.data(), kPrefix.data(), kPrefix.size())) {
    out.resize(kPrefix.size());
  } else {
    out.assign(kPrefix);
  }
  if (name.size() <= 70) {  // 70 bytes are at most 70 characters: no need to count
    out.append(name);
    return;
  }
  size_t characters = out.size();
  for (size_t i = 0; i < name.size() && characters < 80;) {
    // One UTF-8 sequence: a lead byte and its continuation bytes (10xxxxxx).
    size_t end = i + 1;
    while (end < name.size() && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) ++end;
    out.append(name.substr(i, end - i));
    ++characters;
    i = end;
  }
}

bool start_quote(const Opportunity& opportunity, const QuoteSettings& settings, QuotePlan& out) {
  out.opportunity_id = opportunity.id;
  out.pricebook2_id = opportunity.pricebook2_id;
  quote_name(opportunity.name, out.name);
  set_text(out.description, "Priced by ", settings.version);
  out.status = QuoteStatus::draft;  // finish_quote() sets the status and its label
  out.skip_reason.clear();
  out.valid_days = settings.valid_days;
  out.currency_scale = static_cast<int8_t>(settings.currency_scale);
  out.subtotal = out.discount = out.total = out.discount_rate = Decimal();
  out.region = -1;
  out.deal_tier = -1;
  if (opportunity.pricebook2_id.is_null()) {
    skip_quote(out, "no price book (Pricebook2Id is empty)");
    return false;
  }
  if (opportunity.lines.empty()) {
    skip_quote(out, "no line items");
    return false;
  }
  return true;
}

bool check_lines(const Opportunity& opportunity, int currency_scale, QuotePlan& out) {
  for (size_t i = 0; i < opportunity.lines.size(); ++i) {
    if (auto problem = check_line(opportunity.lines[i], currency_scale); !problem.empty()) {
      skip_quote(out, line_problem(opportunity, i, problem));
      return false;
    }
  }
  return true;
}

bool begin_quote(const Opportunity& opportunity, const QuoteSettings& settings, QuotePlan& out) {
  if (!start_quote(opportunity, settings, out)) return false;
  if (!check_lines(opportunity, settings.currency_scale, out)) return false;
  out.lines.assign(opportunity.lines.size(), LinePlan{});
  return true;
}

void skip_quote(QuotePlan& out, std::string_view reason) {
  out.status = QuoteStatus::skipped;
  out.status_label.clear();
  out.skip_reason.assign(reason);
  out.lines.clear();
  out.subtotal = out.discount = out.total = out.discount_rate = Decimal();
}

void finish_quote(const QuoteSettings& settings, QuotePlan& out) {
  Decimal subtotal;
  Decimal total;
  bool in_range = true;
  for (const auto& line : out.lines) {
    in_range &= subtotal.add_into(line.list_total, subtotal);
    in_range &= total.add_into(line.total, total);
  }
  if (!in_range) return skip_quote(out, "quote total out of range");
  finish_quote(settings, subtotal, total, out);
}

void finish_quote(const QuoteSettings& settings, Decimal subtotal, Decimal total, QuotePlan& out) {
  Decimal discount;
  if (!subtotal.subtract_into(total, discount)) return skip_quote(out, "quote total out of range");
  out.subtotal = subtotal;
  out.total = total;
  out.discount = discount;
  out.discount_rate = Decimal();
  bool review = false;
  if (subtotal.is_positive()) {
    out.discount_rate = discount_rate(discount, subtotal);
    // discount / subtotal > threshold, without rounding: cross-multiplied in 128 bits.
    review = static_cast<i128>(discount.units()) * Decimal::kUnitsPerOne >
             static_cast<i128>(settings.review_threshold.units()) * subtotal.units();
  }
  out.status = review ? QuoteStatus::needs_review : QuoteStatus::draft;
  set_text(out.status_label, "", review ? settings.review_status : settings.draft_status);
}

}  // namespace pe::pricing
