// list_accounts: the Accounts of a Salesforce org behind a Heroku AppLink connection.
//
// Reads the AppLink add-on's variables as a dyno sees them (HEROKU_APPLINK_API_URL,
// HEROKU_APPLINK_TOKEN, HEROKU_APP_ID, CONNECTION_NAMES; a .env file in the working directory
// fills in what the environment does not set), asks AppLink for the connection's credentials,
// and pages through a SOQL query with query_page / query_more, as the Node.js SDK's
// dataApi.query and queryMore do. Prints one "Id<TAB>Name" line per Account, then the count.
//
//   list_accounts [CONNECTION]     # default: the first of CONNECTION_NAMES
#include <applink/applink.hpp>
#include <common/config.hpp>
#include <net/http_client.hpp>
#include <salesforce/data_api.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;

asio::awaitable<int> list_accounts(asio::io_context& io, const pe::Env& env,
                                   std::string connection) {
  auto applink = pe::applink::AppLink::from_env(env);
  if (!applink) {
    std::cerr << "list_accounts: " << applink.error().message << "\n";
    co_return 2;
  }
  auto client = pe::net::HttpClient::create(io).value();
  auto credentials = co_await applink->credentials(client, connection);
  if (!credentials) {
    std::cerr << "list_accounts: " << connection << ": " << credentials.error().message << "\n";
    co_return 1;
  }
  // On INVALID_SESSION_ID the DataApi asks AppLink once for fresh credentials and repeats.
  pe::salesforce::DataApi api(client, *credentials,
                              {.refresh = [&] { return applink->refresh(client, connection); }});

  auto page = co_await api.query_page("SELECT Id, Name FROM Account ORDER BY Name");
  int64_t count = 0;
  while (page) {
    for (const auto& value : page->records) {
      const auto& account = value.as_object();
      std::cout << pe::salesforce::text_field(account, "Id") << '\t'
                << pe::salesforce::text_field(account, "Name") << '\n';
      ++count;
    }
    if (page->done) break;
    page = co_await api.query_more(page->next_records_url);
  }
  if (!page) {
    std::cerr << "list_accounts: " << page.error().describe() << "\n";
    co_return 1;
  }
  std::cout << count << " accounts\n";
  co_return 0;
}

int main(int argc, char** argv) {
  auto env = pe::Env::from_process();
  if (!env) {
    std::cerr << "list_accounts: " << env.error().message << "\n";
    return 2;
  }
  std::string connection = argc > 1 ? argv[1] : "";
  if (connection.empty()) {
    std::string names(env->get("CONNECTION_NAMES").value_or(""));
    connection = names.substr(0, names.find(','));
  }
  if (connection.empty()) {
    std::cerr << "usage: list_accounts CONNECTION (or set CONNECTION_NAMES)\n";
    return 2;
  }
  asio::io_context io;
  auto done = asio::co_spawn(io, list_accounts(io, *env, connection), asio::use_future);
  io.run();
  return done.get();
}
