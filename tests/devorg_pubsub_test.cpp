// The local org's Pub/Sub API over real gRPC on 127.0.0.1: a `pricing-engine devorg
// --pubsub-port 0` process and a client built from our stubs (pe_pubsub_proto). Payloads are
// decoded with Debian's Avro C and the schema from GetSchema, an oracle independent of the
// org's encoder. Keepalive and idle intervals are cut to milliseconds so every test takes
// about a second.
#include "net/http_server.hpp"
#include "pubsub/proto/pubsub_api.grpc.pb.h"
#include "support/local_org.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"

#include <avro.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace pe::test {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;
namespace v1 = eventbus::v1;
using namespace std::chrono_literals;

constexpr const char* kCdcTopic = "/data/OpportunityChangeEvent";
constexpr const char* kEventTopic = "/event/QuoteGenerationComplete__e";
constexpr const char* kPrefix = "sfdc.platform.eventbus.grpc.";

std::string replay_bytes(uint64_t id) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, id >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(id);
  return out;
}

uint64_t replay_number(const std::string& bytes) {
  EXPECT_EQ(bytes.size(), 8u);
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

std::string trailer(const grpc::ClientContext& ctx, const std::string& key) {
  const auto& md = ctx.GetServerTrailingMetadata();
  auto it = md.find(key);
  return it == md.end() ? "" : std::string(it->second.data(), it->second.size());
}

// Avro C as the oracle: the datum decoded with the writer schema, as JSON.
json::object avro_to_json(const std::string& schema_json, const std::string& payload) {
  avro_schema_t schema = nullptr;
  EXPECT_EQ(avro_schema_from_json_length(schema_json.data(), schema_json.size(), &schema), 0)
      << avro_strerror();
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  avro_value_t value;
  avro_generic_value_new(iface, &value);
  avro_reader_t reader = avro_reader_memory(payload.data(), static_cast<int64_t>(payload.size()));
  EXPECT_EQ(avro_value_read(reader, &value), 0) << avro_strerror();
  char* text = nullptr;
  avro_value_to_json(&value, 1, &text);
  json::object out = json::parse(text ? text : "{}").as_object();
  free(text);
  avro_reader_free(reader);
  avro_value_decref(&value);
  avro_value_iface_decref(iface);
  avro_schema_decref(schema);
  return out;
}

// A webhook that keeps what it is sent.
class Webhook {
 public:
  Webhook() {
    net::ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.threads = 1;
    config.handle_signals = false;
    config.access_log = false;
    config.shutdown_grace = 200ms;
    server_ = std::make_unique<net::HttpServer>(config, [this](net::ThreadContext&) {
      auto router = std::make_shared<net::Router>();
      router->add(http::verb::post, "/hook",
                  [this](net::Request& req) -> asio::awaitable<net::Response> {
                    std::lock_guard lock(mutex_);
                    events_.push_back(json::parse(req.message.body()).as_object());
                    co_return net::empty_response(http::status::no_content);
                  },
                  {.content_types = {"application/cloudevents+json"}});
      return router;
    });
    EXPECT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }
  ~Webhook() {
    server_->stop();
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook";
  }
  std::vector<json::object> wait_for(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        if (events_.size() >= n) return events_;
      }
      std::this_thread::sleep_for(20ms);
    }
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::vector<json::object> events_;
  std::unique_ptr<net::HttpServer> server_;
  std::thread thread_;
};

struct PubSubOrgOptions {
  int keepalive_ms = 200;
  int idle_ms = 10'000;
  int retention_ms = 0;  // 0: the default
  std::string webhook;
  std::vector<std::string> extra;
};

// A local org serving the Pub/Sub API, and a client of it.
class PubSubOrg {
 public:
  explicit PubSubOrg(const PubSubOrgOptions& o = {}) : org_(options(o)) {
    endpoint_ = org_.env().at("PRICING_PUBSUB_ENDPOINT");
    channel_ = grpc::CreateChannel(endpoint_, grpc::InsecureChannelCredentials());
    stub_ = v1::PubSub::NewStub(channel_);
    tenant_ = std::string(
        org_.query("SELECT Id FROM Organization").at("records").at(0).at("Id").as_string());
  }

  LocalOrg& org() { return org_; }
  v1::PubSub::Stub& stub() { return *stub_; }
  const std::string& tenant() const { return tenant_; }

  void authenticate(grpc::ClientContext& ctx, std::string token = "") {
    ctx.AddMetadata("accesstoken", token.empty() ? org_.access_token() : token);
    ctx.AddMetadata("instanceurl", org_.url());
    ctx.AddMetadata("tenantid", tenant_);
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  }

  v1::TopicInfo topic(const std::string& name, grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    authenticate(ctx);
    v1::TopicRequest request;
    request.set_topic_name(name);
    v1::TopicInfo info;
    grpc::Status s = stub_->GetTopic(&ctx, request, &info);
    if (status) *status = s;
    return info;
  }

  std::string schema_json(const std::string& id) {
    grpc::ClientContext ctx;
    authenticate(ctx);
    v1::SchemaRequest request;
    request.set_schema_id(id);
    v1::SchemaInfo info;
    EXPECT_TRUE(stub_->GetSchema(&ctx, request, &info).ok());
    return info.schema_json();
  }

  // PATCH one opportunity: one transaction.
  void update(int n, const std::string& fields) {
    auto r = org_.call(
        "PATCH", "/services/data/v62.0/sobjects/Opportunity/" + seeded_opportunity(n), fields);
    ASSERT_TRUE(r && r->status == 204) << (r ? r->body : "no answer");
  }

 private:
  static LocalOrgOptions options(const PubSubOrgOptions& o) {
    LocalOrgOptions out{.seed = 10, .app_port = 9, .extra_args = {}};
    out.extra_args = {"--pubsub-port",
                      "0",
                      "--pubsub-keepalive-ms",
                      std::to_string(o.keepalive_ms),
                      "--pubsub-idle-timeout-ms",
                      std::to_string(o.idle_ms)};
    if (o.retention_ms > 0) {
      out.extra_args.push_back("--pubsub-retention-ms");
      out.extra_args.push_back(std::to_string(o.retention_ms));
    }
    if (!o.webhook.empty()) {
      out.extra_args.push_back("--webhook");
      out.extra_args.push_back(o.webhook);
    }
    out.extra_args.insert(out.extra_args.end(), o.extra.begin(), o.extra.end());
    return out;
  }

  LocalOrg org_;
  std::string endpoint_, tenant_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::PubSub::Stub> stub_;
};

// One Subscribe call: writes from the test's thread, a reader thread queues the responses.
class Subscriber {
 public:
  Subscriber(PubSubOrg& org, std::string token = "") {
    org.authenticate(ctx_, std::move(token));
    ctx_.set_deadline(std::chrono::system_clock::now() + 30s);
    stream_ = org.stub().Subscribe(&ctx_);
    reader_ = std::thread([this] {
      v1::FetchResponse response;
      while (stream_->Read(&response)) {
        std::lock_guard lock(mutex_);
        responses_.push_back(response);
        cv_.notify_all();
      }
      std::lock_guard lock(mutex_);
      ended_ = true;
      cv_.notify_all();
    });
  }
  ~Subscriber() {
    ctx_.TryCancel();
    reader_.join();
  }

  void fetch(const std::string& topic, int n, v1::ReplayPreset preset = v1::LATEST,
             const std::string& replay_id = "") {
    v1::FetchRequest request;
    request.set_topic_name(topic);
    request.set_replay_preset(preset);
    if (!replay_id.empty()) request.set_replay_id(replay_id);
    request.set_num_requested(n);
    EXPECT_TRUE(stream_->Write(request));
  }
  void more(int n) { fetch("", n); }

  // The next response within `timeout`, or nullopt.
  std::optional<v1::FetchResponse> next(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [this] { return !responses_.empty() || ended_; });
    if (responses_.empty()) return std::nullopt;
    auto r = responses_.front();
    responses_.pop_front();
    return r;
  }
  // The next response that carries events.
  std::optional<v1::FetchResponse> next_events(std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = next(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!r) return std::nullopt;
      if (r->events_size() > 0) return r;
    }
    return std::nullopt;
  }
  // Waits for the server to end the call; its status.
  grpc::Status finish(std::chrono::milliseconds timeout = 5s) {
    {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, timeout, [this] { return ended_; })) {
        return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the stream did not end");
      }
    }
    stream_->WritesDone();
    return stream_->Finish();
  }
  const grpc::ClientContext& context() const { return ctx_; }

 private:
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::FetchRequest, v1::FetchResponse>> stream_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<v1::FetchResponse> responses_;
  bool ended_ = false;
};

json::object header_of(PubSubOrg& org, const v1::ConsumerEvent& event) {
  auto decoded = avro_to_json(org.schema_json(event.event().schema_id()), event.event().payload());
  return decoded.at("ChangeEventHeader").as_object();
}

TEST(DevorgPubSub, RefusesBadCredentialsWithTheAuthErrorTrailer) {
  PubSubOrg org;
  grpc::ClientContext ctx;
  org.authenticate(ctx, "00Dbogus!token");
  v1::TopicRequest request;
  request.set_topic_name(kCdcTopic);
  v1::TopicInfo info;
  grpc::Status status = org.stub().GetTopic(&ctx, request, &info);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(trailer(ctx, "error-code"), std::string(kPrefix) + "service.auth.error");
  std::string rpc_id = trailer(ctx, "rpc-id");
  EXPECT_EQ(rpc_id.size(), 36u);
  EXPECT_TRUE(status.error_message().ends_with("rpcId: " + rpc_id)) << status.error_message();

  // A good token with another org's id, and a stream, fail the same way.
  grpc::ClientContext other;
  other.AddMetadata("accesstoken", org.org().access_token());
  other.AddMetadata("instanceurl", org.org().url());
  other.AddMetadata("tenantid", "00D000000000099AAA");
  EXPECT_EQ(org.stub().GetTopic(&other, request, &info).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  Subscriber sub(org, "not-a-session");
  sub.fetch(kCdcTopic, 1);
  auto end = sub.finish();
  EXPECT_EQ(end.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(trailer(sub.context(), "error-code"), std::string(kPrefix) + "service.auth.error");
}

TEST(DevorgPubSub, DescribesItsTopicsAndTheirSchemas) {
  PubSubOrg org;
  auto cdc = org.topic(kCdcTopic);
  EXPECT_EQ(cdc.topic_name(), kCdcTopic);
  EXPECT_EQ(cdc.tenant_guid(), org.tenant());
  EXPECT_TRUE(cdc.can_subscribe());
  EXPECT_FALSE(cdc.can_publish());
  EXPECT_FALSE(cdc.rpc_id().empty());
  auto event = org.topic(kEventTopic);
  EXPECT_TRUE(event.can_subscribe());
  EXPECT_TRUE(event.can_publish());
  EXPECT_NE(event.schema_id(), cdc.schema_id());
  EXPECT_EQ(org.topic(kCdcTopic).schema_id(), cdc.schema_id());  // stable

  grpc::Status missing;
  org.topic("/data/NoSuchChangeEvent", &missing);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);

  auto schema = json::parse(org.schema_json(cdc.schema_id())).as_object();
  EXPECT_EQ(schema.at("name"), "OpportunityChangeEvent");
  const auto& fields = schema.at("fields").as_array();
  EXPECT_EQ(fields.at(0).at("name"), "ChangeEventHeader");
  const auto& header = fields.at(0).at("type").at("fields").as_array();
  ASSERT_EQ(header.size(), 12u);
  EXPECT_EQ(header.at(0).at("name"), "entityName");
  EXPECT_EQ(header.at(11).at("name"), "changedFields");
  bool stage = false;
  for (const auto& f : fields) {
    if (f.at("name") == "StageName") {
      stage = true;
      EXPECT_EQ(json::serialize(f.at("type")), R"(["null","string"])");
    }
  }
  EXPECT_TRUE(stage);
}

TEST(DevorgPubSub, EarliestDeliversWhatIsRequestedThenTheTopUp) {
  PubSubOrg org;
  for (int n = 1; n <= 3; ++n) org.update(n, R"({"StageName": "Closed Won"})");
  Subscriber sub(org);
  sub.fetch(kCdcTopic, 2, v1::EARLIEST);
  std::vector<v1::ConsumerEvent> got;
  int pending = -1;
  while (got.size() < 2) {
    auto r = sub.next_events();
    ASSERT_TRUE(r);
    for (const auto& e : r->events()) got.push_back(e);
    pending = r->pending_num_requested();
    EXPECT_EQ(r->latest_replay_id(), got.back().replay_id());
  }
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(pending, 0);
  // Nothing more until asked: keepalives only.
  auto idle = sub.next(1s);
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->events_size(), 0);
  EXPECT_EQ(idle->latest_replay_id(), got.back().replay_id());
  sub.more(5);
  auto third = sub.next_events();
  ASSERT_TRUE(third);
  ASSERT_EQ(third->events_size(), 1);
  EXPECT_EQ(third->pending_num_requested(), 4);
  EXPECT_LT(replay_number(got[0].replay_id()), replay_number(got[1].replay_id()));
  EXPECT_LT(replay_number(got[1].replay_id()), replay_number(third->events(0).replay_id()));
  auto header = header_of(org, third->events(0));
  EXPECT_EQ(header.at("changeType"), "UPDATE");
  EXPECT_EQ(header.at("recordIds").at(0).as_string().subview().substr(0, 15),
            seeded_opportunity(3));
}

TEST(DevorgPubSub, CapsWhatIsOwedAtOneHundred) {
  PubSubOrg org;
  Subscriber sub(org);
  sub.fetch(kCdcTopic, 500);
  auto first = sub.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->pending_num_requested(), 100);
  sub.more(60);
  auto second = sub.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->pending_num_requested(), 100);
  org.update(1, R"({"StageName": "Closed Won"})");
  auto event = sub.next_events();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->pending_num_requested(), 99);
}

TEST(DevorgPubSub, CustomResumesAfterTheReplayIdAndRefusesBadOnes) {
  PubSubOrg org;
  for (int n = 1; n <= 3; ++n) org.update(n, R"({"Amount": 1000})");
  std::vector<std::string> ids;
  {
    Subscriber sub(org);
    sub.fetch(kCdcTopic, 3, v1::EARLIEST);
    while (ids.size() < 3) {
      auto r = sub.next_events();
      ASSERT_TRUE(r);
      for (const auto& e : r->events()) ids.push_back(e.replay_id());
    }
  }
  {
    Subscriber sub(org);
    sub.fetch(kCdcTopic, 10, v1::CUSTOM, ids[0]);
    auto r = sub.next_events();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->events(0).replay_id(), ids[1]);
  }
  auto refused = [&org](v1::ReplayPreset preset, const std::string& id) {
    Subscriber sub(org);
    sub.fetch(kCdcTopic, 10, preset, id);
    auto status = sub.finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    return trailer(sub.context(), "error-code");
  };
  std::string corrupted = std::string(kPrefix) + "subscription.fetch.replayid.corrupted";
  EXPECT_EQ(refused(v1::CUSTOM, replay_bytes(999'999)), corrupted);
  EXPECT_EQ(refused(v1::CUSTOM, "12907414"), corrupted);  // text, not the 8 bytes
  EXPECT_EQ(refused(v1::CUSTOM, ""),
            std::string(kPrefix) + "subscription.fetch.replayid.validation.failed");
}

TEST(DevorgPubSub, ReplayIdsOutsideTheRetentionWindowAreCorrupted) {
  PubSubOrg org({.retention_ms = 300});
  org.update(1, R"({"Amount": 7})");
  org.update(1, R"({"Amount": 1})");
  std::this_thread::sleep_for(500ms);
  org.update(2, R"({"Amount": 2})");
  Subscriber sub(org);
  sub.fetch(kCdcTopic, 10, v1::CUSTOM, replay_bytes(0));
  EXPECT_EQ(sub.finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(trailer(sub.context(), "error-code"),
            std::string(kPrefix) + "subscription.fetch.replayid.corrupted");
  Subscriber earliest(org);  // EARLIEST starts at the oldest kept
  earliest.fetch(kCdcTopic, 10, v1::EARLIEST);
  auto r = earliest.next_events();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->events_size(), 1);
  EXPECT_EQ(header_of(org, r->events(0)).at("recordIds").at(0).as_string().subview().substr(0, 15),
            seeded_opportunity(2));
}

TEST(DevorgPubSub, KeepalivesCarryTheLatestReplayId) {
  PubSubOrg org;
  org.update(1, R"({"StageName": "Closed Won"})");
  org.update(2, R"({"StageName": "Closed Won"})");
  Subscriber sub(org);
  sub.fetch(kCdcTopic, 5);  // LATEST: the tip, which is the second event
  auto keepalive = sub.next(2s);
  ASSERT_TRUE(keepalive);
  EXPECT_EQ(keepalive->events_size(), 0);
  EXPECT_EQ(replay_number(keepalive->latest_replay_id()), 2u);
  EXPECT_EQ(keepalive->pending_num_requested(), 5);
  EXPECT_FALSE(keepalive->rpc_id().empty());
}

TEST(DevorgPubSub, OneRequestIsOneTransactionOnTheStreamAndTheWebhook) {
  Webhook hook;
  PubSubOrg org({.webhook = hook.url()});
  Subscriber sub(org);
  sub.fetch(kCdcTopic, 10);
  ASSERT_TRUE(sub.next());  // subscribed (a keepalive)
  json::array records;
  for (int n = 1; n <= 3; ++n) {
    records.push_back(json::object{{"attributes", {{"type", "Opportunity"}}},
                                   {"id", seeded_opportunity(n)},
                                   {"StageName", "Negotiation/Review"}});
  }
  records.push_back(json::object{
      {"attributes", {{"type", "Opportunity"}}}, {"id", seeded_opportunity(4)}, {"Amount", 42}});
  auto r = org.org().call("PATCH", "/services/data/v62.0/composite/sobjects",
                          json::serialize(json::object{{"allOrNone", true}, {"records", records}}));
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");

  std::vector<v1::ConsumerEvent> streamed;
  while (streamed.size() < 2) {
    auto got = sub.next_events();
    ASSERT_TRUE(got);
    for (const auto& e : got->events()) streamed.push_back(e);
  }
  auto delivered = hook.wait_for(2);
  ASSERT_EQ(delivered.size(), 2u);
  auto first = header_of(org, streamed[0]);
  auto second = header_of(org, streamed[1]);
  EXPECT_EQ(first.at("transactionKey"), second.at("transactionKey"));
  EXPECT_EQ(first.at("sequenceNumber"), 1);
  EXPECT_EQ(second.at("sequenceNumber"), 2);
  EXPECT_EQ(first.at("recordIds").as_array().size(), 3u);
  EXPECT_EQ(second.at("recordIds").as_array().size(), 1u);
  // The webhook got the same events: same ids, same transaction, same records.
  for (size_t i = 0; i < 2; ++i) {
    const auto& cloud = delivered[i];
    const auto& header = cloud.at("data").at("ChangeEventHeader");
    EXPECT_EQ(cloud.at("id").as_string(), streamed[i].event().id());
    EXPECT_EQ(header.at("transactionKey"), first.at("transactionKey"));
    EXPECT_EQ(header.at("recordIds"), header_of(org, streamed[i]).at("recordIds"));
  }
  // changedFields is a bitmap over the schema's fields: StageName and LastModifiedDate.
  auto schema = json::parse(org.schema_json(streamed[0].event().schema_id())).as_object();
  const auto& fields = schema.at("fields").as_array();
  std::string bitmap(first.at("changedFields").at(0).as_string());
  ASSERT_TRUE(bitmap.starts_with("0x"));
  std::vector<std::string> names;
  size_t digits = bitmap.size() - 2;
  for (size_t bit = 0; bit < digits * 4; ++bit) {
    char c = bitmap[bitmap.size() - 1 - bit / 4];
    int nibble = std::isdigit(c) ? c - '0' : std::toupper(c) - 'A' + 10;
    if (nibble & (1 << (bit % 4))) names.emplace_back(fields.at(bit).at("name").as_string());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"StageName", "LastModifiedDate"})) << bitmap;
}

std::string quote_event_payload(const std::string& user, const std::string& status) {
  auto put_long = [](std::string& out, int64_t v) {
    auto z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z >= 0x80) {
      out.push_back(static_cast<char>((z & 0x7f) | 0x80));
      z >>= 7;
    }
    out.push_back(static_cast<char>(z));
  };
  std::string out;
  put_long(out, 1'765'000'000'000);
  put_long(out, static_cast<int64_t>(user.size()));
  out += user;
  put_long(out, 1);  // the "string" branch
  put_long(out, static_cast<int64_t>(status.size()));
  out += status;
  return out;
}

TEST(DevorgPubSub, PublishRunsThePlatformEventPath) {
  PubSubOrg org;
  auto topic = org.topic(kEventTopic);
  Subscriber sub(org);
  sub.fetch(kEventTopic, 5);
  ASSERT_TRUE(sub.next());
  std::string user(
      org.org().query("SELECT Id FROM User LIMIT 1").at("records").at(0).at("Id").as_string());

  grpc::ClientContext ctx;
  org.authenticate(ctx);
  v1::PublishRequest request;
  request.set_topic_name(kEventTopic);
  auto* event = request.add_events();
  event->set_id("corr-1");
  event->set_schema_id(topic.schema_id());
  event->set_payload(quote_event_payload(user, "Quotes Generated: 3"));
  auto* wrong = request.add_events();
  wrong->set_id("corr-2");
  wrong->set_schema_id("not-the-schema");
  wrong->set_payload("x");
  v1::PublishResponse response;
  ASSERT_TRUE(org.stub().Publish(&ctx, request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).correlation_key(), "corr-1");
  EXPECT_FALSE(response.results(0).has_error());
  EXPECT_EQ(response.results(0).replay_id().size(), 8u);
  EXPECT_TRUE(response.results(1).has_error());
  EXPECT_EQ(response.schema_id(), topic.schema_id());

  // The Flow ran: a notification with the event's Status__c, and the event is listed.
  auto notes = org.org().get("/devorg/notifications").at("notifications").as_array();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes.at(0).at("body"), "Quotes Generated: 3");
  auto events = org.org().get("/devorg/events").at("events").as_array();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.at(0).at("via"), "pubsub");
  // ... and the topic's subscribers get it, decodable with the topic's schema.
  auto got = sub.next_events();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->events(0).replay_id(), response.results(0).replay_id());
  auto decoded = avro_to_json(org.schema_json(topic.schema_id()), got->events(0).event().payload());
  EXPECT_EQ(decoded.at("Status__c").at("string"), "Quotes Generated: 3");
  EXPECT_EQ(decoded.at("CreatedById"), user.c_str());
}

TEST(DevorgPubSub, ATopicChangeMidStreamIsRefused) {
  PubSubOrg org;
  Subscriber sub(org);
  sub.fetch(kCdcTopic, 1);
  ASSERT_TRUE(sub.next());
  sub.fetch(kEventTopic, 1);
  EXPECT_EQ(sub.finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(DevorgPubSub, ClosesAStreamOwedNothingThatSendsNoRequest) {
  PubSubOrg org({.keepalive_ms = 200, .idle_ms = 600});
  org.update(1, R"({"StageName": "Closed Won"})");
  Subscriber sub(org);
  sub.fetch(kCdcTopic, 1, v1::EARLIEST);
  ASSERT_TRUE(sub.next_events());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(sub.finish(3s).ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
}

TEST(DevorgPubSub, FaultsUnavailableAndSilence) {
  PubSubOrg org;
  // Silence: neither events nor keepalives, until it is lifted.
  Subscriber quiet(org);
  quiet.fetch(kCdcTopic, 5);
  ASSERT_TRUE(quiet.next());
  org.org().faults(R"({"pubsub_silent": true})");
  std::this_thread::sleep_for(300ms);
  while (quiet.next(10ms)) {
  }  // what was in flight when the fault was set
  org.update(1, R"({"StageName": "Closed Won"})");
  EXPECT_FALSE(quiet.next(800ms));
  org.org().faults(R"({"pubsub_silent": false})");
  auto after = quiet.next_events(2s);
  ASSERT_TRUE(after);  // nothing was lost
  EXPECT_EQ(after->events_size(), 1);

  // Unavailable: new calls fail, the open stream ends.
  org.org().faults(R"({"pubsub_unavailable": true})");
  EXPECT_EQ(quiet.finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(trailer(quiet.context(), "error-code"), std::string(kPrefix) + "service.unavailable");
  grpc::Status status;
  org.topic(kCdcTopic, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  org.org().faults(R"({"pubsub_unavailable": false})");
  org.topic(kCdcTopic, &status);
  EXPECT_TRUE(status.ok());
}

TEST(DevorgPubSub, ATokenExpiringMidStreamEndsItUnauthenticated) {
  PubSubOrg org({.extra = {"--token-ttl", "1"}});
  Subscriber sub(org);
  sub.fetch(kCdcTopic, 5);
  ASSERT_TRUE(sub.next());
  auto status = sub.finish(4s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(trailer(sub.context(), "error-code"), std::string(kPrefix) + "service.auth.error");
}

// --orgs: one Pub/Sub server for every org; tenantid picks the org and the token must be one of
// its sessions.
TEST(DevorgPubSub, TenantIdPicksTheOrgOfSeveral) {
  auto dir = temp_dir("pubsub-orgs");
  auto process = Process::start({PE_BINARY, "devorg", "--port", "0", "--orgs", "sales=2,support=2",
                                 "--pubsub-port", "0", "--env-file", (dir / "org.env").string()},
                                {{"LOG_LEVEL", "warn"}});
  std::map<std::string, std::string> env;
  ASSERT_TRUE(wait_until(
      [&] {
        env = read_env_file(dir / "org.env");
        return env.contains("PRICING_PUBSUB_ENDPOINT");
      },
      20s))
      << process.output();
  auto stub = v1::PubSub::NewStub(
      grpc::CreateChannel(env.at("PRICING_PUBSUB_ENDPOINT"), grpc::InsecureChannelCredentials()));
  const auto& first = env.at("PRICING_DEVORG_URL");  // http://127.0.0.1:PORT
  int port = std::stoi(first.substr(first.rfind(':') + 1));
  const auto& api = env.at("HEROKU_APPLINK_API_URL");
  auto base = api.substr(api.find('/', std::string("http://").size()));
  auto authorize = [&](const std::string& name) {
    auto r = http_request(port, "GET", base + "/authorizations/" + name,
                          {"Authorization: Bearer " + env.at("HEROKU_APPLINK_TOKEN"),
                           "X-App-UUID: " + env.at("HEROKU_APP_ID")},
                          "");
    EXPECT_TRUE(r && r->status == 200);
    return json::parse(r ? r->body : "{}").at("org").as_object();
  };
  auto sales = authorize("sales");
  auto support = authorize("support");
  ASSERT_NE(sales.at("id"), support.at("id"));
  auto get_topic = [&](const json::object& token_org, const json::object& tenant_org) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("accesstoken",
                    std::string(token_org.at("user_auth").at("access_token").as_string()));
    ctx.AddMetadata("instanceurl", std::string(token_org.at("instance_url").as_string()));
    ctx.AddMetadata("tenantid", std::string(tenant_org.at("id").as_string()));
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::TopicRequest request;
    request.set_topic_name(kCdcTopic);
    v1::TopicInfo info;
    grpc::Status status = stub->GetTopic(&ctx, request, &info);
    return status.ok() ? info.tenant_guid() : "error " + std::to_string(status.error_code());
  };
  EXPECT_EQ(get_topic(sales, sales), sales.at("id").as_string().c_str());
  EXPECT_EQ(get_topic(support, support), support.at("id").as_string().c_str());
  EXPECT_EQ(get_topic(sales, support), "error 16");  // sales' token is no session of support
}

}  // namespace
}  // namespace pe::test
