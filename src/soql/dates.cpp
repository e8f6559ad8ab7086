#include "soql/dates.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace pe::soql {
namespace {

using namespace std::chrono;

constexpr int64_t kMinMonthIndex = 1 * 12;          // 0001-01
constexpr int64_t kMaxMonthIndex = 9999 * 12 + 11;  // 9999-12

bool digits(std::string_view text, size_t pos, size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

sys_days min_day() { return sys_days(year{1} / January / 1); }
sys_days max_day() { return sys_days(year{9999} / December / 31); }

sys_days clamp_day(int64_t days_since_epoch) {
  int64_t lo = min_day().time_since_epoch().count();
  int64_t hi = max_day().time_since_epoch().count() + 1;  // an exclusive end may be 10000-01-01
  return sys_days(days(std::clamp(days_since_epoch, lo, hi)));
}

sys_days add_days(sys_days day, int64_t n) {
  // n is at most 2^31 and day within years 1..9999: no overflow in int64.
  return clamp_day(day.time_since_epoch().count() + n);
}

// The first day of the month `month_index` (year * 12 + month - 1), clamped to 0001..10000-01.
sys_days month_start(int64_t month_index) {
  if (month_index < kMinMonthIndex) return min_day();
  if (month_index > kMaxMonthIndex) return add_days(max_day(), 1);
  return sys_days(year{static_cast<int>(month_index / 12)} /
                  month{static_cast<unsigned>(month_index % 12 + 1)} / 1);
}

struct Calendar {
  sys_days today;
  int64_t this_month;    // month index of today
  int64_t this_quarter;  // month index of the first month of today's quarter
  int64_t this_year;     // month index of January this year
  sys_days week_start;   // the Sunday on or before today
};

Calendar calendar(sys_days today) {
  year_month_day ymd(today);
  Calendar c;
  c.today = today;
  c.this_month = int64_t{static_cast<int>(ymd.year())} * 12 + (unsigned(ymd.month()) - 1);
  c.this_quarter = c.this_month - c.this_month % 3;
  c.this_year = c.this_month - c.this_month % 12;
  c.week_start = today - days(weekday(today).c_encoding());
  return c;
}

DayRange months(int64_t first_month, int64_t count) {
  return {month_start(first_month), month_start(first_month + count)};
}

DayRange day_span(sys_days first, int64_t count) { return {first, add_days(first, count)}; }

// Each literal, as a function of the calendar and n.
struct Rule {
  std::string_view name;
  bool takes_n;
  DayRange (*range)(const Calendar&, int64_t n);
};

constexpr std::array<Rule, 28> kRules = {{
    {"TODAY", false, [](const Calendar& c, int64_t) { return day_span(c.today, 1); }},
    {"YESTERDAY", false,
     [](const Calendar& c, int64_t) { return day_span(add_days(c.today, -1), 1); }},
    {"TOMORROW", false,
     [](const Calendar& c, int64_t) { return day_span(add_days(c.today, 1), 1); }},
    {"THIS_WEEK", false, [](const Calendar& c, int64_t) { return day_span(c.week_start, 7); }},
    {"LAST_WEEK", false,
     [](const Calendar& c, int64_t) { return day_span(add_days(c.week_start, -7), 7); }},
    {"NEXT_WEEK", false,
     [](const Calendar& c, int64_t) { return day_span(add_days(c.week_start, 7), 7); }},
    {"THIS_MONTH", false, [](const Calendar& c, int64_t) { return months(c.this_month, 1); }},
    {"LAST_MONTH", false, [](const Calendar& c, int64_t) { return months(c.this_month - 1, 1); }},
    {"NEXT_MONTH", false, [](const Calendar& c, int64_t) { return months(c.this_month + 1, 1); }},
    {"THIS_QUARTER", false, [](const Calendar& c, int64_t) { return months(c.this_quarter, 3); }},
    {"LAST_QUARTER", false,
     [](const Calendar& c, int64_t) { return months(c.this_quarter - 3, 3); }},
    {"NEXT_QUARTER", false,
     [](const Calendar& c, int64_t) { return months(c.this_quarter + 3, 3); }},
    {"THIS_YEAR", false, [](const Calendar& c, int64_t) { return months(c.this_year, 12); }},
    {"LAST_YEAR", false, [](const Calendar& c, int64_t) { return months(c.this_year - 12, 12); }},
    {"NEXT_YEAR", false, [](const Calendar& c, int64_t) { return months(c.this_year + 12, 12); }},
    // "Starts 00:00:00 of the current day and continues for the last 90 days": today included.
    {"LAST_90_DAYS", false,
     [](const Calendar& c, int64_t) {
       return DayRange{add_days(c.today, -90), add_days(c.today, 1)};
     }},
    // "Starts 00:00:00 of the next day and continues for the next 90 days".
    {"NEXT_90_DAYS", false,
     [](const Calendar& c, int64_t) { return day_span(add_days(c.today, 1), 90); }},
    {"LAST_N_DAYS", true,
     [](const Calendar& c, int64_t n) {
       return DayRange{add_days(c.today, -n), add_days(c.today, 1)};
     }},
    {"NEXT_N_DAYS", true,
     [](const Calendar& c, int64_t n) { return day_span(add_days(c.today, 1), n); }},
    {"LAST_N_WEEKS", true,
     [](const Calendar& c, int64_t n) {
       return DayRange{add_days(c.week_start, -7 * n), c.week_start};
     }},
    {"NEXT_N_WEEKS", true,
     [](const Calendar& c, int64_t n) { return day_span(add_days(c.week_start, 7), 7 * n); }},
    {"LAST_N_MONTHS", true,
     [](const Calendar& c, int64_t n) { return months(c.this_month - n, n); }},
    {"NEXT_N_MONTHS", true,
     [](const Calendar& c, int64_t n) { return months(c.this_month + 1, n); }},
    {"LAST_N_QUARTERS", true,
     [](const Calendar& c, int64_t n) { return months(c.this_quarter - 3 * n, 3 * n); }},
    {"NEXT_N_QUARTERS", true,
     [](const Calendar& c, int64_t n) { return months(c.this_quarter + 3, 3 * n); }},
    {"LAST_N_YEARS", true,
     [](const Calendar& c, int64_t n) { return months(c.this_year - 12 * n, 12 * n); }},
    {"NEXT_N_YEARS", true,
     [](const Calendar& c, int64_t n) { return months(c.this_year + 12, 12 * n); }},
    {"N_DAYS_AGO", true,
     [](const Calendar& c, int64_t n) { return day_span(add_days(c.today, -n), 1); }},
}};

const Rule* find_rule(std::string_view name) {
  for (const auto& rule : kRules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

}  // namespace

std::optional<sys_days> parse_soql_date(std::string_view text) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!digits(text, 0, 4, y) || !digits(text, 5, 2, m) || !digits(text, 8, 2, d)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (y < 1 || !ymd.ok()) return std::nullopt;
  return sys_days(ymd);
}

std::optional<Millis> parse_soql_datetime(std::string_view text) {
  if (text.size() < 20) return std::nullopt;
  auto date = parse_soql_date(text.substr(0, 10));
  if (!date || (text[10] != 'T' && text[10] != 't')) return std::nullopt;
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (!digits(text, 11, 2, hh) || text[13] != ':' || !digits(text, 14, 2, mm) || text[16] != ':' ||
      !digits(text, 17, 2, ss)) {
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    size_t first = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - first < 3) millis = millis * 10 + (text[pos] - '0');
      ++pos;
    }
    size_t count = pos - first;
    if (count == 0 || count > 9) return std::nullopt;
    for (size_t i = count; i < 3; ++i) millis *= 10;
  }
  int64_t offset_minutes = 0;
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset_minutes = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh = 0;
    int om = 0;
    if (!digits(zone, 1, 2, oh) || !digits(zone, 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  auto local = Millis(*date) + hours(hh) + minutes(mm) + seconds(ss) + milliseconds(millis);
  return local - minutes(offset_minutes);
}

std::string format_date(sys_days day) {
  year_month_day ymd(day);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()));
  return buffer;
}

std::string format_datetime(Millis instant) {
  sys_days day = floor<days>(instant);
  auto in_day = instant - day;
  auto h = duration_cast<hours>(in_day);
  auto m = duration_cast<minutes>(in_day - h);
  auto s = duration_cast<seconds>(in_day - h - m);
  auto ms = duration_cast<milliseconds>(in_day - h - m - s);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%sT%02d:%02d:%02d.%03d+0000", format_date(day).c_str(),
                static_cast<int>(h.count()), static_cast<int>(m.count()),
                static_cast<int>(s.count()), static_cast<int>(ms.count()));
  return buffer;
}

bool is_relative_date_literal(std::string_view name) { return find_rule(name) != nullptr; }

bool relative_date_literal_takes_n(std::string_view name) {
  const Rule* rule = find_rule(name);
  return rule != nullptr && rule->takes_n;
}

bool is_fiscal_date_literal(std::string_view name) {
  return name.find("FISCAL_") != std::string_view::npos &&
         (name.starts_with("THIS_") || name.starts_with("LAST_") || name.starts_with("NEXT_"));
}

std::optional<DayRange> relative_date_range(std::string_view name, int64_t n, sys_days today) {
  const Rule* rule = find_rule(name);
  if (rule == nullptr) return std::nullopt;
  return rule->range(calendar(today), n);
}

}  // namespace pe::soql
