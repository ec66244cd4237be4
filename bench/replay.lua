-- Replays pre-created sessions, each exactly once, split between wrk's threads.
--   wrk -t2 ... -s bench/replay.lua URL -- MODE FILE THREADS
-- MODE submit: FILE lines are `ID<TAB>BODY` (from `seed open`);
--   POST /api/sessions/ID/answers with BODY (every answer right).
-- MODE entry:  FILE lines are `ID<TAB>PHONE` (from `seed passed`);
--   POST /api/entries with {"session": ID, "consent": true, "name": ..., "phone": PHONE}.
-- When a thread runs out of sessions it starts over (those repeats answer 409
-- and show up as non-2xx responses); done() prints how many requests wrapped.
-- With WRK_ADDRS, thread i loads the i-th node (bench/nodes.lua).

dofile("bench/nodes.lua")

local threads = {}
local count = 0

function setup(thread)
   spread(thread, count)
   thread:set("tid", count)
   count = count + 1
   table.insert(threads, thread)
end

local headers = { ["Content-Type"] = "application/json" }
local paths, bodies = {}, {}
-- Globals, so done() can read them with thread:get().
n, sent = 0, 0

function init(args)
   local mode, file, nthreads = args[1], args[2], tonumber(args[3] or "2")
   local line_no = 0
   for line in io.lines(file) do
      if line_no % nthreads == tid then
         local id, rest = line:match("^([^\t]+)\t(.*)$")
         n = n + 1
         if mode == "submit" then
            paths[n] = "/api/sessions/" .. id .. "/answers"
            bodies[n] = rest
         else
            paths[n] = "/api/entries"
            bodies[n] = '{"session":"' .. id .. '","consent":true,"name":"张三丰","phone":"' .. rest .. '"}'
         end
      end
      line_no = line_no + 1
   end
   if n == 0 then
      error("no sessions for thread " .. tid .. " in " .. file)
   end
end

function request()
   local idx = sent % n + 1
   sent = sent + 1
   return wrk.format("POST", paths[idx], headers, bodies[idx])
end

function done(summary, latency, requests)
   local total, wraps = 0, 0
   for _, t in ipairs(threads) do
      local tn, ts = t:get("n"), t:get("sent")
      total = total + tn
      if ts > tn then
         wraps = wraps + ts - tn
      end
   end
   io.write(string.format("replay: sessions=%d wrapped=%d\n", total, wraps))
end
