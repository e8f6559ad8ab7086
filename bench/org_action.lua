-- org_action.lua: wrk sends invocations of one org action, each with its own headers, as
-- Salesforce would: the file INVOCATIONS (one per line: x-request-id, x-request-context,
-- x-client-context and the JSON body, tab-separated; made by org_action_wrk.sh with the local
-- org's POST /devorg/invocations {"send": false}) is read once per thread, and each thread walks
-- its own share of it so that no invocation is sent twice while the file lasts.
local invocations = {}
local next_one = 1

function setup(thread)
  thread:set("id", setup_count or 0)
  setup_count = (setup_count or 0) + 1
end

function init(args)
  local threads = tonumber(os.getenv("WRK_THREADS") or "1")
  local n = 0
  for line in io.lines(os.getenv("INVOCATIONS")) do
    if n % threads == id then
      local rid, rc, cc, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      invocations[#invocations + 1] = {rid = rid, rc = rc, cc = cc, body = body}
    end
    n = n + 1
  end
end

function request()
  local i = invocations[next_one]
  next_one = next_one % #invocations + 1
  return wrk.format("POST", os.getenv("ROUTE") or "/api/generatequote",
                    {["Content-Type"] = "application/json", ["x-request-id"] = i.rid,
                     ["x-request-context"] = i.rc, ["x-client-context"] = i.cc}, i.body)
end

function done(summary, latency, requests)
  io.write(string.format("errors %d\n", summary.errors.status + summary.errors.connect +
                                         summary.errors.read + summary.errors.write +
                                         summary.errors.timeout))
end
