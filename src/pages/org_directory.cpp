#include "pages/org_directory.hpp"

#include <algorithm>

namespace pe::pages {

namespace asio = boost::asio;

OrgDirectory::OrgDirectory(std::optional<applink::AppLink> applink, std::vector<std::string> names)
    : applink_(std::move(applink)), names_(std::move(names)) {}

bool OrgDirectory::knows(std::string_view name) const {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

asio::awaitable<Result<salesforce::OrgCredentials>> OrgDirectory::credentials(
    net::HttpClient& client, const std::string& name) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(name); it != cache_.end()) co_return it->second;
  }
  co_return co_await refresh(client, name);
}

asio::awaitable<Result<salesforce::OrgCredentials>> OrgDirectory::refresh(net::HttpClient& client,
                                                                          const std::string& name) {
  if (!applink_) {
    co_return Error{Errc::failed_precondition,
                    "AppLink is not configured (HEROKU_APPLINK_API_URL, HEROKU_APPLINK_TOKEN)"};
  }
  // A copy per fetch: AppLink's own cache is not shared between threads; this directory's is.
  applink::AppLink fetcher = *applink_;
  auto fresh = co_await fetcher.refresh(client, name);
  if (!fresh) co_return fresh.error();
  std::lock_guard lock(mutex_);
  cache_[name] = *fresh;
  co_return *fresh;
}

asio::awaitable<Result<salesforce::DataApi>> OrgDirectory::api(net::HttpClient& client,
                                                               const std::string& name,
                                                               salesforce::DataApiOptions options) {
  auto creds = co_await credentials(client, name);
  if (!creds) co_return creds.error();
  options.refresh = [this, &client, name]() { return refresh(client, name); };
  co_return salesforce::DataApi(client, std::move(*creds), std::move(options));
}

std::vector<std::string> connection_names_from(EnvReader& read) {
  std::vector<std::string> names;
  std::string all = read.string("CONNECTION_NAMES", "");
  size_t start = 0;
  while (start <= all.size()) {
    size_t comma = all.find(',', start);
    if (comma == std::string::npos) comma = all.size();
    std::string name = all.substr(start, comma - start);
    start = comma + 1;
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name.empty()) continue;
    bool ok = name.size() <= 80 && std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
              });
    if (!ok) {
      read.add_error("CONNECTION_NAMES", "each name must be 1 to 80 of A-Z a-z 0-9 _ -");
      continue;
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      read.add_error("CONNECTION_NAMES", "a name is given twice");
      continue;
    }
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace pe::pages
