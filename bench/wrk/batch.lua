-- wrk script: POST /v1/batch bodies of `batch` Segment-shaped events, each event with a new
-- messageId (prefix, thread, counter), sent as a browser's text/plain beacon would be.
-- args: templates_path (one event per line, with @ID@ and @TS@ slots) batch write_key
--       id_prefix [delay_ms]
-- delay_ms > 0 makes each connection wait about that long (jittered) between requests, which
-- holds the load at a fixed rate below saturation. done() prints one line: BENCH_JSON {...}.

-- Each template is split at its slots: before_id[i] .. id .. between[i] .. time .. after_time[i].
local before_id, between, after_time = {}, {}, {}
local variants = 0
local batch, write_key, prefix
local delay_ms = 0
local counter = 0
local headers = {
  ["Content-Type"] = "text/plain;charset=UTF-8",
  ["Origin"] = "https://shop.example",
  ["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
}

local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

function init(args)
  for template in io.lines(args[1]) do
    if #template > 0 then
      local id_at = assert(template:find("@ID@", 1, true), "template lacks @ID@")
      local time_at = assert(template:find("@TS@", 1, true), "template lacks @TS@")
      variants = variants + 1
      before_id[variants] = template:sub(1, id_at - 1)
      between[variants] = template:sub(id_at + 4, time_at - 1)
      after_time[variants] = template:sub(time_at + 4)
    end
  end
  batch = tonumber(args[2])
  write_key = args[3]
  prefix = args[4] .. "-" .. tostring(thread_number or 1) .. "-"
  delay_ms = tonumber(args[5] or "0")
  -- wrk asks for delay() only when the function exists.
  if delay_ms <= 0 then delay = nil end
  math.randomseed(os.time() + (thread_number or 1))
end

function delay()
  -- Jitter keeps connections from marching in step (which would turn a rate into bursts).
  return math.floor(delay_ms * (0.5 + math.random()) + 0.5)
end

function request()
  local now = os.date("!%Y-%m-%dT%H:%M:%S.000Z")
  local events = {}
  for k = 1, batch do
    counter = counter + 1
    local v = counter % variants + 1
    events[k] = before_id[v] .. prefix .. counter .. between[v] .. now .. after_time[v]
  end
  local body = '{"batch":[' .. table.concat(events, ",") .. '],"sentAt":"' .. now
    .. '","writeKey":"' .. write_key .. '"}'
  return wrk.format("POST", wrk.path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,'
      .. '"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,'
      .. '"p999Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
