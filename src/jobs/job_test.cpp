#include "jobs/job.hpp"

#include <gtest/gtest.h>

namespace pe::jobs {
namespace {

net::RedisReply fields(std::initializer_list<std::string_view> pairs) {
  net::RedisReply reply{.type = net::RedisReply::Type::array};
  for (auto text : pairs) {
    reply.elements.push_back({.type = net::RedisReply::Type::string, .text = std::string(text)});
  }
  return reply;
}

TEST(Job, DecodesWhatTheFlushWrites) {
  auto job = decode_job(
      "5-0", fields({"tx", "0001-ab", "conn", "my-org", "ids", "006000000000001AAA,006000000000002",
                     "attempt", "3", "enqueued", "1700000000000", "error", "boom"}));
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->id, "5-0");
  EXPECT_EQ(job->transaction_key, "0001-ab");
  EXPECT_EQ(job->connection, "my-org");
  ASSERT_EQ(job->record_ids.size(), 2u);
  EXPECT_EQ(job->record_ids[1].str(), "006000000000002AAA");  // 15 → 18
  EXPECT_EQ(job->attempt, 3);
  EXPECT_EQ(job->enqueued_ms, 1700000000000);
  EXPECT_EQ(job->error, "boom");
}

TEST(Job, RefusesMalformedEntriesNamingTheField) {
  auto message = [](std::initializer_list<std::string_view> f) {
    auto job = decode_job("1-1", fields(f));
    return job ? std::string("ok") : job.error().message;
  };
  EXPECT_EQ(message({"conn", "c", "ids", "006000000000001AAA"}),
            "job 1-1: tx is missing or longer than 256 bytes");
  EXPECT_EQ(message({"tx", "t", "ids", "006000000000001AAA"}),
            "job 1-1: conn is missing or longer than 256 bytes");
  EXPECT_NE(message({"tx", "t", "conn", "c", "ids", ""}).find("ids: no record Ids"),
            std::string::npos);
  EXPECT_NE(message({"tx", "t", "conn", "c", "ids", "006000000000001AAB"}).find("ids:"),
            std::string::npos);  // bad checksum
  EXPECT_EQ(message({"tx", "t", "conn", "c", "ids", "006000000000001AAA", "attempt", "0"}),
            "job 1-1: attempt is not a positive integer");
  EXPECT_EQ(message({"tx", "t", "conn", "c", "ids", "006000000000001AAA", "enqueued", "x"}),
            "job 1-1: enqueued is not an integer");
  EXPECT_EQ(message({"tx", "t", "conn"}), "job 1-1: fields are not pairs");
}

TEST(Job, FieldsRoundTripThroughACommand) {
  Job job{.transaction_key = "t",
          .connection = "c",
          .record_ids = {SalesforceId::make("006", 7)},
          .attempt = 2,
          .enqueued_ms = 9,
          .error = "x"};
  net::RedisCommand xadd("XADD", "s", "*");
  append_job_fields(xadd, job);
  EXPECT_EQ(xadd.size(), 3u + 12u);
}

TEST(Job, ClipsErrorsToOneBoundedLine) {
  EXPECT_EQ(clip_error("a\nb\rc"), "a b c");
  EXPECT_EQ(clip_error(std::string(5000, 'x')).size(), kMaxErrorBytes);
}

}  // namespace
}  // namespace pe::jobs

namespace pe::jobs {
namespace {

net::RedisReply reply_of(const std::vector<std::string>& list) {
  net::RedisReply reply{.type = net::RedisReply::Type::array};
  for (const auto& text : list) {
    reply.elements.push_back({.type = net::RedisReply::Type::string, .text = text});
  }
  return reply;
}

TEST(BatchTaskFields, AChunkRoundTripsAndAPlanNeedsNoIds) {
  Job job;
  job.transaction_key = "job-8f14e45f-ceea-467f-a0e6-b0b6f9e1c2d3";
  job.connection = "00D000000000001EAA";
  job.record_ids = {*SalesforceId::parse("006000000000001AAA")};
  job.batch = BatchTask{.job_id = "8f14e45f-ceea-467f-a0e6-b0b6f9e1c2d3",
                        .kind = "quote",
                        .step = BatchTask::Step::chunk,
                        .chunk = 7,
                        .path = "bulk",
                        .instance_url = "https://acme.my.salesforce.com",
                        .api_version = "62.0",
                        .sealed_token = "v1.sealed",
                        .org_id = *SalesforceId::parse("00D000000000001EAA"),
                        .user_id = *SalesforceId::parse("005000000000001AAA")};
  auto decoded = decode_job("9-0", reply_of(job_fields(job)));
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_TRUE(decoded->batch);
  EXPECT_EQ(decoded->batch->chunk, 7);
  EXPECT_EQ(decoded->batch->path, "bulk");
  EXPECT_EQ(decoded->batch->sealed_token, "v1.sealed");
  EXPECT_EQ(decoded->record_ids.size(), 1u);

  Job plan = job;
  plan.record_ids.clear();
  plan.batch->step = BatchTask::Step::plan;
  auto planned = decode_job("9-1", reply_of(job_fields(plan)));
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->batch->step, BatchTask::Step::plan);
  EXPECT_TRUE(planned->record_ids.empty());
}

TEST(BatchTaskFields, MalformedTasksAreRefusedNamingTheField) {
  auto message = [](std::vector<std::string> extra) {
    std::vector<std::string> f{"tx",   "job-x",
                               "conn", "c",
                               "ids",  "",
                               "bj",   "id-1",
                               "org",  "00D000000000001EAA",
                               "iu",   "https://a.example",
                               "av",   "62.0"};
    f.insert(f.end(), extra.begin(), extra.end());
    auto job = decode_job("2-2", reply_of(f));
    return job ? std::string("ok") : job.error().message;
  };
  EXPECT_EQ(message({"bk", "quote", "bs", "plan"}), "ok");
  EXPECT_EQ(message({"bk", "drop tables", "bs", "plan"}), "job 2-2: bk is not a batch job kind");
  EXPECT_EQ(message({"bk", "quote", "bs", "later"}), "job 2-2: bs is not plan, chunk or finish");
  EXPECT_EQ(message({"bk", "quote", "bs", "chunk", "bn", "-1"}),
            "job 2-2: bn is not a chunk number");
  EXPECT_EQ(message({"bk", "quote", "bs", "chunk", "bn", "1", "bw", "soap"}),
            "job 2-2: bw is not graph or bulk");
}

}  // namespace
}  // namespace pe::jobs
