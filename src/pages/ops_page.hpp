// ops_page.hpp: GET /ops — the operations dashboard: what the whole product is doing.
//
// - The queues: the main one (eventing transactions and async org actions, `<prefix>jobs`) and
//   the batch one (`<prefix>batch:jobs`): waiting, running, delayed, dead letters.
// - The dead letters of both, with their last error, and Retry (back to the stream as a first
//   attempt) and Drop, each a POST with the session's CSRF token:
//   POST /ops/dead/{queue}/{id}/retry and /ops/dead/{queue}/{id}/drop (queue: main | batch).
//   A dead letter that needed the invoking user's token (an async org action, a batch chunk run
//   as the user) no longer holds it (jobs/job.hpp), so it offers only Drop: a retry would fail.
// - Recent jobs of every kind with their status, the quotes written per minute over the last
//   hour (a bar chart drawn as SVG, throughput_chart.hpp), and the quotes written in all
//   (jobs/activity_log.hpp). Reload the page to see it move: nothing on it polls.
#pragma once

#include "net/router.hpp"

namespace pe::pages {

class PageRoutes;

void add_ops_page(PageRoutes& pages, net::Router& router);

}  // namespace pe::pages
