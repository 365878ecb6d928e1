-- wrk script for tests/live/test_bounded.py: every request carries values no request sent before,
-- for each input a client controls. Arguments: -- START BODIES_FILE (START: the first number used).
local n, bodies = 0, {}
local json = {["Content-Type"] = "application/json"}
local key = {["X-API-Key"] = "bounded-key"}
local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  n = tonumber(args[1]) + (index or 0) * 1000000
  for line in io.lines(args[2]) do bodies[#bodies + 1] = line end
end

function request()
  n = n + 1
  local kind, v = n % 7, string.format("%08d", n)
  if kind == 0 then  -- a made-up method, path, query and request id
    return wrk.format("M" .. v, "/no/such/path/" .. v .. "?lang=xx-" .. v, {["X-Request-ID"] = "r-" .. v})
  elseif kind == 1 then  -- the form's labels: a language that does not exist, or a file path
    local lang = (n % 2 == 0) and ("xx-" .. v) or ("/etc/passwd" .. v)
    return wrk.format("GET", "/form?lang=" .. lang, {["Accept-Language"] = "l" .. v})
  elseif kind == 2 then
    return wrk.format("GET", "/v1/decisions/" .. string.format("%032x", n), key)
  elseif kind == 3 then
    return wrk.format("GET", "/v1/decisions?since=2020-01-01T00:00:00Z&cursor=c" .. v, key)
  elseif kind == 4 then
    return wrk.format("GET", "/fhir/Questionnaire/closeness-v2?fhirVersion=" .. v)
  elseif kind == 5 then
    return wrk.format("GET", "/v1/rules/rule-" .. v)
  end
  return wrk.format("POST", "/v1/assessments", json, bodies[(n // 7) % #bodies + 1])
end
