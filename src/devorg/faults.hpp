// faults.hpp: what the local org does to make clients prove their retries — injected failures
// and latency — and how it counts the API requests a job cost.
//
// Faults are set by `devorg` flags at start and changed at run time by `POST /devorg/faults`
// with the same JSON as `GET /devorg/faults` answers:
//   {"error_rate": 0.1,          share of API requests answered 500 or 503 (half each)
//    "limit_rate": 0.05,         share answered 429 REQUEST_LIMIT_EXCEEDED (too many concurrent
//                                long requests); "limit_status": 403 gives the form Salesforce
//                                uses when the org is over its daily API allowance
//    "latency_ms": 20,           added before every API answer
//    "token_ttl_seconds": 300,   access tokens issued from now on expire after this long
//    "invocation_ttl_seconds": 300,  the `auth` of invocations minted from now on expires after
//                                this long (default 300; 0 mints tokens that are already
//                                expired, for tests of the refusal)
//    "bulk_rows_per_second": 2000,  Bulk API ingest processes at most this many rows a second
//                                (0, the default: as fast as it can), so that a page can show
//                                numberRecordsProcessed growing; applies to jobs in progress too
//    "pubsub_unavailable": true, every Pub/Sub API call fails UNAVAILABLE (error-code
//                                sfdc.platform.eventbus.grpc.service.unavailable) and open
//                                Subscribe streams end so within a keepalive interval
//    "pubsub_silent": true,      open Subscribe streams send nothing, neither events nor
//                                keepalives, until it is turned off (a stalled stream)
//    "seed": 7}                  the random choices are reproducible for one seed
// Only Salesforce API requests (REST, composite, bulk, Pub/Sub) are faulted, never /devorg/* or
// AppLink. A token expiring mid-stream: token_ttl_seconds, then subscribe with a new token.
//
// ApiStats counts API requests by kind ("query", "queryMore", "sobject_create", "graph",
// "collections", "composite", "bulk", "event_publish", ...) plus "total", for `GET
// /devorg/stats`, so a test or benchmark can see how many calls a job spent.
//
//   FaultInjector faults;
//   faults.configure(json::parse(R"({"error_rate":0.5,"seed":1})").as_object());
//   if (auto fault = faults.next()) reply(fault->status, fault->body);
#pragma once

#include "devorg/api_error.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace pe::devorg {

struct FaultSettings {
  double error_rate = 0;   // 0..1
  double limit_rate = 0;   // 0..1
  int limit_status = 429;  // 429 (as the issue asks; concurrency) or 403 (daily allowance)
  std::chrono::milliseconds latency{0};
  std::chrono::seconds token_ttl{0};         // 0: tokens do not expire
  std::chrono::seconds invocation_ttl{300};  // an invocation's auth token
  int64_t bulk_rows_per_second = 0;          // 0: unlimited
  bool pubsub_unavailable = false;           // Pub/Sub calls fail UNAVAILABLE, open streams end so
  bool pubsub_silent = false;  // Pub/Sub streams send nothing (no events, no keepalives)
  uint64_t seed = 1;
};

struct Fault {
  int status = 500;
  boost::json::array body;
};

class FaultInjector {
 public:
  FaultInjector() { reseed(); }

  // Applies the members present in `changes` (others keep their value). INVALID_FIELD for an
  // unknown member, a rate outside 0..1 or a negative duration; nothing changes then.
  ApiResult<void> configure(const boost::json::object& changes);
  const FaultSettings& settings() const { return settings_; }
  boost::json::object to_json() const;

  // The fault for the next API request, if one is drawn.
  std::optional<Fault> next();
  std::chrono::milliseconds latency() const { return settings_.latency; }
  std::chrono::seconds token_ttl() const { return settings_.token_ttl; }
  std::chrono::seconds invocation_ttl() const { return settings_.invocation_ttl; }
  int64_t bulk_rows_per_second() const { return settings_.bulk_rows_per_second; }

 private:
  void reseed() { rng_.seed(settings_.seed); }

  FaultSettings settings_;
  std::mt19937_64 rng_;
};

class ApiStats {
 public:
  void count(std::string_view kind) {
    ++counts_[std::string(kind)];
    ++total_;
  }
  void count_fault() { ++faults_; }
  uint64_t total() const { return total_; }
  uint64_t of(std::string_view kind) const;
  // {"total": N, "faults": F, "by_kind": {"query": 3, ...}}
  boost::json::object to_json() const;
  void reset();

 private:
  std::map<std::string, uint64_t, std::less<>> counts_;
  uint64_t total_ = 0;
  uint64_t faults_ = 0;
};

}  // namespace pe::devorg
