#include "applink/invoke_command.hpp"

#include "common/base64.hpp"
#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "common/random.hpp"
#include "common/sfid.hpp"
#include "net/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/object.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace pe::applink {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;

struct Org {
  std::string instance_url;
  std::string access_token;
  std::string api_version = "62.0";
  std::string org_id;
  std::string username;
};

std::string text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{Errc::not_found, "cannot read " + path};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `sf org display --json`'s output, from a file or by running sf.
Result<std::string> sf_output(const InvokeOptions& options) {
  if (!options.sf_json.empty()) return read_file(options.sf_json);
  std::string command = "sf org display --json";
  if (!options.target_org.empty()) {
    for (char c : options.target_org) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
          c != '@') {
        return Error{Errc::invalid_argument, "--target-org has characters an alias cannot have"};
      }
    }
    command += " --target-org " + options.target_org;
  }
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return Error{Errc::unavailable, "cannot run sf"};
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = pclose(pipe);
  if (status != 0 && output.empty()) {
    return Error{Errc::unavailable,
                 "`" + command + "` failed: is the Salesforce CLI installed and the org logged in?"};
  }
  return output;
}

Result<Org> find_org(const InvokeOptions& options, const Env& env) {
  Org org;
  if (!options.instance_url.empty()) {
    org.instance_url = options.instance_url;
    org.access_token = std::string(env.get("SF_ACCESS_TOKEN").value_or(""));
    org.username = options.username;
    if (org.access_token.empty()) {
      return Error{Errc::invalid_argument, "--instance-url needs SF_ACCESS_TOKEN in the environment"};
    }
  } else {
    auto output = sf_output(options);
    if (!output) return output.error();
    auto parsed = parse_json_exact(*output);
    const json::value* result = parsed && parsed->is_object()
                                    ? parsed->as_object().if_contains("result")
                                    : nullptr;
    if (!result || !result->is_object()) {
      return Error{Errc::invalid_argument, "the sf org display output has no \"result\" object"};
    }
    const auto& r = result->as_object();
    org.instance_url = text(r, "instanceUrl");
    org.access_token = text(r, "accessToken");
    org.org_id = text(r, "id");
    org.username = text(r, "username");
    if (auto version = text(r, "apiVersion"); !version.empty()) org.api_version = version;
  }
  while (!org.instance_url.empty() && org.instance_url.back() == '/') org.instance_url.pop_back();
  if (org.instance_url.empty() || org.access_token.empty()) {
    return Error{Errc::invalid_argument, "no instance URL or access token for the org"};
  }
  return org;
}

// The user's and the org's Ids over the REST API (invoke.sh sent a made-up user Id).
asio::awaitable<Result<std::pair<std::string, std::string>>> look_up_ids(net::HttpClient& client,
                                                                         const Org& org) {
  std::string soql = "SELECT Id, Username FROM User WHERE Username = '";
  for (char c : org.username) {
    if (c == '\'' || c == '\\') soql += '\\';
    soql += c;
  }
  soql += "'";
  std::string q;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : soql) {
    if (std::isalnum(c) || c == '.' || c == '_' || c == '-') {
      q += static_cast<char>(c);
    } else {
      q += '%';
      q += kHex[c >> 4];
      q += kHex[c & 15];
    }
  }
  net::HttpRequest req{.url = org.instance_url + "/services/data/v" + org.api_version +
                              "/query?q=" + q,
                       .headers = {{"Authorization", "Bearer " + org.access_token}}};
  auto res = co_await client.request(std::move(req));
  if (!res) co_return Error{res.error().code, "the org: " + res.error().message};
  if (res->status != 200) {
    co_return Error{Errc::unauthenticated,
                    "the org answered HTTP " + std::to_string(res->status) +
                        " to the user lookup (is the session still valid? sf org login web)"};
  }
  auto body = parse_json_exact(res->body);
  const json::value* records =
      body && body->is_object() ? body->as_object().if_contains("records") : nullptr;
  if (!records || !records->is_array() || records->as_array().empty()) {
    co_return Error{Errc::not_found, "no user named " + org.username + " in the org"};
  }
  std::string user = text(records->as_array()[0].as_object(), "Id");
  std::string org_id = org.org_id;
  if (org_id.empty()) {
    // The session id starts with the org's 15-character Id.
    org_id = org.access_token.substr(0, org.access_token.find('!'));
  }
  co_return std::pair{user, org_id};
}

asio::awaitable<int> invoke(asio::io_context& io, const InvokeOptions& options, const Env& env,
                            std::ostream& out, std::ostream& err) {
  auto org = find_org(options, env);
  if (!org) {
    err << "pricing-engine invoke: " << org.error().message << "\n";
    co_return 2;
  }
  std::string body = options.body;
  if (!body.empty() && body[0] == '@') {
    auto file = read_file(body.substr(1));
    if (!file) {
      err << "pricing-engine invoke: " << file.error().message << "\n";
      co_return 2;
    }
    body = *file;
  }
  if (options.method == "POST" && !parse_json_exact(body)) {
    err << "pricing-engine invoke: the body is not valid JSON\n";
    co_return 2;
  }
  auto client = net::HttpClient::create(io).value();
  auto ids = co_await look_up_ids(client, *org);
  if (!ids) {
    err << "pricing-engine invoke: " << ids.error().message << "\n";
    co_return 2;
  }
  auto org_id = SalesforceId::parse(ids->second);
  if (!org_id) {
    err << "pricing-engine invoke: the org Id is not an Id\n";
    co_return 2;
  }
  std::string context_id = random_uuid();
  std::string request_id = std::string(org_id->str15()) + "-" + context_id;
  json::object client_context{
      {"accessToken", org->access_token},
      {"apiVersion", org->api_version},
      {"requestId", request_id},
      {"namespace", ""},
      {"orgId", org_id->str()},
      {"orgDomainUrl", org->instance_url},
      {"userContext", json::object{{"userId", ids->first}, {"username", org->username}}}};
  json::object request_context{{"id", context_id},
                               {"auth", "local-invoke (not signed by Salesforce)"},
                               {"loginUrl", org->instance_url},
                               {"orgDomainUrl", org->instance_url},
                               {"orgId", org_id->str()},
                               {"resource", options.route},
                               {"type", "ApexCallout"},
                               {"appUuid", std::string(env.get("HEROKU_APP_ID").value_or("local"))}};
  std::string app = options.app_url;
  while (!app.empty() && app.back() == '/') app.pop_back();
  net::HttpRequest req{
      .method = options.method == "GET" ? http::verb::get : http::verb::post,
      .url = app + options.route,
      .headers = {{"Content-Type", "application/json"},
                  {"x-request-id", request_id},
                  {"x-client-context", base64_encode(json_text(client_context))},
                  {"x-request-context", base64_encode(json_text(request_context))}},
      .body = options.method == "GET" ? std::string() : body,
      .timeout = std::chrono::seconds(130)};  // a little past Salesforce's 120 s for sync calls
  auto res = co_await client.request(std::move(req));
  if (!res) {
    err << "pricing-engine invoke: " << app << options.route << ": " << res.error().message
        << "\n";
    co_return 1;
  }
  out << "HTTP " << res->status << "\n" << res->body << "\n";
  co_return res->status >= 200 && res->status < 300 ? 0 : 1;
}

}  // namespace

int run_invoke(const InvokeOptions& options, const Env& env, std::ostream& out, std::ostream& err) {
  if (options.route.empty() || options.route[0] != '/') {
    err << "pricing-engine invoke: ROUTE must be a path such as /api/generatequote\n";
    return 2;
  }
  asio::io_context io;
  auto done = asio::co_spawn(io, invoke(io, options, env, out, err), asio::use_future);
  io.run();
  return done.get();
}

}  // namespace pe::applink
