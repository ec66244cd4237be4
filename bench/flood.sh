#!/usr/bin/env bash
# Flood test (issue 6): 60 s at 1,000 connections mixing every visitor route
# with garbage, against the release binary with its default rate limits, on
# loopback. Reports responses, 5xx (must be 0), 429s, and the server's RSS
# every 10 s (it must stay flat).
#   bench/flood.sh              # 60 s
#   FLOOD_SECS=10 bench/flood.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${FLOOD_SECS:-60}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/bench}
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
ulimit -n 65536 2>/dev/null || true
CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --bin quizbooth
TMP=$(mktemp -d /tmp/quizbooth-flood.XXXXXX)
PORT=18555
# 1,000 connections from one address: past the default cap of 256 per address.
"$TARGET_DIR/release/quizbooth" serve --bind 127.0.0.1:$PORT --db "$TMP/q.db" \
  --questions questions --admin-token flood-token-0123456789 --max-conn-per-ip 0 >"$TMP/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status"; }
echo "RSS before: $(rss)"
( for i in $(seq $((SECS / 10))); do sleep 10; echo "RSS at ${i}0 s: $(rss)"; done ) &
SAMPLER=$!
wrk -t2 -c1000 -d"${SECS}s" --timeout 10s -s bench/flood.lua "http://127.0.0.1:$PORT" | tee "$TMP/wrk.txt"
wait $SAMPLER 2>/dev/null || true
echo "RSS after: $(rss)"
kill -0 $PID && echo "server still up"
echo "panics in the log: $(grep -c panicked "$TMP/server.log" || true)"
grep -q "FLOOD .* 5xx=0 " "$TMP/wrk.txt" && echo "OK: no 5xx" || { echo "FAIL: 5xx seen"; exit 1; }
