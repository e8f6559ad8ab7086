#include "web/web_app.hpp"

#include <iostream>

namespace pe::web {

namespace asio = boost::asio;
namespace http = net::http;

Result<WebConfig> load_web_config(const Env& env, const WebOverrides& overrides) {
  EnvReader read(env);
  WebConfig config;
  config.server.port = static_cast<uint16_t>(read.integer("PORT", 8080, 0, 65535));
  config.server.threads = static_cast<unsigned>(read.integer("WEB_THREADS", 0, 0, 256));
  config.server.access_log = read.boolean("WEB_ACCESS_LOG", true);
  std::string problems;
  if (auto ok = read.finish(); !ok) problems = ok.error().message;
  // EnvReader has no log-level getter; its problems and ours are reported together.
  auto level = log::parse_level(read.string("LOG_LEVEL", "info"));
  if (level) {
    config.log_level = *level;
  } else {
    if (problems.empty()) problems = "invalid configuration:";
    problems += "\n  LOG_LEVEL: " + level.error().message;
  }
  if (!problems.empty()) return Error{Errc::invalid_argument, problems};
  if (overrides.port) config.server.port = *overrides.port;
  if (overrides.threads) config.server.threads = *overrides.threads;
  return config;
}

std::shared_ptr<net::Router> make_router(net::ThreadContext&) {
  auto router = std::make_shared<net::Router>();
  // A trivial JSON route: the baseline for server benchmarks.
  router->add(http::verb::get, "/api/ping", [](net::Request&) -> asio::awaitable<net::Response> {
    co_return net::json_response(http::status::ok, R"({"pong":true})");
  });
  // Accepts a JSON body and does nothing with it: the no-op route later ingest benchmarks
  // compare against.
  router->add(http::verb::post, "/api/noop",
              [](net::Request&) -> asio::awaitable<net::Response> {
                co_return net::empty_response(http::status::no_content);
              },
              {.body_limit = 1 << 20,
               .content_types = {"application/json", "application/cloudevents+json",
                                 "application/cloudevents-batch+json"}});
  return router;
}

int run_web(const Env& env, const WebOverrides& overrides) {
  auto config = load_web_config(env, overrides);
  if (!config) {
    std::cerr << "pricing-engine web: " << config.error().message << "\n";
    return 2;
  }
  log::set_level(config->log_level);
  net::HttpServer server(config->server, make_router);
  if (auto ok = server.listen(); !ok) {
    std::cerr << "pricing-engine web: " << ok.error().message << "\n";
    return 1;
  }
  try {
    server.run();
  } catch (const std::exception& e) {
    log::Logger().error("web_failed", {{"error", e.what()}});
    return 1;
  }
  return 0;
}

}  // namespace pe::web
