-- ingest_paced.lua: ingest_post.lua at a set rate. Each of the CONNECTIONS connections waits
-- CONNECTIONS / TARGET_RATE seconds between requests (wrk's delay() has whole milliseconds, so it
-- alternates between the two nearest ones to average the exact interval).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/cloudevents+json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("PRICING_WEBHOOK_TOKEN") or "")
local file = assert(io.open(os.getenv("BODY_FILE"), "r"))
wrk.body = file:read("*a")
file:close()

local interval_ms = tonumber(os.getenv("CONNECTIONS")) * 1000 / tonumber(os.getenv("TARGET_RATE"))
local low = math.floor(interval_ms)
local share_high = interval_ms - low

function delay()
  if math.random() < share_high then return low + 1 end
  return low
end
