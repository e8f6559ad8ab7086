// pubsub_server.hpp (internal to devorg): the local org's Salesforce Pub/Sub API,
// `eventbus.v1.PubSub` over gRPC — `devorg --pubsub-port P` (plaintext) and `--pubsub-tls-port P`
// (TLS with a self-signed certificate made at start, for TLS-only clients such as npm's
// salesforce-pubsub-api-client with rejectUnauthorizedSsl: false).
//
// One server answers for every org of the process: the `tenantid` metadata (the 18-character org
// Id) picks the org, `accesstoken` must be one of that org's sessions (the tokens its REST API
// accepts), `instanceurl` must be present. The calls are handed to that org's server thread, which
// owns its topics and streams (pubsub_bus.hpp); gRPC's threads only carry messages. Only this
// header's .cpp includes the generated stubs.
//
//   auto server = PubSubServer::start({.port = 0, .tls_port = 0}, directory);
//   (*server)->port();   // the plaintext port chosen
//   (*server)->shutdown();  // before the org threads stop: open streams end CANCELLED
#pragma once

#include "common/error.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace pe::devorg {

struct OrgDirectory;

struct PubSubServerOptions {
  std::string host = "127.0.0.1";
  int port = -1;                                   // plaintext: -1 none, 0 any
  int tls_port = -1;                               // TLS: -1 none, 0 any
  std::chrono::milliseconds keepalive{270'000};    // an empty batch after this long without one
  std::chrono::milliseconds idle_timeout{60'000};  // closed when nothing is owed for this long
  std::string cert_file;  // where to write the TLS certificate (PEM), for clients to trust
};

class PubSubServer {
 public:
  // Binds and starts serving. The directory's orgs must outlive the server.
  static Result<std::unique_ptr<PubSubServer>> start(const PubSubServerOptions& options,
                                                     const OrgDirectory& directory);
  ~PubSubServer();
  PubSubServer(const PubSubServer&) = delete;
  PubSubServer& operator=(const PubSubServer&) = delete;

  int port() const;      // 0 when not served
  int tls_port() const;  // 0 when not served
  // Stops accepting and cancels open calls (waits at most 2 s); idempotent. Call while the
  // orgs' threads still run: the streams finish there.
  void shutdown();

  struct Impl;

 private:
  explicit PubSubServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A self-signed certificate (EC P-256, CN=localhost, SAN localhost and 127.0.0.1, a year) and
// its private key, PEM. Throws std::runtime_error when OpenSSL fails.
struct SelfSignedCertificate {
  std::string cert_pem;
  std::string key_pem;
};
SelfSignedCertificate make_self_signed_certificate();

}  // namespace pe::devorg
