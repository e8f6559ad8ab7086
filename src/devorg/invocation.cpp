#include "devorg/invocation.hpp"

#include "common/base64.hpp"

#include "common/json_text.hpp"
#include "net/http_url.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>

namespace pe::devorg {
namespace {

namespace json = boost::json;

ApiError invalid(std::string_view member, std::string_view problem) {
  return ApiError("INVALID_INPUT", std::string(member) + " " + std::string(problem), 400,
                  {std::string(member)});
}

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool valid_path(std::string_view url) {
  if (url.empty() || url.size() > kMaxInvocationPath || url[0] != '/') return false;
  if (url.size() > 1 && url[1] == '/') return false;  // "//host/..." would name another host
  return std::all_of(url.begin(), url.end(),
                     [](char c) { return c > 0x20 && c < 0x7F && c != '#' && c != '\\'; });
}

}  // namespace

ApiResult<InvocationRequest> parse_invocation_request(const json::value& body,
                                                      std::string_view org_id15) {
  if (!body.is_object()) return ApiError("INVALID_INPUT", "the body must be a JSON object");
  InvocationRequest out;
  out.body = json::object();
  bool has_url = false;
  for (const auto& kv : body.as_object()) {
    std::string_view key = kv.key();
    const json::value& v = kv.value();
    if (key == "method") {
      if (!v.is_string() || (v.as_string() != "POST" && v.as_string() != "GET")) {
        return invalid(key, "must be \"POST\" or \"GET\"");
      }
      out.method = std::string(v.as_string());
    } else if (key == "url") {
      if (!v.is_string() || !valid_path(v.as_string())) {
        return invalid(key, "must be a path on the app, such as \"/api/generatequote\"");
      }
      out.url = std::string(v.as_string());
      has_url = true;
    } else if (key == "body") {
      out.body = v;
    } else if (key == "user") {
      if (!v.is_string() || v.as_string().empty()) return invalid(key, "must be a username");
      out.user = printable(v.as_string(), 80);
    } else if (key == "permissionSets") {
      if (!v.is_array()) return invalid(key, "must be an array of permission set names");
      if (v.as_array().size() > kMaxSessionSets) {
        return invalid(key, "may name at most " + std::to_string(kMaxSessionSets) + " sets");
      }
      for (const auto& name : v.as_array()) {
        if (!name.is_string() || name.as_string().empty()) {
          return invalid(key, "must be an array of permission set names");
        }
        out.permission_sets.push_back(printable(name.as_string(), 80));
      }
    } else if (key == "requestId") {
      // "<org 15>-<24 [A-Za-z0-9]>", as this org made it for an earlier invocation.
      std::string_view id = v.is_string() ? std::string_view(v.as_string()) : "";
      bool ours = id.size() == org_id15.size() + 1 + kContextIdLength &&
                  id.substr(0, org_id15.size()) == org_id15 && id[org_id15.size()] == '-' &&
                  std::all_of(id.begin() + static_cast<std::ptrdiff_t>(org_id15.size()) + 1,
                              id.end(), is_alnum);
      if (!ours) return invalid(key, "must be the requestId of an earlier invocation of this org");
      out.context_id = std::string(id.substr(org_id15.size() + 1));
    } else if (key == "send") {
      if (!v.is_bool()) return invalid(key, "must be true or false");
      out.send = v.as_bool();
    } else {
      return ApiError("INVALID_INPUT", "unknown member: " + printable(key, 40));
    }
  }
  if (!has_url) return invalid("url", "is required");
  if (out.method == "GET" && !(out.body.is_object() && out.body.as_object().empty()) &&
      !out.body.is_null()) {
    return invalid("body", "must be left out for GET");
  }
  return out;
}

InvocationHeaders invocation_headers(const InvocationContext& c) {
  InvocationHeaders out;
  out.request_id = c.org_id.substr(0, 15) + "-" + c.context_id;
  json::object request_context{{"id", c.context_id},    {"auth", c.auth},
                               {"loginUrl", c.org_url}, {"orgDomainUrl", c.org_url},
                               {"orgId", c.org_id},     {"resource", c.resource},
                               {"type", "ApexCallout"}, {"appUuid", c.app_uuid}};
  json::object client_context{
      {"accessToken", c.access_token},
      {"apiVersion", "62.0"},
      {"requestId", out.request_id},
      {"namespace", ""},
      {"orgId", c.org_id},
      {"orgDomainUrl", c.org_url},
      {"userContext", json::object{{"userId", c.user_id}, {"username", c.username}}}};
  out.request_context = base64_encode(json_text(request_context));
  out.client_context = base64_encode(json_text(client_context));
  return out;
}

}  // namespace pe::devorg
