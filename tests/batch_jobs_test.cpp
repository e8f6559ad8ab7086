// Pattern 3 end to end over loopback, every part a real process: redis-server, the local org
// invoking our web through AppLink (POST /devorg/invocations), web answering 202 {jobId}, and one
// or more workers sharing the job's chunks. Checked: exactly one quote per quotable opportunity
// whatever happens (a worker killed with SIGKILL mid-job, a second worker joining, Redis restarted
// with its append-only file, injected faults), the job's status, its one completion event, the
// where clause refused before anything is queued, both write paths (Composite Graph and Bulk API
// 2.0), and the sample data jobs removing exactly what they made.
#include "support/activity_reader.hpp"
#include "support/local_org.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <thread>

namespace pe {
namespace {

// Polls until `pred` holds or `limit` has passed (support/process.hpp's wait_until, limit first).
template <class Pred>
bool wait_until(std::chrono::milliseconds limit, Pred pred) {
  return test::wait_until(pred, limit);
}

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kSealKey = "4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8";

std::string str(const json::value& v) { return std::string(v.as_string()); }

class BatchJobs : public ::testing::Test {
 protected:
  void start(int seed, std::map<std::string, std::string> extra = {},
             std::vector<std::string> org_args = {}) {
    web_port = test::free_port();
    org.emplace(test::LocalOrgOptions{.seed = seed, .app_port = web_port, .extra_args = org_args});
    env = org->env();
    env["REDIS_URL"] = redis->url();
    env["PORT"] = std::to_string(web_port);
    env["PRICING_DEVORG_URL"] = org->url();
    env["PRICING_SEAL_KEY"] = kSealKey;
    env["PRICING_RETRY_SECONDS"] = "0.2";
    env["PRICING_RETRY_MAX_SECONDS"] = "1";
    env["PRICING_VISIBILITY_SECONDS"] = "2";
    env["PRICING_CHUNK_SIZE"] = "25";
    env["LOG_LEVEL"] = "info";
    for (auto& [k, v] : extra) env[k] = v;
    web.emplace(test::Process::start({PE_BINARY, "web"}, env));
    ASSERT_TRUE(test::wait_for_port(web_port, 30s)) << web->output();
  }

  test::Process& add_worker() {
    workers.push_back(
        std::make_unique<test::Process>(test::Process::start({PE_BINARY, "worker"}, env)));
    return *workers.back();
  }

  std::string worker_logs() {
    std::string out;
    for (auto& w : workers) out += w->output();
    return out;
  }

  json::value invoke(const std::string& url, const json::value& body, std::string method = "POST") {
    json::object request{{"url", url}, {"body", body}, {"method", method}};
    auto answer = org->invoke(json::serialize(request));
    EXPECT_TRUE(answer.is_object()) << url << "\n" << web->output();

    return answer;
  }

  // POST executebatch; the job id.
  std::string execute(const std::string& clause) {
    auto answer = invoke("/api/executebatch", json::object{{"soqlWhereClause", clause}});
    EXPECT_EQ(answer.at("status"), 202) << answer << web->output();
    return str(answer.at("body").at("jobId"));
  }

  json::object status(const std::string& id) {
    auto answer = invoke("/api/jobs/" + id, json::object{}, "GET");
    EXPECT_EQ(answer.at("status"), 200) << answer;
    return answer.at("body").as_object();
  }

  // Waits for the job to end; its final status.
  json::object finished(const std::string& id, std::chrono::seconds limit = 90s) {
    json::object last;
    bool ended = wait_until(limit, [&] {
      last = status(id);
      auto state = str(last.at("state"));
      return state != "queued" && state != "running";
    });
    EXPECT_TRUE(ended) << last << "\n" << worker_logs();
    return last;
  }

  int64_t counted(const json::object& s, std::string_view name) {
    return s.at("counts").at(name).to_number<int64_t>();
  }

  // Quotes this job wrote, and whether some opportunity got two.
  int64_t job_quotes(const std::string& id) {
    return org->count("SELECT COUNT() FROM Quote WHERE GenerationKey__c LIKE 'job-" + id + ":%'");
  }
  int64_t opportunities_with_two(const std::string& id) {
    // (The local org has no GROUP BY; every job here has fewer quotes than a query page.)
    auto result = org->query("SELECT OpportunityId FROM Quote WHERE GenerationKey__c LIKE 'job-" +
                             id + ":%'");
    std::map<std::string, int> seen;
    int64_t twice = 0;
    for (const auto& r : result.at("records").as_array()) {
      if (++seen[str(r.at("OpportunityId"))] == 2) ++twice;
    }
    return twice;
  }

  // Completion events the org received for this job.
  int64_t events_for(const std::string& id) {
    auto r = test::http_request(org->port(), "GET", "/devorg/events");
    if (!r || r->status != 200) return -1;
    int64_t n = 0;
    auto body = json::parse(r->body);
    const auto& events = body.is_array() ? body.as_array() : body.at("events").as_array();
    for (const auto& e : events) {
      if (json::serialize(e).find(id) != std::string::npos) ++n;
    }
    return n;
  }

  int64_t stream_length(const std::string& key) {
    auto cli =
        test::Process::start({"redis-cli", "-p", std::to_string(redis->port()), "XLEN", key});
    cli.wait(5s);
    return std::stoll(cli.output());
  }

  std::optional<test::RedisServer> redis{std::in_place};
  int web_port = 0;
  std::optional<test::LocalOrg> org;
  std::map<std::string, std::string> env;
  std::optional<test::Process> web;
  std::vector<std::unique_ptr<test::Process>> workers;
};

TEST_F(BatchJobs, AJobQuotesEverySelectedOpportunityOnceAndEndsWithOneEvent) {
  // 20 ms a request: chunks last long enough for both workers to take some.
  start(120, {}, {"--fault-latency-ms", "20"});
  add_worker();
  add_worker();
  auto id = execute(
      "CloseDate > 2000-01-01 AND (StageName = 'Prospecting' OR Amount >= 0 OR Amount = null)");
  auto s = finished(id);
  EXPECT_EQ(str(s.at("state")), "succeeded") << s;
  EXPECT_EQ(counted(s, "total"), 120);
  EXPECT_EQ(counted(s, "done"), 120);
  EXPECT_EQ(counted(s, "quotes"), 120);
  EXPECT_EQ(counted(s, "failed"), 0);
  EXPECT_EQ(counted(s, "chunks"), 5);  // 120 in chunks of 25
  EXPECT_EQ(str(s.at("writePath")), "graph");
  EXPECT_TRUE(s.at("endedAt").is_string());
  EXPECT_EQ(job_quotes(id), 120);
  EXPECT_EQ(opportunities_with_two(id), 0);
  // Both workers took part, and one completion event went out.
  ASSERT_TRUE(wait_until(10s, [&] { return status(id).at("completionEvent") == true; }));
  EXPECT_EQ(events_for(id), 1);
  int sharing = 0;
  for (auto& w : workers) sharing += w->output().find("batch_chunk_done") != std::string::npos;
  EXPECT_EQ(sharing, 2) << worker_logs();
  // The operations dashboard's view: the job once, ended with its counts (queued by web, running
  // and ended by the workers), its chunks' quotes in the last hour's throughput and the total.
  auto seen = test::read_activity(redis->url());
  ASSERT_TRUE(seen.error.empty());
  const auto* row = seen.find(jobs::ActivityKind::batch, id);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->status, jobs::ActivityStatus::succeeded);
  EXPECT_EQ(row->quotes, 120);
  EXPECT_EQ(row->failed, 0);
  EXPECT_EQ(row->detail, "quote, chunks 5/5");
  EXPECT_LT(row->since_ms, row->at_ms);  // its queued entry is older
  EXPECT_EQ(seen.quotes_last_hour(), 120);
  EXPECT_EQ(seen.jobs_last_hour(), 1);
  EXPECT_EQ(seen.quotes_total, 120);
  // No token in Redis or the logs: the tasks carry it sealed, the status not at all.
  auto dump = test::Process::start(
      {"redis-cli", "-p", std::to_string(redis->port()), "--raw", "HGETALL", "pe:batchjob:" + id});
  dump.wait(5s);
  EXPECT_EQ(dump.output().find("!"), std::string::npos) << dump.output();
  EXPECT_EQ(worker_logs().find("!"), std::string::npos);
  EXPECT_EQ(web->output().find("!"), std::string::npos);
}

TEST_F(BatchJobs, AClauseMatchingNothingSucceedsWithZero) {
  start(10);
  add_worker();
  auto id = execute("Name = 'no such opportunity'");
  auto s = finished(id);
  EXPECT_EQ(str(s.at("state")), "succeeded") << s;
  EXPECT_EQ(counted(s, "total"), 0);
  EXPECT_EQ(counted(s, "quotes"), 0);
  EXPECT_EQ(job_quotes(id), 0);
}

TEST_F(BatchJobs, ABadClauseIsA400WithThePositionAndNothingIsQueued) {
  start(5);
  struct Case {
    std::string clause;
    std::string says;
  };
  std::vector<Case> cases{
      {"Amout > 100", "unknown field 'Amout' at position 0"},
      {"Amount > 100 LIMIT 5", "position 13"},
      {"Amount > 100; DELETE FROM Opportunity", "position 12"},
      {"Name = 'x' OR", "position"},
      {"", "soqlWhereClause"},
      {std::string(4001, ' ') + "Id != null", "soqlWhereClause"},
  };
  for (const auto& c : cases) {
    auto answer = invoke("/api/executebatch", json::object{{"soqlWhereClause", c.clause}});
    EXPECT_EQ(answer.at("status"), 400) << c.clause << " " << answer;
    auto message = str(answer.at("body").at("error").at("message"));
    EXPECT_NE(message.find(c.says), std::string::npos) << c.clause << " → " << message;
  }
  auto no_field = invoke("/api/executebatch", json::object{{"where", "Id != null"}});
  EXPECT_EQ(no_field.at("status"), 400) << no_field;
  EXPECT_EQ(stream_length("pe:batch:jobs"), 0);
}

TEST_F(BatchJobs, OnlyTheOrgThatStartedAJobCanReadIt) {
  start(5);
  auto id = execute("Id != null");
  EXPECT_EQ(status(id).at("jobId"), json::value(id));
  auto other = invoke("/api/jobs/00000000-0000-4000-8000-000000000000", json::object{}, "GET");
  EXPECT_EQ(other.at("status"), 404) << other;
  auto bad = invoke("/api/jobs/not-a-uuid", json::object{}, "GET");
  EXPECT_EQ(bad.at("status"), 400) << bad;
  // Without the invocation headers: 401.
  auto bare = test::http_request(web_port, "GET", "/api/jobs/" + id);
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 401) << bare->body;
}

TEST_F(BatchJobs, AWorkerKilledMidJobAndASecondJoiningStillGiveOneQuoteEach) {
  // 30 ms a request: the job lasts long enough to be interrupted.
  start(300, {{"PRICING_CHUNK_SIZE", "20"}}, {"--fault-latency-ms", "30"});
  auto& first = add_worker();
  auto id = execute("Id != null");
  ASSERT_TRUE(wait_until(60s, [&] { return counted(status(id), "chunksDone") >= 2; }))
      << worker_logs();
  first.signal(SIGKILL);
  first.wait(5s);
  add_worker();
  auto s = finished(id, 120s);
  EXPECT_EQ(str(s.at("state")), "succeeded") << s << worker_logs();
  EXPECT_EQ(counted(s, "quotes"), 300);
  EXPECT_EQ(counted(s, "chunksDone"), 15);
  EXPECT_EQ(job_quotes(id), 300);
  EXPECT_EQ(opportunities_with_two(id), 0);
  ASSERT_TRUE(wait_until(10s, [&] { return events_for(id) >= 1; }));
  EXPECT_EQ(events_for(id), 1);
}

TEST_F(BatchJobs, RedisRestartedWithItsAppendOnlyFileLosesNoChunk) {
  redis.reset();
  redis.emplace(test::RedisOptions{.aof = true});
  start(200, {{"PRICING_CHUNK_SIZE", "20"}}, {"--fault-latency-ms", "20"});
  add_worker();
  auto id = execute("Id != null");
  ASSERT_TRUE(wait_until(60s, [&] { return counted(status(id), "chunksDone") >= 2; }));
  redis->stop();  // SIGKILL: a crash; the append-only file has every acknowledged write
  redis->start();
  auto s = finished(id, 120s);
  EXPECT_EQ(str(s.at("state")), "succeeded") << s << worker_logs();
  EXPECT_EQ(job_quotes(id), 200);
  EXPECT_EQ(opportunities_with_two(id), 0);
}

TEST_F(BatchJobs, FivePercentFaultsStillEndInOneQuoteEach) {
  start(200, {{"PRICING_CHUNK_SIZE", "20"}, {"PRICING_MAX_ATTEMPTS", "10"}},
        {"--fault-error-rate", "0.05"});
  add_worker();
  add_worker();
  auto id = execute("Id != null");
  auto s = finished(id, 120s);
  EXPECT_EQ(str(s.at("state")), "succeeded") << s << worker_logs();
  EXPECT_EQ(job_quotes(id), 200);
  EXPECT_EQ(opportunities_with_two(id), 0);
}

TEST_F(BatchJobs, AChunkThatKeepsFailingEndsTheJobPartiallyFailedWithTheReason) {
  start(30,
        {{"PRICING_CHUNK_SIZE", "10"}, {"PRICING_MAX_ATTEMPTS", "2"}, {"WORKER_CONCURRENCY", "1"}},
        {"--fault-latency-ms", "150"});
  add_worker();
  auto id = execute("Id != null");
  ASSERT_TRUE(wait_until(60s, [&] { return counted(status(id), "chunksDone") >= 1; }));
  org->faults(R"({"error_rate": 1.0, "latency_ms": 0})");
  auto s = finished(id, 90s);
  org->faults(R"({"error_rate": 0})");
  EXPECT_EQ(str(s.at("state")), "partially_failed") << s;
  int64_t quotes = counted(s, "quotes");
  EXPECT_GE(quotes, 10);
  EXPECT_LT(quotes, 30);
  EXPECT_EQ(counted(s, "failed"), 30 - quotes);
  EXPECT_EQ(job_quotes(id), quotes);
  ASSERT_FALSE(s.at("errors").as_array().empty());
  auto first_error = s.at("errors").at(0).as_object();
  EXPECT_NE(str(first_error.at("subject")).find("chunk "), std::string::npos) << first_error;
  // The last attempt's error: the injected 5xx, after the client's own retries.
  EXPECT_NE(str(first_error.at("message")).find("(HTTP 50"), std::string::npos) << first_error;
}

TEST_F(BatchJobs, AJobThatOutlivesTheInvokingSessionFailsTheRestWithAClearReason) {
  start(60, {{"PRICING_CHUNK_SIZE", "10"}, {"WORKER_CONCURRENCY", "1"}},
        {"--fault-latency-ms", "300"});
  org->faults(R"({"token_ttl_seconds": 2})");
  add_worker();
  auto id = execute("Id != null");
  auto s = finished(id, 90s);
  EXPECT_EQ(str(s.at("state")), "partially_failed") << s;
  EXPECT_GT(counted(s, "quotes"), 0);
  EXPECT_GT(counted(s, "failed"), 0);
  EXPECT_EQ(counted(s, "quotes") + counted(s, "failed"), 60);
  EXPECT_NE(json::serialize(s.at("errors")).find("PRICING_JOB_AUTHORIZATION"), std::string::npos)
      << s;
}

TEST_F(BatchJobs, WithANamedAuthorizationTheWorkerRefreshesAndTheJobOutlivesTokens) {
  start(60,
        {{"PRICING_CHUNK_SIZE", "10"},
         {"WORKER_CONCURRENCY", "1"},
         {"PRICING_JOB_AUTHORIZATION", "devorg"}},
        {"--fault-latency-ms", "300"});
  org->faults(R"({"token_ttl_seconds": 2})");
  add_worker();
  auto id = execute("Id != null");
  auto s = finished(id, 90s);
  EXPECT_EQ(str(s.at("state")), "succeeded") << s << worker_logs();
  EXPECT_EQ(counted(s, "quotes"), 60);
  EXPECT_EQ(job_quotes(id), 60);
  // It lasted longer than a token (2 s; 6 chunks of 300 ms requests): the worker refreshed the
  // authorization's credentials where an invoking user's session would have ended the job.
}

// An opportunity whose price book no longer holds its lines' entries: its quote's lines are
// refused (FIELD_INTEGRITY_EXCEPTION). On both paths the job ends partially_failed naming it, it
// has no quote (no quote without its lines), and every other opportunity has its quote.
TEST_F(BatchJobs, AnOpportunityWhoseLinesAreRefusedFailsAloneOnBothPaths) {
  start(40, {{"PRICING_BULK_THRESHOLD", "1000000"}, {"PRICING_CHUNK_SIZE", "20"}});
  add_worker();
  auto made = org->call("POST", "/services/data/v62.0/sobjects/Pricebook2",
                        R"({"Name":"Other","IsActive":true})");
  ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "");
  std::string book = str(json::parse(made->body).at("id"));
  std::string poisoned = test::seeded_opportunity(7);
  auto moved = org->call("PATCH", "/services/data/v62.0/sobjects/Opportunity/" + poisoned,
                         R"({"Pricebook2Id":")" + book + R"("})");
  ASSERT_TRUE(moved && moved->status == 204) << (moved ? moved->body : "");
  for (const char* path : {"graph", "bulk"}) {
    if (std::string(path) == "bulk") {
      web->signal(SIGTERM);
      web->wait(10s);
      for (auto& w : workers) {
        w->signal(SIGTERM);
        w->wait(30s);
      }
      workers.clear();
      env["PRICING_BULK_THRESHOLD"] = "1";
      web.emplace(test::Process::start({PE_BINARY, "web"}, env));
      ASSERT_TRUE(test::wait_for_port(web_port, 30s)) << web->output();
      add_worker();
    }
    auto id = execute("Id != null");
    auto s = finished(id);
    EXPECT_EQ(str(s.at("writePath")), path);
    EXPECT_EQ(str(s.at("state")), "partially_failed") << path << " " << s;
    EXPECT_EQ(counted(s, "quotes"), 39) << path;
    EXPECT_EQ(counted(s, "failed"), 1) << path;
    EXPECT_EQ(job_quotes(id), 39) << path;
    EXPECT_EQ(org->count("SELECT COUNT() FROM Quote WHERE OpportunityId = '" + poisoned +
                         "' AND GenerationKey__c LIKE 'job-" + id + ":%'"),
              0)
        << path;
    auto errors = json::serialize(s.at("errors"));
    EXPECT_NE(errors.find("FIELD_INTEGRITY_EXCEPTION"), std::string::npos) << path << errors;
    EXPECT_NE(errors.find(poisoned), std::string::npos) << path << errors;
  }
}

TEST_F(BatchJobs, TheBulkPathWritesQuotesAndLinesByExternalIds) {
  start(150, {{"PRICING_BULK_THRESHOLD", "100"}, {"PRICING_BULK_CHUNK_SIZE", "60"}});
  add_worker();
  auto id = execute("Id != null");
  auto s = finished(id);
  EXPECT_EQ(str(s.at("state")), "succeeded") << s << worker_logs();
  EXPECT_EQ(str(s.at("writePath")), "bulk");
  EXPECT_EQ(counted(s, "chunks"), 3);
  EXPECT_EQ(counted(s, "quotes"), 150);
  EXPECT_EQ(job_quotes(id), 150);
  // Every quote has all its opportunity's lines.
  EXPECT_EQ(org->count("SELECT COUNT() FROM QuoteLineItem WHERE GenerationKey__c LIKE 'job-" + id +
                       ":%'"),
            org->count("SELECT COUNT() FROM OpportunityLineItem"));
  // Run again (as a reclaimed chunk would): the same records are rewritten, none added.
  auto again = execute("Id != null");
  finished(again);
  EXPECT_EQ(job_quotes(id), 150);
}

TEST_F(BatchJobs, SampleDataIsCreatedAndDeletedLeavingLookAlikesAlone) {
  start(5);
  add_worker();
  // A record named like the reference app's samples, that our jobs did not make.
  auto account = org->query("SELECT Id FROM Account LIMIT 1").at("records").at(0).at("Id");
  auto look_alike = org->call(
      "POST", "/services/data/v62.0/sobjects/Opportunity",
      R"({"Name":"Sample Opportunity 1","StageName":"Prospecting","CloseDate":"2027-01-31",)"
      R"("AccountId":")" +
          str(account) + R"("})");
  ASSERT_TRUE(look_alike && look_alike->status == 201);
  auto before = org->count("SELECT COUNT() FROM Opportunity");
  auto created = invoke("/api/data/create",
                        json::object{{"numberOfOpportunities", 120}, {"linesPerOpportunity", 3}});

  ASSERT_EQ(created.at("status"), 202) << created;
  auto create_id = str(created.at("body").at("jobId"));
  auto s = finished(create_id);
  EXPECT_EQ(str(s.at("state")), "succeeded") << s << worker_logs();
  EXPECT_EQ(counted(s, "records"), 120 * 4);
  EXPECT_EQ(org->count("SELECT COUNT() FROM Opportunity"), before + 120);
  EXPECT_EQ(org->count("SELECT COUNT() FROM OpportunityLineItem WHERE Opportunity.SampleKey__c "
                       "LIKE 'pe-sample:" +
                       create_id + ":%'"),
            360);

  // Quote them, then delete them: the quotes go with them, the look-alike stays.
  auto quoted = execute("SampleKey__c != null");
  EXPECT_EQ(counted(finished(quoted), "quotes"), 120);
  auto deleted = invoke("/api/data/delete", json::object{{"jobId", create_id}});
  ASSERT_EQ(deleted.at("status"), 202) << deleted;
  auto d = finished(str(deleted.at("body").at("jobId")));
  EXPECT_EQ(str(d.at("state")), "succeeded") << d;
  EXPECT_EQ(counted(d, "records"), 120);
  EXPECT_EQ(org->count("SELECT COUNT() FROM Opportunity"), before);
  EXPECT_EQ(org->count("SELECT COUNT() FROM Opportunity WHERE Name = 'Sample Opportunity 1'"), 1);
  EXPECT_EQ(job_quotes(quoted), 0);

  // A delete of another kind of job, or of none, is refused.
  auto wrong = invoke("/api/data/delete", json::object{{"jobId", quoted}});
  EXPECT_EQ(wrong.at("status"), 400) << wrong;
  auto bad = invoke("/api/data/create", json::object{{"numberOfOpportunities", 0}});
  EXPECT_EQ(bad.at("status"), 400) << bad;
}

TEST_F(BatchJobs, SampleDataWithoutAccountsFailsClearlyAndMakesNothing) {
  start(0);
  add_worker();
  auto created = invoke("/api/data/create", json::object{});
  ASSERT_EQ(created.at("status"), 202) << created;
  auto s = finished(str(created.at("body").at("jobId")));
  EXPECT_EQ(str(s.at("state")), "failed") << s;
  EXPECT_NE(json::serialize(s.at("errors")).find("no Account"), std::string::npos) << s;
  EXPECT_EQ(org->count("SELECT COUNT() FROM Opportunity"), 0);
}

}  // namespace
}  // namespace pe
