// worker_app.hpp: the `worker` process role — claims jobs from the Redis stream and quotes them.
//
// WORKER_CONCURRENCY lanes run at once on one thread (the work is waiting on Salesforce, not
// CPU). Each lane claims up to PRICING_BATCH_JOBS jobs, lingers up to PRICING_BATCH_LINGER_MS
// for more until they hold PRICING_BATCH_RECORDS opportunities, and quotes them together
// (quote_batch.hpp): that coalescing is what keeps API requests near the floor. While a batch
// runs its jobs are kept alive (their visibility renewed); completed jobs are acknowledged,
// failed ones retried with backoff or dead-lettered (jobs/job_queue.hpp). Every second the
// worker also moves due retries back to the stream, reclaims jobs of dead workers, and flushes
// idle transactions (any process may; one job each), so nothing waits for a web dyno.
//
// Credentials come from AppLink (or the Integration endpoint) per connection, cached, refreshed
// on INVALID_SESSION_ID; jobs never carry tokens. Completion events go out as PRICING_PUBLISH_VIA
// says: `eventing` (HEROKUEVENTS_PUBLISH_URL; the default when it is set), `rest` (sObject
// Collections of 200; the default otherwise) or `pubsub` (the Pub/Sub API's Publish, Avro-encoded
// with the topic's schema, pubsub/event_publisher.hpp).
//
// SIGTERM/SIGINT: stop claiming, finish the batches in flight (up to 25 s), exit 0. A job cut
// off by SIGKILL is reclaimed by another worker after PRICING_VISIBILITY_SECONDS.
#pragma once

#include "common/config.hpp"

#include <optional>

namespace pe::worker {

struct WorkerOverrides {
  std::optional<unsigned> concurrency;
};

// Runs the worker until SIGTERM/SIGINT. Returns the process exit code (2: bad configuration).
int run_worker(const Env& env, const WorkerOverrides& overrides);

}  // namespace pe::worker
