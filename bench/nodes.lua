-- Spreads one wrk's threads over several nodes, for the scripts' setup():
--   WRK_ADDRS="127.0.0.1:PORT_A 127.0.0.1:PORT_B" wrk -t2 ... URL
-- sends thread i to the (i mod n)-th address; the URL's host stays the Host
-- header. Without WRK_ADDRS every thread goes to the URL. One wrk process
-- with the same threads thus loads one node or several alike: the load
-- generator is not what differs between the two configurations.
local addrs

function spread(thread, i)
   if addrs == nil then
      addrs = {}
      for a in (os.getenv("WRK_ADDRS") or ""):gmatch("%S+") do
         local host, port = a:match("^(.+):(%d+)$")
         if not host then
            error("WRK_ADDRS: " .. a .. " is not HOST:PORT")
         end
         addrs[#addrs + 1] = wrk.lookup(host, port)[1]
      end
   end
   if #addrs > 0 then
      thread.addr = addrs[i % #addrs + 1]
   end
end
