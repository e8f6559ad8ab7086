#include "devorg/org_access.hpp"

#include <algorithm>

namespace pe::devorg {
namespace {

namespace json = boost::json;

constexpr FieldRef kDiscountOverride{"OpportunityLineItem", "DiscountOverride__c"};

const FieldSchema* resolve(const FieldRef& ref) {
  const ObjectSchema* object = find_object(ref.object);
  return object ? object->field(ref.field) : nullptr;
}

}  // namespace

OrgAccess::OrgAccess() {
  profiles_ = {{"System Administrator", {}}, {"Standard User", {kDiscountOverride}}};
  permission_sets_ = {{std::string_view(kInvokePermissionSet), false, {}},
                      {"GenerateQuotePermissions", true, {kDiscountOverride}}};
  users_ = {{kIntegrationUsername,
             "Integration",
             "User",
             "integ",
             "System Administrator",
             {kInvokePermissionSet, "GenerateQuotePermissions"},
             {}},
            {kSalesUsername,
             "Sam",
             "Sales",
             "ssales",
             "Standard User",
             {kInvokePermissionSet, "GenerateQuotePermissions"},
             {}}};
}

const OrgUser* OrgAccess::user(std::string_view username) const {
  for (const auto& u : users_) {
    if (iequals(u.username, username)) return &u;
  }
  return nullptr;
}

const OrgUser* OrgAccess::user(const SalesforceId& id) const {
  for (const auto& u : users_) {
    if (!id.is_null() && u.id == id) return &u;
  }
  return nullptr;
}

void OrgAccess::set_user_id(std::string_view username, const SalesforceId& id) {
  for (auto& u : users_) {
    if (iequals(u.username, username)) u.id = id;
  }
}

const PermissionSet* OrgAccess::permission_set(std::string_view name) const {
  for (const auto& p : permission_sets_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Profile* OrgAccess::profile(std::string_view name) const {
  for (const auto& p : profiles_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool OrgAccess::assigned(const OrgUser& user, std::string_view permission_set) const {
  return std::find(user.permission_sets.begin(), user.permission_sets.end(), permission_set) !=
         user.permission_sets.end();
}

ApiResult<void> OrgAccess::check_session_sets(const OrgUser& user,
                                              std::span<const std::string> names) const {
  for (const auto& name : names) {
    const PermissionSet* set = permission_set(name);
    if (set == nullptr || !assigned(user, name)) {
      return ApiError("INVALID_INPUT", "permission set " + printable(name, 80) +
                                           " is not assigned to " + std::string(user.username));
    }
    if (!set->activation_required) {
      return ApiError("INVALID_INPUT", "permission set " + std::string(set->name) +
                                           " is not a session permission set (it needs no "
                                           "activation)");
    }
  }
  return {};
}

HiddenFields OrgAccess::hidden_fields(const OrgUser& user,
                                      std::span<const std::string> active) const {
  HiddenFields hidden;
  const Profile* p = profile(user.profile);
  if (p == nullptr) return hidden;
  for (const auto& ref : p->unreadable) {
    bool granted = false;
    for (std::string_view name : user.permission_sets) {
      const PermissionSet* set = permission_set(name);
      if (set == nullptr) continue;
      bool in_force = !set->activation_required ||
                      std::find(active.begin(), active.end(), name) != active.end();
      if (!in_force) continue;
      granted =
          granted || std::any_of(set->readable.begin(), set->readable.end(),
                                 [&](const FieldRef& r) { return resolve(r) == resolve(ref); });
    }
    if (!granted) hidden.hide(resolve(ref));
  }
  return hidden;
}

ApiResult<void> ensure_users(Store& store, OrgAccess& access) {
  for (const auto& u : access.users()) {
    if (u.username == kIntegrationUsername) {
      access.set_user_id(u.username, store.user_id());
      continue;
    }
    // Usernames are ours (no quote in them): safe to put in the statement.
    auto found =
        store.query("SELECT Id FROM User WHERE Username = '" + std::string(u.username) + "'", {});
    if (!found) return found.error();
    if (!found->records.empty()) {
      auto id = SalesforceId::parse(found->records[0].as_object().at("Id").as_string());
      if (!id) return ApiError("STORAGE_ERROR", "a User record has a malformed Id", 500);
      access.set_user_id(u.username, *id);
      continue;
    }
    json::object fields{{"Username", u.username},
                        {"FirstName", u.first_name},
                        {"LastName", u.last_name},
                        {"Alias", u.alias},
                        {"Email", u.username},
                        {"Title", u.profile},
                        {"CompanyName", "pricing-engine"},
                        {"TimeZoneSidKey", "GMT"},
                        {"LocaleSidKey", "en_US"},
                        {"EmailEncodingKey", "UTF-8"},
                        {"LanguageLocaleKey", "en_US"}};
    auto id = store.create("User", fields);
    if (!id) return id.error();
    access.set_user_id(u.username, *id);
  }
  return {};
}

}  // namespace pe::devorg
