// jobs_command.hpp: `pricing-engine jobs` — look at the queues and handle their dead letters.
//
//   pricing-engine jobs stats              waiting, running, delayed and dead jobs, then the same
//                                          for the batch job tasks ("batch waiting ...")
//   pricing-engine jobs list [--limit N]   dead letters: id, transaction, connection, Ids, error;
//                                          then the batch tasks' as batch:<id> (job, kind, step,
//                                          chunk, error)
//   pricing-engine jobs retry ID|--all     send dead letters back to their queue as first attempts
//   pricing-engine jobs drop ID|--all      delete dead letters
//
// Two queues: <prefix>jobs (eventing transactions, async org actions) and <prefix>batch:jobs
// (batch job tasks). Each stream numbers its entries on its own, so the same id may name a dead
// letter in both: a batch task's is written batch:<id>, in the list and for retry and drop. A
// batch task's dead letter has already ended its chunk as failed and keeps no token: retried, it
// runs again only with a named authorization (PRICING_JOB_AUTHORIZATION), and its chunk is not
// counted twice; dropping it is the usual end.
//
// Reads REDIS_URL and PRICING_REDIS_PREFIX like the other roles. Exit codes: 0 done, 1 a
// named job was not found or Redis failed, 2 bad usage or configuration.
#pragma once

#include "common/config.hpp"

#include <iosfwd>
#include <string>

namespace pe::jobs {

struct JobsOptions {
  std::string action;  // stats, list, retry, drop
  std::string id;      // for retry and drop
  bool all = false;
  size_t limit = 100;
};

int run_jobs_command(const JobsOptions& options, const Env& env, std::ostream& out,
                     std::ostream& err);

}  // namespace pe::jobs
