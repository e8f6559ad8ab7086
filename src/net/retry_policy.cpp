#include "net/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>
#include <random>

namespace pe::net {
namespace {

using std::chrono::milliseconds;

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110's IMF-fixdate; the obsolete forms are not accepted).
std::optional<std::time_t> parse_imf_fixdate(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  std::tm tm{};
  auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  if (month == kMonths.end()) return std::nullopt;
  tm.tm_mon = static_cast<int>(month - kMonths.begin());
  int year = 0;
  if (!parse_int(s.substr(5, 2), tm.tm_mday) || !parse_int(s.substr(12, 4), year) ||
      !parse_int(s.substr(17, 2), tm.tm_hour) || !parse_int(s.substr(20, 2), tm.tm_min) ||
      !parse_int(s.substr(23, 2), tm.tm_sec)) {
    return std::nullopt;
  }
  if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  return timegm(&tm);
}

double random01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

bool is_retryable_status(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds backoff_delay(int attempt, const BackoffOptions& options,
                                        double random01) {
  auto base = options.initial_delay;
  for (int i = 1; i < attempt && base < options.max_delay; ++i) base *= 2;
  base = std::min(base, options.max_delay);
  auto half = base / 2;
  return half + milliseconds(static_cast<milliseconds::rep>(
                    static_cast<double>((base - half).count()) * random01));
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (!value.empty() &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::hours(24 * 365);  // absurd, but a number: "long"
    int seconds = 0;
    if (!parse_int(value, seconds)) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  auto when = parse_imf_fixdate(value);
  if (!when) return std::nullopt;
  auto delta = std::chrono::system_clock::from_time_t(*when) - now;
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(delta));
}

RetryPolicy exponential_backoff(BackoffOptions options) {
  return [options](const RetryAttempt& a) -> std::optional<milliseconds> {
    if (a.attempt >= options.max_attempts) return std::nullopt;
    auto backoff = backoff_delay(a.attempt, options, random01());
    if (!a.result) {
      auto code = a.result.error().code;
      if (code == Errc::cancelled) return std::nullopt;
      bool transient = code == Errc::unavailable || code == Errc::deadline_exceeded;
      if (transient && (!a.sent || a.request.is_idempotent())) return backoff;
      return std::nullopt;
    }
    int status = a.result->status;
    if (!is_retryable_status(status) || !a.request.is_idempotent()) return std::nullopt;
    if (status == 429 || status == 503) {
      if (auto header = a.result->header("Retry-After")) {
        if (auto wait = parse_retry_after(*header, std::chrono::system_clock::now())) {
          if (*wait > options.max_retry_after) return std::nullopt;
          return *wait;
        }
      }
    }
    return backoff;
  };
}

}  // namespace pe::net
