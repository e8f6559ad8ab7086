#include "applink/applink.hpp"

#include "applink/invocation.hpp"

#include "common/json_exact.hpp"
#include "common/json_text.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace pe::applink {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

Result<AppLink> AppLink::from_env(const Env& env, std::string_view attachment) {
  AppLink link;
  auto pick = [&](const std::string& prefix) {
    auto url = env.get(prefix + "_API_URL");
    auto token = env.get(prefix + "_TOKEN");
    if (url && token && !url->empty() && !token->empty()) {
      link.api_url_ = std::string(*url);
      link.token_ = std::string(*token);
      return true;
    }
    return false;
  };
  bool found = false;
  if (attachment.empty()) {
    std::string addon(env.get("HEROKU_APPLINK_ADDON_NAME").value_or("HEROKU_APPLINK"));
    found = pick(upper(addon));
  } else {
    found = pick(upper(attachment)) || pick("HEROKU_APPLINK_" + upper(attachment));
  }
  if (found) {
    auto app_id = env.get("HEROKU_APP_ID");
    if (!app_id || app_id->empty()) {
      return Error{Errc::invalid_argument, "HEROKU_APP_ID is required with Heroku AppLink"};
    }
    link.app_id_ = std::string(*app_id);
  } else {
    auto url = env.get("HEROKU_INTEGRATION_API_URL");
    auto token = env.get("HEROKU_INTEGRATION_TOKEN");
    if (!url || !token || url->empty() || token->empty()) {
      return Error{Errc::invalid_argument,
                   "no Salesforce credentials: set HEROKU_APPLINK_API_URL, HEROKU_APPLINK_TOKEN "
                   "and HEROKU_APP_ID (Heroku AppLink), or HEROKU_INTEGRATION_API_URL and "
                   "HEROKU_INTEGRATION_TOKEN"};
    }
    link.integration_ = true;
    link.api_url_ = std::string(*url);
    link.token_ = std::string(*token);
  }
  while (!link.api_url_.empty() && link.api_url_.back() == '/') link.api_url_.pop_back();
  return link;
}

net::HttpRequest AppLink::authorization_request(const std::string& name) const {
  if (integration_) {
    return {
        .method = http::verb::post,
        .url = api_url_ + "/invocations/authorization",
        .headers = {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}},
        .body = json_text(json::object{{"org_name", name}}),
        .idempotent = true};
  }
  return {.url = api_url_ + "/authorizations/" + name,
          .headers = {{"Authorization", "Bearer " + token_},
                      {"X-App-UUID", app_id_},
                      {"Content-Type", "application/json"}}};
}

asio::awaitable<Result<salesforce::OrgCredentials>> AppLink::fetch(net::HttpClient& client,
                                                                   const std::string& name) {
  net::HttpRequest req = authorization_request(name);
  auto res = co_await client.request_with_retry(std::move(req), net::exponential_backoff());
  if (!res) co_return Error{res.error().code, "AppLink: " + res.error().message};
  auto body = parse_json_exact(res->body);
  if (res->status != 200) {
    auto error = salesforce::parse_error(res->status, res->body);
    co_return Error{res->status == 404 ? Errc::not_found : Errc::unauthenticated,
                    "Unable to get connection " + name + ": " + error.message};
  }
  if (!body || !body->is_object()) {
    co_return Error{Errc::internal, "AppLink answered something that is not a JSON object"};
  }
  const auto& o = body->as_object();
  salesforce::OrgCredentials creds;
  if (integration_) {
    creds.access_token = text(o, "access_token");
    creds.api_version = text(o, "api_version");
    creds.instance_url = text(o, "org_domain_url");
    if (auto user = SalesforceId::parse(text(o, "user_id"))) creds.user_id = *user;
    if (auto org = SalesforceId::parse(text(o, "org_id"))) creds.org_id = *org;
  } else {
    const json::value* org = o.if_contains("org");
    if (!org || !org->is_object()) co_return Error{Errc::internal, "AppLink answer without org"};
    creds.instance_url = text(org->as_object(), "instance_url");
    creds.api_version = text(org->as_object(), "api_version");
    if (auto id = SalesforceId::parse(text(org->as_object(), "id"))) creds.org_id = *id;
    const json::value* auth = org->as_object().if_contains("user_auth");
    if (auth && auth->is_object()) {
      creds.access_token = text(auth->as_object(), "access_token");
      if (auto user = SalesforceId::parse(text(auth->as_object(), "user_id")))
        creds.user_id = *user;
    }
  }
  if (creds.access_token.empty() || creds.instance_url.empty()) {
    co_return Error{Errc::internal, "AppLink answer without instance URL or access token"};
  }
  if (creds.api_version.empty()) creds.api_version = "62.0";
  if (creds.instance_url.find("://") == std::string::npos) {
    creds.instance_url = "https://" + creds.instance_url;
  }
  cache_[name] = creds;
  co_return creds;
}

asio::awaitable<Result<salesforce::OrgCredentials>> AppLink::credentials(net::HttpClient& client,
                                                                         const std::string& name) {
  if (auto it = cache_.find(name); it != cache_.end()) co_return it->second;
  co_return co_await fetch(client, name);
}

asio::awaitable<Result<salesforce::OrgCredentials>> AppLink::refresh(net::HttpClient& client,
                                                                     const std::string& name) {
  cache_.erase(name);
  co_return co_await fetch(client, name);
}

asio::awaitable<Result<void>> AppLink::authenticate_invocation(
    net::HttpClient& client, const RequestContext& context, std::string_view request_id,
    std::chrono::milliseconds timeout) const {
  if (integration_) {
    co_return Error{Errc::unavailable,
                    "invocations are verified by Heroku AppLink (HEROKU_APPLINK_API_URL), not by "
                    "the Integration endpoint"};
  }
  json::object body{{"org_domain_url", context.org_domain_url},
                    {"core_jwt_token", context.auth},
                    {"org_id", context.org_id.str()},
                    {"app_uuid", context.app_uuid}};
  net::HttpRequest req{.method = http::verb::post,
                       .url = api_url_ + "/invocations/authentication",
                       .headers = {{"Authorization", "Bearer " + token_},
                                   {"Content-Type", "application/json"},
                                   {"X-Request-Id", std::string(request_id)}},
                       .body = json_text(body),
                       .timeout = timeout};
  auto res = co_await client.request(std::move(req));
  if (!res) {
    co_return Error{
        Errc::unavailable,
        "the AppLink add-on could not be reached to verify the invocation: " + res.error().message};
  }
  if (res->status == 401 || res->status == 403) {
    co_return Error{Errc::permission_denied, "Heroku AppLink refused the invocation"};
  }
  if (res->status != 200) {
    co_return Error{Errc::unavailable, "the AppLink add-on answered HTTP " +
                                           std::to_string(res->status) +
                                           " when asked to verify the invocation"};
  }
  co_return Result<void>{};
}

Result<EventPublisher> EventPublisher::from_env(const Env& env) {
  auto url = env.get("HEROKUEVENTS_PUBLISH_URL");
  if (!url || url->empty())
    return Error{Errc::invalid_argument, "HEROKUEVENTS_PUBLISH_URL is not set"};
  std::string u(*url);
  while (!u.empty() && u.back() == '/') u.pop_back();
  return EventPublisher(u);
}

asio::awaitable<Result<void>> EventPublisher::publish(net::HttpClient& client,
                                                      std::string_view publication,
                                                      const SalesforceId& created_by,
                                                      const json::object& fields) {
  json::object body{{"CreatedById", created_by.str()},
                    {"CreatedDate", std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count()}};
  for (const auto& kv : fields) {
    if (kv.value().is_string()) {
      body[kv.key()] = json::object{{"string", kv.value()}};
    } else {
      body[kv.key()] = kv.value();
    }
  }
  net::HttpRequest req{.method = http::verb::post,
                       .url = url_ + "/" + std::string(publication),
                       .headers = {{"Content-Type", "application/json"}},
                       .body = json_text(body),
                       .basic_auth_from_url = true};
  auto res = co_await client.request_with_retry(std::move(req), net::exponential_backoff());
  if (!res) co_return Error{res.error().code, "Eventing publish: " + res.error().message};
  if (res->status < 200 || res->status >= 300) {
    co_return Error{res->status >= 500 ? Errc::unavailable : Errc::invalid_argument,
                    "Eventing publish answered HTTP " + std::to_string(res->status)};
  }
  co_return Result<void>{};
}

std::vector<std::string> connection_names_from(EnvReader& read) {
  std::vector<std::string> names;
  for (auto& name : read.list("CONNECTION_NAMES")) {
    bool ok = name.size() <= 80 && std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
              });
    if (!ok) {
      read.add_error("CONNECTION_NAMES", "each name must be 1 to 80 of A-Z a-z 0-9 _ -");
      continue;
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      read.add_error("CONNECTION_NAMES", "a name is given twice");
      continue;
    }
    names.push_back(std::move(name));
  }
  return names;
}

std::string eventing_connection_from(EnvReader& read) {
  auto names = connection_names_from(read);
  std::string name = read.string("PRICING_CONNECTION", names.empty() ? "" : names.front());
  if (name.empty()) name = read.required_string("PRICING_CONNECTION");
  return name;
}

}  // namespace pe::applink
