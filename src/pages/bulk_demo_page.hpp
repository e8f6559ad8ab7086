// bulk_demo_page.hpp: /bulk, the Bulk API demo — load N generated Accounts into a connected org
// with Bulk API 2.0, watch it progress, read the rows the org refused with Salesforce's
// sf__Error, abort it, and delete exactly the rows it created (docs/pages.md, "Bulk API demo").
//
// Routes (all behind the sign-in; every POST carries the session's CSRF token, pages.hpp):
//   GET  /bulk                        the form (org, rows 1..100,000 default 1,000, rows the org
//                                     should refuse 0..100 default 0) and the 20 newest loads
//   POST /bulk/loads                  csrf, org, rows, refused → 303 /bulk/loads/{id}; 400 for a
//                                     bad value or an org not in CONNECTION_NAMES; 429 when
//                                     kBulkMaxRunning loads or cleanups run already
//   GET  /bulk/loads/{id}             the load: state, progress bar, figures, the refused rows
//                                     (first 100) once it ended, Abort / Clean up
//   GET  /bulk/loads/{id}/progress    JSON for the page's script (Accept: application/json):
//                                     {id, state, state_label, sf_state, rows, processed,
//                                     succeeded, failed, progress, total, done, error, deleted,
//                                     cleanup_total, cleanup_processed, cleanup_failed}
//   POST /bulk/loads/{id}/abort       PATCH the job to Aborted → 303; 409 when it is not running
//   POST /bulk/loads/{id}/cleanup     a Bulk delete job of the created Ids → 303; 409 unless the
//                                     load ended (complete, aborted, failed, cleanup failed)
// An unknown or malformed id, or a load of an org no longer in CONNECTION_NAMES: 404.
//
// `processed` is Salesforce's numberRecordsProcessed, which counts the failed rows too:
// succeeded = processed − failed. `done` is true once the load ended (JobComplete, Failed,
// Aborted) or its cleanup did.
//
// State lives in Redis (bulk_demo_store.hpp: keys, TTL), progress is read from Salesforce when a
// request for it finds the last read older than a second (bulk_demo_job.hpp), so a reload, a
// second `web` instance or a `web` restart shows the load carrying on to its end, with no
// background task beyond the one that started it.
#pragma once

#include "net/router.hpp"
#include "pages/bulk_demo_store.hpp"

#include <string>
#include <string_view>

namespace pe::pages {

class PageRoutes;

void add_bulk_demo_page(PageRoutes& pages, net::Router& router);

// The body of a load's page (exposed for tests): every value from the org or the load escaped.
std::string render_bulk_load(const BulkLoad& load, std::string_view csrf);

}  // namespace pe::pages
