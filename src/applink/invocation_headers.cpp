// invocation_headers.cpp: what the invocation headers alone show (invocation.hpp), with no I/O:
// kept apart from the verifier so that the fuzz target (invocation_headers_fuzz.cpp) builds it
// without any coroutine code.
#include "applink/invocation_headers.hpp"

#include "common/base64.hpp"
#include "common/json_exact.hpp"

#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

namespace pe::applink {
namespace {

namespace json = boost::json;

constexpr size_t kMaxContextHeader = 16 * 1024;
constexpr size_t kMaxRequestId = 256;
constexpr size_t kMaxField = 8 * 1024;

Error malformed(std::string_view what) {
  return Error{Errc::invalid_argument, "malformed x-request-context: " + std::string(what)};
}

Error malformed_client(std::string_view what) {
  return Error{Errc::invalid_argument, "malformed x-client-context: " + std::string(what)};
}

std::string text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

struct Origin {
  std::string scheme;
  std::string host;
  std::string port;
};

// scheme://host[:port] of an absolute http(s) URL without credentials; nullopt otherwise.
std::optional<Origin> origin_of(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return std::nullopt;
  Origin o{std::string(parsed->scheme()), std::string(parsed->encoded_host()),
           std::string(parsed->port())};
  for (auto& c : o.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : o.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if ((o.scheme != "https" && o.scheme != "http") || o.host.empty() || parsed->has_userinfo()) {
    return std::nullopt;
  }
  if (o.port.empty()) o.port = o.scheme == "https" ? "443" : "80";
  return o;
}

bool same(const Origin& a, const Origin& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

// orgDomainUrl must be https, or the configured local org's origin.
bool acceptable_org_url(std::string_view url, const InvocationConfig& config) {
  auto origin = origin_of(url);
  if (!origin) return false;
  if (origin->scheme == "https") return true;
  for (const auto& url : config.local_org_urls) {
    auto local = origin_of(url);
    if (local && same(*origin, *local)) return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(InvocationAuth mode) {
  switch (mode) {
    case InvocationAuth::applink:
      return "applink";
    case InvocationAuth::mesh:
      return "mesh";
    case InvocationAuth::dev:
      return "dev";
    case InvocationAuth::off:
      return "off";
  }
  return "off";
}

InvocationConfig invocation_config_from(EnvReader& read, bool applink_configured) {
  InvocationConfig config;
  std::string mode = read.string("PRICING_INVOCATION_AUTH", applink_configured ? "applink" : "off");
  if (mode == "applink") {
    config.mode = InvocationAuth::applink;
  } else if (mode == "mesh") {
    config.mode = InvocationAuth::mesh;
  } else if (mode == "dev") {
    config.mode = InvocationAuth::dev;
  } else if (mode == "off") {
    config.mode = InvocationAuth::off;
  } else {
    read.add_error("PRICING_INVOCATION_AUTH", "must be applink, mesh, dev or off");
  }
  std::vector<std::string> names = read.names_starting_with("PRICING_DEVORG_URL_");
  names.insert(names.begin(), "PRICING_DEVORG_URL");
  for (const auto& name : names) {
    std::string url = read.string(name, "");
    if (url.empty()) continue;
    if (!origin_of(url)) {
      read.add_error(name, "must be an http(s) URL");
      continue;
    }
    config.local_org_urls.push_back(std::move(url));
  }
  config.auth_timeout = read.seconds("PRICING_INVOCATION_AUTH_TIMEOUT", config.auth_timeout,
                                     std::chrono::milliseconds(100), std::chrono::minutes(2));
  return config;
}

Result<RequestContext> parse_request_context(std::string_view header) {
  if (header.size() > kMaxContextHeader) return malformed("longer than 16 KiB");
  auto decoded = base64_decode(header);
  if (!decoded) return malformed("not base64");
  auto parsed = parse_json_exact(*decoded, 8);
  if (!parsed || !parsed->is_object()) return malformed("not a JSON object");
  const auto& o = parsed->as_object();
  RequestContext ctx;
  std::pair<std::string_view, std::string*> fields[] = {{"id", &ctx.id},
                                                        {"auth", &ctx.auth},
                                                        {"loginUrl", &ctx.login_url},
                                                        {"orgDomainUrl", &ctx.org_domain_url},
                                                        {"resource", &ctx.resource},
                                                        {"type", &ctx.type},
                                                        {"appUuid", &ctx.app_uuid}};
  for (auto& [name, out] : fields) {
    const json::value* v = o.if_contains(name);
    if (!v || !v->is_string() || v->as_string().empty()) {
      return malformed(std::string(name) + " is missing or empty");
    }
    if (v->as_string().size() > kMaxField) return malformed(std::string(name) + " is too long");
    *out = std::string(v->as_string());
  }
  const json::value* org = o.if_contains("orgId");
  if (!org || !org->is_string()) return malformed("orgId is missing");
  auto org_id = SalesforceId::parse(org->as_string());
  if (!org_id || org_id->prefix() != "00D") return malformed("orgId is not an organization Id");
  ctx.org_id = *org_id;
  return ctx;
}

bool same_origin(std::string_view url, std::string_view org_domain_url) {
  auto a = origin_of(url);
  auto b = origin_of(org_domain_url);
  return a && b && same(*a, *b);
}

Result<Invocation> read_invocation(const InvocationHeaders& headers,
                                   const InvocationConfig& config) {
  const bool needs_request_context = config.mode != InvocationAuth::mesh;
  if (headers.client_context.empty() &&
      (headers.request_context.empty() || !needs_request_context)) {
    return Error{Errc::unauthenticated,
                 "not an AppLink invocation: the x-client-context and x-request-context headers "
                 "are missing"};
  }
  if (headers.client_context.empty()) {
    return Error{Errc::invalid_argument, "the x-client-context header is missing"};
  }
  if (needs_request_context && headers.request_context.empty()) {
    return Error{Errc::invalid_argument, "the x-request-context header is missing"};
  }
  if (headers.request_id.empty()) {
    return Error{Errc::invalid_argument, "the x-request-id header is missing"};
  }
  if (headers.request_id.size() > kMaxRequestId) {
    return Error{Errc::invalid_argument, "the x-request-id header is too long"};
  }
  auto client = parse_client_context(headers.client_context);
  if (!client) return client.error();
  Invocation invocation{.client = std::move(*client),
                        .request = std::nullopt,
                        .request_id = std::string(headers.request_id)};
  if (!acceptable_org_url(invocation.client.org.instance_url, config)) {
    return Error{Errc::invalid_argument,
                 "malformed x-client-context: orgDomainUrl is not an https URL"};
  }
  if (needs_request_context) {
    auto request = parse_request_context(headers.request_context);
    if (!request) return request.error();
    if (headers.request_id.find(request->id) == std::string_view::npos) {
      return Error{Errc::invalid_argument,
                   "x-request-id does not contain the request context's id"};
    }
    if (request->org_id != invocation.client.org_id) {
      return Error{Errc::invalid_argument,
                   "x-request-context and x-client-context name different orgs"};
    }
    if (!acceptable_org_url(request->org_domain_url, config) ||
        !same_origin(request->org_domain_url, invocation.client.org.instance_url)) {
      return Error{Errc::invalid_argument,
                   "x-request-context and x-client-context name different org domains"};
    }
    invocation.request = std::move(*request);
  }
  return invocation;
}

Result<ClientContext> parse_client_context(std::string_view header) {
  if (header.empty()) return Error{Errc::unauthenticated, "the x-client-context header is missing"};
  if (header.size() > kMaxContextHeader) return malformed_client("longer than 16 KiB");
  auto decoded = base64_decode(header);
  if (!decoded) return malformed_client("not base64");
  auto parsed = parse_json_exact(*decoded, 8);
  if (!parsed || !parsed->is_object()) return malformed_client("not a JSON object");
  const auto& o = parsed->as_object();
  ClientContext ctx;
  ctx.org.access_token = text(o, "accessToken");
  if (ctx.org.access_token.empty()) return malformed_client("accessToken is missing");
  std::string version = text(o, "apiVersion");
  if (!version.empty() && (version[0] == 'v' || version[0] == 'V')) version.erase(0, 1);
  if (version.empty() || version.find_first_not_of("0123456789.") != std::string::npos) {
    return malformed_client("apiVersion is missing or not a version");
  }
  ctx.org.api_version = version;
  std::string domain = text(o, "orgDomainUrl");
  if (domain.empty()) return malformed_client("orgDomainUrl is missing");
  if (domain.find("://") == std::string::npos) domain = "https://" + domain;
  while (!domain.empty() && domain.back() == '/') domain.pop_back();
  ctx.org.instance_url = domain;
  ctx.request_id = text(o, "requestId");
  ctx.namespace_prefix = text(o, "namespace");
  if (ctx.namespace_prefix == "null") ctx.namespace_prefix.clear();
  auto org_id = SalesforceId::parse(text(o, "orgId"));
  if (!org_id || org_id->prefix() != "00D")
    return malformed_client("orgId is not an organization Id");
  ctx.org_id = *org_id;
  const json::value* user = o.if_contains("userContext");
  if (!user || !user->is_object()) return malformed_client("userContext is missing");
  auto user_id = SalesforceId::parse(text(user->as_object(), "userId"));
  if (!user_id || user_id->prefix() != "005")
    return malformed_client("userContext.userId is not a user Id");
  ctx.user_id = *user_id;
  ctx.username = text(user->as_object(), "username");
  return ctx;
}

}  // namespace pe::applink
