// bulk_ingest_load: how long the local org takes to ingest the product's large batch-job writes
// through Bulk API 2.0, as a client sees it (bench/bulk_ingest_bench.sh runs it against
// `pricing-engine devorg --seed N`).
//
//   1. upsert --quotes Quotes on GenerationKey__c (spread over the seeded opportunities);
//   2. upsert --lines-per-quote QuoteLineItems per quote on GenerationKey__c, each naming its
//      quote with the relationship column Quote.GenerationKey__c (no Quote Ids);
//   3. read each job's failedResults (there must be none).
// Each job: create, one PUT of the whole CSV, close, then poll its state with backoff (50 ms
// doubling to 1 s), as a client would; the time is from close to JobComplete, plus the upload.
//
//   bulk_ingest_load --env-file org.env [--quotes 100000] [--lines-per-quote 3]
#include "net/http_client.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

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
  req.timeout = std::chrono::minutes(5);
  req.max_response_body = 512u << 20;
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

struct Outcome {
  double upload_s = 0;
  double process_s = 0;
  int64_t processed = 0;
  int64_t failed = 0;
  int polls = 0;
  std::string failed_results;
};

Outcome run_job(asio::io_context& io, pe::net::HttpClient& client, const Org& org,
                const std::string& object, const std::string& csv) {
  std::string jobs = org.base + "/services/data/v62.0/jobs/ingest";
  pe::net::HttpHeaders auth{{"Authorization", "Bearer " + org.token}};
  pe::net::HttpHeaders json_headers = auth;
  json_headers.emplace_back("Content-Type", "application/json");
  json::object spec{{"object", object},
                    {"operation", "upsert"},
                    {"externalIdFieldName", "GenerationKey__c"},
                    {"contentType", "CSV"}};
  auto created = call(io, client,
                      {.method = http::verb::post,
                       .url = jobs,
                       .headers = json_headers,
                       .body = json::serialize(spec)});
  if (created.status != 200) throw std::runtime_error("create job: " + created.body);
  std::string id(json::parse(created.body).at("id").as_string());
  Outcome out;
  auto start = Clock::now();
  pe::net::HttpHeaders csv_headers = auth;
  csv_headers.emplace_back("Content-Type", "text/csv");
  auto put = call(io, client,
                  {.method = http::verb::put,
                   .url = jobs + "/" + id + "/batches",
                   .headers = csv_headers,
                   .body = csv});
  if (put.status != 201) throw std::runtime_error("upload: " + put.body);
  auto close = call(io, client,
                    {.method = http::verb::patch,
                     .url = jobs + "/" + id,
                     .headers = json_headers,
                     .body = R"({"state":"UploadComplete"})"});
  if (close.status != 200) throw std::runtime_error("close: " + close.body);
  out.upload_s = seconds_since(start);
  start = Clock::now();
  auto wait = std::chrono::milliseconds(50);
  while (true) {
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(1000));
    ++out.polls;
    auto info = json::parse(call(io, client, {.url = jobs + "/" + id, .headers = auth}).body);
    std::string state(info.at("state").as_string());
    if (state == "JobComplete" || state == "Failed" || state == "Aborted") {
      if (state != "JobComplete") throw std::runtime_error("job ended " + state);
      out.processed = info.at("numberRecordsProcessed").to_number<int64_t>();
      out.failed = info.at("numberRecordsFailed").to_number<int64_t>();
      break;
    }
  }
  out.process_s = seconds_since(start);
  out.failed_results =
      call(io, client, {.url = jobs + "/" + id + "/failedResults", .headers = auth}).body;
  return out;
}

void report(const std::string& what, const Outcome& o) {
  std::cout << what << ": " << o.processed << " rows, " << o.failed << " failed, upload "
            << o.upload_s << " s, processing " << o.process_s << " s ("
            << static_cast<int64_t>(o.processed / o.process_s) << " rows/s, " << o.polls
            << " polls)\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bulk_ingest_load: Bulk API 2.0 upserts of Quotes and their lines"};
  std::string env_file;
  int quotes = 100'000, lines_per_quote = 3;
  app.add_option("--env-file", env_file, "The env file devorg wrote")->required();
  app.add_option("--quotes", quotes, "Quotes to upsert");
  app.add_option("--lines-per-quote", lines_per_quote, "QuoteLineItems per quote");
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
  auto first = [&](const std::string& soql) {
    std::string q;
    for (char c : soql) q += c == ' ' ? std::string("+") : std::string(1, c);
    auto res = call(io, client,
                    {.url = org.base + "/services/data/v62.0/query?q=" + q, .headers = headers});
    return json::parse(res.body).at("records").as_array();
  };
  std::vector<std::string> opportunities;
  for (const auto& r : first("SELECT Id FROM Opportunity LIMIT 2000")) {
    opportunities.emplace_back(r.at("Id").as_string());
  }
  std::string entry(
      first("SELECT Id FROM PricebookEntry WHERE IsActive = true LIMIT 1")[0].at("Id").as_string());
  if (opportunities.empty()) throw std::runtime_error("seed the org first (--seed N)");

  std::string csv = "GenerationKey__c,Name,OpportunityId\n";
  for (int q = 0; q < quotes; ++q) {
    std::string key = "bench:" + std::to_string(q);
    csv +=
        key + ",Quote " + std::to_string(q) + "," + opportunities[q % opportunities.size()] + "\n";
  }
  auto quote_run = run_job(io, client, org, "Quote", csv);
  report("Quote upserts", quote_run);

  csv = "GenerationKey__c,Quote.GenerationKey__c,PricebookEntryId,Quantity,UnitPrice\n";
  for (int q = 0; q < quotes; ++q) {
    std::string key = "bench:" + std::to_string(q);
    for (int l = 1; l <= lines_per_quote; ++l) {
      csv += key + ":" + std::to_string(l) + "," + key + "," + entry + "," + std::to_string(l) +
             ",19.99\n";
    }
  }
  auto line_run = run_job(io, client, org, "QuoteLineItem", csv);
  report("QuoteLineItem upserts (Quote.GenerationKey__c)", line_run);
  if (quote_run.failed + line_run.failed > 0) {
    std::cerr << quote_run.failed_results.substr(0, 2000)
              << line_run.failed_results.substr(0, 2000);
    return 1;
  }
  return 0;
}
