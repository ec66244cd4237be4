-- POST /api/sessions with {"lang":"zh"} (also the request sent to examples/limit).
-- Static request: wrk builds it once, no Lua runs per request.
-- With WRK_ADDRS, thread i loads the i-th node (bench/nodes.lua).
dofile("bench/nodes.lua")

local count = 0

function setup(thread)
   spread(thread, count)
   count = count + 1
end

wrk.method = "POST"
wrk.body = '{"lang":"zh"}'
wrk.headers["Content-Type"] = "application/json"
