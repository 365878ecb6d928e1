-- wrk script: POST /v1/assessments with a different answer set on every request. The requests are
-- prepared in init(), so that wrk (on the same cores as the server) spends no time building them.
local needs = {"being_listened_to", "honest_talks", "talking_about_feelings", "respect", "admiration",
               "quality_time", "feeling_safe_to_share", "physical_closeness"}
local signs = {"feeling_misunderstood", "difficulty_sharing", "growing_distance", "resentment",
               "seeking_connection_elsewhere"}
local willing = {"yes", "unsure", "no"}
local partner = {"yes", "unsure", "no", "not_discussed"}
local headers = {["Content-Type"] = "application/json"}

local function subset(list)
  local out = {}
  for _, value in ipairs(list) do
    if math.random() < 0.25 then out[#out + 1] = '"' .. value .. '"' end
  end
  return "[" .. table.concat(out, ",") .. "]"
end

local function flag(chance)
  return math.random() < chance and "true" or "false"
end

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

local pool, size, next_index = {}, 50000, 0
local path = "/v1/assessments"

local function build()
  local body = string.format(
    '{"ready_to_share":%d,"walls_when_close":%d,"time_to_listen":%d,"missing_needs":%s,' ..
    '"self_willing":"%s","partner_willing":"%s","partner_refuses_to_talk":%s,' ..
    '"partner_always_blames":%s,"attempts_keep_failing":%s,"partner_ignores_feelings":%s,' ..
    '"connecting_leaves_me_worse":%s,"signs":%s,"past_hurt_affects_me":%s,' ..
    '"same_problems_keep_returning":%s,"afraid_of_partner":%s,"thoughts_of_self_harm":%s}',
    math.random(1, 5), math.random(1, 5), math.random(1, 5), subset(needs),
    willing[math.random(#willing)], partner[math.random(#partner)], flag(0.3), flag(0.3), flag(0.3),
    flag(0.3), flag(0.3), subset(signs), flag(0.3), flag(0.3), flag(0.08), flag(0.08))
  return wrk.format("POST", path, headers, body)
end

function init(args)
  path = args[1] or path  -- `wrk ... -- /bench/trivial` posts the same bodies there
  math.randomseed(seed or os.time())
  for i = 1, size do pool[i] = build() end
end

function request()
  next_index = next_index % size + 1
  return pool[next_index]
end
