#include "salesforce/salesforce_error.hpp"

#include "common/redact.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <stdexcept>

namespace pe::salesforce {
namespace {

namespace json = boost::json;

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::string> fields_of(const json::object& o) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains("fields");
  if (v && v->is_array()) {
    for (const auto& f : v->as_array()) {
      if (f.is_string()) out.emplace_back(f.as_string());
    }
  }
  return out;
}

std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  return redact(out);
}

}  // namespace

bool SalesforceError::is_transient() const {
  if (status == 0) return transport == Errc::unavailable || transport == Errc::deadline_exceeded;
  return status >= 500 || status == 429 || error_code == "REQUEST_LIMIT_EXCEEDED" ||
         error_code == "SERVER_UNAVAILABLE" || error_code == "UNABLE_TO_LOCK_ROW";
}

std::string SalesforceError::describe() const {
  std::string out = error_code.empty() ? std::string("error") : error_code;
  out += ": " + message;
  if (!fields.empty()) {
    out += " [";
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + fields[i];
    out += "]";
  }
  if (status != 0) out += " (HTTP " + std::to_string(status) + ")";
  return out;
}

Error SalesforceError::to_error() const {
  Errc kind = Errc::internal;
  if (status == 0) {
    kind = transport;
  } else if (status == 401 || is_invalid_session()) {
    kind = Errc::unauthenticated;
  } else if (status == 403 && error_code != "REQUEST_LIMIT_EXCEEDED") {
    kind = Errc::permission_denied;
  } else if (status == 404) {
    kind = Errc::not_found;
  } else if (is_transient()) {
    kind = Errc::unavailable;
  } else if (status >= 400 && status < 500) {
    kind = Errc::invalid_argument;
  }
  return Error{kind, describe()};
}

void throw_exception_from_error(const SalesforceError& error, const boost::source_location&) {
  throw std::runtime_error(error.describe());
}

SalesforceError error_from_json(int status, const json::value& body) {
  SalesforceError error;
  error.status = status;
  const json::object* first = nullptr;
  if (body.is_array() && !body.as_array().empty() && body.as_array()[0].is_object()) {
    first = &body.as_array()[0].as_object();
  } else if (body.is_object()) {
    const auto& o = body.as_object();
    // A SaveResult: {"success": false, "errors": [{"statusCode", ...}]}
    if (const json::value* errors = o.if_contains("errors"); errors && errors->is_array() &&
                                                             !errors->as_array().empty() &&
                                                             errors->as_array()[0].is_object()) {
      first = &errors->as_array()[0].as_object();
    } else {
      first = &o;
    }
  }
  if (!first) {
    error.error_code = "UNKNOWN_ERROR";
    error.message = "HTTP " + std::to_string(status) + " without an error body";
    return error;
  }
  error.error_code = text_of(*first, "errorCode");
  if (error.error_code.empty()) error.error_code = text_of(*first, "statusCode");
  error.message = text_of(*first, "message");
  if (error.error_code.empty() && first->contains("error")) {  // OAuth
    error.error_code = text_of(*first, "error");
    error.message = text_of(*first, "error_description");
  }
  if (error.error_code.empty() && first->contains("title")) {  // AppLink
    error.error_code = "APPLINK_ERROR";
    error.message = text_of(*first, "title") + " - " + text_of(*first, "detail");
  }
  if (error.error_code.empty()) {
    error.error_code = "UNKNOWN_ERROR";
    error.message = excerpt(json::serialize(body));
  }
  error.message = redact(error.message);
  error.fields = fields_of(*first);
  return error;
}

SalesforceError parse_error(int status, std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) {
    SalesforceError error;
    error.status = status;
    error.error_code = "UNKNOWN_ERROR";
    error.message = body.empty() ? "HTTP " + std::to_string(status) + " with an empty body"
                                 : "HTTP " + std::to_string(status) + ": " + excerpt(body);
    return error;
  }
  return error_from_json(status, parsed);
}

SalesforceError transport_error(const Error& e) {
  SalesforceError error;
  error.status = 0;
  error.transport = e.code;
  error.error_code = std::string(to_string(e.code));
  error.message = redact(e.message);
  return error;
}

}  // namespace pe::salesforce
