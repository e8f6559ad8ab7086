// subscription_stats.hpp: what the subscriber counts — events, keepalives, gaps, reconnects and
// their reasons, lost replay positions — for its log lines and for `web`'s /metrics, which reads
// them from Redis (<prefix>pubsub:stats, a hash of totals that every subscriber adds to).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace pe::pubsub {

struct SubscriptionStats {
  enum Counter {
    events,              // events received
    ids_buffered,        // record Ids new to their transaction
    events_ignored,      // judged not to need a quote
    events_undecodable,  // payloads that could not be decoded (skipped, logged)
    keepalives,          // empty batches
    gaps,                // GAP_ events
    schemas_fetched,     // GetSchema calls (a new schema id)
    reconnects_auth,     // calls ended by an auth error: credentials refreshed
    reconnects_backoff,  // calls ended by UNAVAILABLE, a reset or the like
    reconnects_silence,  // calls the watchdog ended (nothing for the silence limit)
    replay_lost,         // stored replay ids the org no longer knew (events were lost)
    leases_taken,        // times this process became the subscriber
    kCount
  };
  static constexpr std::array<std::string_view, kCount> kNames = {"events",
                                                                  "ids_buffered",
                                                                  "events_ignored",
                                                                  "events_undecodable",
                                                                  "keepalives",
                                                                  "gaps",
                                                                  "schemas_fetched",
                                                                  "reconnects_auth",
                                                                  "reconnects_backoff",
                                                                  "reconnects_silence",
                                                                  "replay_lost",
                                                                  "leases_taken"};

  void count(Counter c, int64_t n = 1) { values[c].fetch_add(n, std::memory_order_relaxed); }
  int64_t get(Counter c) const { return values[c].load(std::memory_order_relaxed); }

  std::array<std::atomic<int64_t>, kCount> values{};
};

}  // namespace pe::pubsub
