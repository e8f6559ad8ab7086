#include "net/redis_protocol.hpp"

#include "common/redact.hpp"

#include <hiredis/read.h>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace pe::net {
namespace {

Error bad_url(std::string_view problem) {
  return Error{Errc::invalid_argument, "invalid Redis URL: " + std::string(problem)};
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

Result<uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return bad_url("the port must be a number from 1 to 65535");
  }
  return static_cast<uint16_t>(value);
}

Result<int> parse_db(std::string_view path) {
  if (path.empty() || path == "/") return 0;
  auto digits = path.substr(1);
  int db = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), db);
  if (ec != std::errc() || end != digits.data() + digits.size() || db < 0) {
    return bad_url("the path must be a database number, e.g. /0");
  }
  return db;
}

}  // namespace

// ---- URL ------------------------------------------------------------------------------------

std::string RedisEndpoint::describe() const {
  std::string out = tls ? "rediss://" : "redis://";
  if (!user.empty() || !password.empty()) {
    out += user;
    if (!password.empty()) out += ":" + std::string(kRedacted);
    out += "@";
  }
  bool v6 = host.find(':') != std::string::npos;
  out += (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(db);
  return out;
}

Result<RedisEndpoint> parse_redis_url(std::string_view text) {
  if (text.size() > 4096) return bad_url("longer than 4096 characters");
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return bad_url("not an absolute URL");
  const auto& u = *parsed;
  RedisEndpoint e;
  auto scheme = u.scheme();
  if (iequals(scheme, "rediss")) {
    e.tls = true;
  } else if (!iequals(scheme, "redis")) {
    return bad_url("the scheme must be redis:// or rediss://");
  }
  std::string host = u.host_address();
  if (u.host_type() == boost::urls::host_type::ipv6 && host.size() >= 2 && host.front() == '[') {
    host = host.substr(1, host.size() - 2);
  }
  e.host = std::move(host);
  if (e.host.empty()) return bad_url("no host");
  if (u.has_port()) {
    auto port = parse_port(u.port());
    if (!port) return port.error();
    e.port = *port;
  }
  if (u.has_userinfo()) {
    e.user = u.user();
    e.password = u.password();
    if (!e.user.empty() && e.password.empty()) {
      return bad_url("a user name needs a password: redis://user:password@host");
    }
  }
  auto db = parse_db(u.encoded_path());
  if (!db) return db.error();
  e.db = *db;
  if (u.has_query() || u.has_fragment()) {
    return bad_url("query strings and fragments are not supported");
  }
  return e;
}

// ---- Replies and errors ---------------------------------------------------------------------

std::string_view RedisReply::error_prefix() const {
  if (type != Type::error) return {};
  std::string_view t = text;
  return t.substr(0, t.find(' '));
}

Error error_from_reply(const RedisReply& reply) {
  struct Kind {
    std::string_view prefix;
    Errc code;
  };
  static constexpr std::array<Kind, 16> kKinds = {{
      {"NOSCRIPT", Errc::not_found},
      {"NOGROUP", Errc::not_found},
      {"BUSYGROUP", Errc::already_exists},
      {"NOAUTH", Errc::unauthenticated},
      {"WRONGPASS", Errc::unauthenticated},
      {"NOPERM", Errc::permission_denied},
      {"WRONGTYPE", Errc::failed_precondition},
      {"EXECABORT", Errc::aborted},
      {"LOADING", Errc::unavailable},
      {"BUSY", Errc::unavailable},
      {"TRYAGAIN", Errc::unavailable},
      {"MASTERDOWN", Errc::unavailable},
      {"READONLY", Errc::unavailable},
      {"CLUSTERDOWN", Errc::unavailable},
      {"OOM", Errc::resource_exhausted},
      {"ERR", Errc::internal},
  }};
  auto prefix = reply.error_prefix();
  Errc code = Errc::internal;
  for (const auto& kind : kKinds) {
    if (kind.prefix == prefix) code = kind.code;
  }
  return Error{code, "redis: " + redact(reply.text)};
}

// ---- Commands -------------------------------------------------------------------------------

RedisCommand::RedisCommand(std::initializer_list<std::string_view> args) {
  for (auto a : args) arg(a);
}

RedisCommand& RedisCommand::arg(std::string_view value) {
  if (count_ == 0) {
    for (std::string_view name : {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR"}) {
      if (iequals(value, name)) breaks_pipeline_ = true;
    }
  }
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value.size()).ptr;
  args_.push_back('$');
  args_.append(digits, end);
  args_.append("\r\n");
  args_.append(value);
  args_.append("\r\n");
  ++count_;
  return *this;
}

void RedisCommand::append_to(std::string& out) const {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, count_).ptr;
  out.push_back('*');
  out.append(digits, end);
  out.append("\r\n");
  out.append(args_);
}

std::string RedisCommand::encoded() const {
  std::string out;
  out.reserve(args_.size() + 16);
  append_to(out);
  return out;
}

// ---- Decoder --------------------------------------------------------------------------------
//
// hiredis's reader calls these to build each value. A child is appended to its parent's
// elements; hiredis hands children out in index order and keeps a pointer only to arrays that are
// still being filled, whose own parent gets no new element until they are complete, so the
// pointers we return stay valid. Only roots are heap objects of their own, and only roots are
// ever passed to freeObject. The callbacks are C callbacks: nothing may throw through them.

struct RedisDecoder::Budget {
  size_t limit;
  size_t used = 0;  // memory charged to the reply being built
  bool exceeded = false;

  bool charge(size_t bytes) {
    if (bytes > limit - used) {
      exceeded = true;
      return false;
    }
    used += bytes;
    return true;
  }
};

namespace {

using Budget = RedisDecoder::Budget;

void* place(const redisReadTask* task, RedisReply&& value, size_t extra_bytes) noexcept {
  try {
    auto* budget = static_cast<Budget*>(task->privdata);
    if (!budget->charge(sizeof(RedisReply) + extra_bytes)) return nullptr;
    if (task->parent == nullptr) return new RedisReply(std::move(value));
    auto* parent = static_cast<RedisReply*>(task->parent->obj);
    if (static_cast<size_t>(task->idx) != parent->elements.size()) return nullptr;
    parent->elements.push_back(std::move(value));
    return &parent->elements.back();
  } catch (...) {
    return nullptr;  // hiredis reports "Out of memory"
  }
}

void* create_string(const redisReadTask* task, char* str, size_t len) noexcept {
  RedisReply r;
  r.type = task->type == REDIS_REPLY_ERROR    ? RedisReply::Type::error
           : task->type == REDIS_REPLY_STATUS ? RedisReply::Type::status
                                              : RedisReply::Type::string;
  auto* budget = static_cast<Budget*>(task->privdata);
  if (len > budget->limit) {
    budget->exceeded = true;
    return nullptr;
  }
  try {
    r.text.assign(str, len);
  } catch (...) {
    return nullptr;
  }
  return place(task, std::move(r), len);
}

void* create_array(const redisReadTask* task, int elements) noexcept {
  RedisReply r;
  r.type = RedisReply::Type::array;
  try {
    r.elements.reserve(static_cast<size_t>(std::clamp(elements, 0, 64)));
  } catch (...) {
    return nullptr;
  }
  return place(task, std::move(r), 0);
}

void* create_integer(const redisReadTask* task, long long value) noexcept {
  RedisReply r;
  r.type = RedisReply::Type::integer;
  r.integer = value;
  return place(task, std::move(r), 0);
}

void* create_nil(const redisReadTask* task) noexcept { return place(task, RedisReply{}, 0); }

void free_object(void* obj) noexcept { delete static_cast<RedisReply*>(obj); }

redisReplyObjectFunctions kFunctions = {create_string, create_array, create_integer, create_nil,
                                        free_object};

redisReader* reader_of(void* p) { return static_cast<redisReader*>(p); }

}  // namespace

RedisDecoder::RedisDecoder(size_t max_reply_bytes)
    : reader_(redisReaderCreateWithFunctions(&kFunctions)),
      max_reply_bytes_(max_reply_bytes),
      budget_(std::make_unique<Budget>(Budget{max_reply_bytes})) {
  if (!reader_) throw std::bad_alloc();
  reader_of(reader_)->privdata = budget_.get();
}

RedisDecoder::~RedisDecoder() { redisReaderFree(reader_of(reader_)); }

void RedisDecoder::feed(std::string_view bytes) {
  redisReaderFeed(reader_of(reader_), bytes.data(), bytes.size());
}

size_t RedisDecoder::buffered() const {
  auto* r = reader_of(reader_);
  return r->len - r->pos;
}

Result<std::optional<RedisReply>> RedisDecoder::next() {
  auto* reader = reader_of(reader_);
  auto too_large = [&] {
    return Error{Errc::internal, "a reply from Redis is larger than the limit of " +
                                     std::to_string(max_reply_bytes_) + " bytes"};
  };
  if (budget_->exceeded) return too_large();
  void* raw = nullptr;
  if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
    if (budget_->exceeded) return too_large();
    return Error{Errc::internal, std::string("malformed reply from Redis: ") + reader->errstr};
  }
  if (!raw) {
    if (buffered() > max_reply_bytes_) {
      budget_->exceeded = true;
      return too_large();
    }
    return std::optional<RedisReply>();
  }
  std::unique_ptr<RedisReply> reply(static_cast<RedisReply*>(raw));
  budget_->used = 0;
  return std::optional<RedisReply>(std::move(*reply));
}

}  // namespace pe::net
