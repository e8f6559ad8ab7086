#include "demo/demo_org_actions.hpp"

#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "common/money.hpp"
#include "common/sfid.hpp"
#include "demo/demo_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace pe::demo {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// POST /devorg/invocations: the local org calls web as Salesforce would (both headers, a fresh
// session of the user). Answers the org's {"status", "body", ...}.
asio::awaitable<Result<json::object>> invoke(net::HttpClient& client, const DemoStack& stack,
                                             json::object request) {
  net::HttpRequest req{.method = boost::beast::http::verb::post,
                       .url = stack.org_url() + "/devorg/invocations",
                       .headers = {{"Content-Type", "application/json"}},
                       .body = json_text(request),
                       .timeout = 60s};
  auto res = co_await client.request(std::move(req));
  if (!res) co_return Error{res.error().code, "POST /devorg/invocations: " + res.error().message};
  auto body = parse_json_exact(res->body);
  if (res->status != 200 || !body || !body->is_object()) {
    co_return Error{Errc::internal, "POST /devorg/invocations answered HTTP " +
                                        std::to_string(res->status) + ": " + res->body};
  }
  co_return body->as_object();
}

std::string text_of(const json::value* v) {
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string money_of(const json::value* v) {
  if (!v) return "?";
  auto d = Decimal::from_json(*v);
  return d ? money_text(*d) : "?";
}

// The local org's first seeded opportunities (it mints their Ids in order): each has lines.
json::array seeded_opportunities(int count) {
  json::array ids;
  for (int n = 1; n <= count; ++n) ids.push_back(json::value(SalesforceId::make("006", n).str()));
  return ids;
}

}  // namespace

asio::awaitable<Result<OrgActionsShown>> show_org_actions(net::HttpClient& client,
                                                          const DemoStack& stack, std::ostream& out,
                                                          std::chrono::seconds timeout) {
  OrgActionsShown shown;
  json::array ids = seeded_opportunities(6);

  out << "\nOrg actions (Apex, Flow and Agentforce call web through AppLink; the local org plays "
         "Salesforce):\n";
  json::object sync{{"url", "/api/generatequote"},
                    {"body", json::object{{"opportunityId", ids[0]}}},
                    {"user", "sales@devorg.local"}};
  auto started = std::chrono::steady_clock::now();
  auto now = co_await invoke(client, stack, std::move(sync));
  if (!now) co_return now.error();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  const json::value* status = now->if_contains("status");
  const json::value* body = now->if_contains("body");
  if (!status || *status != 200 || !body || !body->is_object()) {
    co_return Error{Errc::internal, "generateQuote answered " + json_text(*now)};
  }
  const auto& quote = body->as_object();
  shown.quote_id = text_of(quote.if_contains("quoteId"));
  out << "  generateQuote          as sales@devorg.local, " << ms << " ms: quote " << shown.quote_id
      << ", " << money_of(quote.if_contains("subtotal")) << " at list price, "
      << money_of(quote.if_contains("totalPrice")) << " quoted, "
      << text_of(quote.if_contains("status")) << "\n";

  json::array later(ids.begin() + 1, ids.end());
  size_t asked = later.size();
  json::object async{{"url", "/api/generatequote/async"},
                     {"body", json::object{{"opportunityIds", std::move(later)}}}};
  auto queued = co_await invoke(client, stack, std::move(async));
  if (!queued) co_return queued.error();
  status = queued->if_contains("status");
  body = queued->if_contains("body");
  if (!status || *status != 201 || !body || !body->is_object()) {
    co_return Error{Errc::internal, "generateQuotesAsync answered " + json_text(*queued)};
  }
  shown.job_id = text_of(body->as_object().if_contains("jobId"));
  out << "  generateQuotesAsync    " << asked << " opportunities: 201, job " << shown.job_id
      << " on the Redis stream\n";

  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    net::HttpRequest list{.url = stack.org_url() + "/devorg/callbacks", .timeout = 5s};
    auto res = co_await client.request(std::move(list));
    auto parsed = res && res->status == 200 ? parse_json_exact(res->body) : Result<json::value>();
    const json::value* callbacks =
        parsed && parsed->is_object() ? parsed->as_object().if_contains("callbacks") : nullptr;
    for (size_t i = 0; callbacks && callbacks->is_array() && i < callbacks->as_array().size();
         ++i) {
      const auto& c = callbacks->as_array()[i];
      const json::value* result = c.is_object() ? c.as_object().if_contains("body") : nullptr;
      if (!result || !result->is_object() ||
          text_of(result->as_object().if_contains("jobId")) != shown.job_id) {
        continue;
      }
      const auto& r = result->as_object();
      shown.job_status = text_of(r.if_contains("status"));
      const json::value* quotes = r.if_contains("quotes");
      shown.async_quotes = quotes && quotes->is_array() ? quotes->as_array().size() : 0;
      auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
      char when[32];
      std::snprintf(when, sizeof when, "%.1f s", seconds.count());
      out << "  callback               after " << when << ": " << shown.job_status << ", "
          << shown.async_quotes << " quotes, posted to the org's callback URL with the caller's "
          << "session (kept sealed in Redis meanwhile)\n";
      co_return shown;
    }
    co_await sleep_for(200ms);
  }
  co_return Error{Errc::deadline_exceeded, "no callback for job " + shown.job_id + " within " +
                                               std::to_string(timeout.count()) + " s"};
}

}  // namespace pe::demo
