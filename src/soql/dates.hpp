// dates.hpp: SOQL's date and datetime literals and its relative date literals (TODAY,
// LAST_N_DAYS:n, THIS_MONTH, ...), resolved against a clock the caller passes in.
//
// The parser uses the strict parsers to validate literals. The local org stores dates as
// "YYYY-MM-DD" text and datetimes as "YYYY-MM-DDTHH:MM:SS.sss+0000" text in UTC
// (src/devorg/README.md); both sort correctly as text, so its translator turns a relative literal
// into a half-open range of such strings.
//
//   auto d = parse_soql_date("2024-02-29");            // std::optional<sys_days>
//   auto t = parse_soql_datetime("2024-01-31T10:00:00+02:00");
//   format_datetime(*t) == "2024-01-31T08:00:00.000+0000"
//   auto r = relative_date_range("LAST_N_DAYS", 7, today);   // [today - 7, today + 1)
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pe::soql {

using Millis = std::chrono::sys_time<std::chrono::milliseconds>;

// Strict YYYY-MM-DD with a real calendar date (leap years checked); nullopt otherwise.
std::optional<std::chrono::sys_days> parse_soql_date(std::string_view text);
// YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|+hh:mm|-hh:mm), T and Z in either case; the instant in UTC.
// Fractions beyond milliseconds are truncated.
std::optional<Millis> parse_soql_datetime(std::string_view text);

std::string format_date(std::chrono::sys_days day);  // "2024-01-31"
std::string format_datetime(Millis instant);         // "2024-01-31T08:00:00.000+0000"

// Relative date literals. Whether `name` (upper case) is one we resolve, needs ":n", or is a
// fiscal-period literal (which the local org does not support: it has no fiscal year settings).
bool is_relative_date_literal(std::string_view name);
bool relative_date_literal_takes_n(std::string_view name);
bool is_fiscal_date_literal(std::string_view name);

// The days [first, end) that a relative literal covers on `today` (weeks start on Sunday, as in
// the en_US locale). `n` is the literal's parameter, 0 when it takes none. Results are clamped to
// years 0001..9999, so a huge n yields a range no stored date can reach rather than overflow.
struct DayRange {
  std::chrono::sys_days first;
  std::chrono::sys_days end;
};
std::optional<DayRange> relative_date_range(std::string_view name, int64_t n,
                                            std::chrono::sys_days today);

}  // namespace pe::soql
