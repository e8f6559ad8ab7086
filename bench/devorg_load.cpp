// devorg_load: measures the local org over HTTP, as a client sees it (bench/devorg_bench.sh runs
// it against `pricing-engine devorg --seed 10000`).
//
//   read:   rows per second read through query pages of
//           SELECT Id, Name, Amount, (SELECT Id, Quantity, UnitPrice, TotalPrice FROM
//           OpportunityLineItems) FROM Opportunity — every page fetched (nextRecordsUrl), rows =
//           opportunities + their lines, as Salesforce counts them;
//   write:  records per second created one by one (POST /sobjects/Account) over one keep-alive
//           connection, each request waiting for the previous answer;
//   baseline: GET /services/data (the version list, no auth, no database) requests per second on
//           the same connection: the HTTP floor the other two are compared with.
//
//   devorg_load --env-file org.env [--reads 3] [--creates 5000] [--baseline 5000]
#include "common/json_exact.hpp"
#include "net/http_client.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

struct Org {
  std::string base;
  std::string token;
};

pe::net::HttpResponse call(asio::io_context& io, pe::net::HttpClient& client,
                           pe::net::HttpRequest req) {
  auto future = asio::co_spawn(io, client.request(std::move(req)), asio::use_future);
  io.restart();
  io.run();
  auto result = future.get();
  if (!result) throw std::runtime_error(result.error().message);
  return *result;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"devorg_load: the local org over HTTP"};
  std::string env_file;
  int reads = 3, creates = 5000, baseline = 5000;
  app.add_option("--env-file", env_file, "The env file devorg wrote")->required();
  app.add_option("--reads", reads, "Times to read the whole query");
  app.add_option("--creates", creates, "Records to create one by one");
  app.add_option("--baseline", baseline, "Version-list requests");
  CLI11_PARSE(app, argc, argv);

  std::map<std::string, std::string> env;
  std::ifstream in(env_file);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  asio::io_context io;
  auto client = pe::net::HttpClient::create(io).value();
  auto auth = call(io, client,
                   {.url = env["HEROKU_APPLINK_API_URL"] + "/authorizations/devorg",
                    .headers = {{"Authorization", "Bearer " + env["HEROKU_APPLINK_TOKEN"]},
                                {"X-App-UUID", env["HEROKU_APP_ID"]}}});
  auto org_json = json::parse(auth.body).at("org");
  Org org{std::string(org_json.at("instance_url").as_string()),
          std::string(org_json.at("user_auth").at("access_token").as_string())};
  pe::net::HttpHeaders headers{{"Authorization", "Bearer " + org.token}};

  // Baseline: the version list.
  auto start = Clock::now();
  for (int i = 0; i < baseline; ++i) {
    auto res = call(io, client, {.url = org.base + "/services/data"});
    if (res.status != 200) throw std::runtime_error("baseline failed");
  }
  double baseline_rate = baseline / seconds_since(start);

  // Read.
  std::string soql =
      "SELECT%20Id%2C%20Name%2C%20Amount%2C%20(SELECT%20Id%2C%20Quantity%2C%20UnitPrice%2C%20"
      "TotalPrice%20FROM%20OpportunityLineItems)%20FROM%20Opportunity";
  int64_t rows = 0, pages = 0;
  start = Clock::now();
  for (int r = 0; r < reads; ++r) {
    std::string url = org.base + "/services/data/v62.0/query?q=" + soql;
    while (true) {
      auto res = call(io, client, {.url = url, .headers = headers});
      if (res.status != 200) throw std::runtime_error("query failed: " + res.body.substr(0, 200));
      auto page = pe::parse_json_exact(res.body).value();
      ++pages;
      for (const auto& record : page.at("records").as_array()) {
        ++rows;
        const auto& lines = record.at("OpportunityLineItems");
        if (lines.is_object()) rows += static_cast<int64_t>(lines.at("records").as_array().size());
      }
      if (page.at("done").as_bool()) break;
      url = org.base + std::string(page.at("nextRecordsUrl").as_string());
    }
  }
  double read_seconds = seconds_since(start);

  // Write.
  start = Clock::now();
  for (int i = 0; i < creates; ++i) {
    pe::net::HttpRequest req{.method = http::verb::post,
                             .url = org.base + "/services/data/v62.0/sobjects/Account",
                             .headers = headers,
                             .body = "{\"Name\":\"Load " + std::to_string(i) + "\"}"};
    req.headers.push_back({"Content-Type", "application/json"});
    auto res = call(io, client, std::move(req));
    if (res.status != 201) throw std::runtime_error("create failed: " + res.body.substr(0, 200));
  }
  double write_seconds = seconds_since(start);

  std::printf("baseline_requests_per_s %.0f\n", baseline_rate);
  std::printf("read_rows %lld pages %lld seconds %.3f rows_per_s %.0f pages_per_s %.1f\n",
              static_cast<long long>(rows), static_cast<long long>(pages), read_seconds,
              rows / read_seconds, pages / read_seconds);
  std::printf("write_records %d seconds %.3f records_per_s %.0f vs_baseline %.2f\n", creates,
              write_seconds, creates / write_seconds, (creates / write_seconds) / baseline_rate);
  return 0;
}
