// write_quotes: price a few Opportunities and write their Quotes through the unit of work.
//
// Reads up to LIMIT Opportunities with their lines and Account (quotes::opportunity_soql),
// prices each with the pricing engine the environment picks (PRICING_ENGINE, PRICING_RULES;
// the built-in rules by default), and registers each Quote and its QuoteLineItems as one
// all-or-none group of a salesforce::UnitOfWork, upserted on generation keys derived from KEY
// and the records' Ids. commit() packs the groups into as few Composite Graph requests as the
// limits allow. Run it twice with the same KEY: the second run rewrites the same Quotes
// ("updated") instead of adding new ones. Prints one line per Opportunity, then a summary.
//
//   write_quotes [CONNECTION] [LIMIT] [KEY]     # defaults: first of CONNECTION_NAMES, 5,
//   sdk-example
#include <applink/applink.hpp>
#include <common/config.hpp>
#include <net/http_client.hpp>
#include <pricing/engine_registry.hpp>
#include <quotes/quote_records.hpp>
#include <salesforce/data_api.hpp>
#include <salesforce/unit_of_work.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using pe::salesforce::UnitOfWork;

struct Planned {
  pe::pricing::QuotePlan plan;
  pe::salesforce::NodeRef quote;
  std::string group;
};

asio::awaitable<int> write_quotes(asio::io_context& io, const pe::Env& env, std::string connection,
                                  int limit, std::string key) {
  auto config = pe::pricing::read_engine_config(env);
  auto engine = config ? pe::pricing::make_engine(*config) : config.error();
  auto applink = pe::applink::AppLink::from_env(env);
  if (!engine || !applink) {
    std::cerr << "write_quotes: " << (!engine ? engine.error() : applink.error()).message << "\n";
    co_return 2;
  }
  auto client = pe::net::HttpClient::create(io).value();
  auto credentials = co_await applink->credentials(client, connection);
  if (!credentials) {
    std::cerr << "write_quotes: " << connection << ": " << credentials.error().message << "\n";
    co_return 1;
  }
  pe::salesforce::DataApi api(client, *credentials);

  auto read = co_await api.query(std::string(pe::quotes::opportunity_soql(false)) +
                                 " ORDER BY Name LIMIT " + std::to_string(limit));
  if (!read) {
    std::cerr << "write_quotes: " << read.error().describe() << "\n";
    co_return 1;
  }
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  UnitOfWork work;
  std::vector<Planned> planned;
  for (const auto& record : read->records) {
    auto opportunity = pe::quotes::opportunity_from_record(record.as_object());
    if (!opportunity) {
      std::cout << "skipped: " << opportunity.error().message << "\n";
      continue;
    }
    auto plan = (*engine)->price(*opportunity);
    if (plan.status == pe::pricing::QuoteStatus::skipped) {
      std::cout << opportunity->id.str() << " skipped: " << plan.skip_reason << "\n";
      continue;
    }
    // One group per Opportunity: its Quote and lines are written together or not at all.
    std::string group = pe::quotes::quote_generation_key(key, opportunity->id);
    auto quote = work.upsert(group, "Quote", "GenerationKey__c", group,
                             pe::quotes::quote_fields(plan, key, today));
    for (size_t i = 0; i < plan.lines.size(); ++i) {
      auto line = pe::quotes::quote_line_fields(plan, *opportunity, i, key, "write_quotes example");
      line["QuoteId"] = UnitOfWork::id_of(quote);  // the Id the graph gives the Quote
      work.upsert(group, "QuoteLineItem", "GenerationKey__c",
                  pe::quotes::line_generation_key(key, opportunity->id, opportunity->lines[i].id),
                  std::move(line));
    }
    planned.push_back({std::move(plan), quote, std::move(group)});
  }
  if (work.empty()) {
    std::cout << "0 quotes written\n";
    co_return 0;
  }

  auto committed = co_await work.commit(api);
  if (!committed) {
    std::cerr << "write_quotes: " << committed.error().describe() << "\n";
    co_return 1;
  }
  int written = 0;
  for (const auto& [plan, quote, group] : planned) {
    const auto& result = committed->groups[group];
    const auto& node = committed->nodes[quote.index];
    if (!result.success) {
      std::cout << plan.opportunity_id.str() << " failed: "
                << (result.errors.empty() ? "rolled back" : result.errors[0].describe()) << "\n";
      continue;
    }
    ++written;
    std::cout << plan.opportunity_id.str() << " quote " << node.id.str() << " total "
              << plan.total.to_string(plan.currency_scale) << " "
              << (node.created ? "created" : "updated") << "\n";
  }
  std::cout << written << " quotes written in " << committed->requests << " graph request(s)\n";
  co_return written == static_cast<int>(planned.size()) ? 0 : 1;
}

int main(int argc, char** argv) {
  auto env = pe::Env::from_process();
  if (!env) {
    std::cerr << "write_quotes: " << env.error().message << "\n";
    return 2;
  }
  std::string connection = argc > 1 ? argv[1] : "";
  if (connection.empty()) {
    std::string names(env->get("CONNECTION_NAMES").value_or(""));
    connection = names.substr(0, names.find(','));
  }
  int limit = argc > 2 ? std::stoi(argv[2]) : 5;
  std::string key = argc > 3 ? argv[3] : "sdk-example";
  if (connection.empty() || limit < 1) {
    std::cerr << "usage: write_quotes CONNECTION [LIMIT] [KEY]\n";
    return 2;
  }
  asio::io_context io;
  auto done = asio::co_spawn(io, write_quotes(io, *env, connection, limit, key), asio::use_future);
  io.run();
  return done.get();
}
