-- wrk script for Benchmarks/sso.sh: every request takes its own line of a file of request paths
-- (fresh AuthnRequest IDs, single-use launch tokens), so the server never sees a replay.
--   wrk -tN ... -s walk.lua http://127.0.0.1:PORT -- PATHS-FILE N
-- Thread k of n takes lines k+1, k+1+n, k+1+2n, … When a thread runs out it starts over (those
-- requests are replays and fail) and done() prints "walk.lua: wrapped N", which sso.sh flags.
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  -- wrk runs init right after each thread's setup, so the thread count comes as an argument
  step = tonumber(args[2]) or 1
  pos = index + 1
  wrapped = 0
end

function request()
  if pos > #paths then
    pos = index + 1
    wrapped = wrapped + 1
  end
  local path = paths[pos]
  pos = pos + step
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (tonumber(t:get("wrapped")) or 0) end
  if total > 0 then io.write(string.format("walk.lua: wrapped %d\n", total)) end
end
