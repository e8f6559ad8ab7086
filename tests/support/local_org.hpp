// local_org.hpp: a running `pricing-engine devorg` for integration tests, with the calls tests
// make to it: its REST API as the integration user (retrying what injected faults refuse), SOQL
// counts, and Salesforce's side of an AppLink invocation (POST /devorg/invocations).
//
//   LocalOrg org({.seed = 20, .app_port = web_port});
//   auto answer = org.invoke(R"({"url": "/api/generatequote", "body": {...}})");
//   EXPECT_EQ(answer.at("status"), 200);
//   EXPECT_EQ(org.count("SELECT COUNT() FROM Quote"), 1);
#pragma once

#include "support/process.hpp"
#include "support/raw_http.hpp"

#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pe::test {

struct LocalOrgOptions {
  int seed = 20;        // seeded opportunities
  int app_port = 8080;  // where invocations go (--app-url http://127.0.0.1:PORT)
  std::vector<std::string> extra_args;
};

class LocalOrg {
 public:
  explicit LocalOrg(const LocalOrgOptions& options);  // starts it; fails the test if it cannot

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // What an app needs (HEROKU_APPLINK_API_URL, ...), from --env-file.
  const std::map<std::string, std::string>& env() const { return env_; }
  std::string output() const { return process_->output(); }

  std::string access_token();  // the integration user's, via the AppLink authorization endpoint
  std::optional<RawResponse> call(const std::string& method, const std::string& path,
                                  const std::string& body = "");
  boost::json::value get(const std::string& path);
  boost::json::value query(const std::string& soql);
  int64_t count(const std::string& soql);
  // POST /devorg/invocations with this JSON body: its JSON answer (null when it did not answer).
  boost::json::value invoke(const std::string& body);
  // POST /devorg/faults.
  void faults(const std::string& body);

 private:
  int port_;
  std::string dir_;
  std::optional<Process> process_;
  std::map<std::string, std::string> env_;
  std::string token_;
};

// The local org's n-th seeded opportunity Id (15 characters).
std::string seeded_opportunity(int n);

}  // namespace pe::test
