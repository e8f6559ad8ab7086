#include "applink/invocation.hpp"

#include "common/base64.hpp"
#include "common/json_exact.hpp"
#include "common/log.hpp"

#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

namespace pe::applink {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr size_t kMaxContextHeader = 16 * 1024;
constexpr size_t kMaxRequestId = 256;
constexpr size_t kMaxField = 8 * 1024;

Error malformed(std::string_view what) {
  return Error{Errc::invalid_argument, "malformed x-request-context: " + std::string(what)};
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
  if (config.local_org_url.empty()) return false;
  auto local = origin_of(config.local_org_url);
  return local && same(*origin, *local);
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
  config.local_org_url = read.string("PRICING_DEVORG_URL", "");
  if (!config.local_org_url.empty() && !origin_of(config.local_org_url)) {
    read.add_error("PRICING_DEVORG_URL", "must be an http(s) URL");
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

asio::awaitable<Result<Invocation>> InvocationVerifier::verify(
    net::HttpClient& client, const InvocationHeaders& headers) const {
  if (config_.mode == InvocationAuth::off) {
    co_return Error{Errc::unavailable,
                    "org actions are off: set HEROKU_APPLINK_API_URL (Heroku AppLink) or "
                    "PRICING_INVOCATION_AUTH=mesh|dev (docs/invocations.md)"};
  }
  auto invocation = read_invocation(headers, config_);
  if (!invocation || config_.mode != InvocationAuth::applink) co_return invocation;
  if (!applink_) {
    co_return Error{Errc::unavailable, "invocations cannot be verified: AppLink is not configured"};
  }
  auto checked = co_await applink_->authenticate_invocation(
      client, *invocation->request, invocation->request_id, config_.auth_timeout);
  if (!checked) co_return checked.error();
  co_return invocation;
}

}  // namespace pe::applink
