#include "devorg/faults.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace pe::devorg {
namespace {

namespace json = boost::json;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(FaultInjector, NoFaultsByDefault) {
  FaultInjector faults;
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(faults.next());
  EXPECT_EQ(json::serialize(faults.to_json()),
            R"({"error_rate":0E0,"limit_rate":0E0,"limit_status":429,"latency_ms":0,)"
            R"("token_ttl_seconds":0,"invocation_ttl_seconds":300,"bulk_rows_per_second":0,)"
            R"("pubsub_unavailable":false,"pubsub_silent":false,"seed":1})");
}

TEST(FaultInjector, DrawsTheConfiguredSharesReproducibly) {
  auto draw = [](uint64_t seed) {
    FaultInjector faults;
    EXPECT_TRUE(faults.configure(
        parse(R"({"error_rate":0.2,"limit_rate":0.1,"seed":)" + std::to_string(seed) + "}")));
    std::map<int, int> by_status;
    std::string sequence;
    for (int i = 0; i < 10000; ++i) {
      auto fault = faults.next();
      int status = fault ? fault->status : 200;
      ++by_status[status];
      if (i < 50) sequence += std::to_string(status) + " ";
    }
    return std::make_pair(by_status, sequence);
  };
  auto [counts, sequence] = draw(7);
  // 10 % each of 500 and 503, 10 % of 429, within a generous margin.
  EXPECT_NEAR(counts[500], 1000, 150);
  EXPECT_NEAR(counts[503], 1000, 150);
  EXPECT_NEAR(counts[429], 1000, 150);
  EXPECT_NEAR(counts[200], 7000, 300);
  EXPECT_EQ(draw(7).second, sequence);  // same seed, same faults
  EXPECT_NE(draw(8).second, sequence);
}

TEST(FaultInjector, FaultsCarrySalesforcesErrorBodies) {
  FaultInjector faults;
  ASSERT_TRUE(faults.configure(parse(R"({"limit_rate":1,"limit_status":403})")));
  auto fault = faults.next();
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->status, 403);
  EXPECT_EQ(fault->body[0].as_object().at("errorCode"), "REQUEST_LIMIT_EXCEEDED");
  ASSERT_TRUE(faults.configure(parse(R"({"limit_rate":0,"error_rate":1})")));
  fault = faults.next();
  ASSERT_TRUE(fault);
  EXPECT_TRUE(fault->status == 500 || fault->status == 503);
  EXPECT_EQ(fault->body[0].as_object().at("errorCode"),
            fault->status == 503 ? "SERVER_UNAVAILABLE" : "UNKNOWN_EXCEPTION");
}

TEST(FaultInjector, RejectsBadSettingsAndChangesNothing) {
  FaultInjector faults;
  ASSERT_TRUE(faults.configure(parse(R"({"latency_ms":25,"token_ttl_seconds":60})")));
  auto error = [&](std::string_view text) {
    auto r = faults.configure(parse(text));
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(error(R"({"error_rate":1.5})"), "error_rate must be between 0 and 1");
  EXPECT_EQ(error(R"({"error_rate":"lots"})"), "error_rate must be a number");
  EXPECT_EQ(error(R"({"error_rate":0.6,"limit_rate":0.6})"),
            "error_rate plus limit_rate must not exceed 1");
  EXPECT_EQ(error(R"({"limit_status":500})"), "limit_status must be 403 or 429");
  EXPECT_EQ(error(R"({"latency_ms":-1})"), "latency_ms must be between 0 and 60000");
  EXPECT_EQ(error(R"({"bogus":1})"), "Unknown fault setting: bogus");
  EXPECT_EQ(error(R"({"invocation_ttl_seconds":-5})"),
            "invocation_ttl_seconds must be between 0 and 86400");
  EXPECT_EQ(error(R"({"bulk_rows_per_second":-1})"),
            "bulk_rows_per_second must be a whole number between 0 and 1000000000");
  EXPECT_EQ(error(R"({"bulk_rows_per_second":2.5})"),
            "bulk_rows_per_second must be a whole number between 0 and 1000000000");
  ASSERT_TRUE(faults.configure(parse(R"({"bulk_rows_per_second":2000})")));
  EXPECT_EQ(faults.bulk_rows_per_second(), 2000);
  ASSERT_TRUE(faults.configure(parse(R"({"invocation_ttl_seconds":0})")));
  EXPECT_EQ(faults.invocation_ttl().count(), 0);
  EXPECT_EQ(faults.latency().count(), 25);
  EXPECT_EQ(faults.token_ttl().count(), 60);
  EXPECT_EQ(faults.settings().error_rate, 0);
}

TEST(ApiStats, CountsByKind) {
  ApiStats stats;
  stats.count("query");
  stats.count("query");
  stats.count("graph");
  stats.count_fault();
  EXPECT_EQ(stats.total(), 3u);
  EXPECT_EQ(stats.of("query"), 2u);
  EXPECT_EQ(stats.of("bulk"), 0u);
  EXPECT_EQ(json::serialize(stats.to_json()),
            R"({"total":3,"faults":1,"by_kind":{"graph":1,"query":2}})");
  stats.reset();
  EXPECT_EQ(stats.total(), 0u);
}

}  // namespace
}  // namespace pe::devorg
