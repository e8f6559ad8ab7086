-- ingest_paced.lua: ingest_post.lua at a set rate. Each of the CONNECTIONS connections waits
-- CONNECTIONS / TARGET_RATE seconds between requests (wrk's delay() has whole milliseconds, so it
-- alternates between the two nearest ones to average the exact interval).
dofile("bench/ingest_post.lua")

local interval_ms = tonumber(os.getenv("CONNECTIONS")) * 1000 / tonumber(os.getenv("TARGET_RATE"))
local low = math.floor(interval_ms)
local share_high = interval_ms - low

function delay()
  if math.random() < share_high then return low + 1 end
  return low
end
