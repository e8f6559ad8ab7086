// metrics.hpp: the web role's counters, served as Prometheus text on GET /metrics.
//
// Counters are process-wide relaxed atomics (every server thread adds to the same ones); a scrape
// reads them without stopping anybody. Names (all prefixed pricing_):
//   webhook_events_received_total            events parsed from accepted requests
//   webhook_requests_rejected_total{reason}  unauthenticated, malformed, unavailable (Redis down)
//   webhook_events_ignored_total{reason}     entity (not Opportunity), change_type, fields,
//                                            no_ids (GAP_OVERFLOW and other id-less events),
//                                            wildcard_ids (recordIds "006*" only: a field-type
//                                            conversion changed every record)
//   webhook_gap_events_total{type}           GAP_* events (buffered when they carry Ids)
//   webhook_record_ids_buffered_total        Ids new to their transaction's buffer
//   webhook_record_ids_duplicate_total       Ids that were already buffered or flushed
//   transactions_flushed_total               jobs enqueued by this process's flushes
//   flush_latency_seconds (histogram)        from a transaction's last event to its job
//   webhook_changed_fields_undecoded_total   field-filtered events whose changedFields were
//                                            Pub/Sub bitmaps (accepted, see docs/eventing.md)
//   pubsub_<counter>_total                   the subscribers' counters, read from Redis at each
//                                            scrape (events, ids_buffered, events_ignored,
//                                            events_undecodable, keepalives, gaps,
//                                            schemas_fetched, reconnects_auth,
//                                            reconnects_backoff, reconnects_silence,
//                                            replay_lost, leases_taken; docs/pubsub.md)
#pragma once

#include "net/redis_protocol.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace pe::web {

struct Metrics {
  enum Rejected { unauthenticated, malformed, unavailable, kRejectedCount };
  enum Ignored { entity, change_type, fields, no_ids, wildcard_ids, kIgnoredCount };
  enum Gap { gap_create, gap_update, gap_delete, gap_undelete, gap_overflow, kGapCount };

  static constexpr std::array<double, 10> kLatencyBuckets = {0.1, 0.5, 1, 2, 5, 10, 15, 20, 30, 60};

  std::atomic<uint64_t> events_received{0};
  std::array<std::atomic<uint64_t>, kRejectedCount> rejected{};
  std::array<std::atomic<uint64_t>, kIgnoredCount> ignored{};
  std::array<std::atomic<uint64_t>, kGapCount> gaps{};
  std::atomic<uint64_t> ids_buffered{0};
  std::atomic<uint64_t> ids_duplicate{0};
  std::atomic<uint64_t> fields_undecoded{0};
  std::atomic<uint64_t> transactions_flushed{0};
  std::array<std::atomic<uint64_t>, kLatencyBuckets.size()> latency_buckets{};  // not cumulative
  std::atomic<uint64_t> latency_count{0};
  std::atomic<uint64_t> latency_sum_ms{0};

  void count(std::atomic<uint64_t>& counter, uint64_t n = 1) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }
  void observe_flushes(const std::vector<int64_t>& latencies_ms);

  // The Prometheus text exposition format (version 0.0.4).
  std::string render() const;
};

// The process's metrics.
Metrics& metrics();

// The Pub/Sub subscribers' totals (an HGETALL of <prefix>pubsub:stats: counter, value, ...) as
// `pricing_pubsub_<counter>_total` counters; fields that are not [a-z_] names of at most 40
// characters with an integer value are left out.
void append_pubsub_metrics(std::string& out, const net::RedisReply& hash);

}  // namespace pe::web
