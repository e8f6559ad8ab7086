#include "common/config.hpp"

#include "common/redact.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

extern char** environ;

namespace pe {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::string> parse_double_quoted(std::string_view body, size_t line_no) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\\' && i + 1 < body.size()) {
      char n = body[++i];
      switch (n) {
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        default:
          out.push_back(n);
      }
    } else if (c == '"') {
      return Error{Errc::invalid_argument,
                   ".env line " + std::to_string(line_no) + ": text after the closing quote"};
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<std::map<std::string, std::string, std::less<>>> Env::parse_dotenv(std::string_view text) {
  std::map<std::string, std::string, std::less<>> values;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Error{Errc::invalid_argument,
                   ".env line " + std::to_string(line_no) + ": expected KEY=VALUE"};
    }
    std::string_view name = trim(line.substr(0, eq));
    std::string_view value = trim(line.substr(eq + 1));
    if (!valid_name(name)) {
      return Error{Errc::invalid_argument,
                   ".env line " + std::to_string(line_no) + ": invalid variable name"};
    }
    std::string parsed;
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      parsed = std::string(value.substr(1, value.size() - 2));
    } else if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      auto unquoted = parse_double_quoted(value.substr(1, value.size() - 2), line_no);
      if (!unquoted) return unquoted.error();
      parsed = std::move(*unquoted);
    } else if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      return Error{Errc::invalid_argument,
                   ".env line " + std::to_string(line_no) + ": unterminated quote"};
    } else {
      // Unquoted: a trailing " # comment" is not part of the value.
      size_t hash = value.find(" #");
      parsed = std::string(trim(value.substr(0, hash)));
    }
    values[std::string(name)] = std::move(parsed);
  }
  return values;
}

Result<Env> Env::from_process(const std::filesystem::path& dotenv_path) {
  std::map<std::string, std::string, std::less<>> values;
  std::error_code ec;
  if (!dotenv_path.empty() && std::filesystem::is_regular_file(dotenv_path, ec)) {
    std::ifstream in(dotenv_path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (buf.str().size() > 1 << 20) {
      return Error{Errc::invalid_argument, dotenv_path.string() + ": larger than 1 MiB"};
    }
    auto parsed = parse_dotenv(buf.str());
    if (!parsed) {
      return Error{Errc::invalid_argument, dotenv_path.string() + ": " + parsed.error().message};
    }
    values = std::move(*parsed);
  }
  // The real environment wins over the file.
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    values[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
  }
  return Env(std::move(values));
}

std::optional<std::string_view> Env::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> EnvReader::raw(std::string_view name) const {
  auto value = env_.get(name);
  if (!value || trim(*value).empty()) return std::nullopt;
  return trim(*value);
}

void EnvReader::add_error(std::string_view name, std::string_view problem) {
  errors_.push_back(std::string(name) + ": " + std::string(problem));
}

std::vector<std::string> EnvReader::list(std::string_view name, std::string_view fallback) {
  std::vector<std::string> items;
  std::string_view text = raw(name).value_or(fallback);
  while (true) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::vector<std::string> EnvReader::names_starting_with(std::string_view prefix) const {
  std::vector<std::string> names;
  for (const auto& [name, value] : env_.values()) {
    if (name.starts_with(prefix) && !trim(value).empty()) names.push_back(name);
  }
  return names;  // the map is sorted
}

std::string EnvReader::string(std::string_view name, std::string_view fallback) {
  return std::string(raw(name).value_or(fallback));
}

std::string EnvReader::required_string(std::string_view name) {
  auto value = raw(name);
  if (!value) {
    fail(name, "is required but not set");
    return {};
  }
  return std::string(*value);
}

std::optional<std::string> EnvReader::optional_string(std::string_view name) {
  auto value = raw(name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

int64_t EnvReader::integer(std::string_view name, int64_t fallback, int64_t min, int64_t max) {
  auto value = raw(name);
  if (!value) return fallback;
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (ec != std::errc() || end != value->data() + value->size()) {
    fail(name, "expected a whole number, got '" + redact(*value) + "'");
    return fallback;
  }
  if (parsed < min || parsed > max) {
    fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                   std::to_string(parsed));
    return fallback;
  }
  return parsed;
}

bool EnvReader::boolean(std::string_view name, bool fallback) {
  auto value = raw(name);
  if (!value) return fallback;
  auto v = lower(*value);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  fail(name, "expected true or false, got '" + redact(*value) + "'");
  return fallback;
}

std::chrono::milliseconds EnvReader::seconds(std::string_view name,
                                             std::chrono::milliseconds fallback,
                                             std::chrono::milliseconds min,
                                             std::chrono::milliseconds max) {
  auto value = raw(name);
  if (!value) return fallback;
  // Parse as decimal seconds with at most 3 fractional digits, without floating point.
  std::string_view text = *value;
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  int64_t w = 0;
  bool ok = !whole.empty() && frac.size() <= 3 && whole.size() <= 9;
  if (ok) {
    auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), w);
    ok = ec == std::errc() && end == whole.data() + whole.size() && w >= 0;
  }
  int64_t ms = w * 1000;
  for (size_t i = 0; ok && i < 3; ++i) {
    int digit = 0;
    if (i < frac.size()) {
      ok = std::isdigit(static_cast<unsigned char>(frac[i])) != 0;
      digit = frac[i] - '0';
    }
    ms += digit * (i == 0 ? 100 : i == 1 ? 10 : 1);
  }
  if (!ok) {
    fail(name, "expected a number of seconds such as 15 or 0.5, got '" + redact(text) + "'");
    return fallback;
  }
  std::chrono::milliseconds parsed(ms);
  if (parsed < min || parsed > max) {
    fail(name, "must be between " + std::to_string(min.count() / 1000.0) + " and " +
                   std::to_string(max.count() / 1000.0) + " seconds");
    return fallback;
  }
  return parsed;
}

std::string EnvReader::url(std::string_view name, std::string_view fallback,
                           std::initializer_list<std::string_view> schemes) {
  auto value = raw(name);
  if (!value) {
    if (fallback.empty()) fail(name, "is required but not set");
    return std::string(fallback);
  }
  auto parsed = boost::urls::parse_absolute_uri(*value);
  if (!parsed) {
    fail(name, "is not a valid absolute URL");
    return std::string(fallback);
  }
  auto scheme = lower(parsed->scheme());
  if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
    std::string expected;
    for (auto s : schemes) expected += (expected.empty() ? "" : " or ") + std::string(s) + "://";
    fail(name, "must start with " + expected);
    return std::string(fallback);
  }
  if (parsed->host().empty()) {
    fail(name, "has no host");
    return std::string(fallback);
  }
  return std::string(*value);
}

Result<void> EnvReader::finish() const {
  if (errors_.empty()) return {};
  std::string message = "invalid configuration:";
  for (const auto& e : errors_) message += "\n  " + e;
  return Error{Errc::invalid_argument, std::move(message)};
}

}  // namespace pe
