// invocation_routes.cpp: Salesforce's side of an AppLink invocation (docs/invocations.md, "The
// local org's side"): POST /devorg/invocations calls the app as Apex would, with the three
// headers, a fresh session of the invoking user and its session permission sets active until the
// app answers; POST /addons/{uuid}/invocations/authentication checks an invocation's `auth` as
// the AppLink add-on does for the mesh; POST /devorg/callbacks/{id} takes the callbacks of
// asynchronous operations, GET /devorg/callbacks lists them.
//
// The call to the app is awaited, not blocked on: the app calls back into this org's REST API
// while it handles the invocation, and the org has one server thread. No secret (session, auth
// token, add-on token) is logged or put in an error message.
#include "applink/api_document.hpp"
#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "common/log.hpp"
#include "devorg/invocation.hpp"
#include "devorg/org_state.hpp"
#include "devorg/route_helpers.hpp"

#include <boost/json/array.hpp>

namespace pe::devorg {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = net::http;
using net::Request;
using net::Response;
using namespace std::chrono_literals;

constexpr auto kAppTimeout = 120s;  // Salesforce's limit for a synchronous callout
constexpr size_t kAppBodyLimit = 4 * 1024 * 1024;
constexpr size_t kShownTextBody = 64 * 1024;

Response api_error(const ApiError& error) { return json_answer(error.http_status, to_json(error)); }

int64_t epoch_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The app's answer as JSON: its JSON body, its text when it is not JSON, null when empty.
json::value answer_body(const std::string& body) {
  if (body.empty()) return nullptr;
  auto parsed = parse_json_exact(body);
  if (parsed) return std::move(*parsed);
  return json::value(printable(body, kShownTextBody));
}

json::object headers_json(const InvocationHeaders& h) {
  return {{"x-request-id", h.request_id},
          {"x-request-context", h.request_context},
          {"x-client-context", h.client_context}};
}

// One invocation, ready to send: what was asked, by whom, and what Salesforce adds to it.
struct Invocation {
  InvocationRequest request;
  const OrgUser* user = nullptr;
  std::string token;  // the session in x-client-context
  InvocationHeaders headers;
  json::value callback_url;  // null, or {org}/devorg/callbacks/{id}
};

// Checks the request and the user's permission sets, then mints the session, the auth token
// and the headers (and the callback URL for an operation with callbacks).
ApiResult<Invocation> prepare(OrgState& org, std::string_view text) {
  auto parsed = parse_json_exact(text);
  if (!parsed) return ApiError("JSON_PARSER_ERROR", parsed.error().message);
  auto request = parse_invocation_request(*parsed, org.store->org_id().str15());
  if (!request) return request.error();
  Invocation out{.request = std::move(*request)};
  InvocationRequest& r = out.request;
  std::string username = r.user.empty() ? std::string(kIntegrationUsername) : r.user;
  out.user = org.access.user(username);
  if (out.user == nullptr) {
    return ApiError("INVALID_INPUT", "user " + username + " does not exist", 400, {"user"});
  }
  if (!org.access.assigned(*out.user, kInvokePermissionSet)) {
    return ApiError("INSUFFICIENT_ACCESS",
                    std::string(out.user->username) + " is not assigned the " +
                        std::string(kInvokePermissionSet) + " permission set",
                    403);
  }
  if (auto ok = org.access.check_session_sets(*out.user, r.permission_sets); !ok) {
    return ok.error();
  }
  // Salesforce fills callbackUrl for an operation with callbacks; the app's own document says
  // which have them (the same binary embeds it).
  bool callbacks = applink::operation_has_callbacks(r.method, r.path());
  if (callbacks && !r.body.is_object()) {
    return ApiError("INVALID_INPUT", "body must be a JSON object: the operation has callbacks", 400,
                    {"body"});
  }
  std::string id = r.context_id.empty() ? random_token(kContextIdLength) : r.context_id;
  std::string org_id(org.store->org_id().str());
  std::string auth =
      org.signer->mint({.org_id = org_id,
                        .org_domain_url = org.base_url,
                        .app_uuid = org.tokens->app_id(),
                        .request_id = id,
                        .exp = epoch_seconds() + org.faults.invocation_ttl().count()});
  out.token = org.sessions->issue(out.user->id, org.faults.token_ttl());
  out.headers = invocation_headers({.context_id = id,
                                    .auth = std::move(auth),
                                    .org_id = org_id,
                                    .org_url = org.base_url,
                                    .resource = r.path(),
                                    .app_uuid = org.tokens->app_id(),
                                    .access_token = out.token,
                                    .user_id = std::string(out.user->id.str()),
                                    .username = std::string(out.user->username)});
  if (callbacks) {
    out.callback_url = org.base_url + "/devorg/callbacks/" + id;
    // Salesforce creates the callback URL; whatever the caller put there is replaced.
    r.body.as_object()["callbackUrl"] = out.callback_url;
    org.callbacks.expect(id);
  }
  return out;
}

net::HttpRequest app_request(const OrgState& org, const Invocation& inv) {
  net::HttpRequest call{.method = inv.request.method == "GET" ? http::verb::get : http::verb::post,
                        .url = org.options.app_url + inv.request.url,
                        .headers = {{"x-request-id", inv.headers.request_id},
                                    {"x-request-context", inv.headers.request_context},
                                    {"x-client-context", inv.headers.client_context},
                                    {"Accept", "application/json"}}};
  if (call.method == http::verb::post) {
    call.headers.push_back({"Content-Type", "application/json"});
    call.body = json_text(inv.request.body);
  }
  call.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kAppTimeout);
  call.max_response_body = kAppBodyLimit;
  return call;
}

// POST /devorg/invocations: calls the app, with the session permission sets active until it
// answers.
asio::awaitable<Response> invoke(OrgState& org, Request& req) {
  auto prepared = prepare(org, req.body());
  if (!prepared) co_return api_error(prepared.error());
  Invocation inv = std::move(*prepared);
  if (!inv.request.send) {
    // Nothing is called: the session permission sets stay active as long as the auth token
    // lives, so that a test can send these headers itself.
    org.sessions->activate(inv.token, inv.request.permission_sets,
                           Sessions::Clock::now() + org.faults.invocation_ttl());
    co_return json_answer(200, json::object{{"headers", headers_json(inv.headers)},
                                            {"requestId", inv.headers.request_id},
                                            {"callbackUrl", inv.callback_url}});
  }
  net::HttpRequest call = app_request(org, inv);
  // Bounded, should the answer never come.
  org.sessions->activate(inv.token, inv.request.permission_sets,
                         Sessions::Clock::now() + kAppTimeout + 10s);
  auto started = std::chrono::steady_clock::now();
  auto answer = co_await org.client->request(std::move(call));
  org.sessions->deactivate(inv.token);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  auto log = log::Logger().with("request_id", inv.headers.request_id);
  std::string path = inv.request.path();
  if (!answer) {
    log.warn("invocation_failed", {{"path", path},
                                   {"user", inv.user->username},
                                   {"error", answer.error().message},
                                   {"ms", ms}});
    co_return json_answer(
        502, json::object{{"errorCode", "APP_UNAVAILABLE"},
                          {"message", "the app did not answer: " + answer.error().message},
                          {"requestId", inv.headers.request_id},
                          {"callbackUrl", inv.callback_url}});
  }
  log.info("invocation", {{"method", inv.request.method},
                          {"path", path},
                          {"user", inv.user->username},
                          {"status", answer->status},
                          {"ms", ms}});
  co_return json_answer(200, json::object{{"status", answer->status},
                                          {"body", answer_body(answer->body)},
                                          {"requestId", inv.headers.request_id},
                                          {"callbackUrl", inv.callback_url}});
}

// POST {HEROKU_APPLINK_API_URL}/invocations/authentication, as the mesh calls it.
Response authenticate(OrgState& org, const Request& req) {
  if (!same_secret(bearer(req), org.tokens->applink_token())) {
    return applink_error(401, "Unauthorized", "Invalid or missing bearer token");
  }
  if (req.param("addon") != org.tokens->app_id()) {
    return applink_error(404, "Not Found", "Add-on not found");
  }
  auto body = parse_json_exact(req.body());
  if (!body || !body->is_object()) {
    return applink_error(400, "Bad Request", "the body must be a JSON object");
  }
  InvocationClaims presented;
  std::string token;
  for (auto [member, target] :
       {std::pair{"org_domain_url", &presented.org_domain_url}, std::pair{"core_jwt_token", &token},
        std::pair{"org_id", &presented.org_id}, std::pair{"app_uuid", &presented.app_uuid}}) {
    const json::value* v = body->as_object().if_contains(member);
    if (v == nullptr || !v->is_string() || v->as_string().empty()) {
      return applink_error(400, "Bad Request", std::string(member) + " is required");
    }
    *target = std::string(v->as_string());
  }
  auto claims = org.signer->verify(token, presented, epoch_seconds());
  if (!claims) {
    log::Logger().info("invocation_authentication_refused", {{"reason", claims.error().message}});
    return applink_error(403, "Forbidden", claims.error().message);
  }
  return json_answer(200, json::object{{"status", "authenticated"},
                                       {"org_id", claims->org_id},
                                       {"request_id", claims->request_id}});
}

// POST /devorg/callbacks/{id}: an asynchronous operation's result, with the invoking user's
// token.
Response take_callback(OrgState& org, const Request& req) {
  const Session* session = org.sessions->find(bearer(req));
  if (session == nullptr) {
    ++org.callbacks.refused;
    return json_answer(401,
                       to_json(ApiError("INVALID_SESSION_ID", "Session expired or invalid", 401)));
  }
  std::string_view id = req.param("id");
  if (!org.callbacks.expects(id)) {
    ++org.callbacks.refused;
    return json_answer(
        404, to_json(ApiError("NOT_FOUND", "The requested resource does not exist", 404)));
  }
  auto body = parse_json_exact(req.body());
  if (!body || !body->is_object()) {
    ++org.callbacks.refused;
    return json_answer(
        400, to_json(ApiError("JSON_PARSER_ERROR",
                              body ? "the body must be a JSON object" : body.error().message)));
  }
  const OrgUser* user = org.access.user(session->user);
  org.callbacks.record({.invocation_id = std::string(id),
                        .received_at = salesforce_datetime(std::chrono::system_clock::now()),
                        .user = session->user,
                        .username = user ? std::string(user->username) : "",
                        .body = std::move(*body)});
  log::Logger().info("callback_received", {{"invocation_id", std::string(id)}});
  return net::empty_response(http::status::no_content);
}

json::object callbacks_json(const CallbackLog& log) {
  json::array list;
  for (const auto& c : log.received) {
    list.push_back(json::object{{"invocationId", c.invocation_id},
                                {"receivedAt", c.received_at},
                                {"userId", c.user.str()},
                                {"username", c.username},
                                {"body", c.body}});
  }
  return {{"callbacks", std::move(list)}, {"refused", log.refused}};
}

}  // namespace

void add_invocation_routes(net::Router& r, OrgState& org) {
  r.add(http::verb::post, "/devorg/invocations",
        [&org](Request& req) -> asio::awaitable<Response> { return invoke(org, req); },
        {.body_limit = 1024 * 1024, .content_types = {"application/json"}});
  r.add(http::verb::post, "/addons/{addon}/invocations/authentication",
        [&org](Request& req) -> asio::awaitable<Response> { co_return authenticate(org, req); },
        {.body_limit = 16 * 1024, .content_types = {"application/json"}});
  r.add(http::verb::post, "/devorg/callbacks/{id}",
        [&org](Request& req) -> asio::awaitable<Response> { co_return take_callback(org, req); },
        {.body_limit = 8 << 20, .content_types = {"application/json"}});
  r.add(http::verb::get, "/devorg/callbacks", [&org](Request&) -> asio::awaitable<Response> {
    co_return json_answer(200, callbacks_json(org.callbacks));
  });
}

}  // namespace pe::devorg
