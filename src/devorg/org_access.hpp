// org_access.hpp: who may see what in the local org — its users, their profiles, the permission
// sets assigned to them, and the field-level security a session gets from them.
//
// The model is the one `heroku salesforce:publish` and `sf org assign permset` leave in a real
// org for the org-action pattern (reference/pattern2.md, section 4):
//   - integration@devorg.local, profile "System Administrator": reads every field;
//   - sales@devorg.local, profile "Standard User": no read access to
//     OpportunityLineItem.DiscountOverride__c;
//   - permission set GenerateQuote (who may invoke the app's operations) and
//     GenerateQuotePermissions (session activation required; reads
//     OpportunityLineItem.DiscountOverride__c), both assigned to both users.
// A session sees a field unless its profile hides it and no permission set in force grants it:
// the sets that need no activation always are, a session permission set only while it is active
// in the session. Hidden fields are unknown to the Store (HiddenFields, schema.hpp).
//
//   OrgAccess access;
//   access.set_user_id("sales@devorg.local", id);       // after ensure_users() made the record
//   const OrgUser* sales = access.user("sales@devorg.local");
//   access.hidden_fields(*sales, {});                             // DiscountOverride__c hidden
//   access.hidden_fields(*sales, {"GenerateQuotePermissions"});   // nothing hidden
#pragma once

#include "common/sfid.hpp"
#include "devorg/api_error.hpp"
#include "devorg/schema.hpp"
#include "devorg/store.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

inline constexpr std::string_view kIntegrationUsername = "integration@devorg.local";
inline constexpr std::string_view kSalesUsername = "sales@devorg.local";
// Gates who may invoke the app's operations (published with --client-name GenerateQuote).
inline constexpr std::string_view kInvokePermissionSet = "GenerateQuote";

struct FieldRef {
  std::string_view object;
  std::string_view field;
};

struct PermissionSet {
  std::string_view name;
  bool activation_required = false;  // a session permission set
  std::vector<FieldRef> readable;    // field permissions it grants (read)
};

struct Profile {
  std::string_view name;
  std::vector<FieldRef> unreadable;  // fields without field-level read access
};

struct OrgUser {
  std::string_view username;
  std::string_view first_name;
  std::string_view last_name;
  std::string_view alias;
  std::string_view profile;
  std::vector<std::string_view> permission_sets;  // assigned
  SalesforceId id;                                // the User record; null until set_user_id()
};

class OrgAccess {
 public:
  OrgAccess();

  // Case-insensitive, as Salesforce usernames; nullptr when unknown.
  const OrgUser* user(std::string_view username) const;
  const OrgUser* user(const SalesforceId& id) const;
  std::span<const OrgUser> users() const { return users_; }
  void set_user_id(std::string_view username, const SalesforceId& id);

  const PermissionSet* permission_set(std::string_view name) const;
  bool assigned(const OrgUser& user, std::string_view permission_set) const;
  // Each name must be a permission set assigned to the user that requires session activation
  // (INVALID_INPUT, 400, naming the first one that is not).
  ApiResult<void> check_session_sets(const OrgUser& user, std::span<const std::string> names) const;
  // The fields a session of `user` may not see while `active` session permission sets are on.
  HiddenFields hidden_fields(const OrgUser& user, std::span<const std::string> active) const;

 private:
  const Profile* profile(std::string_view name) const;

  std::vector<Profile> profiles_;
  std::vector<PermissionSet> permission_sets_;
  std::vector<OrgUser> users_;
};

// Finds or creates each user's User record (by Username) and records its Id in `access`. The
// integration user is the one the Store made with the org.
ApiResult<void> ensure_users(Store& store, OrgAccess& access);

}  // namespace pe::devorg
