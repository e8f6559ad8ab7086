// org_directory.cpp: the orgs of one `devorg` process — what --orgs says, the instance each
// org's Ids carry, finding an org by name or by an Id it minted, and the environment an app
// needs to reach all of them (org_state.hpp).
#include "devorg/devorg_app.hpp"
#include "devorg/org_state.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace pe::devorg {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kMaxNameLength = 40;
constexpr int kMaxOpportunities = 1'000'000;

Error bad_spec(std::string message) {
  return Error{Errc::invalid_argument, "--orgs: " + std::move(message)};
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// PRICING_DEVORG_URL_<NAME>'s suffix: upper case, '-' as '_'.
std::string env_suffix(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<std::vector<OrgSpec>> parse_org_specs(std::string_view text) {
  std::vector<OrgSpec> specs;
  std::set<std::string> names;
  std::set<std::string> env_names;
  if (text.empty()) return bad_spec("expected name=N[,name=N...], e.g. sales=300,support=50");
  while (true) {
    size_t comma = text.find(',');
    std::string_view entry = text.substr(0, comma);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return bad_spec("'" + std::string(entry.substr(0, 60)) +
                      "' is not name=N (N: the opportunities to seed, 0 for none)");
    }
    std::string_view name = entry.substr(0, eq);
    std::string_view count = entry.substr(eq + 1);
    if (!valid_name(name)) {
      return bad_spec("'" + std::string(name.substr(0, 60)) +
                      "' is not a valid org name ([A-Za-z][A-Za-z0-9_-]{0,39})");
    }
    int n = -1;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (count.empty() || ec != std::errc() || end != count.data() + count.size() || n < 0 ||
        n > kMaxOpportunities) {
      return bad_spec("the count of " + std::string(name) + " ('" +
                      std::string(count.substr(0, 20)) + "') must be a whole number from 0 to " +
                      std::to_string(kMaxOpportunities));
    }
    if (!names.insert(std::string(name)).second) {
      return bad_spec("the org name " + std::string(name) + " is given twice");
    }
    if (!env_names.insert(env_suffix(name)).second) {
      return bad_spec("the org names must differ in more than case and '-'/'_' (" +
                      std::string(name) + " and another give PRICING_DEVORG_URL_" +
                      env_suffix(name) + ")");
    }
    specs.push_back({.name = std::string(name), .opportunities = n});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return specs;
}

std::string org_instance(std::string_view name, const std::vector<std::string>& taken) {
  // FNV-1a of the name, onto 1 .. 62^2 - 1 (0 is "00", a single org's).
  uint64_t hash = 1469598103934665603ull;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  constexpr uint64_t kSpace = 62 * 62 - 1;
  uint64_t value = 1 + hash % kSpace;
  for (uint64_t tries = 0; tries < kSpace; ++tries) {
    std::string instance{kBase62[value / 62], kBase62[value % 62]};
    if (std::find(taken.begin(), taken.end(), instance) == taken.end()) return instance;
    value = value % kSpace + 1;
  }
  return "00";  // unreachable for fewer than 3,843 orgs
}

OrgState* OrgDirectory::find(std::string_view name) const {
  for (OrgState* org : orgs) {
    if (org->name == name) return org;
  }
  return nullptr;
}

OrgState* OrgDirectory::minted(const SalesforceId& id) const {
  std::string_view instance = id.str().substr(3, 2);
  for (OrgState* org : orgs) {
    if (org->instance == instance) return org;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> OrgState::app_env() const {
  const OrgState& api = directory ? directory->first() : *this;
  std::string events_url = api.base_url;
  events_url.insert(events_url.find("://") + 3,
                    tokens->events_user() + ":" + tokens->events_password() + "@");
  std::string names;
  if (directory) {
    for (const OrgState* org : directory->orgs) names += (names.empty() ? "" : ",") + org->name;
  } else {
    names = name;
  }
  std::vector<std::pair<std::string, std::string>> env{
      {"HEROKU_APPLINK_API_URL", api.base_url + "/addons/" + tokens->app_id()},
      {"HEROKU_APPLINK_TOKEN", tokens->applink_token()},
      {"HEROKU_APP_ID", tokens->app_id()},
      {"CONNECTION_NAMES", names},
      {"HEROKU_INTEGRATION_API_URL", api.base_url + "/integration"},
      {"HEROKU_INTEGRATION_TOKEN", tokens->integration_token()},
      {"HEROKUEVENTS_PUBLISH_URL", events_url + "/events/publish"},
      // The org's URL is http, not https: the app accepts it as an orgDomainUrl only when told.
      {"PRICING_DEVORG_URL", api.base_url}};
  if (directory && directory->named) {
    for (const OrgState* org : directory->orgs) {
      env.emplace_back("PRICING_DEVORG_URL_" + env_suffix(org->name), org->base_url);
    }
  }
  if (directory && !directory->pubsub_endpoint.empty()) {
    env.emplace_back("PRICING_PUBSUB_ENDPOINT", directory->pubsub_endpoint);
  }
  if (directory && !directory->pubsub_tls_endpoint.empty()) {
    env.emplace_back("PRICING_DEVORG_PUBSUB_TLS_ENDPOINT", directory->pubsub_tls_endpoint);
  }
  return env;
}

}  // namespace pe::devorg
