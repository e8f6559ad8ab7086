// log.hpp: one line per event on stdout, in logfmt, with secrets redacted.
//
// Every line has a timestamp, a level and an event name, then key=value fields. A Logger carries
// context fields (a request id, a job id) that it adds to every line it writes, so handlers log
// through the Logger of their request rather than a global one. Every value passes through
// redact() (redact.hpp) and values of sensitive keys are replaced outright, so a token handed to
// the logger by mistake is still never printed. Nothing else in the process writes to stdout.
//
//   pe::log::init(pe::log::Level::info);
//   auto log = pe::log::Logger().with("request_id", id);
//   log.info("job_enqueued", {{"job_id", job.id}, {"records", 50}});
//   // ts=2026-11-22T10:00:00.000Z level=info msg=job_enqueued request_id=r1 job_id=j1 records=50
#pragma once

#include "common/error.hpp"

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>

namespace pe {
class EnvReader;
}  // namespace pe

namespace pe::log {

enum class Level { trace, debug, info, warn, error, off };

// Accepts trace, debug, info, warn/warning, error, off (any case).
Result<Level> parse_level(std::string_view text);
// LOG_LEVEL (default info) read through `read`: a bad value is recorded there and reported with
// the reader's other problems by its finish().
Level level_from(EnvReader& read);

// Sets up the stdout sink and the level; call once at start-up (main does). Logging before init
// writes at level info.
void init(Level level);
void set_level(Level level);
bool enabled(Level level);

// One key=value pair. Values of any printable type are turned into text when the Field is made.
class Field {
 public:
  Field(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  Field(std::string_view key, const char* value) : key_(key), value_(value ? value : "") {}
  Field(std::string_view key, const std::string& value) : key_(key), value_(value) {}
  Field(std::string_view key, bool value)
      : key_(key), value_(value ? "true" : "false"), is_number_(true) {}
  Field(std::string_view key, double value);
  template <std::integral T>
  Field(std::string_view key, T value)
      : key_(key), value_(std::to_string(value)), is_number_(true) {}

  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  // Numbers and booleans we printed ourselves: no secret can hide in them, so no redaction pass.
  bool is_number() const { return is_number_; }

 private:
  std::string_view key_;
  std::string value_;
  bool is_number_ = false;
};

class Logger {
 public:
  Logger() = default;

  // A logger that adds key=value to every line, after the fields of this one.
  [[nodiscard]] Logger with(std::string_view key, std::string_view value) const;

  void trace(std::string_view event, std::initializer_list<Field> fields = {}) const {
    write(Level::trace, event, fields);
  }
  void debug(std::string_view event, std::initializer_list<Field> fields = {}) const {
    write(Level::debug, event, fields);
  }
  void info(std::string_view event, std::initializer_list<Field> fields = {}) const {
    write(Level::info, event, fields);
  }
  void warn(std::string_view event, std::initializer_list<Field> fields = {}) const {
    write(Level::warn, event, fields);
  }
  void error(std::string_view event, std::initializer_list<Field> fields = {}) const {
    write(Level::error, event, fields);
  }
  void write(Level level, std::string_view event, std::initializer_list<Field> fields) const;

 private:
  std::string context_;  // already formatted " key=value" pairs
};

// The line a Logger would print, without the timestamp: "level=info msg=x k=v". For tests.
std::string format_line(Level level, std::string_view event, std::string_view context,
                        std::initializer_list<Field> fields);

// Appends " key=value" to out, quoting and escaping the value as logfmt requires and redacting it.
void append_field(std::string& out, std::string_view key, std::string_view value);

}  // namespace pe::log
