// demo_org_actions.hpp: the demo's second part — the org actions, invoked the way Apex would
// invoke them, through the local org's AppLink side (POST /devorg/invocations): one quote now
// (generateQuote), then a few later with a callback (generateQuotesAsync), shown as they happen.
#pragma once

#include "common/error.hpp"
#include "demo/demo_stack.hpp"
#include "net/http_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <ostream>

namespace pe::demo {

struct OrgActionsShown {
  std::string quote_id;    // the sync action's quote
  std::string job_id;      // the async action's job
  std::string job_status;  // from its callback: succeeded, partially_failed, failed
  size_t async_quotes = 0;
};

boost::asio::awaitable<Result<OrgActionsShown>> show_org_actions(net::HttpClient& client,
                                                                 const DemoStack& stack,
                                                                 std::ostream& out,
                                                                 std::chrono::seconds timeout);

}  // namespace pe::demo
