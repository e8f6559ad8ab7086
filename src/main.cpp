// pricing-engine: one binary, one subcommand per process role (DESIGN.md, "Processes").
// main only parses the command line and hands over; each role lives in its own module.
#include "applink/invoke_command.hpp"
#include "common/config.hpp"
#include "common/log.hpp"
#include "demo/demo.hpp"
#include "devorg/devorg_app.hpp"
#include "jobs/jobs_command.hpp"
#include "pricing/price_command.hpp"
#include "subscriber/subscriber_app.hpp"
#include "web/web_app.hpp"
#include "worker/worker_app.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

// The environment plus .env, or exit 2 with the reason.
pe::Env load_env() {
  auto env = pe::Env::from_process();
  if (!env) {
    std::cerr << "pricing-engine: " << env.error().message << "\n";
    std::exit(2);
  }
  return std::move(*env);
}

void init_logging(const pe::Env& env) {
  auto level = pe::log::parse_level(env.get("LOG_LEVEL").value_or("info"));
  pe::log::init(level ? *level : pe::log::Level::info);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pricing-engine: quote pricing for Salesforce, off the platform"};
  app.set_version_flag("--version", "pricing-engine 0.1.0");
  app.require_subcommand(1);

  pe::web::WebOverrides web_overrides;
  auto* web = app.add_subcommand("web", "Serve HTTP on $PORT: webhook, APIs, health and metrics");
  web->add_option("--host", web_overrides.host,
                  "Address to listen on (default: $WEB_HOST, 0.0.0.0; 127.0.0.1 behind the mesh)");
  web->add_option("--port", web_overrides.port, "Port to listen on (default: $PORT or 8080)");
  web->add_option("--threads", web_overrides.threads,
                  "Server threads (default: $WEB_THREADS or one per core)");

  pe::worker::WorkerOverrides worker_overrides;
  auto* worker = app.add_subcommand(
      "worker", "Claim quote jobs from Redis: read, price, write quotes, publish completion");
  worker
      ->add_option("--concurrency", worker_overrides.concurrency,
                   "Batches in flight at once (default: $WORKER_CONCURRENCY or 2)")
      ->check(CLI::Range(1u, 64u));

  auto* subscriber = app.add_subcommand(
      "subscriber",
      "Subscribe to the org's change events over the Pub/Sub API and buffer them like the webhook");

  pe::jobs::JobsOptions jobs_options;
  auto* jobs = app.add_subcommand("jobs", "Show the job queue; list, retry or drop dead letters");
  jobs->add_option("action", jobs_options.action, "stats, list, retry or drop")
      ->required()
      ->check(CLI::IsMember({"stats", "list", "retry", "drop"}));
  jobs->add_option("id", jobs_options.id, "The dead letter's id (retry, drop)");
  jobs->add_flag("--all", jobs_options.all, "Every dead letter (retry, drop)");
  jobs->add_option("--limit", jobs_options.limit, "Dead letters listed (default 100)")
      ->check(CLI::Range(1, 100'000));

  pe::pricing::PriceOptions price_options;
  auto* price = app.add_subcommand("price", "Price opportunities given as JSON, without an org");
  price->add_option("--rules", price_options.rules_path,
                    "Pricing rules file (default: $PRICING_RULES or the built-in rules)");
  price->add_option("--input", price_options.input_path, "Opportunities as JSON (default: stdin)");
  price->add_option("--format", price_options.format, "json (default) or table")
      ->check(CLI::IsMember({"json", "table"}));
  price->add_option("--engine", price_options.engine, "Pricing engine (default: $PRICING_ENGINE)");

  pe::devorg::DevorgOptions devorg_options;
  auto* devorg = app.add_subcommand(
      "devorg", "Serve the local org: a Salesforce REST API look-alike with AppLink endpoints");
  devorg->add_option("--port", devorg_options.port, "Port to listen on (default 8111; 0: any)");
  devorg->add_option("--host", devorg_options.host, "Address to listen on (default 127.0.0.1)");
  auto* devorg_seed = devorg
                          ->add_option("--seed", devorg_options.seed_opportunities,
                                       "Load sample data with N opportunities (default: none)")
                          ->check(CLI::Range(0, 1'000'000));
  devorg->add_option("--seed-value", devorg_options.seed_value,
                     "Which sample data: the same value gives the same records (default 1)");
  devorg->add_option("--db", devorg_options.db_path,
                     "SQLite file to keep the data in (default: in memory)");
  devorg->add_option("--env-file", devorg_options.env_file,
                     "Write the environment an app needs (KEY=VALUE lines) here once ready");
  devorg->add_option("--webhook", devorg_options.webhook_url,
                     "Deliver Opportunity change events to this URL as CloudEvents");
  devorg->add_option("--webhook-token", devorg_options.webhook_token,
                     "Send it as Authorization: Bearer with every delivery");
  devorg
      ->add_option("--token-ttl", devorg_options.token_ttl_seconds,
                   "Access tokens expire after this many seconds (default: never)")
      ->check(CLI::Range(int64_t{0}, int64_t{86'400 * 365}));
  auto* devorg_connection =
      devorg->add_option("--connection", devorg_options.connection_name,
                         "The AppLink connection name it answers for (default devorg)");
  devorg
      ->add_option("--orgs", devorg_options.orgs,
                   "Serve several orgs: name=N,... (N seeded opportunities), e.g. "
                   "sales=300,support=50,empty=0; each on its own port from --port on")
      ->excludes(devorg_seed)
      ->excludes(devorg_connection);
  devorg->add_option("--app-url", devorg_options.app_url,
                     "The app POST /devorg/invocations calls (default http://127.0.0.1:8080)");
  devorg->add_option("--fault-error-rate", devorg_options.fault_error_rate,
                     "Answer this share of API requests with 500 or 503 (0 to 1)");
  devorg->add_option("--fault-limit-rate", devorg_options.fault_limit_rate,
                     "Answer this share with 429 REQUEST_LIMIT_EXCEEDED (0 to 1)");
  devorg->add_option("--fault-latency-ms", devorg_options.fault_latency_ms,
                     "Add this much latency to every API answer");
  devorg->add_option("--fault-bulk-rows-per-second", devorg_options.fault_bulk_rows_per_second,
                     "Process Bulk API ingest rows at most this fast (default 0: no limit)");
  devorg->add_option("--fault-orgs", devorg_options.fault_orgs,
                     "The --fault-* flags apply to these orgs only (a,b; default: all)");
  devorg
      ->add_option("--pubsub-port", devorg_options.pubsub_port,
                   "Serve the Pub/Sub API (gRPC, plaintext) on this port (0: any; default: off)")
      ->check(CLI::Range(0, 65535));
  devorg
      ->add_option("--pubsub-tls-port", devorg_options.pubsub_tls_port,
                   "Serve it over TLS with a self-signed certificate on this port (0: any)")
      ->check(CLI::Range(0, 65535));
  devorg->add_option("--pubsub-cert-file", devorg_options.pubsub_cert_file,
                     "Write that certificate (PEM) here, for clients to trust");
  devorg
      ->add_option("--pubsub-keepalive-ms", devorg_options.pubsub_keepalive_ms,
                   "Send an empty batch after this long without a response (default 270000)")
      ->check(CLI::Range(int64_t{10}, int64_t{3'600'000}));
  devorg
      ->add_option("--pubsub-idle-timeout-ms", devorg_options.pubsub_idle_timeout_ms,
                   "Close a stream owed nothing and sent no request this long (default 60000)")
      ->check(CLI::Range(int64_t{10}, int64_t{3'600'000}));
  devorg
      ->add_option("--pubsub-retention-ms", devorg_options.pubsub_retention_ms,
                   "Keep events for replay this long (default 259200000: 72 h)")
      ->check(CLI::Range(int64_t{1}, int64_t{30} * 86'400'000));

  pe::applink::InvokeOptions invoke_options;
  auto* invoke = app.add_subcommand(
      "invoke", "Call the app as Salesforce would through AppLink (for local development)");
  invoke->add_option("route", invoke_options.route, "The app's route, e.g. /api/generatequote")
      ->required();
  invoke->add_option("body", invoke_options.body, "JSON body, or @FILE")->required();
  invoke->add_option("--method", invoke_options.method, "POST (default) or GET")
      ->check(CLI::IsMember({"POST", "GET"}));
  invoke->add_option("--app-url", invoke_options.app_url,
                     "Where the app runs (default http://127.0.0.1:8080)");
  invoke->add_option("--target-org", invoke_options.target_org,
                     "The org alias for `sf org display --json`");
  invoke->add_option("--sf-json", invoke_options.sf_json,
                     "A file holding the output of `sf org display --json`");
  invoke->add_option("--instance-url", invoke_options.instance_url,
                     "The org's URL, with SF_ACCESS_TOKEN in the environment (instead of sf)");
  invoke->add_option("--username", invoke_options.username, "The user, with --instance-url");

  pe::demo::DemoOptions demo_options;
  auto* demo = app.add_subcommand(
      "demo", "Run Redis, the local org, web and worker; bulk-edit opportunities; show the quotes");
  demo->add_option("--opportunities", demo_options.opportunities,
                   "Opportunities edited in one transaction (default 50)")
      ->check(CLI::Range(1, 200));
  demo->add_option("--seed", demo_options.seed,
                   "Sample opportunities in the local org (default 200)")
      ->check(CLI::Range(1, 100'000));
  demo->add_flag("--keep", demo_options.keep,
                 "Keep everything running after the summary, until Ctrl-C");
  demo->add_option("--timeout", demo_options.timeout_seconds,
                   "Seconds to wait for the quotes and the notification (default 60)")
      ->check(CLI::Range(1, 3600));
  demo->add_option("--rules", demo_options.rules,
                   "Rules file the worker prices with (default PRICING_RULES, else built-in)");

  CLI11_PARSE(app, argc, argv);

  auto env = load_env();
  init_logging(env);
  if (web->parsed()) return pe::web::run_web(env, web_overrides);
  if (worker->parsed()) return pe::worker::run_worker(env, worker_overrides);
  if (subscriber->parsed()) return pe::subscriber::run_subscriber(env);
  if (jobs->parsed()) {
    // A command-line tool: only warnings unless LOG_LEVEL asks for more.
    if (!env.get("LOG_LEVEL")) pe::log::set_level(pe::log::Level::warn);
    return pe::jobs::run_jobs_command(jobs_options, env, std::cout, std::cerr);
  }
  if (devorg->parsed()) return pe::devorg::run_devorg(devorg_options, env);
  if (invoke->parsed()) {
    if (!env.get("LOG_LEVEL")) pe::log::set_level(pe::log::Level::warn);
    return pe::applink::run_invoke(invoke_options, env, std::cout, std::cerr);
  }
  if (demo->parsed()) return pe::demo::run_demo(demo_options, env, std::cout, std::cerr);
  if (price->parsed())
    return pe::pricing::run_price(price_options, env, std::cin, std::cout, std::cerr);
  return 2;
}
