-- POST /api/sessions with {"lang":"zh"} (also the request sent to examples/limit).
-- Static request: wrk builds it once, no Lua runs per request.
wrk.method = "POST"
wrk.body = '{"lang":"zh"}'
wrk.headers["Content-Type"] = "application/json"
