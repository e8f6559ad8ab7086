// throughput_chart.hpp: the operations dashboard's chart of quotes written per minute, drawn on
// the server as inline SVG (no script, no third-party bundle; the CSP allows it, it is markup).
//
// One bar per minute, oldest on the left, the current minute on the right; the scale's top is
// the busiest minute rounded up to 1, 2 or 5 times a power of ten, so its label reads well. A
// minute that had failed jobs gets a red mark under its bar. Each bar carries a <title> (its
// minute in UTC and its figures) that a pointer or a screen reader can reach, and the whole chart
// a <title> that says in words what it shows, so it reads without seeing it.
//
//   auto points = co_await activity.throughput(system_clock::now());  // 60, oldest first
//   h.raw(throughput_chart(*points));
#pragma once

#include "jobs/activity_log.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace pe::pages {

// The smallest of 1, 2, 5 times a power of ten that is at least `n` (and at least 1).
int64_t chart_scale_top(int64_t n);

// The <svg> element; "" for no points.
std::string throughput_chart(std::span<const jobs::ThroughputPoint> points);

}  // namespace pe::pages
