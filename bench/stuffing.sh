#!/usr/bin/env bash
# The pool-stuffing attacker of issue 11 against a release binary, from one
# address (127.0.0.1): learn the answer key, then enter the draw as fast as
# the service allows; prints the entries an hour one address gets. First it
# replays the binary's entry budget on a clock of its own: what a busy booth
# behind one NAT (300 entries an hour, 20 a minute) gets refused (must be 0),
# and what a script gets, hour by hour.
#
#   bench/stuffing.sh                      # this tree's binary, 180 s
#   STUFF_BIN=/path/to/old/quizbooth STUFF_PLAIN_BANK=1 bench/stuffing.sh
#                                          # an older binary (its bank without the new quiz keys)
#   STUFF_SECONDS=60 bench/stuffing.sh
#
# Traffic goes to 127.0.0.1 only; the server and the attacker stop by themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
SECONDS_RUN=${STUFF_SECONDS:-180}
CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --bin quizbooth --example stuff >&2
BIN=${STUFF_BIN:-$TARGET_DIR/release/quizbooth}
TMP=$(mktemp -d /tmp/quizbooth-stuff.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir "$TMP/questions"
if [ "${STUFF_PLAIN_BANK:-0}" = 1 ]; then
  grep -vE '^\s*(min_answer_secs|entry_grace_secs):' questions/netsec-week.yaml >"$TMP/questions/netsec-week.yaml"
else
  cp questions/netsec-week.yaml "$TMP/questions/"
fi
PORT=18281
while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
"$BIN" serve --bind "127.0.0.1:$PORT" --db "$TMP/q.db" --questions "$TMP/questions" \
  --admin-token stuffing-bench-token-0123456789 >"$TMP/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  sleep 0.1
done
echo "== $("$BIN" --version 2>/dev/null || echo quizbooth) at $BIN, ${SECONDS_RUN} s"
# The binary's entry budget, from its --help: entries an hour, and the burst
# (100 before issue 21; since then 77% of the hour's, limits::booth_burst).
HELP=$("$BIN" serve --help 2>/dev/null || true)
PER_HOUR=$(grep -A3 -- '--entry-limit' <<<"$HELP" | grep -o 'default: [0-9]*' | head -1 | grep -o '[0-9]*' || true)
BUDGET=()
if [ -n "$PER_HOUR" ]; then
  if grep -q 'after a burst of 100' <<<"$HELP"; then BURST=100; else BURST=$((PER_HOUR - PER_HOUR * 14 / 60)); fi
  BUDGET=(--budget "$PER_HOUR:$BURST")
fi
"$TARGET_DIR/release/examples/stuff" --url "http://127.0.0.1:$PORT" --seconds "$SECONDS_RUN" "${BUDGET[@]}"
