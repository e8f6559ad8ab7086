-- ingest_paced.lua: ingest_post.lua at a set rate, TARGET_RATE requests/s over all WRK_THREADS
-- threads. wrk sends a connection's next request delay() ms after its last answer; here each
-- thread hands out evenly spaced start times (its share of the rate) to its connections in turn,
-- so the rate holds whatever the latency is, as long as a connection is free at each start
-- (LuaJIT's ffi reads CLOCK_MONOTONIC; delay() takes whole milliseconds, so a fraction is
-- rounded up or down at random in proportion).
dofile("bench/ingest_post.lua")

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } pe_timespec;
int clock_gettime(int clock, pe_timespec* now);
]])
local clock_monotonic = 1
local timespec = ffi.new("pe_timespec")

local function now_ms()
  ffi.C.clock_gettime(clock_monotonic, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local interval_ms = tonumber(os.getenv("WRK_THREADS")) * 1000 / tonumber(os.getenv("TARGET_RATE"))
local next_start = nil

function delay()
  local now = now_ms()
  if next_start == nil or next_start < now - 10 * interval_ms then next_start = now end
  local wait = next_start - now
  next_start = next_start + interval_ms
  if wait <= 0 then return 0 end
  local whole = math.floor(wait)
  if math.random() < wait - whole then return whole + 1 end
  return whole
end
