-- wrk script for the many-sources suite: POST /v1/batch with one small event, authenticated by
-- the Authorization header given as the first argument (Basic write key or Bearer secret key).
-- done() prints one line: BENCH_JSON {...}.
local authorization
local counter = 0

function init(args)
  authorization = args[1]
end

function request()
  counter = counter + 1
  local body = '{"batch":[{"type":"track","event":"Auth Bench","anonymousId":"a-1","messageId":"m-'
    .. counter .. '"}]}'
  return wrk.format("POST", "/v1/batch", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = authorization,
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"statusErrors":%d,"otherErrors":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
