#include "web/metrics.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace pe::web {

namespace {

uint64_t read(const std::atomic<uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

void counter(std::string& out, std::string_view name, std::string_view help, uint64_t value) {
  fmt::format_to(std::back_inserter(out),
                 "# HELP pricing_{0} {1}\n# TYPE pricing_{0} counter\n"
                 "pricing_{0} {2}\n",
                 name, help, value);
}

template <size_t N>
void labelled(std::string& out, std::string_view name, std::string_view help,
              std::string_view label, const std::array<std::string_view, N>& values,
              const std::array<std::atomic<uint64_t>, N>& counters) {
  fmt::format_to(std::back_inserter(out), "# HELP pricing_{0} {1}\n# TYPE pricing_{0} counter\n",
                 name, help);
  for (size_t i = 0; i < N; ++i) {
    fmt::format_to(std::back_inserter(out), "pricing_{}{{{}=\"{}\"}} {}\n", name, label, values[i],
                   read(counters[i]));
  }
}

}  // namespace

Metrics& metrics() {
  static Metrics instance;
  return instance;
}

void Metrics::observe_flushes(const std::vector<int64_t>& latencies_ms) {
  for (int64_t ms : latencies_ms) {
    double seconds = static_cast<double>(ms) / 1000.0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      if (seconds <= kLatencyBuckets[i]) {
        count(latency_buckets[i]);
        break;
      }
    }
    count(latency_count);
    count(latency_sum_ms, static_cast<uint64_t>(ms < 0 ? 0 : ms));
  }
  count(transactions_flushed, latencies_ms.size());
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(4096);
  counter(out, "webhook_events_received_total", "Change events parsed from accepted requests.",
          read(events_received));
  labelled<kRejectedCount>(out, "webhook_requests_rejected_total",
                           "Webhook requests refused, by reason.", "reason",
                           {"unauthenticated", "malformed", "unavailable"}, rejected);
  labelled<kIgnoredCount>(out, "webhook_events_ignored_total",
                          "Change events that need no quote, by reason.", "reason",
                          {"entity", "change_type", "fields", "no_ids", "wildcard_ids"}, ignored);
  labelled<kGapCount>(out, "webhook_gap_events_total", "Gap and overflow events received.", "type",
                      {"GAP_CREATE", "GAP_UPDATE", "GAP_DELETE", "GAP_UNDELETE", "GAP_OVERFLOW"},
                      gaps);
  counter(out, "webhook_record_ids_buffered_total", "Record Ids new to their transaction.",
          read(ids_buffered));
  counter(out, "webhook_record_ids_duplicate_total",
          "Record Ids already buffered or flushed (redeliveries).", read(ids_duplicate));
  counter(out, "webhook_changed_fields_undecoded_total",
          "Field-filtered events whose changedFields were Pub/Sub bitmaps, accepted unfiltered.",
          read(fields_undecoded));
  counter(out, "transactions_flushed_total", "Transactions flushed into jobs by this process.",
          read(transactions_flushed));
  out +=
      "# HELP pricing_flush_latency_seconds From a transaction's last event to its job.\n"
      "# TYPE pricing_flush_latency_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += read(latency_buckets[i]);
    fmt::format_to(std::back_inserter(out),
                   "pricing_flush_latency_seconds_bucket{{le=\"{}\"}} {}\n", kLatencyBuckets[i],
                   cumulative);
  }
  uint64_t total = read(latency_count);
  fmt::format_to(std::back_inserter(out),
                 "pricing_flush_latency_seconds_bucket{{le=\"+Inf\"}} {0}\n"
                 "pricing_flush_latency_seconds_sum {1:.3f}\n"
                 "pricing_flush_latency_seconds_count {0}\n",
                 total, static_cast<double>(read(latency_sum_ms)) / 1000.0);
  return out;
}

void append_pubsub_metrics(std::string& out, const net::RedisReply& hash) {
  for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
    const std::string& name = hash.elements[i].text;
    const std::string& value = hash.elements[i + 1].text;
    const bool good_name = !name.empty() && name.size() <= 40 &&
                           std::all_of(name.begin(), name.end(),
                                       [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    const bool good_value =
        !value.empty() && value.size() <= 20 &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!good_name || !good_value) continue;
    out += "# TYPE pricing_pubsub_" + name + "_total counter\n";
    out += "pricing_pubsub_" + name + "_total " + value + "\n";
  }
}

}  // namespace pe::web
