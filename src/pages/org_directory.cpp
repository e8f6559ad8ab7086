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

}  // namespace pe::pages
