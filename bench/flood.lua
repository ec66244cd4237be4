-- Flood: every visitor route at once, garbage mixed in. Counts 5xx per thread.
local threads = {}
function setup(thread) table.insert(threads, thread) end

local reqs
function init(args)
  fivexx, total, limited = 0, 0, 0
  math.randomseed(os.time() + math.random(1000))
  local json = { ["Content-Type"] = "application/json" }
  local hex = function()
    local t = {}
    for i = 1, 32 do t[i] = string.format("%x", math.random(0, 15)) end
    return table.concat(t)
  end
  reqs = {
    function() return wrk.format("GET", "/") end,
    function() return wrk.format("GET", "/api/set?lang=en") end,
    function() return wrk.format("POST", "/api/sessions", json, '{"lang":"zh"}') end,
    function() return wrk.format("GET", "/api/sessions/" .. hex()) end,
    function() return wrk.format("POST", "/api/sessions/" .. hex() .. "/answers", json, '{"answers":{"q":["A"]}}') end,
    function() return wrk.format("POST", "/api/entries", json, '{"session":"' .. hex() .. '","name":"x","phone":"13800138000"}') end,
    function() return wrk.format("GET", "/api/draws") end,
    function() return wrk.format("GET", "/api/draws/1/entries.txt") end,
    -- garbage
    function() return wrk.format("POST", "/api/entries", json, '{"session":') end,
    function() return wrk.format("POST", "/api/sessions", json, string.rep("[", 500)) end,
    function() return wrk.format("GET", "/admin/api/stats", { Authorization = "Bearer guess" }) end,
    function() return wrk.format("GET", "/../../etc/passwd") end,
    function() return wrk.format("PUT", "/api/sessions", json, "{}") end,
    function() return wrk.format("POST", "/api/sessions/" .. hex() .. "/answers", { ["Content-Type"] = "text/plain" }, "\0\1\2") end,
  }
end

function request()
  return reqs[math.random(#reqs)]()
end

function response(status, headers, body)
  total = total + 1
  if status >= 500 then fivexx = fivexx + 1 end
  if status == 429 then limited = limited + 1 end
end

function done(summary, latency, requests)
  local f, t, l = 0, 0, 0
  for _, th in ipairs(threads) do
    f = f + th:get("fivexx"); t = t + th:get("total"); l = l + th:get("limited")
  end
  io.write(string.format("FLOOD responses=%d 5xx=%d 429=%d socket_errors=%d\n", t, f, l,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
