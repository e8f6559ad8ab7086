// demo.hpp: `pricing-engine demo` — the eventing flow end to end on one machine, in one command.
//
// It starts redis-server (from PATH, on a free loopback port, persistence off; or uses REDIS_URL,
// under keys of its own that it deletes when it ends), a local org seeded with --seed sample
// opportunities, web and worker (this same binary), each logging to a file in a fresh temporary
// directory whose path it prints. Then it does what the eventing sample's bulk edit does: with
// the credentials AppLink hands out for the connection, it queries --opportunities
// opportunities that have line items and changes their Description in ONE sObject Collections
// request (allOrNone), i.e. one transaction. It prints, as they happen:
// the change event web received, the job the transaction became, the job the worker finished,
// each quote written (number, name, lines, value at list price, discount, total, status; the
// first ten, then a count), and the custom notification the org's Flow sent; then a summary
// (opportunities edited, quotes, lines, amounts, the notification, seconds, API requests) and
// exits 0. The worker prices with --rules (or PRICING_RULES); the demo prints which rules.
//
// Failure (redis-server missing, Redis unreachable, a child that dies, nothing happening for 60
// s) prints the reason, with the tail of the child's log when one died, and exits 1. Children are
// stopped on every exit path: SIGTERM, then SIGKILL after 5 s; Ctrl-C stops them and exits 130.
// With --keep, everything stays up after the summary, with its URLs printed, until Ctrl-C.
//
//   pricing-engine demo                       # 50 of 200 opportunities
//   pricing-engine demo --opportunities 200 --seed 500 --keep
//   pricing-engine demo --rules config/pricing-rules.example.json
//   DemoOptions options{.opportunities = 10};
//   return run_demo(options, env, std::cout, std::cerr);
#pragma once

#include "common/config.hpp"

#include <iosfwd>

namespace pe::demo {

struct DemoOptions {
  int opportunities = 50;    // edited in one transaction (at most 200: one collection request)
  int seed = 200;            // sample opportunities in the local org
  bool keep = false;         // keep everything running after the summary, until Ctrl-C
  int timeout_seconds = 60;  // how long to wait for the quotes and the notification
  // The rules file the worker prices with (PRICING_RULES); empty: the environment's
  // PRICING_RULES, else the built-in flat 10 %. scripts/demo passes the example rules.
  std::string rules;
};

// Runs the demo; returns the process exit code (0 done, 1 failed, 2 bad options, 130 Ctrl-C).
// `env` supplies REDIS_URL (and the REDIS_TLS_* variables that go with it).
int run_demo(const DemoOptions& options, const Env& env, std::ostream& out, std::ostream& err);

}  // namespace pe::demo
