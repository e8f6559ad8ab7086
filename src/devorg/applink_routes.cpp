// applink_routes.cpp: Heroku AppLink's authorization endpoint, the older Integration endpoint, and
// the Heroku Eventing publish URL, as the local org plays them (salesforce-facts.md, sections 4
// and 7). Secrets are compared in constant time and never echoed.
//
// One add-on for every org of the process (OrgDirectory): a connection name finds its org, and
// what the answer needs of that org's sessions or event bus is done on the org's own thread
// (on_org_thread), so the org that serves the request never touches another's state.
#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "devorg/org_state.hpp"
#include "devorg/route_helpers.hpp"

namespace pe::devorg {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = net::http;
using net::Request;
using net::Response;

// An org's AppLink authorization, with a fresh shared session of its integration user. On the
// org's own thread.
json::object authorization(OrgState& org) {
  std::string token = org.sessions->shared(org.store->user_id(), org.faults.token_ttl());
  std::string now = salesforce_datetime(std::chrono::system_clock::now());
  return {{"id", org.tokens->app_id()},
          {"status", "authorized"},
          {"org", json::object{{"id", org.store->org_id().str()},
                               {"developer_name", org.name},
                               {"instance_url", org.base_url},
                               {"type", "SalesforceOrg"},
                               {"api_version", "62.0"},
                               {"user_auth", json::object{{"username", "integration@devorg.local"},
                                                          {"user_id", org.store->user_id().str()},
                                                          {"access_token", token}}}}},
          {"created_at", now},
          {"created_by", "integration@devorg.local"},
          {"created_via_app", "pricing-engine-devorg"},
          {"last_modified_at", now},
          {"last_modified_by", "integration@devorg.local"},
          {"redirect_uri", nullptr}};
}

// The Integration endpoint's answer for an org. On the org's own thread.
json::object integration_authorization(OrgState& org) {
  std::string token = org.sessions->shared(org.store->user_id(), org.faults.token_ttl());
  return {{"access_token", token},
          {"api_version", "62.0"},
          {"namespace", ""},
          {"org_id", org.store->org_id().str()},
          {"org_domain_url", org.base_url},
          {"user_id", org.store->user_id().str()},
          {"username", "integration@devorg.local"},
          {"datacloud_token", nullptr},
          {"datacloud_instance_url", nullptr}};
}

OrgState* named_org(OrgState& org, std::string_view name) {
  if (org.directory == nullptr) return name == org.name ? &org : nullptr;
  return org.directory->find(name);
}

// The org an Eventing publication goes to: the one whose Ids include the body's CreatedById (a
// publication targets one org; here the publisher's user says which), else the first.
OrgState& eventing_target(OrgState& org, const json::object& body) {
  OrgState& first = org.directory ? org.directory->first() : org;
  const json::value* by = body.if_contains("CreatedById");
  if (by && by->is_object() && by->as_object().size() == 1) {
    by = &by->as_object().begin()->value();  // an Avro union, {"string": "005..."}
  }
  if (!org.directory || !by || !by->is_string()) return first;
  auto id = SalesforceId::parse(by->as_string());
  OrgState* owner = id ? org.directory->minted(*id) : nullptr;
  return owner ? *owner : first;
}

}  // namespace

void add_applink_routes(net::Router& r, OrgState& org) {
  // GET {HEROKU_APPLINK_API_URL}/authorizations/{connection}; the API URL is
  // http://host:port/addons/{app uuid}, as AppLink's is https://host/addons/{uuid}.
  r.add(http::verb::get, "/addons/{addon}/authorizations/{name}",
        [&org](Request& req) -> asio::awaitable<Response> {
          if (!same_secret(bearer(req), org.tokens->applink_token())) {
            co_return applink_error(401, "Unauthorized", "Invalid or missing bearer token");
          }
          if (!same_secret(req.header("X-App-UUID"), org.tokens->app_id())) {
            co_return applink_error(403, "Forbidden", "X-App-UUID does not match this add-on");
          }
          OrgState* target = named_org(org, req.param("name"));
          if (target == nullptr || req.param("addon") != org.tokens->app_id()) {
            co_return applink_error(404, "Not Found", "Authorization not found");
          }
          auto answer = [target] { return json_answer(200, authorization(*target)); };
          co_return co_await on_org_thread(*target, std::move(answer));
        });

  // POST {HEROKU_INTEGRATION_API_URL}/invocations/authorization {"org_name": ...}
  r.add(http::verb::post, "/integration/invocations/authorization",
        [&org](Request& req) -> asio::awaitable<Response> {
          if (!same_secret(bearer(req), org.tokens->integration_token())) {
            co_return json_answer(401, json::object{{"message", "Unauthorized"}});
          }
          auto body = parse_json_exact(req.body());
          const json::value* name =
              body && body->is_object() ? body->as_object().if_contains("org_name") : nullptr;
          if (!name || !name->is_string()) {
            co_return json_answer(400, json::object{{"message", "org_name is required"}});
          }
          OrgState* target = named_org(org, name->as_string());
          if (target == nullptr) {
            co_return json_answer(
                404,
                json::object{{"message", "Org not found: " + printable(name->as_string(), 80)}});
          }
          auto answer = [target] { return json_answer(200, integration_authorization(*target)); };
          co_return co_await on_org_thread(*target, std::move(answer));
        },
        {.body_limit = 64 * 1024, .content_types = {"application/json"}});

  // POST {HEROKUEVENTS_PUBLISH_URL}/{publication}, Basic auth from the URL's credentials.
  r.add(http::verb::post, "/events/publish/{publication}",
        [&org](Request& req) -> asio::awaitable<Response> {
          std::string expected = org.tokens->events_user() + ":" + org.tokens->events_password();
          if (!same_secret(basic_credentials(req), expected)) {
            co_return json_answer(401, json::object{{"message", "Unauthorized"}});
          }
          auto body = parse_json_exact(req.body());
          if (!body || !body->is_object()) {
            co_return json_answer(400, json::object{{"message", "the body must be a JSON object"}});
          }
          OrgState& target = eventing_target(org, body->as_object());
          std::string publication(req.param("publication"));
          auto publish = [&target, publication, fields = std::move(body->as_object())] {
            auto replay =
                target.events.publish_eventing(publication, fields, target.store->user_id());
            if (!replay) {
              return json_answer(replay.error().http_status,
                                 json::object{{"message", replay.error().message}});
            }
            return json_answer(200, json::object{{"replay_id", *replay}});
          };
          co_return co_await on_org_thread(target, std::move(publish));
        },
        {.body_limit = 256 * 1024, .content_types = {"application/json"}});
}

}  // namespace pe::devorg
