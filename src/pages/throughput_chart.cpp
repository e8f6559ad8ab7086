#include "pages/throughput_chart.hpp"

#include "pages/html.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace pe::pages {
namespace {

// The drawing's own units (viewBox); CSS scales it to the page's width.
constexpr double kWidth = 640;
constexpr double kHeight = 180;
constexpr double kLeft = 44;  // room for the scale's labels
constexpr double kRight = 4;
constexpr double kTop = 8;
constexpr double kPlotBottom = 148;  // bars stand on this line
constexpr double kMarkTop = 151;     // failed-job marks, under the bars
constexpr double kLabelBaseline = 174;

std::string fixed(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

std::string minute_clock(int64_t unix_minute) { return utc_time(unix_minute * 60'000, "%H:%M"); }

void bar_title(Html& h, const jobs::ThroughputPoint& p) {
  h.raw("<title>")
      .text(minute_clock(p.minute))
      .raw(" UTC: ")
      .number(p.quotes)
      .raw(p.quotes == 1 ? " quote, " : " quotes, ")
      .number(p.jobs)
      .raw(p.jobs == 1 ? " job ended" : " jobs ended");
  if (p.failed > 0) h.raw(", ").number(p.failed).raw(" not succeeded");
  h.raw("</title>");
}

}  // namespace

int64_t chart_scale_top(int64_t n) {
  if (n <= 1) return 1;
  for (int64_t power = 1;; power *= 10) {
    for (int64_t step : {1, 2, 5}) {
      if (step * power >= n) return step * power;
    }
    if (power > INT64_MAX / 100) return n;
  }
}

std::string throughput_chart(std::span<const jobs::ThroughputPoint> points) {
  if (points.empty()) return {};
  int64_t busiest = 0;
  int64_t total = 0;
  for (const auto& p : points) {
    busiest = std::max(busiest, p.quotes);
    total += p.quotes;
  }
  const int64_t top = chart_scale_top(busiest);
  const double slot = (kWidth - kLeft - kRight) / static_cast<double>(points.size());
  const double plot_height = kPlotBottom - kTop;

  Html h;
  h.raw("<svg class=\"chart\" role=\"img\" preserveAspectRatio=\"xMinYMid meet\" viewBox=\"0 0 ")
      .number(static_cast<long long>(kWidth))
      .raw(" ")
      .number(static_cast<long long>(kHeight))
      .raw(
          "\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">Quotes written per "
          "minute, ")
      .text(minute_clock(points.front().minute))
      .raw(" to ")
      .text(minute_clock(points.back().minute))
      .raw(" UTC: ")
      .number(total)
      .raw(" in all, at most ")
      .number(busiest)
      .raw(" in a minute</title>");

  // The scale: its top, its middle (when it is a whole number), zero.
  std::vector<int64_t> scale{top};
  if (top >= 2 && top % 2 == 0) scale.push_back(top / 2);
  scale.push_back(0);
  for (int64_t value : scale) {
    const double y =
        kPlotBottom - plot_height * static_cast<double>(value) / static_cast<double>(top);
    h.raw("<line class=\"axis\" x1=\"")
        .raw(fixed(kLeft))
        .raw("\" x2=\"")
        .raw(fixed(kWidth - kRight))
        .raw("\" y1=\"")
        .raw(fixed(y))
        .raw("\" y2=\"")
        .raw(fixed(y))
        .raw("\"/><text x=\"")
        .raw(fixed(kLeft - 4))
        .raw("\" y=\"")
        .raw(fixed(y + 3))
        .raw("\" text-anchor=\"end\">")
        .number(value)
        .raw("</text>");
  }

  for (size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    const double x = kLeft + slot * static_cast<double>(i) + slot * 0.1;
    const double width = slot * 0.8;
    const double height = plot_height * static_cast<double>(p.quotes) / static_cast<double>(top);
    h.raw("<g data-minute=\"")
        .number(p.minute)
        .raw("\" data-quotes=\"")
        .number(p.quotes)
        .raw("\">");
    bar_title(h, p);
    // A bar for every minute, the empty ones too (height 0), so each minute can be pointed at.
    h.raw("<rect class=\"bar\" x=\"")
        .raw(fixed(x))
        .raw("\" y=\"")
        .raw(fixed(kPlotBottom - height))
        .raw("\" width=\"")
        .raw(fixed(width))
        .raw("\" height=\"")
        .raw(fixed(height))
        .raw("\"/>");
    if (p.failed > 0) {
      h.raw("<rect class=\"fail\" x=\"")
          .raw(fixed(x))
          .raw("\" y=\"")
          .raw(fixed(kMarkTop))
          .raw("\" width=\"")
          .raw(fixed(width))
          .raw("\" height=\"4\"/>");
    }
    h.raw("</g>");
  }

  // Minute labels: the first, the middle and the last.
  const size_t last = points.size() - 1;
  for (size_t i : {size_t{0}, last / 2, last}) {
    if (i == last / 2 && (i == 0 || i == last)) continue;
    const double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    const char* anchor = i == 0 ? "start" : i == last ? "end" : "middle";
    h.raw("<text x=\"")
        .raw(fixed(i == 0      ? kLeft
                   : i == last ? kWidth - kRight
                               : x))
        .raw("\" y=\"")
        .raw(fixed(kLabelBaseline))
        .raw("\" text-anchor=\"")
        .raw(anchor)
        .raw("\">")
        .text(minute_clock(points[i].minute))
        .raw("</text>");
  }
  h.raw("</svg>");
  return std::move(h).str();
}

}  // namespace pe::pages
