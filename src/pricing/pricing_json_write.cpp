// pricing_json_write.cpp: quote plans as JSON (one quote per line, exact decimals) or as a table,
// and opportunities back to the input format.
#include "pricing/pricing_json.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>

namespace pe::pricing {
namespace {

void str(std::string& out, std::string_view s) {
  out += boost::json::serialize(boost::json::string(s));
}

void key(std::string& out, std::string_view k) {
  out += '"';
  out += k;
  out += "\":";
}

void id_or_null(std::string& out, const SalesforceId& id) {
  if (id.is_null()) {
    out += "null";
  } else {
    str(out, id.str());
  }
}

void string_list(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    str(out, items[i]);
  }
  out += ']';
}

void quote_json(const PricingEngine& engine, const Opportunity& opp, const QuotePlan& plan,
                std::string& out) {
  const int scale = plan.currency_scale;
  out += '{';
  key(out, "opportunity_id");
  str(out, plan.opportunity_id.str());
  out += ',';
  key(out, "name");
  str(out, plan.name);
  out += ',';
  key(out, "pricebook2_id");
  id_or_null(out, plan.pricebook2_id);
  out += ',';
  key(out, "status");
  str(out, plan.status_label);
  out += ',';
  key(out, "description");
  str(out, plan.description);
  out += ',';
  key(out, "valid_days");
  out += std::to_string(plan.valid_days);
  out += ',';
  key(out, "rules");
  string_list(out, engine.explain_quote(plan));
  out += ',';
  key(out, "subtotal");
  plan.subtotal.append_json(out, scale);
  out += ',';
  key(out, "discount");
  plan.discount.append_json(out, scale);
  out += ',';
  key(out, "total");
  plan.total.append_json(out, scale);
  out += ',';
  key(out, "discount_rate");
  out += plan.discount_rate.to_string();
  out += ',';
  key(out, "lines");
  out += '[';
  for (size_t i = 0; i < plan.lines.size(); ++i) {
    const LinePlan& l = plan.lines[i];
    const OpportunityLine& in = opp.lines[i];
    if (i) out += ',';
    out += '{';
    key(out, "line_id");
    str(out, in.id.str());
    out += ',';
    key(out, "pricebook_entry_id");
    str(out, in.pricebook_entry_id.str());
    out += ',';
    key(out, "product_family");
    str(out, in.product_family);
    out += ',';
    key(out, "quantity");
    out += in.quantity.to_string();
    out += ',';
    key(out, "list_price");
    l.list_price.append_json(out, scale);
    out += ',';
    key(out, "discount_rate");
    out += l.discount_rate.to_string();
    out += ',';
    key(out, "rules");
    string_list(out, engine.explain(plan, i));
    out += ',';
    key(out, "unit_price");
    l.unit_price.append_json(out, scale);
    out += ',';
    key(out, "total");
    l.total.append_json(out, scale);
    out += '}';
  }
  out += "]}";
}

// Right-aligned in width columns (ASCII text only in numeric columns).
void pad_left(std::string& out, std::string_view text, size_t width) {
  if (text.size() < width) out.append(width - text.size(), ' ');
  out += text;
}

void pad_right(std::string& out, std::string_view text, size_t width) {
  out += text;
  if (text.size() < width) out.append(width - text.size(), ' ');
}

std::string percent(Decimal rate) {
  return Decimal::from_units(rate.units() * 100).to_string() + "%";
}

void quote_table(const PricingEngine& engine, const Opportunity& opp, const QuotePlan& plan,
                 std::string& out) {
  const int scale = plan.currency_scale;
  out += "Opportunity " + std::string(plan.opportunity_id.str()) + "  " + plan.name + "\n";
  out += "  status " + plan.status_label;
  for (const auto& fact : engine.explain_quote(plan)) out += "  |  " + fact;
  out += "\n";
  size_t family_width = 6;
  for (const auto& line : opp.lines) {
    family_width = std::max(family_width, std::min<size_t>(line.product_family.size(), 24));
  }
  out += "     #  ";
  pad_right(out, "family", family_width);
  out += "      quantity    list price  discount    unit price         total  rules\n";
  for (size_t i = 0; i < plan.lines.size(); ++i) {
    const LinePlan& l = plan.lines[i];
    const OpportunityLine& in = opp.lines[i];
    out += "  ";
    pad_left(out, std::to_string(i + 1), 4);
    out += "  ";
    pad_right(out, in.product_family.substr(0, 24), family_width);
    pad_left(out, in.quantity.to_string(), 14);
    pad_left(out, l.list_price.to_string(scale), 14);
    pad_left(out, percent(l.discount_rate), 10);
    pad_left(out, l.unit_price.to_string(scale), 14);
    pad_left(out, l.total.to_string(scale), 14);
    out += "  ";
    auto rules = engine.explain(plan, i);
    for (size_t k = 0; k < rules.size(); ++k) out += (k ? ", " : "") + rules[k];
    out += "\n";
  }
  out += "  subtotal " + plan.subtotal.to_string(scale) + "  discount " +
         plan.discount.to_string(scale) + " (" + percent(plan.discount_rate) + ")  total " +
         plan.total.to_string(scale) + "\n\n";
}

void opportunity_json(const Opportunity& opp, std::string& out) {
  out += "{\"id\":";
  str(out, opp.id.str());
  out += ",\"name\":";
  str(out, opp.name);
  out += ",\"account\":{\"id\":";
  id_or_null(out, opp.account.id);
  out += ",\"name\":";
  str(out, opp.account.name);
  out += ",\"billing_country\":";
  str(out, opp.account.billing_country);
  out += "},\"pricebook2_id\":";
  id_or_null(out, opp.pricebook2_id);
  out += ",\"lines\":[";
  for (size_t i = 0; i < opp.lines.size(); ++i) {
    const auto& l = opp.lines[i];
    if (i) out += ',';
    out += "{\"id\":";
    str(out, l.id.str());
    out += ",\"product2_id\":";
    id_or_null(out, l.product2_id);
    out += ",\"pricebook_entry_id\":";
    id_or_null(out, l.pricebook_entry_id);
    out += ",\"product_family\":";
    str(out, l.product_family);
    out += ",\"quantity\":" + l.quantity.to_string();
    out += ",\"list_price\":" + l.list_price.to_string();
    if (l.discount_override) out += ",\"discount_override\":" + l.discount_override->to_string();
    out += '}';
  }
  out += "]}";
}

}  // namespace

void write_opportunities_json(std::span<const Opportunity> opportunities, std::string& out) {
  out += "{\"opportunities\":[\n";
  for (size_t i = 0; i < opportunities.size(); ++i) {
    opportunity_json(opportunities[i], out);
    out += i + 1 < opportunities.size() ? ",\n" : "\n";
  }
  out += "]}\n";
}

void write_quotes_json(const PricingEngine& engine, std::span<const Opportunity> opportunities,
                       std::span<const QuotePlan> plans, std::string& out) {
  out += "{\"engine\":";
  str(out, engine.version());
  out += ",\"quotes\":[";
  bool first = true;
  for (size_t i = 0; i < plans.size() && i < opportunities.size(); ++i) {
    if (plans[i].status == QuoteStatus::skipped) continue;
    out += first ? "\n" : ",\n";
    first = false;
    quote_json(engine, opportunities[i], plans[i], out);
  }
  out += "\n],\"skipped\":[";
  first = true;
  for (const auto& plan : plans) {
    if (plan.status != QuoteStatus::skipped) continue;
    out += first ? "\n" : ",\n";
    first = false;
    out += "{\"opportunity_id\":";
    str(out, plan.opportunity_id.str());
    out += ",\"reason\":";
    str(out, plan.skip_reason);
    out += '}';
  }
  out += "\n]}\n";
}

void write_quotes_table(const PricingEngine& engine, std::span<const Opportunity> opportunities,
                        std::span<const QuotePlan> plans, std::string& out) {
  out += "Engine: " + std::string(engine.version()) + "\n\n";
  size_t quoted = 0;
  for (size_t i = 0; i < plans.size() && i < opportunities.size(); ++i) {
    if (plans[i].status == QuoteStatus::skipped) continue;
    ++quoted;
    quote_table(engine, opportunities[i], plans[i], out);
  }
  for (const auto& plan : plans) {
    if (plan.status != QuoteStatus::skipped) continue;
    out += "Skipped " + std::string(plan.opportunity_id.str()) + ": " + plan.skip_reason + "\n";
  }
  out +=
      std::to_string(quoted) + " quoted, " + std::to_string(plans.size() - quoted) + " skipped\n";
}

}  // namespace pe::pricing
