-- wrk script: POST /v1/assessments with a different answer set on every request. The bodies are
-- prepared by the benchmark (bench/wrk.py: distinct, valid questionnaire v2 answer sets, one JSON
-- object a line) and read in init(), so that wrk (on the same cores as the server) builds nothing.
-- Arguments: `wrk ... -- PATH BODIES_FILE` (PATH: where to post, /bench/trivial for the baseline).
local pool, size, next_index = {}, 0, 0
local headers = {["Content-Type"] = "application/json"}

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  local path = args[1] or "/v1/assessments"
  for line in io.lines(args[2]) do
    size = size + 1
    pool[size] = wrk.format("POST", path, headers, line)
  end
  math.randomseed(seed or os.time())
  next_index = math.random(0, size - 1)  -- threads start at different places in the pool
end

function request()
  next_index = next_index % size + 1
  return pool[next_index]
end
