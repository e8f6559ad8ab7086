#include "net/redis_protocol.hpp"

#include "common/redact.hpp"

#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <boost/url/parse.hpp>

#include <charconv>

namespace pe::net {
namespace {

Error bad_url(std::string_view problem) {
  return Error{Errc::invalid_argument, "invalid Redis URL: " + std::string(problem)};
}

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::nil;
  }
  return out;
}

}  // namespace

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
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return bad_url("not an absolute URL");
  const auto& u = *parsed;
  RedisEndpoint e;
  auto scheme = u.scheme();
  if (scheme == "rediss") {
    e.tls = true;
  } else if (scheme != "redis") {
    return bad_url("the scheme must be redis:// or rediss://");
  }
  if (u.host_type() == boost::urls::host_type::ipv6) {
    std::string h = u.host_address();
    e.host = h.size() >= 2 && h.front() == '[' ? h.substr(1, h.size() - 2) : h;
  } else {
    e.host = u.host_address();
  }
  if (e.host.empty()) return bad_url("no host");
  if (u.has_port()) {
    auto p = u.port();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535) {
      return bad_url("the port must be a number from 1 to 65535");
    }
    e.port = static_cast<uint16_t>(value);
  }
  if (u.has_userinfo()) {
    e.user = u.user();
    e.password = u.password();
  }
  std::string_view path = u.encoded_path();
  if (!path.empty() && path != "/") {
    auto digits = path.substr(1);
    int db = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), db);
    if (ec != std::errc() || end != digits.data() + digits.size() || db < 0 || db > 1000) {
      return bad_url("the path must be a database number, e.g. /0");
    }
    e.db = db;
  }
  if (u.has_query() || u.has_fragment())
    return bad_url("query strings and fragments are not supported");
  return e;
}

std::string_view RedisReply::error_prefix() const {
  if (type != Type::error) return {};
  std::string_view t = text;
  return t.substr(0, t.find(' '));
}

Error error_from_reply(const RedisReply& reply) {
  auto prefix = reply.error_prefix();
  Errc code = Errc::invalid_argument;
  if (prefix == "NOSCRIPT") {
    code = Errc::not_found;
  } else if (prefix == "NOAUTH" || prefix == "WRONGPASS" || prefix == "NOPERM") {
    code = Errc::unauthenticated;
  } else if (prefix == "LOADING" || prefix == "BUSY" || prefix == "TRYAGAIN" ||
             prefix == "MASTERDOWN" || prefix == "READONLY") {
    code = Errc::unavailable;
  } else if (prefix == "OOM") {
    code = Errc::resource_exhausted;
  }
  return Error{code, "redis: " + redact(reply.text)};
}

RedisCommand::RedisCommand(std::string_view name) { arg(name); }

RedisCommand::RedisCommand(std::initializer_list<std::string_view> args) {
  for (auto a : args) arg(a);
}

RedisCommand& RedisCommand::arg(std::string_view value) {
  args_.push_back('$');
  args_.append(std::to_string(value.size()));
  args_.append("\r\n");
  args_.append(value);
  args_.append("\r\n");
  ++count_;
  return *this;
}

RedisCommand& RedisCommand::arg(int64_t value) {
  return arg(std::string_view(std::to_string(value)));
}

std::string RedisCommand::encoded() const {
  std::string out = "*" + std::to_string(count_) + "\r\n";
  out.append(args_);
  return out;
}

RedisDecoder::RedisDecoder() : reader_(redisReaderCreate()) {
  if (!reader_) throw std::bad_alloc();
}

RedisDecoder::~RedisDecoder() { redisReaderFree(static_cast<redisReader*>(reader_)); }

void RedisDecoder::feed(std::string_view bytes) {
  redisReaderFeed(static_cast<redisReader*>(reader_), bytes.data(), bytes.size());
}

Result<std::optional<RedisReply>> RedisDecoder::next() {
  auto* reader = static_cast<redisReader*>(reader_);
  void* raw = nullptr;
  if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
    return Error{Errc::internal, std::string("malformed reply from Redis: ") + reader->errstr};
  }
  if (!raw) return std::optional<RedisReply>();
  auto* reply = static_cast<redisReply*>(raw);
  auto out = convert(reply);
  freeReplyObject(reply);
  return std::optional<RedisReply>(std::move(out));
}

}  // namespace pe::net
