// jobs_command.hpp: `pricing-engine jobs` — look at the queue and handle its dead letters.
//
//   pricing-engine jobs stats              waiting, running, delayed and dead jobs
//   pricing-engine jobs list [--limit N]   dead letters: id, transaction, connection, Ids, error
//   pricing-engine jobs retry ID|--all     send dead letters back to the queue as first attempts
//   pricing-engine jobs drop ID|--all      delete dead letters
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
