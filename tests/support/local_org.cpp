#include "support/local_org.hpp"

#include "common/sfid.hpp"
#include "salesforce/soql.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <thread>

namespace pe::test {

namespace json = boost::json;
using namespace std::chrono_literals;

LocalOrg::LocalOrg(const LocalOrgOptions& options) : port_(free_port()) {
  dir_ = temp_dir("localorg").string();
  std::vector<std::string> argv{
      PE_BINARY,    "devorg",
      "--port",     std::to_string(port_),
      "--seed",     std::to_string(options.seed),
      "--env-file", dir_ + "/org.env",
      "--app-url",  "http://127.0.0.1:" + std::to_string(options.app_port)};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  process_.emplace(Process::start(argv, {{"LOG_LEVEL", "warn"}}));
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    env_ = read_env_file(dir_ + "/org.env");
    if (env_.size() >= 7) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(env_.size(), 7u) << process_->output();
}

std::string LocalOrg::access_token() {
  if (!token_.empty()) return token_;
  const auto& url = env_["HEROKU_APPLINK_API_URL"];
  auto path = url.substr(url.find('/', std::string("http://").size())) + "/authorizations/devorg";
  auto r = http_request(port_, "GET", path,
                        {"Authorization: Bearer " + env_["HEROKU_APPLINK_TOKEN"],
                         "X-App-UUID: " + env_["HEROKU_APP_ID"]},
                        "");
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  if (!r || r->status != 200) return "";
  token_ = json::parse(r->body).at("org").at("user_auth").at("access_token").as_string().c_str();
  return token_;
}

std::optional<RawResponse> LocalOrg::call(const std::string& method, const std::string& path,
                                          const std::string& body) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::vector<std::string> headers{"Authorization: Bearer " + access_token(),
                                     "Content-Type: application/json"};
    auto r = http_request(port_, method, path, headers, body);
    if (r && r->status < 300) return r;
    if (r && r->status == 401) token_.clear();
    if (r && r->status < 500 && r->status != 429 && r->status != 401) return r;
    std::this_thread::sleep_for(50ms);
  }
  return std::nullopt;
}

json::value LocalOrg::get(const std::string& path) {
  auto r = call("GET", path);
  EXPECT_TRUE(r && r->status == 200) << path << ": " << (r ? r->body : "no answer");
  return r && r->status == 200 ? json::parse(r->body) : json::value();
}

json::value LocalOrg::query(const std::string& soql) {
  return get("/services/data/v62.0/query?q=" + salesforce::url_encode(soql));
}

int64_t LocalOrg::count(const std::string& soql) {
  auto v = query(soql);
  return v.is_object() ? v.at("totalSize").as_int64() : -1;
}

json::value LocalOrg::invoke(const std::string& body) {
  auto r = http_request(port_, "POST", "/devorg/invocations",
                        std::vector<std::string>{"Content-Type: application/json"}, body);
  EXPECT_TRUE(r) << "the local org did not answer the invocation";
  if (!r) return nullptr;
  EXPECT_LT(r->status, 300) << r->body;
  return json::parse(r->body);
}

void LocalOrg::faults(const std::string& body) {
  auto r = http_request(port_, "POST", "/devorg/faults",
                        std::vector<std::string>{"Content-Type: application/json"}, body);
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
}

std::string seeded_opportunity(int n) {
  return std::string(SalesforceId::make("006", static_cast<uint64_t>(n)).str15());
}

}  // namespace pe::test
