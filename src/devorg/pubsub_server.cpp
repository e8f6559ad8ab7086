// pubsub_server.cpp: the gRPC layer of the local org's Pub/Sub API (callback API: a Subscribe
// stream is a ServerBidiReactor whose every callback is posted to its org's server thread, where
// the stream's state, timers and the org's topics live; gRPC's threads never touch org state).
#include "devorg/pubsub_server.hpp"

#include "common/log.hpp"
#include "devorg/org_state.hpp"
#include "devorg/pubsub_bus.hpp"
#include "devorg/pubsub_payloads.hpp"
#include "pubsub/proto/pubsub_api.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fstream>
#include <stdexcept>

namespace pe::devorg {
namespace {

namespace asio = boost::asio;
namespace v1 = eventbus::v1;

constexpr std::string_view kEventTopic = "/event/QuoteGenerationComplete__e";

std::string metadata(const grpc::CallbackServerContext& ctx, std::string_view key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

// A failure as gRPC status and trailers: error-code, rpc-id, and the message ending with the id.
grpc::Status failure_status(grpc::CallbackServerContext& ctx, const RpcFailure& failure,
                            const std::string& rpc_id) {
  ctx.AddTrailingMetadata("error-code", full_error_code(failure.error_code));
  ctx.AddTrailingMetadata("rpc-id", rpc_id);
  return grpc::Status(static_cast<grpc::StatusCode>(failure.code),
                      failure.message + " rpcId: " + rpc_id);
}

RpcFailure auth_error() {
  return {RpcCode::unauthenticated, "service.auth.error",
          "Provide valid authentication via metadata headers (accesstoken, instanceurl, tenantid)"};
}

RpcFailure unavailable() {
  return {RpcCode::unavailable, "service.unavailable", "The service is unavailable; retry later"};
}

// The org `tenantid` names, on a gRPC thread (the directory and org ids never change).
OrgState* tenant_org(const OrgDirectory& directory, const grpc::CallbackServerContext& ctx) {
  std::string tenant = metadata(ctx, "tenantid");
  if (tenant.size() != 18) return nullptr;
  for (OrgState* org : directory.orgs) {
    if (org->store->org_id().str() == tenant) return org;
  }
  return nullptr;
}

// On the org's thread: the session of the call's token, or why the call fails.
std::optional<RpcFailure> check_call(OrgState& org, const std::string& token,
                                     const std::string& instance_url) {
  if (org.faults.settings().pubsub_unavailable) return unavailable();
  if (token.empty() || instance_url.empty() || org.sessions->find(token) == nullptr) {
    return auth_error();
  }
  return std::nullopt;
}

// Runs `work` on the org's thread, or fails the call when the org is not serving yet.
template <class Work>
bool on_org(OrgState* org, Work work) {
  asio::io_context* io = org ? org->pubsub_io.load() : nullptr;
  if (io == nullptr) return false;
  asio::post(*io, std::move(work));
  return true;
}

class SubscribeReactor;

// One Subscribe call's state, on its org's thread.
class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(OrgState& org, SubscribeReactor* reactor, grpc::CallbackServerContext* ctx,
         const PubSubServerOptions& options, std::string token, std::string instance_url)
      : org_(org),
        reactor_(reactor),
        ctx_(ctx),
        options_(options),
        token_(std::move(token)),
        instance_url_(std::move(instance_url)),
        rpc_id_(random_uuid()),
        keepalive_(*org.pubsub_io.load()),
        idle_(*org.pubsub_io.load()),
        expiry_(*org.pubsub_io.load()) {}

  OrgState& org() { return org_; }
  void start();
  void on_read(std::optional<v1::FetchRequest> request);
  void on_write_done(bool ok);
  void on_cancel() { finish(grpc::Status::CANCELLED); }
  void on_done();

 private:
  bool check();
  void fail(const RpcFailure& failure) { finish(failure_status(*ctx_, failure, rpc_id_)); }
  void finish(grpc::Status status);
  void pump();
  void write(std::vector<const BusEvent*> events);
  void arm_keepalive();
  void arm_idle();
  void read_next();

  OrgState& org_;
  SubscribeReactor* reactor_;  // null after OnDone
  grpc::CallbackServerContext* ctx_;
  PubSubServerOptions options_;
  std::string token_, instance_url_, rpc_id_;
  Subscription sub_;
  asio::steady_timer keepalive_, idle_, expiry_;
  uint64_t watch_ = 0;
  bool writing_ = false;
  bool finished_ = false;
  uint64_t keepalive_gen_ = 0;
  uint64_t idle_gen_ = 0;
  bool idle_armed_ = false;
  std::optional<grpc::Status> finish_after_write_;
  log::Logger log_ = log::Logger().with("component", "devorg_pubsub");
};

class SubscribeReactor : public grpc::ServerBidiReactor<v1::FetchRequest, v1::FetchResponse> {
 public:
  SubscribeReactor(grpc::CallbackServerContext* ctx, const OrgDirectory& directory,
                   const PubSubServerOptions& options) {
    OrgState* org = tenant_org(directory, *ctx);
    if (org == nullptr || org->pubsub_io.load() == nullptr || !org->pubsub) {
      std::string rpc_id = random_uuid();
      Finish(failure_status(*ctx, org ? unavailable() : auth_error(), rpc_id));
      return;
    }
    stream_ = std::make_shared<Stream>(*org, this, ctx, options, metadata(*ctx, "accesstoken"),
                                       metadata(*ctx, "instanceurl"));
    post([](Stream& s) { s.start(); });
  }

  void OnReadDone(bool ok) override {
    std::optional<v1::FetchRequest> request;
    if (ok) request = request_;
    post([request = std::move(request)](Stream& s) mutable { s.on_read(std::move(request)); });
  }
  void OnWriteDone(bool ok) override {
    post([ok](Stream& s) { s.on_write_done(ok); });
  }
  void OnCancel() override {
    post([](Stream& s) { s.on_cancel(); });
  }
  void OnDone() override {
    post([](Stream& s) { s.on_done(); });
    delete this;
  }

  v1::FetchRequest request_;
  v1::FetchResponse response_;

 private:
  template <class F>
  void post(F f) {
    if (!stream_) return;
    auto stream = stream_;
    on_org(&stream->org(), [stream, f = std::move(f)]() mutable { f(*stream); });
  }

  std::shared_ptr<Stream> stream_;
  friend class Stream;
};

void Stream::start() {
  if (finished_) return;
  if (auto failure = check_call(org_, token_, instance_url_)) return fail(*failure);
  const Session* session = org_.sessions->find(token_);
  if (session->expires != Session::Clock::time_point::max()) {
    // The token expiring mid-stream ends it, as Salesforce's auth.error does.
    expiry_.expires_at(session->expires + std::chrono::milliseconds(1));
    expiry_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->check();
    });
  }
  read_next();
}

bool Stream::check() {
  if (finished_) return false;
  if (auto failure = check_call(org_, token_, instance_url_)) {
    log_.info("pubsub_stream_failed", {{"rpc_id", rpc_id_}, {"error_code", failure->error_code}});
    fail(*failure);
    return false;
  }
  return true;
}

void Stream::read_next() {
  if (!finished_) reactor_->StartRead(&reactor_->request_);
}

void Stream::on_read(std::optional<v1::FetchRequest> request) {
  if (finished_) return;
  // The client closed its side: no more requests, what is owed is still delivered.
  if (!request) return;
  if (!check()) return;
  if (!sub_.opened()) {
    auto start = static_cast<ReplayStart>(static_cast<int>(request->replay_preset()));
    if (auto failure = sub_.open(*org_.pubsub, request->topic_name(), start, request->replay_id(),
                                 request->num_requested())) {
      return fail(*failure);
    }
    watch_ = org_.pubsub->watch(sub_.topic(), [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->pump();
    });
    log_.info("pubsub_subscribed", {{"rpc_id", rpc_id_},
                                    {"topic", sub_.topic()},
                                    {"preset", static_cast<int64_t>(start)},
                                    {"after", sub_.position()},
                                    {"pending", sub_.pending()}});
    arm_keepalive();
  } else if (auto failure = sub_.request(request->topic_name(), request->num_requested())) {
    return fail(*failure);
  }
  ++idle_gen_;  // a request restarts the idle clock
  idle_armed_ = false;
  idle_.cancel();
  pump();
  if (sub_.pending() == 0) arm_idle();
  read_next();
}

void Stream::pump() {
  if (finished_ || writing_ || !sub_.opened()) return;
  if (org_.faults.settings().pubsub_silent) return;
  if (sub_.pending() == 0) return;
  if (!check()) return;
  auto events = sub_.take(*org_.pubsub);
  if (events.empty()) return;
  write(std::move(events));
  if (sub_.pending() == 0) arm_idle();
}

void Stream::write(std::vector<const BusEvent*> events) {
  auto& out = reactor_->response_;
  out.Clear();
  for (const BusEvent* e : events) {
    v1::ConsumerEvent* consumed = out.add_events();
    v1::ProducerEvent* produced = consumed->mutable_event();
    produced->set_id(e->uuid);
    produced->set_schema_id(e->schema_id);
    produced->set_payload(e->payload);
    consumed->set_replay_id(encode_replay_id(e->replay_id));
  }
  out.set_latest_replay_id(encode_replay_id(sub_.position()));
  out.set_rpc_id(rpc_id_);
  out.set_pending_num_requested(sub_.pending());
  writing_ = true;
  reactor_->StartWrite(&out);
}

void Stream::on_write_done(bool ok) {
  writing_ = false;
  if (finish_after_write_) {
    grpc::Status status = std::move(*finish_after_write_);
    finish_after_write_.reset();
    reactor_->Finish(std::move(status));
    return;
  }
  if (finished_) return;
  if (!ok) return finish(grpc::Status::CANCELLED);  // the client is gone
  arm_keepalive();
  pump();
}

void Stream::arm_keepalive() {
  uint64_t gen = ++keepalive_gen_;
  keepalive_.expires_after(options_.keepalive);
  keepalive_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
    if (ec || gen != self->keepalive_gen_ || self->finished_) return;
    if (!self->check()) return;
    if (self->org_.faults.settings().pubsub_silent || self->writing_) {
      self->arm_keepalive();
      return;
    }
    self->pump();
    if (!self->writing_) self->write({});  // nothing to deliver: the keepalive
  });
}

void Stream::arm_idle() {
  if (idle_armed_ || finished_) return;
  idle_armed_ = true;
  uint64_t gen = ++idle_gen_;
  idle_.expires_after(options_.idle_timeout);
  idle_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
    if (ec || gen != self->idle_gen_ || self->finished_ || self->sub_.pending() > 0) return;
    self->log_.info("pubsub_stream_idle", {{"rpc_id", self->rpc_id_}});
    self->finish(grpc::Status::OK);
  });
}

void Stream::finish(grpc::Status status) {
  if (finished_) return;
  finished_ = true;
  keepalive_.cancel();
  idle_.cancel();
  expiry_.cancel();
  if (watch_ != 0) org_.pubsub->unwatch(watch_);
  watch_ = 0;
  if (writing_) {
    finish_after_write_ = std::move(status);
  } else {
    reactor_->Finish(std::move(status));
  }
}

void Stream::on_done() {
  finished_ = true;
  reactor_ = nullptr;
  keepalive_.cancel();
  idle_.cancel();
  expiry_.cancel();
  if (watch_ != 0) org_.pubsub->unwatch(watch_);
  watch_ = 0;
}

// What a unary call does on its org's thread once authenticated: fills the answer or fails.
using UnaryWork =
    std::function<std::optional<RpcFailure>(OrgState&, const Session&, const std::string& rpc_id)>;

class Service final : public v1::PubSub::CallbackService {
 public:
  Service(const OrgDirectory& directory, PubSubServerOptions options)
      : directory_(directory), options_(std::move(options)) {}

  grpc::ServerBidiReactor<v1::FetchRequest, v1::FetchResponse>* Subscribe(
      grpc::CallbackServerContext* ctx) override {
    return new SubscribeReactor(ctx, directory_, options_);
  }

  grpc::ServerUnaryReactor* GetTopic(grpc::CallbackServerContext* ctx,
                                     const v1::TopicRequest* request, v1::TopicInfo* out) override {
    return unary(ctx,
                 [request, out](OrgState& org, const Session&,
                                const std::string& rpc_id) -> std::optional<RpcFailure> {
                   TopicLog* topic = org.pubsub->topic(request->topic_name());
                   if (topic == nullptr) return topic_not_found(request->topic_name());
                   out->set_topic_name(topic->name());
                   out->set_tenant_guid(std::string(org.store->org_id().str()));
                   out->set_can_publish(topic->can_publish());
                   out->set_can_subscribe(true);
                   out->set_schema_id(topic->schema_id());
                   out->set_rpc_id(rpc_id);
                   return std::nullopt;
                 });
  }

  grpc::ServerUnaryReactor* GetSchema(grpc::CallbackServerContext* ctx,
                                      const v1::SchemaRequest* request,
                                      v1::SchemaInfo* out) override {
    return unary(ctx,
                 [request, out](OrgState& org, const Session&,
                                const std::string& rpc_id) -> std::optional<RpcFailure> {
                   const TopicLog* topic = org.pubsub->schema(request->schema_id());
                   if (topic == nullptr) {
                     return RpcFailure{
                         RpcCode::not_found, "schema.not.found",
                         "No schema with this id: " + request->schema_id().substr(0, 64)};
                   }
                   out->set_schema_json(topic->schema_json());
                   out->set_schema_id(topic->schema_id());
                   out->set_rpc_id(rpc_id);
                   return std::nullopt;
                 });
  }

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx,
                                    const v1::PublishRequest* request,
                                    v1::PublishResponse* out) override {
    return unary(ctx,
                 [request, out](OrgState& org, const Session& session, const std::string& rpc_id) {
                   return publish(org, session, *request, *out, rpc_id);
                 });
  }

 private:
  static RpcFailure topic_not_found(const std::string& name) {
    return {RpcCode::not_found, "topic.not.found",
            "Topic not found or no access: " + name.substr(0, 100)};
  }

  static std::optional<RpcFailure> publish(OrgState& org, const Session& session,
                                           const v1::PublishRequest& request,
                                           v1::PublishResponse& out, const std::string& rpc_id) {
    TopicLog* topic = org.pubsub->topic(request.topic_name());
    if (topic == nullptr) return topic_not_found(request.topic_name());
    if (!topic->can_publish()) {
      return RpcFailure{RpcCode::permission_denied, "topic.publish.denied",
                        "Publishing is not allowed on " + topic->name()};
    }
    out.set_schema_id(topic->schema_id());
    out.set_rpc_id(rpc_id);
    std::string type = topic->name().substr(topic->name().rfind('/') + 1);
    for (const v1::ProducerEvent& event : request.events()) {
      v1::PublishResult* result = out.add_results();
      result->set_correlation_key(event.id().empty() ? random_uuid() : event.id());
      auto refuse = [result](std::string message) {
        result->mutable_error()->set_code(v1::PUBLISH);
        result->mutable_error()->set_msg(std::move(message));
      };
      if (event.schema_id() != topic->schema_id()) {
        refuse("The event's schema_id is not the topic's schema");
        continue;
      }
      auto body = decode_platform_event(type, event.payload(), platform_event_fields(type));
      if (!body) {
        refuse(body.error().message);
        continue;
      }
      // The same path as the REST and Eventing publishes: the Flow runs, the topic is fed.
      auto published = org.events.publish_eventing(type, *body, session.user, "pubsub");
      if (!published) {
        refuse(published.error().error_code + ": " + published.error().message);
        continue;
      }
      result->set_replay_id(encode_replay_id(topic->tip()));
    }
    return std::nullopt;
  }

  grpc::ServerUnaryReactor* unary(grpc::CallbackServerContext* ctx, UnaryWork work) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    std::string rpc_id = random_uuid();
    OrgState* org = tenant_org(directory_, *ctx);
    if (org == nullptr || !org->pubsub) {
      reactor->Finish(failure_status(*ctx, auth_error(), rpc_id));
      return reactor;
    }
    std::string token = metadata(*ctx, "accesstoken");
    std::string url = metadata(*ctx, "instanceurl");
    bool posted = on_org(org, [org, ctx, reactor, rpc_id, token, url, work = std::move(work)] {
      auto failure = check_call(*org, token, url);
      if (!failure) failure = work(*org, *org->sessions->find(token), rpc_id);
      reactor->Finish(failure ? failure_status(*ctx, *failure, rpc_id) : grpc::Status::OK);
    });
    if (!posted) reactor->Finish(failure_status(*ctx, unavailable(), rpc_id));
    return reactor;
  }

  const OrgDirectory& directory_;
  PubSubServerOptions options_;
};

// OpenSSL's objects, freed on every path.
struct Freer {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Freer>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

SelfSignedCertificate make_self_signed_certificate() {
  auto fail = [](const char* step) -> SelfSignedCertificate {
    throw std::runtime_error(std::string("self-signed certificate: ") + step + " failed");
  };
  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return fail("EVP_EC_gen");
  Owned<X509> cert(X509_new());
  if (!cert) return fail("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  Owned<X509_EXTENSION> san(
      X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"));
  if (!san || X509_add_ext(cert.get(), san.get(), -1) != 1) return fail("subjectAltName");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return fail("X509_sign");
  Owned<BIO> cert_bio(BIO_new(BIO_s_mem()));
  Owned<BIO> key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return fail("PEM_write");
  }
  return {bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

struct PubSubServer::Impl {
  std::unique_ptr<Service> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  int tls_port = 0;
  bool stopped = false;
};

PubSubServer::PubSubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PubSubServer::~PubSubServer() { shutdown(); }
int PubSubServer::port() const { return impl_->port; }
int PubSubServer::tls_port() const { return impl_->tls_port; }

void PubSubServer::shutdown() {
  if (impl_->stopped || !impl_->server) return;
  impl_->stopped = true;
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  impl_->server->Wait();
}

Result<std::unique_ptr<PubSubServer>> PubSubServer::start(const PubSubServerOptions& options,
                                                          const OrgDirectory& directory) {
  auto impl = std::make_unique<Impl>();
  impl->service = std::make_unique<Service>(directory, options);
  grpc::ServerBuilder builder;
  std::string host = options.host;
  if (options.port >= 0) {
    builder.AddListeningPort(host + ":" + std::to_string(options.port),
                             grpc::InsecureServerCredentials(), &impl->port);
  }
  if (options.tls_port >= 0) {
    SelfSignedCertificate certificate;
    try {
      certificate = make_self_signed_certificate();
    } catch (const std::exception& e) {
      return Error{Errc::internal, e.what()};
    }
    if (!options.cert_file.empty()) {
      std::ofstream file(options.cert_file, std::ios::binary | std::ios::trunc);
      file << certificate.cert_pem;
      if (!file.flush()) {
        return Error{Errc::invalid_argument,
                     "--pubsub-cert-file: cannot write " + options.cert_file};
      }
    }
    grpc::SslServerCredentialsOptions tls;
    tls.pem_key_cert_pairs.push_back({certificate.key_pem, certificate.cert_pem});
    builder.AddListeningPort(host + ":" + std::to_string(options.tls_port),
                             grpc::SslServerCredentials(tls), &impl->tls_port);
  }
  builder.RegisterService(impl->service.get());
  impl->server = builder.BuildAndStart();
  if (!impl->server || (options.port >= 0 && impl->port == 0) ||
      (options.tls_port >= 0 && impl->tls_port == 0)) {
    return Error{Errc::unavailable, "the Pub/Sub API cannot listen on " + host +
                                        " (--pubsub-port " + std::to_string(options.port) +
                                        ", --pubsub-tls-port " + std::to_string(options.tls_port) +
                                        ")"};
  }
  return std::unique_ptr<PubSubServer>(new PubSubServer(std::move(impl)));
}

}  // namespace pe::devorg
