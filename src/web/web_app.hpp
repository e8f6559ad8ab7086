// web_app.hpp: the `web` process role: configuration, routes, and the server that carries them.
//
// main() hands over to run_web(); everything the role serves is registered in make_router(),
// which the server calls once per thread. The role is thin: it wires modules, it holds no logic.
//
//   auto env = Env::from_process().value();
//   return pe::web::run_web(env, {.port = 9000});   // flags override the environment
#pragma once

#include "common/config.hpp"
#include "net/http_server.hpp"

#include <optional>

namespace pe::web {

// Values given on the command line; they win over the environment.
struct WebOverrides {
  std::optional<uint16_t> port;
  std::optional<unsigned> threads;
};

struct WebConfig {
  net::ServerConfig server;
  log::Level log_level = log::Level::info;
};

// Reads PORT, WEB_THREADS, LOG_LEVEL, WEB_ACCESS_LOG (see docs/config.md); reports every bad
// variable at once.
Result<WebConfig> load_web_config(const Env& env, const WebOverrides& overrides);

// The routes of the web role for one server thread.
std::shared_ptr<net::Router> make_router(net::ThreadContext& thread);

// Runs the web role until SIGTERM/SIGINT. Returns the process exit code.
int run_web(const Env& env, const WebOverrides& overrides);

}  // namespace pe::web
