#include "devorg/faults.hpp"

namespace pe::devorg {
namespace {

namespace json = boost::json;

std::optional<double> number(const json::value& v) {
  if (v.is_double()) return v.as_double();
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return std::nullopt;
}

ApiError bad(std::string_view key, std::string_view problem) {
  return ApiError("INVALID_FIELD", std::string(key) + " " + std::string(problem), 400,
                  {std::string(key)});
}

}  // namespace

ApiResult<void> FaultInjector::configure(const json::object& changes) {
  FaultSettings next = settings_;
  for (const auto& kv : changes) {
    std::string_view key = kv.key();
    if (key == "pubsub_unavailable" || key == "pubsub_silent") {
      const auto& v = kv.value();
      bool on = v.is_bool() ? v.as_bool() : v.is_number() && v.to_number<double>() != 0;
      if (!v.is_bool() && !v.is_number()) return bad(key, "must be true or false");
      (key == "pubsub_unavailable" ? next.pubsub_unavailable : next.pubsub_silent) = on;
      continue;
    }
    auto value = number(kv.value());
    if (!value) return bad(key, "must be a number");
    if (key == "error_rate" || key == "limit_rate") {
      if (*value < 0 || *value > 1) return bad(key, "must be between 0 and 1");
      (key == "error_rate" ? next.error_rate : next.limit_rate) = *value;
    } else if (key == "limit_status") {
      if (*value != 403 && *value != 429) return bad(key, "must be 403 or 429");
      next.limit_status = static_cast<int>(*value);
    } else if (key == "latency_ms") {
      if (*value < 0 || *value > 60'000) return bad(key, "must be between 0 and 60000");
      next.latency = std::chrono::milliseconds(static_cast<int64_t>(*value));
    } else if (key == "token_ttl_seconds") {
      if (*value < 0) return bad(key, "must not be negative");
      next.token_ttl = std::chrono::seconds(static_cast<int64_t>(*value));
    } else if (key == "invocation_ttl_seconds") {
      if (*value < 0 || *value > 86'400) return bad(key, "must be between 0 and 86400");
      next.invocation_ttl = std::chrono::seconds(static_cast<int64_t>(*value));
    } else if (key == "bulk_rows_per_second") {
      if (*value < 0 || *value > 1e9 ||
          *value != static_cast<double>(static_cast<int64_t>(*value))) {
        return bad(key, "must be a whole number between 0 and 1000000000");
      }
      next.bulk_rows_per_second = static_cast<int64_t>(*value);
    } else if (key == "seed") {
      if (*value < 0) return bad(key, "must not be negative");
      next.seed = static_cast<uint64_t>(*value);
    } else {
      return ApiError("INVALID_FIELD", "Unknown fault setting: " + printable(key, 40), 400);
    }
  }
  if (next.error_rate + next.limit_rate > 1) {
    return bad("error_rate", "plus limit_rate must not exceed 1");
  }
  bool reseed_now = next.seed != settings_.seed || changes.contains("seed");
  settings_ = next;
  if (reseed_now) reseed();
  return {};
}

json::object FaultInjector::to_json() const {
  return {{"error_rate", settings_.error_rate},
          {"limit_rate", settings_.limit_rate},
          {"limit_status", settings_.limit_status},
          {"latency_ms", settings_.latency.count()},
          {"token_ttl_seconds", settings_.token_ttl.count()},
          {"invocation_ttl_seconds", settings_.invocation_ttl.count()},
          {"bulk_rows_per_second", settings_.bulk_rows_per_second},
          {"pubsub_unavailable", settings_.pubsub_unavailable},
          {"pubsub_silent", settings_.pubsub_silent},
          {"seed", settings_.seed}};
}

std::optional<Fault> FaultInjector::next() {
  if (settings_.error_rate <= 0 && settings_.limit_rate <= 0) return std::nullopt;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double draw = unit(rng_);
  if (draw < settings_.error_rate) {
    // Half 500, half 503, decided by which half of the error band the draw fell in.
    bool unavailable = draw < settings_.error_rate / 2;
    Fault fault;
    fault.status = unavailable ? 503 : 500;
    fault.body = devorg::to_json(
        unavailable ? ApiError("SERVER_UNAVAILABLE",
                               "Server temporarily unavailable (injected by the local org)", 503)
                    : ApiError("UNKNOWN_EXCEPTION",
                               "An unexpected error occurred (injected by the local org)", 500));
    return fault;
  }
  if (draw < settings_.error_rate + settings_.limit_rate) {
    Fault fault;
    fault.status = settings_.limit_status;
    fault.body = devorg::to_json(
        ApiError("REQUEST_LIMIT_EXCEEDED",
                 settings_.limit_status == 429
                     ? "ConcurrentPerOrgLongTxn Limit exceeded. (injected by the local org)"
                     : "TotalRequests Limit exceeded. (injected by the local org)",
                 settings_.limit_status));
    return fault;
  }
  return std::nullopt;
}

uint64_t ApiStats::of(std::string_view kind) const {
  auto it = counts_.find(kind);
  return it == counts_.end() ? 0 : it->second;
}

json::object ApiStats::to_json() const {
  json::object by_kind;
  for (const auto& [kind, n] : counts_) by_kind[kind] = n;
  return {{"total", total_}, {"faults", faults_}, {"by_kind", std::move(by_kind)}};
}

void ApiStats::reset() {
  counts_.clear();
  total_ = 0;
  faults_ = 0;
}

}  // namespace pe::devorg
