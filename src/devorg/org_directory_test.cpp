// What --orgs accepts, the instance each org's Ids carry, and that two stores of different
// instances never mint the same Id (a file keeps its instance).
#include "devorg/devorg_app.hpp"
#include "devorg/store.hpp"

#include <gtest/gtest.h>
#include <boost/json/object.hpp>

#include <algorithm>
#include <filesystem>

#include <unistd.h>

namespace pe::devorg {
namespace {

namespace json = boost::json;

std::string spec_error(std::string_view text) {
  auto specs = parse_org_specs(text);
  EXPECT_FALSE(specs) << text;
  return specs ? std::string() : specs.error().message;
}

TEST(OrgSpecs, NamesAndCountsInOrder) {
  auto specs = parse_org_specs("sales=300,support=50,empty=0,Eu-West_2=1").value();
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].name, "sales");
  EXPECT_EQ(specs[0].opportunities, 300);
  EXPECT_EQ(specs[1].name, "support");
  EXPECT_EQ(specs[2].opportunities, 0);
  EXPECT_EQ(specs[3].name, "Eu-West_2");
}

TEST(OrgSpecs, RefusesWhatIsNotNameEqualsCount) {
  EXPECT_EQ(spec_error(""), "--orgs: expected name=N[,name=N...], e.g. sales=300,support=50");
  EXPECT_EQ(spec_error("sales"),
            "--orgs: 'sales' is not name=N (N: the opportunities to seed, 0 for none)");
  EXPECT_EQ(spec_error("sales=1,"),
            "--orgs: '' is not name=N (N: the opportunities to seed, 0 for none)");
  EXPECT_EQ(spec_error("1sales=1"),
            "--orgs: '1sales' is not a valid org name ([A-Za-z][A-Za-z0-9_-]{0,39})");
  EXPECT_EQ(spec_error("sa les=1"),
            "--orgs: 'sa les' is not a valid org name ([A-Za-z][A-Za-z0-9_-]{0,39})");
  EXPECT_EQ(spec_error(std::string(41, 'a') + "=1").substr(0, 12), "--orgs: 'aaa");
  EXPECT_EQ(spec_error("sales=-1"),
            "--orgs: the count of sales ('-1') must be a whole number from 0 to 1000000");
  EXPECT_EQ(spec_error("sales=1e3"),
            "--orgs: the count of sales ('1e3') must be a whole number from 0 to 1000000");
  EXPECT_EQ(spec_error("sales="),
            "--orgs: the count of sales ('') must be a whole number from 0 to 1000000");
  EXPECT_EQ(spec_error("sales=1000001"),
            "--orgs: the count of sales ('1000001') must be a whole number from 0 to 1000000");
  EXPECT_EQ(spec_error("sales=1,sales=2"), "--orgs: the org name sales is given twice");
  EXPECT_EQ(spec_error("eu-west=1,EU_WEST=2"),
            "--orgs: the org names must differ in more than case and '-'/'_' (EU_WEST and "
            "another give PRICING_DEVORG_URL_EU_WEST)");
}

TEST(OrgInstance, StableForANameNeverZeroAndDistinct) {
  EXPECT_EQ(org_instance("sales", {}), org_instance("sales", {}));
  EXPECT_NE(org_instance("sales", {}), org_instance("support", {}));
  std::vector<std::string> taken;
  for (int i = 0; i < 500; ++i) {
    std::string instance = org_instance("org" + std::to_string(i), taken);
    EXPECT_EQ(instance.size(), 2u);
    EXPECT_NE(instance, "00");
    EXPECT_EQ(std::count(taken.begin(), taken.end(), instance), 0) << instance;
    taken.push_back(instance);
  }
  // A name whose instance is taken gets another one.
  std::string first = org_instance("sales", {});
  EXPECT_NE(org_instance("sales", {first}), first);
}

TEST(StoreInstance, IdsCarryTheInstanceAndAFileKeepsIt) {
  auto plain = Store::open({.path = ""}).value();
  auto other = Store::open({.path = "", .instance = "Kz"}).value();
  EXPECT_EQ(plain->org_id().str(), SalesforceId::make("00D", 1).str());
  EXPECT_EQ(other->org_id().str().substr(0, 5), "00DKz");
  EXPECT_NE(plain->org_id(), other->org_id());
  json::object account{{"Name", "Acme"}};
  auto a = plain->create("Account", account).value();
  auto b = other->create("Account", account).value();
  auto c = other->create("Account", account).value();
  EXPECT_EQ(b.str().substr(0, 5), "001Kz");
  EXPECT_NE(a, b);
  EXPECT_LT(b.str(), c.str());  // Id order is still creation order
  EXPECT_TRUE(other->retrieve("Account", b.str(), {}, "62.0"));
  EXPECT_FALSE(plain->retrieve("Account", b.str(), {}, "62.0"));

  auto dir =
      std::filesystem::temp_directory_path() / ("org_directory_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "org.db").string();
  SalesforceId org_id;
  {
    auto file = Store::open({.path = path, .instance = "q7"}).value();
    org_id = file->org_id();
  }
  auto reopened = Store::open({.path = path, .instance = "zz"}).value();
  EXPECT_EQ(reopened->org_id(), org_id);
  EXPECT_EQ(reopened->create("Account", account).value().str().substr(0, 5), "001q7");
  reopened.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pe::devorg
