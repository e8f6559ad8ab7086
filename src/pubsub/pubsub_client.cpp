#include "pubsub/pubsub_client.hpp"

#include "common/random.hpp"
#include "pubsub/proto/pubsub_api.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <fstream>
#include <sstream>
#include <thread>

namespace pe::pubsub {
namespace {

namespace v1 = eventbus::v1;
using Clock = std::chrono::steady_clock;

// A batch of 100 events of up to 1 MB each fits; a peer cannot make us hold more than this.
constexpr int kMaxReceiveBytes = 128 << 20;
constexpr auto kUnaryDeadline = std::chrono::seconds(30);
constexpr size_t kMaxMessage = 300;  // of a status message kept in a StreamError

std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const ChannelOptions& options) {
  if (options.ca_file.empty() && is_loopback_endpoint(options.endpoint)) {
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_file.empty()) {
    std::ifstream in(options.ca_file);
    std::stringstream pem;
    pem << in.rdbuf();
    ssl.pem_root_certs = pem.str();
  }
  return grpc::SslCredentials(ssl);
}

void add_metadata(grpc::ClientContext& ctx, const Credentials& creds) {
  ctx.AddMetadata("accesstoken", creds.access_token);
  ctx.AddMetadata("instanceurl", creds.instance_url);
  ctx.AddMetadata("tenantid", creds.tenant_id);
}

StreamError error_of(const grpc::Status& status, const grpc::ClientContext& ctx) {
  StreamError error;
  error.code = static_cast<int>(status.error_code());
  error.message = status.error_message().substr(0, kMaxMessage);
  const auto& trailers = ctx.GetServerTrailingMetadata();
  if (auto it = trailers.find("error-code"); it != trailers.end()) {
    error.error_code.assign(it->second.data(), std::min<size_t>(it->second.size(), 200));
  }
  return error;
}

v1::ReplayPreset preset_of(Preset preset) {
  switch (preset) {
    case Preset::earliest:
      return v1::EARLIEST;
    case Preset::custom:
      return v1::CUSTOM;
    case Preset::latest:
      return v1::LATEST;
  }
  return v1::LATEST;
}

FetchBatch batch_of(v1::FetchResponse& response) {
  FetchBatch batch;
  batch.events.reserve(static_cast<size_t>(response.events_size()));
  for (auto& consumer : *response.mutable_events()) {
    auto* event = consumer.mutable_event();
    batch.events.push_back({.id = std::move(*event->mutable_id()),
                            .schema_id = std::move(*event->mutable_schema_id()),
                            .payload = std::move(*event->mutable_payload()),
                            .replay_id = std::move(*consumer.mutable_replay_id())});
  }
  batch.latest_replay_id = std::move(*response.mutable_latest_replay_id());
  batch.pending_num_requested = response.pending_num_requested();
  batch.rpc_id = std::move(*response.mutable_rpc_id());
  return batch;
}

StreamError local_error(GrpcCode code, std::string message) {
  return {static_cast<int>(code), "", std::move(message)};
}

}  // namespace

bool is_loopback_endpoint(std::string_view endpoint) {
  std::string_view host = endpoint;
  if (host.starts_with('[')) {
    host = host.substr(1, host.find(']') == std::string_view::npos ? 0 : host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

struct PubSubClient::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::PubSub::Stub> stub;
  std::mutex mutex;
  grpc::ClientContext* active = nullptr;  // the running Subscribe call's, for cancel()
  bool cancel_pending = false;
};

PubSubClient::PubSubClient(ChannelOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  impl_->channel =
      grpc::CreateCustomChannel(options_.endpoint, channel_credentials(options_), args);
  impl_->stub = v1::PubSub::NewStub(impl_->channel);
}

PubSubClient::~PubSubClient() = default;

CallResult<TopicInfo> PubSubClient::get_topic(const Credentials& creds, const std::string& topic) {
  grpc::ClientContext ctx;
  add_metadata(ctx, creds);
  ctx.set_deadline(std::chrono::system_clock::now() + kUnaryDeadline);
  v1::TopicRequest request;
  request.set_topic_name(topic);
  v1::TopicInfo info;
  grpc::Status status = impl_->stub->GetTopic(&ctx, request, &info);
  if (!status.ok()) return {.error = error_of(status, ctx)};
  return {.value = TopicInfo{.topic_name = info.topic_name(),
                             .tenant_guid = info.tenant_guid(),
                             .can_publish = info.can_publish(),
                             .can_subscribe = info.can_subscribe(),
                             .schema_id = info.schema_id()}};
}

CallResult<std::string> PubSubClient::get_schema(const Credentials& creds,
                                                 const std::string& schema_id) {
  grpc::ClientContext ctx;
  add_metadata(ctx, creds);
  ctx.set_deadline(std::chrono::system_clock::now() + kUnaryDeadline);
  v1::SchemaRequest request;
  request.set_schema_id(schema_id);
  v1::SchemaInfo info;
  grpc::Status status = impl_->stub->GetSchema(&ctx, request, &info);
  if (!status.ok()) return {.error = error_of(status, ctx)};
  return {.value = std::move(*info.mutable_schema_json())};
}

CallResult<std::string> PubSubClient::publish(const Credentials& creds, const std::string& topic,
                                              const std::string& schema_id,
                                              const std::string& payload) {
  grpc::ClientContext ctx;
  add_metadata(ctx, creds);
  ctx.set_deadline(std::chrono::system_clock::now() + kUnaryDeadline);
  v1::PublishRequest request;
  request.set_topic_name(topic);
  auto* event = request.add_events();
  event->set_id(random_uuid());
  event->set_schema_id(schema_id);
  event->set_payload(payload);
  v1::PublishResponse response;
  grpc::Status status = impl_->stub->Publish(&ctx, request, &response);
  if (!status.ok()) return {.error = error_of(status, ctx)};
  if (response.results_size() != 1) {
    return {.error = local_error(GrpcCode::internal, "Publish answered without the event")};
  }
  const auto& result = response.results(0);
  if (result.has_error()) {
    return {.error = local_error(GrpcCode::internal, "the org refused the event: " +
                                                         result.error().msg().substr(0, 200))};
  }
  return {.value = result.replay_id()};
}

void PubSubClient::cancel() {
  std::lock_guard lock(impl_->mutex);
  cancelled_by_us_ = true;
  if (impl_->active) {
    impl_->active->TryCancel();
  } else {
    impl_->cancel_pending = true;
  }
}

StreamError PubSubClient::subscribe(const Credentials& creds, const SubscribeStart& start,
                                    const SubscribeOptions& options, const BatchHandler& on_batch) {
  grpc::ClientContext ctx;
  add_metadata(ctx, creds);
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->cancel_pending) {
      impl_->cancel_pending = false;
      return local_error(GrpcCode::cancelled, "stopped before the call started");
    }
    cancelled_by_us_ = false;
    impl_->active = &ctx;
  }
  auto stream = impl_->stub->Subscribe(&ctx);

  // The flow, the writes and the time of the last message are shared with the watchdog.
  std::mutex shared;
  FlowControl flow(options.flow);
  Clock::time_point last_message = Clock::now();
  bool writes_ok = true;
  auto send = [&](int32_t n) {  // under `shared`
    if (n <= 0 || !writes_ok) return;
    v1::FetchRequest more;
    more.set_topic_name(start.topic);
    more.set_num_requested(n);
    writes_ok = stream->Write(more);
  };
  {
    std::lock_guard lock(shared);
    v1::FetchRequest first;
    first.set_topic_name(start.topic);
    first.set_replay_preset(preset_of(start.preset));
    if (start.preset == Preset::custom) first.set_replay_id(start.replay_id);
    first.set_num_requested(flow.start(Clock::now()));
    writes_ok = stream->Write(first);
  }

  std::mutex wake;
  std::condition_variable woken;
  bool done = false;
  bool silent = false;
  std::thread watchdog([&] {
    std::unique_lock lock(wake);
    while (!woken.wait_for(lock, options.tick, [&] { return done; })) {
      std::lock_guard hold(shared);
      const auto now = Clock::now();
      if (now - last_message > options.silence_limit) {
        silent = true;
        ctx.TryCancel();
        return;
      }
      send(flow.on_timer(now));
    }
  });

  v1::FetchResponse response;
  while (stream->Read(&response)) {
    {
      std::lock_guard hold(shared);
      last_message = Clock::now();
    }
    FetchBatch batch = batch_of(response);
    const int64_t events = static_cast<int64_t>(batch.events.size());
    const int64_t pending = batch.pending_num_requested;
    if (on_batch(batch) == Next::stop) {
      cancelled_by_us_ = true;
      ctx.TryCancel();
      break;
    }
    std::lock_guard hold(shared);
    send(flow.on_response(events, pending, Clock::now()));
  }
  {
    std::lock_guard lock(wake);
    done = true;
  }
  woken.notify_all();
  watchdog.join();
  grpc::Status status = stream->Finish();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->active = nullptr;
  }
  if (silent) {
    return local_error(GrpcCode::cancelled, "no events or keepalives for " +
                                                std::to_string(options.silence_limit.count()) +
                                                " ms: the stream is stale");
  }
  if (cancelled_by_us_) return local_error(GrpcCode::cancelled, "stopped");
  if (status.ok()) return local_error(GrpcCode::unavailable, "the server ended the stream");
  return error_of(status, ctx);
}

}  // namespace pe::pubsub
