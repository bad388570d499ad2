-- Requests for wrk, read from a file the harness writes: one request per line, either
-- "PATH" or "PATH<TAB>BODY". WRK_MODE=random picks a line at random for each request;
-- WRK_MODE=walk takes them in order, so every request targets a different record.
-- WRK_METHOD (default GET) and WRK_AUTH (a bearer key) apply to every request.
-- done() prints one line, "WRKJSON {...}", with throughput, latency percentiles (µs)
-- and the count of responses that were not 2xx.

local lines = {}
local mode = os.getenv("WRK_MODE") or "random"
local method = os.getenv("WRK_METHOD") or "GET"
local auth = os.getenv("WRK_AUTH")
local threads = {}

for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then
    lines[#lines + 1] = line
  end
end

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(1234 + id)
  non2xx = 0
  bad_status = 0
  walked = 0
  headers = { ["Accept"] = "application/json" }
  if auth and #auth > 0 then
    headers["Authorization"] = "Bearer " .. auth
  end
  if method ~= "GET" then
    headers["Content-Type"] = "application/json"
  end
end

function request()
  local line
  if mode == "walk" then
    walked = walked + 1
    line = lines[((walked - 1) % #lines) + 1]
  else
    line = lines[math.random(#lines)]
  end
  local path, body = line:match("^([^\t]*)\t(.*)$")
  if not path then
    path = line
  end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    bad_status = status
  end
end

function done(summary, latency, requests)
  local non, bad, walk = 0, 0, 0
  for _, t in ipairs(threads) do
    non = non + t:get("non2xx")
    local b = t:get("bad_status")
    if b ~= 0 then bad = b end
    walk = walk + t:get("walked")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, ' ..
    '"last_bad_status": %d, "walked": %d, "lines": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "p999": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes, non, bad, walk, #lines,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
