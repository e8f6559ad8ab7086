#include "common/log.hpp"

#include "common/redact.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <mutex>

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

std::shared_ptr<spdlog::logger> make_logger(Level level) {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("pe", std::move(sink));
  // The level and message are ours (logfmt); spdlog adds the UTC timestamp and the newline.
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      "ts=%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc));
  logger->set_level(to_spdlog(level));
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::mutex g_init_mutex;
std::shared_ptr<spdlog::logger> g_logger;

spdlog::logger& logger() {
  // Fast path without locking once initialised; init() happens before threads start.
  if (!g_logger) {
    std::lock_guard lock(g_init_mutex);
    if (!g_logger) g_logger = make_logger(Level::info);
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
}

void set_level(Level level) { logger().set_level(to_spdlog(level)); }

bool enabled(Level level) { return logger().should_log(to_spdlog(level)); }

Field::Field(std::string_view key, double value) : key_(key) {
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
  for (const auto& f : fields) append_field(line, f.key(), f.value());
  return line;
}

void Logger::write(Level level, std::string_view event, std::initializer_list<Field> fields) const {
  auto& sink = logger();
  if (!sink.should_log(to_spdlog(level))) return;
  auto line = format_line(level, event, context_, fields);
  sink.log(to_spdlog(level), std::string_view(line));
}

}  // namespace pe::log
