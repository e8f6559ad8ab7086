// org_directory.hpp: the connected orgs the pages read (CONNECTION_NAMES, in that order) and
// their credentials, fetched from AppLink once and shared by every server thread.
//
// A connection's credentials are fetched on first use and kept until an answer says the session
// ended (INVALID_SESSION_ID): then refresh() fetches new ones, once, and the call is retried
// (salesforce/data_api.hpp does the retry). Two threads that miss at once both fetch; the later
// answer wins, both are valid. Tokens stay in memory only.
//
//   OrgDirectory orgs(applink, {"sales", "support"});
//   auto api = co_await orgs.api(client, "sales");   // Result<DataApi>
#pragma once

#include "applink/applink.hpp"
#include "salesforce/data_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pe::pages {

class OrgDirectory {
 public:
  OrgDirectory(std::optional<applink::AppLink> applink, std::vector<std::string> names);

  const std::vector<std::string>& names() const { return names_; }
  bool knows(std::string_view name) const;
  // False when AppLink is not configured (HEROKU_APPLINK_API_URL and its token unset).
  bool configured() const { return applink_.has_value(); }

  boost::asio::awaitable<Result<salesforce::OrgCredentials>> credentials(net::HttpClient& client,
                                                                         const std::string& name);
  boost::asio::awaitable<Result<salesforce::OrgCredentials>> refresh(net::HttpClient& client,
                                                                     const std::string& name);
  // A Data API client for the connection that refreshes through this directory.
  boost::asio::awaitable<Result<salesforce::DataApi>> api(net::HttpClient& client,
                                                          const std::string& name,
                                                          salesforce::DataApiOptions options = {});

 private:
  std::optional<applink::AppLink> applink_;
  std::vector<std::string> names_;
  std::mutex mutex_;
  std::map<std::string, salesforce::OrgCredentials, std::less<>> cache_;
};

}  // namespace pe::pages
