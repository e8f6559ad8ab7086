// config.hpp: configuration from the environment, 12-factor style, with a .env file.
//
// Env is a snapshot of the variables a process sees: the real environment, plus the entries of
// a .env file (as `heroku local` users expect) for names the real environment does not set.
// EnvReader reads typed values from it and collects every problem, so that a process that is
// misconfigured reports all its bad variables at once instead of one per restart.
//
//   auto env = Env::from_process();              // environ + ./.env
//   EnvReader read(env);
//   int port = read.integer("PORT", 8080, 1, 65535);
//   auto redis = read.url("REDIS_URL", "redis://127.0.0.1:6379");
//   if (auto ok = read.finish(); !ok) { std::cerr << ok.error().message; return 2; }
#pragma once

#include "common/error.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe {

class Env {
 public:
  Env() = default;
  explicit Env(std::map<std::string, std::string, std::less<>> values)
      : values_(std::move(values)) {}

  // The process environment, plus the entries of dotenv_path (when the file exists) for names
  // the environment does not set. A malformed .env file is a start-up error.
  static Result<Env> from_process(const std::filesystem::path& dotenv_path = ".env");

  // Parses .env text: KEY=VALUE lines, optional `export `, # comments, blank lines, values in
  // single quotes (literal) or double quotes (with \n, \", \\ escapes). Errors name the line.
  static Result<std::map<std::string, std::string, std::less<>>> parse_dotenv(
      std::string_view text);

  std::optional<std::string_view> get(std::string_view name) const;
  void set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  const auto& values() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Reads typed values from an Env, remembering every error. Getters return the default (or an
// empty value) after recording an error, so reading can go on and report everything at once.
class EnvReader {
 public:
  explicit EnvReader(const Env& env) : env_(env) {}

  std::string string(std::string_view name, std::string_view fallback);
  // An error when the variable is unset or empty.
  std::string required_string(std::string_view name);
  std::optional<std::string> optional_string(std::string_view name);
  // A comma-separated list: items trimmed of spaces and tabs, empty ones dropped ("a, b,,c" →
  // a, b, c); `fallback` when unset.
  std::vector<std::string> list(std::string_view name, std::string_view fallback = "");
  // The names set (not empty) that start with `prefix`, sorted: PRICING_DEVORG_URL_SALES, ...
  std::vector<std::string> names_starting_with(std::string_view prefix) const;
  int64_t integer(std::string_view name, int64_t fallback, int64_t min, int64_t max);
  // true/false, 1/0, yes/no, on/off (any case).
  bool boolean(std::string_view name, bool fallback);
  // Whole or fractional seconds ("15", "0.5").
  std::chrono::milliseconds seconds(std::string_view name, std::chrono::milliseconds fallback,
                                    std::chrono::milliseconds min, std::chrono::milliseconds max);
  // A URL with one of the given schemes (e.g. {"redis", "rediss"}); an empty fallback means
  // required. The error message never shows the URL's password.
  std::string url(std::string_view name, std::string_view fallback,
                  std::initializer_list<std::string_view> schemes);

  // Records a problem with `name` found by a reader outside this class (e.g. log::level_from).
  void add_error(std::string_view name, std::string_view problem);

  const std::vector<std::string>& errors() const { return errors_; }
  // Ok, or one invalid_argument error listing every problem, one per line.
  Result<void> finish() const;

 private:
  std::optional<std::string_view> raw(std::string_view name) const;
  void fail(std::string_view name, std::string_view problem) { add_error(name, problem); }

  const Env& env_;
  std::vector<std::string> errors_;
};

}  // namespace pe
