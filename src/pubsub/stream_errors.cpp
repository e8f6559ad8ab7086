#include "pubsub/stream_errors.hpp"

#include <array>

namespace pe::pubsub {
namespace {

constexpr std::string_view kPrefix = "sfdc.platform.eventbus.grpc.";

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string_view recovery_name(Recovery recovery) {
  switch (recovery) {
    case Recovery::refresh_auth:
      return "refresh_auth";
    case Recovery::lost_replay:
      return "lost_replay";
    case Recovery::backoff:
      return "backoff";
    case Recovery::stop:
      return "stop";
  }
  return "backoff";
}

Recovery recovery_for(const StreamError& error) {
  const std::string_view code = error.error_code;
  if (has(code, "replayid.corrupted") || has(code, "replayid.validation.failed")) {
    return Recovery::lost_replay;
  }
  if (has(code, "auth") || error.code == static_cast<int>(GrpcCode::unauthenticated)) {
    return Recovery::refresh_auth;
  }
  static constexpr std::array<std::string_view, 4> kFinal = {"topic.not.found", "limit.exceeded",
                                                             "tenant.license", "cannot.subscribe"};
  for (std::string_view final_code : kFinal) {
    if (has(code, final_code)) return Recovery::stop;
  }
  switch (static_cast<GrpcCode>(error.code)) {
    case GrpcCode::permission_denied:
    case GrpcCode::not_found:
    case GrpcCode::unimplemented:
      return Recovery::stop;
    default:
      return Recovery::backoff;
  }
}

std::string short_error_code(std::string_view error_code) {
  if (error_code.empty()) return "none";
  if (error_code.starts_with(kPrefix)) error_code.remove_prefix(kPrefix.size());
  std::string out(error_code.substr(0, 80));
  for (char& c : out) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

}  // namespace pe::pubsub
