#include "quotes/org_action.hpp"

#include <boost/json/array.hpp>

namespace pe::quotes {

namespace json = boost::json;

Error invocation_error(const salesforce::SalesforceError& error) {
  if (is_missing_field_access(error, "DiscountOverride__c")) {
    return Error{Errc::permission_denied,
                 "the invoking user cannot read OpportunityLineItem.DiscountOverride__c, which "
                 "discount overrides need: assign the permission set " +
                     std::string(kElevationPermissionSet) +
                     " to the user (it is activated for the session of each invocation)"};
  }
  if (error.is_invalid_session()) {
    return Error{Errc::unauthenticated, "the invoking user's session is no longer valid"};
  }
  if (error.is_transient() || error.status == 0) {
    return Error{Errc::unavailable, "Salesforce is unavailable: " + error.describe()};
  }
  if (error.status == 403 || error.error_code.starts_with("INSUFFICIENT_ACCESS")) {
    return Error{Errc::permission_denied, "Salesforce refused: " + error.describe()};
  }
  return Error{Errc::failed_precondition, "Salesforce refused: " + error.describe()};
}

namespace {

json::object error_json(const Error& e) {
  return json::object{{"code", to_string(e.code)}, {"message", e.message}};
}

}  // namespace

json::object batch_answer(std::span<const QuoteOutcome> outcomes) {
  json::array results;
  int64_t succeeded = 0;
  for (const auto& o : outcomes) {
    json::object r{{"opportunityId", o.opportunity.str()}};
    if (o.state == QuoteOutcome::State::written) {
      ++succeeded;
      r["success"] = true;
      r["quote"] = quote_json(o);
    } else {
      r["success"] = false;
      r["error"] = error_json(o.error);
    }
    results.push_back(std::move(r));
  }
  const auto total = static_cast<int64_t>(outcomes.size());
  return json::object{
      {"results", std::move(results)},
      {"summary",
       json::object{{"total", total}, {"succeeded", succeeded}, {"failed", total - succeeded}}}};
}

json::object callback_body(std::string_view job_id, std::span<const QuoteOutcome> outcomes,
                           std::span<const SalesforceId> opportunities, const Error* failure) {
  json::array quotes;
  json::array errors;
  int64_t succeeded = 0;
  if (failure) {
    for (const auto& id : opportunities) {
      json::object e = error_json(*failure);
      e["opportunityId"] = id.str();
      errors.push_back(std::move(e));
    }
  } else {
    for (const auto& o : outcomes) {
      if (o.state == QuoteOutcome::State::written) {
        ++succeeded;
        quotes.push_back(quote_json(o));
        continue;
      }
      json::object e = error_json(o.error);
      e["opportunityId"] = o.opportunity.str();
      errors.push_back(std::move(e));
    }
  }
  const auto total = static_cast<int64_t>(opportunities.size());
  std::string_view status = succeeded == total ? "succeeded"
                            : succeeded == 0   ? "failed"
                                               : "partially_failed";
  return json::object{
      {"jobId", job_id},
      {"status", status},
      {"quotes", std::move(quotes)},
      {"summary",
       json::object{{"total", total}, {"succeeded", succeeded}, {"failed", total - succeeded}}},
      {"errors", std::move(errors)}};
}

}  // namespace pe::quotes
