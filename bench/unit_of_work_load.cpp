// unit_of_work_load: API requests and wall time to write N quotes with 3 lines each through the
// unit of work (Composite Graph, packed), against the same quotes written one record per REST
// call, on the local org (bench/salesforce_bench.sh starts it). Also pages 10,000 records.
//   unit_of_work_load --env-file org.env [--quotes 10000]
#include "salesforce/data_api.hpp"
#include "salesforce/unit_of_work.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace pe::salesforce;
using Clock = std::chrono::steady_clock;

template <class T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

pe::net::HttpRequest authorization(std::map<std::string, std::string>& env) {
  return {.url = env["HEROKU_APPLINK_API_URL"] + "/authorizations/devorg",
          .headers = {{"Authorization", "Bearer " + env["HEROKU_APPLINK_TOKEN"]},
                      {"X-App-UUID", env["HEROKU_APP_ID"]}}};
}

json::object line_fields(const std::string& entry, int l) {
  return {{"PricebookEntryId", entry}, {"Quantity", l + 1}, {"UnitPrice", "19.99"}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"unit_of_work_load"};
  std::string env_file;
  int quotes = 10000;
  app.add_option("--env-file", env_file)->required();
  app.add_option("--quotes", quotes);
  CLI11_PARSE(app, argc, argv);
  std::map<std::string, std::string> env;
  std::ifstream in(env_file);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  asio::io_context io;
  auto client = pe::net::HttpClient::create(io).value();
  auto auth = run(io, client.request(authorization(env))).value();
  auto org = json::parse(auth.body).at("org");
  DataApi api(client, {std::string(org.at("instance_url").as_string()), "62.0",
                       std::string(org.at("user_auth").at("access_token").as_string())});
  auto opp = run(io, api.query("SELECT Id, (SELECT PricebookEntryId FROM OpportunityLineItems) "
                               "FROM Opportunity LIMIT 1"))
                 .value();
  const auto& record = opp.records.at(0).as_object();
  std::string opp_id(record.at("Id").as_string());
  std::string entry(child_records(record, "OpportunityLineItems")->at(0).at("PricebookEntryId").as_string());

  // Unit of work.
  UnitOfWork work;
  for (int q = 0; q < quotes; ++q) {
    std::string group = "u" + std::to_string(q);
    auto quote = work.upsert(group, "Quote", "GenerationKey__c", "bench:" + group,
                             {{"Name", "Quote " + group}, {"OpportunityId", opp_id}});
    for (int l = 0; l < 3; ++l) {
      json::object line = line_fields(entry, l);
      line["QuoteId"] = UnitOfWork::id_of(quote);
      work.upsert(group, "QuoteLineItem", "GenerationKey__c", "bench:" + group + ":" + std::to_string(l),
                  std::move(line));
    }
  }
  uint64_t before = api.requests();
  auto start = Clock::now();
  auto committed = run(io, work.commit(api)).value();
  double uow_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  uint64_t uow_requests = api.requests() - before;
  size_t failed = 0;
  for (const auto& [g, r] : committed.groups) failed += !r.success;

  // One record per REST call.
  before = api.requests();
  start = Clock::now();
  for (int q = 0; q < quotes; ++q) {
    auto quote = run(io, api.create("Quote", {{"Name", "Plain " + std::to_string(q)},
                                              {"OpportunityId", opp_id}}))
                     .value();
    for (int l = 0; l < 3; ++l) {
      json::object line = line_fields(entry, l);
      line["QuoteId"] = quote.str();
      run(io, api.create("QuoteLineItem", std::move(line))).value();
    }
  }
  double plain_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  uint64_t plain_requests = api.requests() - before;

  // Paging all the quotes written (2 × quotes records).
  before = api.requests();
  auto all = run(io, api.query("SELECT Id FROM Quote")).value();
  uint64_t page_requests = api.requests() - before;

  std::printf("unit_of_work quotes %d nodes %zu requests %llu seconds %.2f failed_groups %zu\n",
              quotes, work.size(), static_cast<unsigned long long>(uow_requests), uow_seconds, failed);
  std::printf("one_by_one quotes %d requests %llu seconds %.2f\n", quotes,
              static_cast<unsigned long long>(plain_requests), plain_seconds);
  std::printf("ratio requests %.1f time %.1f\n", double(plain_requests) / double(uow_requests),
              plain_seconds / uow_seconds);
  std::printf("paging records %zu requests %llu (minimum %zu)\n", all.records.size(),
              static_cast<unsigned long long>(page_requests), (all.records.size() + 1999) / 2000);
  return 0;
}
