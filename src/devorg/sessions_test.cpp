#include "devorg/sessions.hpp"

#include "devorg/org_access.hpp"

#include <gtest/gtest.h>

namespace pe::devorg {
namespace {

using namespace std::chrono_literals;
using Clock = Sessions::Clock;

const SalesforceId kOrg = SalesforceId::make("00D", 1);
const SalesforceId kAlice = SalesforceId::make("005", 1);
const SalesforceId kBob = SalesforceId::make("005", 2);

struct FakeClock {
  Clock::time_point now = Clock::time_point(1000h);
  std::function<Clock::time_point()> fn() {
    return [this] { return now; };
  }
};

TEST(Sessions, TokensLookLikeSessionIdsAndMapToTheirUser) {
  Sessions sessions(kOrg);
  std::string a = sessions.issue(kAlice, 0s);
  std::string b = sessions.issue(kBob, 0s);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(0, 16), std::string(kOrg.str15()) + "!");
  EXPECT_EQ(a.size(), 16u + 96u);
  ASSERT_NE(sessions.find(a), nullptr);
  EXPECT_EQ(sessions.find(a)->user, kAlice);
  EXPECT_EQ(sessions.find(b)->user, kBob);
  EXPECT_EQ(sessions.find(a + "x"), nullptr);
  EXPECT_EQ(sessions.find(""), nullptr);
  EXPECT_EQ(sessions.find(std::string(kOrg.str15()) + "!forged"), nullptr);
}

TEST(Sessions, ExpireAfterTheirTtl) {
  FakeClock clock;
  Sessions sessions(kOrg, clock.fn());
  std::string brief = sessions.issue(kAlice, 60s);
  std::string forever = sessions.issue(kAlice, 0s);
  clock.now += 59s;
  EXPECT_NE(sessions.find(brief), nullptr);
  clock.now += 1s;
  EXPECT_EQ(sessions.find(brief), nullptr);
  clock.now += 1000h;
  EXPECT_NE(sessions.find(forever), nullptr);
}

TEST(Sessions, TheSharedSessionIsRenewedWhenItExpiresOrTheTtlChanges) {
  FakeClock clock;
  Sessions sessions(kOrg, clock.fn());
  std::string first = sessions.shared(kAlice, 60s);
  EXPECT_EQ(sessions.shared(kAlice, 60s), first);
  clock.now += 61s;
  std::string second = sessions.shared(kAlice, 60s);
  EXPECT_NE(second, first);
  std::string third = sessions.shared(kAlice, 0s);
  EXPECT_NE(third, second);
  EXPECT_NE(sessions.find(second), nullptr);  // renewing does not end the old one early
  // A plain issue() never hands out the shared one.
  EXPECT_NE(sessions.issue(kAlice, 0s), third);
}

TEST(Sessions, SessionPermissionSetsAreActiveUntilDeactivatedOrTheirTime) {
  FakeClock clock;
  Sessions sessions(kOrg, clock.fn());
  std::string token = sessions.issue(kAlice, 0s);
  EXPECT_TRUE(sessions.active_sets(*sessions.find(token)).empty());
  sessions.activate(token, {"GenerateQuotePermissions"}, clock.now + 10s);
  EXPECT_EQ(sessions.active_sets(*sessions.find(token)),
            std::vector<std::string>{"GenerateQuotePermissions"});
  sessions.deactivate(token);
  EXPECT_TRUE(sessions.active_sets(*sessions.find(token)).empty());
  sessions.activate(token, {"GenerateQuotePermissions"}, clock.now + 10s);
  clock.now += 10s;
  EXPECT_TRUE(sessions.active_sets(*sessions.find(token)).empty());
  // Another session of the same user never had them.
  std::string other = sessions.issue(kAlice, 0s);
  EXPECT_TRUE(sessions.active_sets(*sessions.find(other)).empty());
}

TEST(Sessions, KeepsAtMostTheirLimitDroppingTheOldest) {
  Sessions sessions(kOrg);
  std::string first = sessions.issue(kAlice, 0s);
  std::string second = sessions.issue(kAlice, 0s);
  for (size_t i = 2; i < Sessions::kMaxSessions + 1; ++i) sessions.issue(kBob, 0s);
  EXPECT_EQ(sessions.size(), Sessions::kMaxSessions);
  EXPECT_EQ(sessions.find(first), nullptr);
  EXPECT_NE(sessions.find(second), nullptr);
}

TEST(OrgAccess, TheSalesUserSeesTheDiscountOverrideOnlyWithTheSessionPermissionSet) {
  OrgAccess access;
  const FieldSchema* discount = find_object("OpportunityLineItem")->field("DiscountOverride__c");
  const OrgUser* sales = access.user("SALES@devorg.local");
  const OrgUser* integration = access.user(kIntegrationUsername);
  ASSERT_NE(sales, nullptr);
  ASSERT_NE(integration, nullptr);
  EXPECT_EQ(sales->profile, "Standard User");
  EXPECT_EQ(access.user("nobody@devorg.local"), nullptr);

  EXPECT_TRUE(access.hidden_fields(*integration, {}).empty());
  HiddenFields hidden = access.hidden_fields(*sales, {});
  EXPECT_TRUE(hidden.contains(discount));
  EXPECT_FALSE(hidden.contains(find_object("OpportunityLineItem")->field("Discount")));
  std::vector<std::string> active{"GenerateQuotePermissions"};
  EXPECT_TRUE(access.hidden_fields(*sales, active).empty());
  std::vector<std::string> other{"GenerateQuote"};
  EXPECT_TRUE(access.hidden_fields(*sales, other).contains(discount));
}

TEST(OrgAccess, OnlyAssignedSessionPermissionSetsCanBeActivated) {
  OrgAccess access;
  const OrgUser& sales = *access.user(kSalesUsername);
  EXPECT_TRUE(access.assigned(sales, kInvokePermissionSet));
  EXPECT_TRUE(access.assigned(sales, "GenerateQuotePermissions"));
  std::vector<std::string> ok{"GenerateQuotePermissions"};
  EXPECT_TRUE(access.check_session_sets(sales, ok));
  EXPECT_TRUE(access.check_session_sets(sales, {}));
  std::vector<std::string> unknown{"GenerateQuotePermissions", "ModifyAllData"};
  auto refused = access.check_session_sets(sales, unknown);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().error_code, "INVALID_INPUT");
  EXPECT_EQ(refused.error().http_status, 400);
  EXPECT_EQ(refused.error().message,
            "permission set ModifyAllData is not assigned to sales@devorg.local");
  std::vector<std::string> not_session{"GenerateQuote"};
  EXPECT_EQ(access.check_session_sets(sales, not_session).error().message,
            "permission set GenerateQuote is not a session permission set (it needs no "
            "activation)");
}

TEST(OrgAccess, FindsUsersByTheirRecordId) {
  OrgAccess access;
  EXPECT_EQ(access.user(kAlice), nullptr);
  access.set_user_id(kSalesUsername, kAlice);
  ASSERT_NE(access.user(kAlice), nullptr);
  EXPECT_EQ(access.user(kAlice)->username, kSalesUsername);
  EXPECT_EQ(access.user(SalesforceId()), nullptr);
}

}  // namespace
}  // namespace pe::devorg
