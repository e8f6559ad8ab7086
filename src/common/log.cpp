#include "common/log.hpp"

#include "common/config.hpp"
#include "common/redact.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

namespace pe::log {
namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::trace:
      return "trace";
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
    case Level::off:
      return "off";
  }
  return "info";
}

// stdout through stdio's buffer. spdlog's own stdout sink flushes after every line.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

std::shared_ptr<spdlog::logger> make_logger(Level level) {
  auto sink = std::make_shared<BufferedStdoutSink>();
  auto logger = std::make_shared<spdlog::logger>("pe", std::move(sink));
  // The level and message are ours (logfmt); spdlog adds the UTC timestamp and the newline.
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      "ts=%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc));
  logger->set_level(to_spdlog(level));
  // Warnings and errors reach stdout at once; lower levels are written in batches (stdio's
  // buffer, flushed every kFlushInterval and at exit): one write system call per line cost more
  // than formatting the access-log line itself (docs/benchmarks.md, "HTTP server").
  logger->flush_on(spdlog::level::warn);
  return logger;
}

constexpr auto kFlushInterval = std::chrono::milliseconds(100);

// Flushes stdout every kFlushInterval from one background thread, started with the first logger.
void start_periodic_flush() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::thread([] {
      for (;;) {
        std::this_thread::sleep_for(kFlushInterval);
        std::fflush(stdout);
      }
    }).detach();
  });
}

std::mutex g_init_mutex;
std::shared_ptr<spdlog::logger> g_logger;

spdlog::logger& logger() {
  // Fast path without locking once initialised; init() happens before threads start.
  if (!g_logger) {
    std::lock_guard lock(g_init_mutex);
    if (!g_logger) {
      g_logger = make_logger(Level::info);
      start_periodic_flush();
    }
  }
  return *g_logger;
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '=' || c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

void append_value(std::string& out, std::string_view value) {
  if (!needs_quotes(value)) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out.append("\\x");
          out.push_back(kHex[(c >> 4) & 0xf]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

// Keys are ours, but keep them logfmt-safe anyway.
void append_key(std::string& out, std::string_view key) {
  for (char c : key) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    out.push_back(ok ? c : '_');
  }
}

}  // namespace

Level level_from(EnvReader& read) {
  auto level = parse_level(read.string("LOG_LEVEL", "info"));
  if (level) return *level;
  read.add_error("LOG_LEVEL", level.error().message);
  return Level::info;
}

Result<Level> parse_level(std::string_view text) {
  std::string lower;
  for (char c : text)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "trace") return Level::trace;
  if (lower == "debug") return Level::debug;
  if (lower == "info") return Level::info;
  if (lower == "warn" || lower == "warning") return Level::warn;
  if (lower == "error") return Level::error;
  if (lower == "off") return Level::off;
  return Error{Errc::invalid_argument, "unknown log level '" + redact(text) +
                                           "' (expected trace, debug, info, warn, error or off)"};
}

void init(Level level) {
  std::lock_guard lock(g_init_mutex);
  g_logger = make_logger(level);
  start_periodic_flush();
}

void set_level(Level level) { logger().set_level(to_spdlog(level)); }

bool enabled(Level level) { return logger().should_log(to_spdlog(level)); }

Field::Field(std::string_view key, double value) : key_(key), is_number_(true) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  value_.assign(buf, ec == std::errc() ? end : buf);
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out.push_back(' ');
  append_key(out, key);
  out.push_back('=');
  if (is_sensitive_key(key)) {
    out.append(kRedacted);
  } else {
    append_value(out, redact(value));
  }
}

Logger Logger::with(std::string_view key, std::string_view value) const {
  Logger child = *this;
  append_field(child.context_, key, value);
  return child;
}

std::string format_line(Level level, std::string_view event, std::string_view context,
                        std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(64 + context.size() + 32 * fields.size());
  line.append("level=");
  line.append(level_name(level));
  append_field(line, "msg", event);
  line.append(context);
  for (const auto& f : fields) {
    if (f.is_number() && !is_sensitive_key(f.key())) {
      line.push_back(' ');
      append_key(line, f.key());
      line.push_back('=');
      line.append(f.value());
    } else {
      append_field(line, f.key(), f.value());
    }
  }
  return line;
}

void Logger::write(Level level, std::string_view event, std::initializer_list<Field> fields) const {
  auto& sink = logger();
  if (!sink.should_log(to_spdlog(level))) return;
  auto line = format_line(level, event, context_, fields);
  sink.log(to_spdlog(level), std::string_view(line));
}

}  // namespace pe::log
