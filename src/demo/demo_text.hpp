// demo_text.hpp: the small text readers the demo watches the system with — the last lines of a
// log, one logfmt line's fields, one Prometheus counter — and the money it prints. Pure
// functions, no I/O: unit-tested in demo_text_test.cpp.
//
//   auto fields = parse_logfmt(R"(ts=... level=info msg=job_done job=1-0 status="Quotes ...")");
//   fields["msg"] == "job_done"
//   metric_value(metrics_text, "pricing_webhook_events_received_total")   // optional<double>
//   money_text(record.at("TotalPrice"))                                   // "12,345.60"
//   percent_off(list, total)                                              // "10.00 %"
#pragma once

#include "common/money.hpp"

#include <boost/json/fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pe::demo {

// The last `lines` lines of `text` (all of it when it has fewer), ending with a newline.
std::string last_lines(std::string_view text, size_t lines);

// key=value pairs of a logfmt line; values may be double-quoted with \" and \\ escapes.
std::map<std::string, std::string> parse_logfmt(std::string_view line);

// The value of an unlabelled sample `name` in Prometheus text, or nullopt when absent.
std::optional<double> metric_value(std::string_view text, std::string_view name);

// A currency amount as a JSON number (or exact-number string): "12,345.60"; "-" for null.
std::string money_text(const boost::json::value& amount);
// The same for a Decimal, rounded half up to 2 places.
std::string money_text(Decimal amount);

// How much lower `total` is than `list`, as a percentage rounded half up to 2 places:
// percent_off(200, 180) is "10.00 %". "-" when `list` is not positive.
std::string percent_off(Decimal list, Decimal total);

}  // namespace pe::demo
