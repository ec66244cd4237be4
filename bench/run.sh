#!/usr/bin/env bash
# quizbooth benchmarks: the one entry point. See BENCHMARKS.md.
#
#   bench/run.sh                  # 10 s per wrk run, 1,000,000 entries for the draw (~3 min + build)
#   BENCH_QUICK=1 bench/run.sh    # 3 s per wrk run, 200,000 entries for the draw (~1 min + build)
#   bench/run.sh --db postgres    # the same, then session start, submit and entry on a
#                                 # throwaway PostgreSQL cluster, one node and two nodes on
#                                 # one database, and one node with a synchronous standby on
#                                 # this machine, as ratios to SQLite (+ ~4 min; + ~1.5 min quick)
#
# Environment: BENCH_DURATION (s per wrk run), BENCH_DRAW_N (entries/submissions
# seeded for the draw and stats), BENCH_KEEP=1 (keep the temp folder),
# CARGO_TARGET_DIR (default target/bench). Traffic goes to 127.0.0.1 only.
# Prints a markdown table and writes it to bench/last-run.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ENGINES=sqlite
while [ $# -gt 0 ]; do
  case $1 in
    --db)
      [ "${2:-}" = postgres ] || { echo "usage: bench/run.sh [--db postgres]" >&2; exit 2; }
      ENGINES="sqlite postgres"
      shift 2
      ;;
    --db=postgres)
      ENGINES="sqlite postgres"
      shift
      ;;
    *)
      echo "usage: bench/run.sh [--db postgres]" >&2
      exit 2
      ;;
  esac
done
PG=0
[ "$ENGINES" = "sqlite postgres" ] && PG=1

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
  DUR=${BENCH_DURATION:-3}
  DRAW_N=${BENCH_DRAW_N:-200000}
else
  DUR=${BENCH_DURATION:-10}
  DRAW_N=${BENCH_DRAW_N:-1000000}
fi
RSS_SESSIONS=100000
# Sessions seeded for each submit/entry run: more than the run can use.
PER_RUN=$((40000 * DUR))
CONNS=(64 1000)
TOKEN=bench-admin-token-0123456789abcdef
BANK=questions/netsec-week.yaml
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
BIN=$TARGET_DIR/release/quizbooth
LIMIT=$TARGET_DIR/release/examples/limit
SEED=$TARGET_DIR/release/examples/seed
OUT=$ROOT/bench/last-run.md

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- tools, limits, build -----------------------------------------------------
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/bin/time ] || need+=(time)
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ "$PG" = 1 ] && [ ! -x "$(pg_bin)/initdb" ]; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 4096 ] || die "ulimit -n is $(ulimit -n); 1000 connections need more"

log "building (release, CARGO_TARGET_DIR=$TARGET_DIR)"
CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --bin quizbooth --examples

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
RUN_T0=$SECONDS
TMP=$(mktemp -d /tmp/quizbooth-bench.XXXXXX)
PIDS=()
# The PostgreSQL cluster of a --db postgres run (its own folder: TMP is 0700
# to root, and the server runs as the postgres user).
PG_DIR=
PG_DATA=
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# Stops the cluster in $1 (default: the primary, PG_DATA).
pg_stop() {
  local data=${1:-$PG_DATA}
  [ -n "$data" ] && [ -f "$data/postmaster.pid" ] || return 0
  local pid
  pid=$(head -1 "$data/postmaster.pid" 2>/dev/null || true)
  as_pg "$PG_BIN/pg_ctl" -D "$data" stop -m fast -w -t 30 >/dev/null 2>&1 || true
  # Fallback, by the postmaster's own pid only.
  case $pid in '' | *[!0-9]* | 0) return 0 ;; esac
  if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]; then
    kill -QUIT "$pid" 2>/dev/null || true
    sleep 2
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
}
# The synchronous standby of a --db postgres run, once started.
SB_DATA=
cleanup() {
  if [ "${AUTOGROUP_WAS:-}" = 1 ]; then echo 1 >"$AUTOGROUP" 2>/dev/null || true; fi
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  # The standby first: with it gone the primary's commits would wait for it.
  pg_stop "$SB_DATA"
  pg_stop
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    log "kept $TMP${PG_DIR:+ and $PG_DIR}"
  else
    rm -rf "$TMP"
    [ -z "$PG_DIR" ] || rm -rf "$PG_DIR"
  fi
}
trap cleanup EXIT
# Linux's autogroup scheduling makes each session a group with a share of
# its own, and every PostgreSQL backend starts a session: with the cores
# saturated by wrk and the nodes, a backend (or any process of a session of
# its own) waited up to 4 s for a core, and the runs measured that, not the
# service (BENCHMARKS.md, twelfth session). Off for the run where this
# process may write it, restored at the end.
AUTOGROUP=/proc/sys/kernel/sched_autogroup_enabled
AUTOGROUP_WAS=$(cat "$AUTOGROUP" 2>/dev/null || echo absent)
case $AUTOGROUP_WAS in
  0) AUTOGROUP_NOTE="autogroup scheduling off (as found)" ;;
  absent) AUTOGROUP_NOTE="no autogroup scheduling" ;;
  *) AUTOGROUP_NOTE="autogroup scheduling: $AUTOGROUP_WAS" ;;
esac
if [ "$AUTOGROUP_WAS" = 1 ]; then
  if (echo 0 >"$AUTOGROUP") 2>/dev/null; then
    AUTOGROUP_NOTE="autogroup scheduling off for the run (was on)"
  else
    AUTOGROUP_NOTE="autogroup scheduling **on** (cannot turn it off here: PostgreSQL's figures may include seconds-long waits for a core)"
    log "kernel.sched_autogroup_enabled is 1 and cannot be changed; PostgreSQL's figures may suffer"
  fi
fi

# A child waited for is no longer ours: its pid may be reused (pid_max can be
# 32768), so it leaves the list the exit trap signals.
forget() { # PID
  local keep=() p
  for p in "${PIDS[@]}"; do
    [ "$p" = "$1" ] || keep+=("$p")
  done
  PIDS=("${keep[@]}")
}

free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
    p=$((p + 1))
  done
  echo "$p"
}
APP_PORT=$(free_port 18181)
LIMIT_PORT=$(free_port $((APP_PORT + 1)))
APP=http://127.0.0.1:$APP_PORT
AUTH="Authorization: Bearer $TOKEN"

wait_up() { # URL PID
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || die "server exited; see $TMP"
    sleep 0.1
  done
  die "server at $1 did not come up"
}

# All load comes from one address: turn per-IP rate limits (and the cap on
# connections per address) off where the build has them.
EXTRA=()
if "$BIN" serve --help 2>/dev/null | grep -q -- '--ip-limit'; then
  EXTRA+=(--ip-limit 0)
fi
if "$BIN" serve --help 2>/dev/null | grep -q -- '--max-conn-per-ip'; then
  EXTRA+=(--max-conn-per-ip 0)
fi
APP_PID=
start_app() { # DB LOGFILE
  "$BIN" serve --bind "127.0.0.1:$APP_PORT" --db "$1" --questions questions \
    --admin-token "$TOKEN" "${EXTRA[@]}" >"$2" 2>&1 &
  APP_PID=$!
  PIDS+=("$APP_PID")
  wait_up "$APP/healthz" "$APP_PID"
}
stop_app() {
  kill -TERM "$APP_PID"
  wait "$APP_PID" 2>/dev/null || true
  forget "$APP_PID"
}

# Peak and current RSS in MB, and thread count, of a PID.
vm() { # PID FIELD
  awk -v f="$2:" '$1 == f { print ($3 == "kB" ? sprintf("%.1f", $2 / 1024) : $2) }' "/proc/$1/status"
}

# --- wrk runs ------------------------------------------------------------------
# Results: one line per run in $TMP/runs: NAME CONNS RPS P50MS P99MS ERRORS
to_ms() { # wrk time like 812.00us / 1.23ms / 2.01s / 1.00m
  awk -v t="$1" 'BEGIN {
    n = t + 0; u = t; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}
# CPU ticks (1/CLK_TCK s) used so far by a process, and by its thread named $2.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
thread_ticks() {
  local t sum=0
  for t in /proc/"$1"/task/*; do
    if [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ]; then
      sum=$((sum + $(awk '{ print $14 + $15 }' "$t/stat")))
    fi
  done
  echo "$sum"
}
HZ=$(getconf CLK_TCK)
run_wrk() { # NAME CONNS SERVER_PID URL SCRIPT [SCRIPT ARGS...]
  local name=$1 conns=$2 pid=$3 url=$4 script=$5
  shift 5
  local f=$TMP/wrk-$name-$conns.txt
  log "wrk $name c=$conns ${DUR}s"
  local t0 w0
  t0=$(ticks "$pid")
  w0=$(thread_ticks "$pid" sqlite-writer)
  wrk -t2 -c"$conns" -d"${DUR}s" --latency -s "$script" "$url" -- "$@" >"$f" 2>&1 || {
    cat "$f" >&2
    die "wrk failed"
  }
  local t1 w1
  t1=$(ticks "$pid")
  w1=$(thread_ticks "$pid" sqlite-writer)
  local rps p50 p99 non2xx sock reqs cpu wcpu
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
  non2xx=$(awk -F': *' '/Non-2xx/ { print $2 }' "$f")
  sock=$(awk '/Socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$f")
  reqs=$(awk '/requests in/ { print $1 }' "$f")
  # Server CPU per request (all threads), and the SQLite writer thread's share, in µs.
  cpu=$(awk -v d=$((t1 - t0)) -v n="$reqs" -v hz="$HZ" 'BEGIN { printf "%.0f", d / hz * 1e6 / (n > 0 ? n : 1) }')
  wcpu=$(awk -v d=$((w1 - w0)) -v n="$reqs" -v hz="$HZ" 'BEGIN { printf "%.0f", d / hz * 1e6 / (n > 0 ? n : 1) }')
  echo "$name $conns $rps $p50 $p99 $(( ${non2xx:-0} + ${sock:-0} )) $cpu $wcpu $(vm "$pid" Threads)" >>"$TMP/runs"
  grep -E 'Requests/sec|Non-2xx|Socket|replay:' "$f" | sed 's/^/   /' >&2 || true
}
get() { # NAME CONNS FIELD(3=rps 4=p50 5=p99 6=errors 7=server µs/req 8=writer µs/req 9=threads)
  awk -v n="$1" -v c="$2" -v f="$3" '$1 == n && $2 == c { print $f }' "$TMP/runs"
}

# --- 1. the service on a fresh database; the size of a session start --------------
log "starting quizbooth on a fresh database"
start_app "$TMP/q.db" "$TMP/app.log"
total=0
for _ in $(seq 1 50); do
  s=$(curl -fsS -o /dev/null -w '%{size_download}' -X POST -H 'Content-Type: application/json' \
    -d '{"lang":"zh"}' "$APP/api/sessions")
  total=$((total + s))
done
START_BYTES=$((total / 50))
log "a session start answers $START_BYTES bytes on average (50 samples)"

# --- 2. the limit: minimal actix-web POST, raw rusqlite inserts ----------------------
"$LIMIT" serve --bind "127.0.0.1:$LIMIT_PORT" --bytes "$START_BYTES" >"$TMP/limit.log" 2>&1 &
LIMIT_PID=$!
PIDS+=("$LIMIT_PID")
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$LIMIT_PORT") 2>/dev/null && break
  kill -0 "$LIMIT_PID" 2>/dev/null || die "examples/limit exited; see $TMP/limit.log"
  sleep 0.1
done
for c in "${CONNS[@]}"; do
  run_wrk limit "$c" "$LIMIT_PID" "http://127.0.0.1:$LIMIT_PORT/api/sessions" bench/post.lua
done
kill -TERM "$LIMIT_PID"
wait "$LIMIT_PID" 2>/dev/null || true
forget "$LIMIT_PID"

SQL_SECS=$(awk -v d="$DUR" 'BEGIN { printf "%.1f", d / 3 }')
log "raw rusqlite inserts (${SQL_SECS}s per mode)"
"$LIMIT" sqlite --dir "$TMP/sqlite" --secs "$SQL_SECS" | tee "$TMP/sqlite.txt" >&2
sql_rate() { awk -v m="$1" '$2 == m { sub(/rows_per_s=/, "", $5); print $5 }' "$TMP/sqlite.txt"; }

# --- 3. session start -----------------------------------------------------------
for c in "${CONNS[@]}"; do
  run_wrk start "$c" "$APP_PID" "$APP/api/sessions" bench/post.lua
done

# --- 4. peak RSS after 100,000 sessions started and left open ------------------------
started() {
  curl -fsS -H "$AUTH" "$APP/admin/api/stats" | grep -o '"started":[0-9]*' | cut -d: -f2
}
n=$(started)
if [ "$n" -lt "$RSS_SESSIONS" ]; then
  rate=$(get start 64 3)
  secs=$(( (RSS_SESSIONS - n) * 12 / (10 * (rate > 0 ? rate : 1000)) + 1 ))
  log "topping up: $n sessions started, $((RSS_SESSIONS - n)) more over ~${secs}s"
  wrk -t2 -c64 -d"${secs}s" -s bench/post.lua "$APP/api/sessions" >"$TMP/wrk-topup.txt" 2>&1
  n=$(started)
fi
RSS_STARTED=$n
RSS_PEAK=$(vm "$APP_PID" VmHWM)
RSS_NOW=$(vm "$APP_PID" VmRSS)
log "after $RSS_STARTED sessions started: VmHWM ${RSS_PEAK} MB, VmRSS ${RSS_NOW} MB, threads $(vm "$APP_PID" Threads)"

# --- 5. submit answers: each request on its own fresh session -----------------------
for c in "${CONNS[@]}"; do
  "$SEED" open --db "$TMP/q.db" --questions "$BANK" --count "$PER_RUN" --out "$TMP/open-$c.tsv"
  run_wrk submit "$c" "$APP_PID" "$APP/api/sessions/x/answers" bench/replay.lua submit "$TMP/open-$c.tsv" 2
  log "threads after submit c=$c: $(vm "$APP_PID" Threads)"
done

# --- 6. entries: passed sessions, distinct phones -------------------------------------
phone=500000000
for c in "${CONNS[@]}"; do
  "$SEED" passed --db "$TMP/q.db" --questions "$BANK" --count "$PER_RUN" \
    --phone-from "$phone" --out "$TMP/passed-$c.tsv"
  phone=$((phone + PER_RUN))
  run_wrk entry "$c" "$APP_PID" "$APP/api/entries" bench/replay.lua entry "$TMP/passed-$c.tsv" 2
done
RSS_END=$(vm "$APP_PID" VmHWM)
# The process's own memory, and mapped files (the binary; the kernel's page
# cache, reclaimable) apart.
ANON_END=$(vm "$APP_PID" RssAnon)
FILE_END=$(vm "$APP_PID" RssFile)
THREADS_END=$(vm "$APP_PID" Threads)
stop_app

# --- 7. draw commit + reveal over DRAW_N entries; stats over DRAW_N submissions -------
log "draw database: migrate, then seed $DRAW_N passed sessions with entries"
start_app "$TMP/draw.db" "$TMP/app-draw-init.log"
stop_app
"$SEED" draw --db "$TMP/draw.db" --questions "$BANK" --count "$DRAW_N"
start_app "$TMP/draw.db" "$TMP/app-draw.log"
ROUND=$(curl -fsS "$APP/api/set" | grep -o '[,{]"round":{[^}]*' | grep -o '"id":"[^"]*"' | cut -d'"' -f4)
[ -n "$ROUND" ] || die "no open round"

timed() { # OUTFILE curl-args... ; prints seconds, fails on non-2xx
  local out=$1
  shift
  local r
  r=$(curl -sS -o "$out" -w '%{http_code} %{time_total}' "$@")
  case ${r%% *} in
    2??) echo "${r#* }" ;;
    *) cat "$out" >&2; die "HTTP ${r%% *} from $*" ;;
  esac
}
STATS_T=()
for _ in 1 2 3 4 5; do
  STATS_T+=("$(timed "$TMP/stats.json" -H "$AUTH" "$APP/admin/api/stats")")
done
grep -q "\"submitted\":$DRAW_N" "$TMP/stats.json" || die "stats do not show $DRAW_N submissions: $(cat "$TMP/stats.json")"
STATS_FIRST=$(awk -v t="${STATS_T[0]}" 'BEGIN { printf "%.1f", t * 1000 }')
STATS_MED=$(printf '%s\n' "${STATS_T[@]}" | sort -g | awk 'NR == 3 { printf "%.1f", $1 * 1000 }')

COMMIT_T=$(timed "$TMP/commit.json" -X POST -H "$AUTH" -H 'Content-Type: application/json' \
  -d "{\"round\":\"$ROUND\",\"prize\":\"bench\",\"winners\":10}" "$APP/admin/api/draws")
DRAW_ID=$(grep -o '"id":[0-9]*' "$TMP/commit.json" | head -1 | cut -d: -f2)
grep -q "\"entry_count\":$DRAW_N" "$TMP/commit.json" || die "draw pool is not $DRAW_N: $(head -c 300 "$TMP/commit.json")"
REVEAL_T=$(timed "$TMP/reveal.json" -X POST -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"public_seed":"1 2 3"}' "$APP/admin/api/draws/$DRAW_ID/reveal")
WINNERS=$(grep -o '"code":"[^"]*"' "$TMP/reveal.json" | wc -l)
[ "$WINNERS" = 10 ] || die "reveal returned $WINNERS winners"
DRAW_RSS=$(vm "$APP_PID" VmHWM)
stop_app
ms() { awk -v t="$1" 'BEGIN { printf "%.0f", t * 1000 }'; }
COMMIT_MS=$(ms "$COMMIT_T")
REVEAL_MS=$(ms "$REVEAL_T")
DRAW_MS=$((COMMIT_MS + REVEAL_MS))

# --- 7b. an organizer's workbook: check 2,000 questions from an .xlsx -------------------
log "a 2,000-question workbook: convert, then check (time and peak RSS)"
SHEET_N=2000
{
  printf 'id: big-bank\ntitle: {zh: 大题库, en: Big bank}\nquiz: {questions_per_visitor: 10}\nquestions:\n'
  for i in $(seq 1 "$SHEET_N"); do
    printf '  - id: q-%d\n    type: single\n    text: {zh: "第 %d 题：违法和不良信息举报电话是多少？", en: "Question %d: which number takes reports?"}\n' "$i" "$i" "$i"
    printf '    options: [{zh: "110", en: "110"}, {zh: "12377", en: "12377"}, {zh: "12315", en: "12315"}, {zh: "12345", en: "12345"}]\n'
    printf '    answer: B\n    explanation: {zh: "12377 是举报电话。", en: "12377 is the hotline."}\n'
  done
} >"$TMP/big.yaml"
"$BIN" convert "$TMP/big.yaml" "$TMP/big.xlsx" 2>/dev/null || die "convert failed"
SHEET_KB=$(( $(stat -c %s "$TMP/big.xlsx") / 1024 ))
/usr/bin/time -f '%e %M' -o "$TMP/check-time" "$BIN" check "$TMP/big.xlsx" >/dev/null 2>&1 || die "check of the workbook failed"
read -r SHEET_S SHEET_KB_RSS <"$TMP/check-time"
SHEET_MS=$(awk -v t="$SHEET_S" 'BEGIN { printf "%.0f", t * 1000 }')
SHEET_RSS=$(awk -v k="$SHEET_KB_RSS" 'BEGIN { printf "%.1f", k / 1024 }')

# --- 9. PostgreSQL (--db postgres): one node, then two nodes on one database -----------
# Results: one line per run in $TMP/pgruns:
#   NAME CONNS RPS P50MS P99MS NON2XX NODES_US_PER_REQ PG_US_PER_REQ ERROR_LINES PG_ERROR_LINES WRAPPED SOCKET_ERRORS
if [ "$PG" = 1 ]; then
  PG_BIN=$(pg_bin)
  PG_VERSION=$("$PG_BIN/postgres" --version | awk '{ print $3 }')
  PG_DIR=$(mktemp -d /tmp/quizbooth-bench-pg.XXXXXX)
  PG_DATA=$PG_DIR/data
  PG_PORT=$(free_port 25432)
  PG_LOG=$PG_DIR/postgres.log
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_DIR"
    chmod 0755 "$PG_DIR"
  fi
  log "PostgreSQL $PG_VERSION: a throwaway cluster in $PG_DIR on 127.0.0.1:$PG_PORT"
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C >"$TMP/initdb.log" 2>&1 ||
    { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c synchronous_commit=on -c fsync=on -c wal_level=replica -c max_wal_senders=5 -c log_checkpoints=on -c log_autovacuum_min_duration=0" \
    start >"$TMP/pg_ctl.log" 2>&1 || { cat "$TMP/pg_ctl.log" "$PG_LOG" >&2; die "PostgreSQL did not start"; }
  PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
  # The postmasters whose process trees count as PostgreSQL's CPU (the
  # standby's joins them while it runs).
  PG_PIDS=("$PG_PID")
  pg_url() { echo "postgres://postgres@127.0.0.1:$PG_PORT/$1"; }

  # CPU ticks of the cluster: the postmaster, its live children, and the
  # children it has reaped (cutime/cstime), so backends that come and go count.
  pg_ticks() {
    local f line rest sum=0
    for f in /proc/[0-9]*/stat; do
      { read -r line <"$f"; } 2>/dev/null || continue
      rest=${line##*) }
      # shellcheck disable=SC2086
      set -- $rest
      local p
      for p in "${PG_PIDS[@]}"; do
        if [ "${f//[!0-9]/}" = "$p" ]; then
          sum=$((sum + ${12} + ${13} + ${14} + ${15}))
        elif [ "$2" = "$p" ]; then
          sum=$((sum + ${12} + ${13}))
        fi
      done
    done
    echo "$sum"
  }
  # WARN/ERROR lines in the node logs, and ERROR/FATAL/PANIC lines in PostgreSQL's.
  node_error_lines() {
    local n=0 f
    for f in "$@"; do
      n=$((n + $(grep -cE 'ERROR|WARN' "$f" || true)))
    done
    echo "$n"
  }
  pg_error_lines() { grep -cE '(ERROR|FATAL|PANIC):' "$PG_LOG" || true; }

  NODE_PIDS=()
  NODE_URLS=()
  NODE_LOGS=()
  start_nodes() { # DBNAME N
    local i port pid workers
    NODE_PIDS=()
    NODE_URLS=()
    NODE_LOGS=()
    port=$APP_PORT
    # Nodes on one machine split its cores, as an operator would run them:
    # one node has a worker per core, two have half as many each.
    workers=$(($(nproc) / $2))
    [ "$workers" -ge 1 ] || workers=1
    for i in $(seq 1 "$2"); do
      port=$(free_port "$port")
      "$BIN" serve --bind "127.0.0.1:$port" --db "$(pg_url "$1")" --questions questions \
        --admin-token "$TOKEN" --workers "$workers" "${EXTRA[@]}" >"$TMP/node-$1-$i.log" 2>&1 &
      pid=$!
      PIDS+=("$pid")
      NODE_PIDS+=("$pid")
      NODE_URLS+=("http://127.0.0.1:$port")
      NODE_LOGS+=("$TMP/node-$1-$i.log")
      wait_up "http://127.0.0.1:$port/healthz" "$pid"
      port=$((port + 1))
    done
    # Nodes share the database's batches in flight by the live leases, which
    # each counts when it renews its own (every 10 s): wait till all have.
    [ "$2" -gt 1 ] || return 0
    local url ok
    for _ in $(seq 1 150); do
      ok=1
      for url in "${NODE_URLS[@]}"; do
        curl -fsS -H "$AUTH" "$url/metrics" | grep -x "quizbooth_nodes_live $2" >/dev/null || ok=0
      done
      [ "$ok" = 1 ] && return 0
      sleep 0.1
    done
    die "the nodes did not see each other's leases within 15 s"
  }
  stop_nodes() {
    local pid
    for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${NODE_PIDS[@]}"; do
      wait "$pid" 2>/dev/null || true
      forget "$pid"
    done
  }

  # RPS P50MS P99MS NON2XX REQUESTS WRAPPED SOCKET_ERRORS of one wrk output.
  wrk_fields() {
    local rps p50 p99 non2xx sock reqs wrapped
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$1")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$1")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$1")")
    non2xx=$(awk -F': *' '/Non-2xx/ { print $2 }' "$1")
    sock=$(awk '/Socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$1")
    reqs=$(awk '/requests in/ { print $1 }' "$1")
    wrapped=$(awk -F'wrapped=' '/^replay:/ { print $2 + 0 }' "$1")
    echo "${rps:-0} $p50 $p99 ${non2xx:-0} ${reqs:-0} ${wrapped:-0} ${sock:-0}"
  }

  # Requests a node has answered so far (its /metrics).
  node_requests() {
    curl -fsS -H "$AUTH" "$1/metrics" | awk '/^quizbooth_http_requests_total[{]/ { n += $NF } END { printf "%d", n }'
  }

  # One wrk with two threads, whatever the nodes: with two nodes each thread
  # loads one of them (WRK_ADDRS, bench/nodes.lua), with its half of the
  # connections and of the sessions. The load generator is thus the same
  # for one node and two (one node loaded by two wrk processes of a thread
  # each answered 0.85-0.97 of what one wrk of two threads got from it:
  # BENCHMARKS.md, twelfth session).
  run_wrk_nodes() { # NAME CONNS PATH SCRIPT [MODE FILE]
    local name=$1 conns=$2 path=$3 script=$4 mode=${5:-} file=${6:-}
    local n=${#NODE_PIDS[@]} i pid t0 p0 t1 p1 e0 q0 f addrs=() before=()
    log "wrk $name c=$conns ${DUR}s over $n node(s)"
    for i in "${!NODE_URLS[@]}"; do
      [ "$n" = 1 ] || addrs+=("${NODE_URLS[$i]#http://}")
      before+=("$(node_requests "${NODE_URLS[$i]}")")
    done
    # Each run starts from a checkpoint: none of the WAL the seeding or
    # the runs before wrote is this run's to flush (a checkpoint the
    # earlier writes set off once landed in the two-node entries run).
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAtc CHECKPOINT
    local k0 v0
    k0=$(grep -c 'checkpoint starting' "$PG_LOG" || true)
    v0=$(grep -c 'automatic \(vacuum\|analyze\)' "$PG_LOG" || true)
    e0=$(node_error_lines "${NODE_LOGS[@]}")
    q0=$(pg_error_lines)
    t0=0
    for pid in "${NODE_PIDS[@]}"; do t0=$((t0 + $(ticks "$pid"))); done
    p0=$(pg_ticks)
    f=$TMP/wrk-pg-$name-$conns.txt
    local args=(-t2 -c"$conns" -d"${DUR}s" --latency -s "$script" "${NODE_URLS[0]}$path")
    [ -z "$file" ] || args+=(-- "$mode" "$file" 2)
    WRK_ADDRS="${addrs[*]}" wrk "${args[@]}" >"$f" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    local ok=0
    wait "$pid" || ok=$?
    forget "$pid"
    [ "$ok" = 0 ] || { cat "$f" >&2; die "wrk failed"; }
    t1=0
    for pid in "${NODE_PIDS[@]}"; do t1=$((t1 + $(ticks "$pid"))); done
    p1=$(pg_ticks)
    grep -E 'Requests/sec|Non-2xx|Socket|replay:' "$f" | sed 's/^/   /' >&2 || true
    local rps p50 p99 non2xx reqs wrapped sock
    read -r rps p50 p99 non2xx reqs wrapped sock < <(wrk_fields "$f")
    rps=$(printf '%.0f' "$rps")
    # Each node's share of the requests: both must have been loaded.
    local least=1 share
    for i in "${!NODE_URLS[@]}"; do
      share=$(awk -v a="${before[$i]}" -v b="$(node_requests "${NODE_URLS[$i]}")" -v n="$reqs" \
        'BEGIN { printf "%.2f", (n > 0 ? (b - a) / n : 0) }')
      least=$(awk -v a="$least" -v b="$share" 'BEGIN { print (b < a ? b : a) }')
    done
    [ "$n" = 1 ] || log "the least loaded of $n nodes answered $least of the requests"
    awk -v l="$least" -v n="$n" 'BEGIN { exit !(l >= 0.5 / n) }' || die "a node answered only $least of the requests"
    local cpu pgcpu
    cpu=$(awk -v d=$((t1 - t0)) -v n="$reqs" -v hz="$HZ" 'BEGIN { printf "%.0f", d / hz * 1e6 / (n > 0 ? n : 1) }')
    pgcpu=$(awk -v d=$((p1 - p0)) -v n="$reqs" -v hz="$HZ" 'BEGIN { printf "%.0f", d / hz * 1e6 / (n > 0 ? n : 1) }')
    echo "$name $conns $rps $p50 $p99 $non2xx $cpu $pgcpu" \
      "$(($(node_error_lines "${NODE_LOGS[@]}") - e0)) $(($(pg_error_lines) - q0)) $wrapped $sock" \
      "$(($(grep -c 'checkpoint starting' "$PG_LOG" || true) - k0)) $least" \
      "$(($(grep -c 'automatic \(vacuum\|analyze\)' "$PG_LOG" || true) - v0))" >>"$TMP/pgruns"
  }

  # The three flows at the script's connection counts, on a fresh database.
  pg_flows() { # TAG NODES
    local tag=$1 nodes=$2 db=bench_$1 c
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
    log "PostgreSQL, $nodes node(s) on database $db"
    start_nodes "$db" "$nodes"
    for c in "${CONNS[@]}"; do
      run_wrk_nodes "start-$tag" "$c" /api/sessions bench/post.lua
    done
    for c in "${CONNS[@]}"; do
      "$SEED" open --db "$(pg_url "$db")" --questions "$BANK" --count "$PER_RUN" --out "$TMP/pg-open-$tag-$c.tsv"
      run_wrk_nodes "submit-$tag" "$c" /api/sessions/x/answers bench/replay.lua submit "$TMP/pg-open-$tag-$c.tsv"
    done
    local phone=600000000
    for c in "${CONNS[@]}"; do
      "$SEED" passed --db "$(pg_url "$db")" --questions "$BANK" --count "$PER_RUN" \
        --phone-from "$phone" --out "$TMP/pg-passed-$tag-$c.tsv"
      phone=$((phone + PER_RUN))
      run_wrk_nodes "entry-$tag" "$c" /api/entries bench/replay.lua entry "$TMP/pg-passed-$tag-$c.tsv"
    done
    # What the database holds now, beside what the runs answered: a cross-check.
    PG_COUNTS[$tag]=$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" -Atc \
      "SELECT (SELECT count(*) FROM submissions) || ' submissions, ' || (SELECT count(*) FROM entries) || ' entries'")
    stop_nodes
    # Gone before the next configuration: its millions of rows would be
    # vacuumed by PostgreSQL during that one's runs, on the same cores.
    "$PG_BIN/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
  }
  declare -A PG_COUNTS
  pg_flows pg1 1
  pg_flows pg2 2

  # One node again, every commit waiting for a synchronous standby on the
  # same machine (STACK.md: pg_basebackup -R, synchronous_standby_names).
  SB_PORT=$(free_port $((PG_PORT + 1)))
  log "a synchronous standby on 127.0.0.1:$SB_PORT"
  # --checkpoint=fast: a spread checkpoint over the runs' writes took minutes.
  as_pg "$PG_BIN/pg_basebackup" -D "$PG_DIR/standby" -h 127.0.0.1 -p "$PG_PORT" -U postgres -R -X stream --checkpoint=fast \
    >"$TMP/basebackup.log" 2>&1 || { cat "$TMP/basebackup.log" >&2; die "pg_basebackup failed"; }
  SB_DATA=$PG_DIR/standby
  as_pg "$PG_BIN/pg_ctl" -D "$SB_DATA" -l "$PG_DIR/standby.log" -w -t 60 \
    -o "-p $SB_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" \
    start >"$TMP/pg_ctl-standby.log" 2>&1 || { cat "$TMP/pg_ctl-standby.log" "$PG_DIR/standby.log" >&2; die "the standby did not start"; }
  PG_PIDS+=("$(head -1 "$SB_DATA/postmaster.pid")")
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAtc "ALTER SYSTEM SET synchronous_standby_names = '*'" \
    -c "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 300); do
    state=$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc "SELECT string_agg(sync_state, ',') FROM pg_stat_replication")
    [ "$state" = sync ] && break
    sleep 0.1
  done
  [ "$state" = sync ] || die "the standby is not synchronous (pg_stat_replication: '$state')"
  pg_flows pgsb 1
  # Commits stop waiting before the standby goes.
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAtc "ALTER SYSTEM RESET synchronous_standby_names" \
    -c "SELECT pg_reload_conf()" >/dev/null
  pg_stop "$SB_DATA"
  SB_DATA=
  pg_stop
  PG_DATA=
fi
pget() { # NAME CONNS FIELD(3=rps 4=p50 5=p99 6=non-2xx 7=nodes µs/req 8=pg µs/req 9=node log errors 10=pg log errors 11=wrapped 12=socket errors 13=checkpoints 14=least node's share 15=autovacuums)
  awk -v n="$1" -v c="$2" -v f="$3" '$1 == n && $2 == c { print $f }' "$TMP/pgruns"
}

# --- 8. the table ------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
yes_no() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**missed**"; fi; }
{
  echo "## quizbooth benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), wrk -t2 on the same cores;" \
    "${DUR}s per wrk run; git $(git rev-parse --short HEAD)$(git diff --quiet -- src || echo '+dirty src');" \
    "load average $LOAD_AT_START after the build, $(cut -d' ' -f1-3 /proc/loadavg) at the end; $((SECONDS - RUN_T0)) s from the build's end; $AUTOGROUP_NOTE."
  echo "Limit: examples/limit, a bare actix-web POST answering ${START_BYTES} bytes of JSON (the mean session-start response)."
  echo
  echo "| flow | conns | req/s | ratio to limit | target | p50 ms | p99 ms | errors | server CPU µs/req (writer thread) | ratio to raw SQLite, 64 rows/tx |"
  echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"
  for c in "${CONNS[@]}"; do
    echo "| limit: bare actix POST | $c | $(get limit "$c" 3) | 1.00 | | $(get limit "$c" 4) | $(get limit "$c" 5) | $(get limit "$c" 6) | $(get limit "$c" 7) | |"
  done
  for flow in start submit entry; do
    case $flow in
      start) label='POST /api/sessions' ;;
      submit) label='POST /api/sessions/{id}/answers' ;;
      entry) label='POST /api/entries' ;;
    esac
    for c in "${CONNS[@]}"; do
      r=$(ratio "$(get $flow "$c" 3)" "$(get limit "$c" 3)")
      p99=$(get $flow "$c" 5)
      err=$(get $flow "$c" 6)
      t="ratio $(yes_no "$r >= 0.5")"
      [ "$c" = 1000 ] && t="$t; p99 $(yes_no "$p99 < 50")"
      t="$t; errors $(yes_no "$err == 0")"
      echo "| $label | $c | $(get $flow "$c" 3) | $r | $t | $(get $flow "$c" 4) | $p99 | $err | $(get $flow "$c" 7) ($(get $flow "$c" 8)) | $(ratio "$(get $flow "$c" 3)" "$(sql_rate batch_64)") |"
    done
  done
  echo
  echo "| measure | value | target | |"
  echo "|---|---:|---|---|"
  echo "| raw rusqlite insert, 1 row per transaction (WAL, synchronous=FULL) | $(sql_rate per_row) rows/s | | |"
  echo "| raw rusqlite insert, 64 rows per transaction | $(sql_rate batch_64) rows/s | | |"
  echo "| raw rusqlite insert, 512 rows per transaction | $(sql_rate batch_512) rows/s | | |"
  echo "| server peak RSS (VmHWM) after $RSS_STARTED (≥ $RSS_SESSIONS) sessions started at 64 and 1000 connections, left open | $RSS_PEAK MB | ≤ 64 MB | $(yes_no "$RSS_PEAK <= 64") |"
  echo "| server peak RSS at the end of all runs, after submit and entry at 1000 connections (${THREADS_END} threads) | $RSS_END MB (now: $ANON_END MB anonymous, $FILE_END MB mapped files) | | |"
  echo "| draw commit + reveal over $DRAW_N entries | $DRAW_MS ms (commit $COMMIT_MS + reveal $REVEAL_MS) | < 2000 ms | $(yes_no "$DRAW_MS < 2000") |"
  echo "| GET /admin/api/stats over $DRAW_N submissions | first $STATS_FIRST ms, median of 5 $STATS_MED ms | < 200 ms | $(yes_no "$STATS_FIRST < 200") |"
  echo "| server peak RSS after the draw | $DRAW_RSS MB | | |"
  echo "| quizbooth check of a $SHEET_N-question workbook ($SHEET_KB KB .xlsx) | $SHEET_MS ms, peak RSS $SHEET_RSS MB | | |"
  if [ "$PG" = 1 ]; then
    echo
    echo "### SQLite and PostgreSQL $PG_VERSION, one run"
    echo
    echo "PostgreSQL: a throwaway local cluster (fsync=on, synchronous_commit=on, otherwise defaults) on the same $(nproc) cores;" \
      "a fresh database per configuration; two nodes are two \`serve --workers $(($(nproc) / 2 > 0 ? $(nproc) / 2 : 1))\` processes on one database (one node: \`--workers $(nproc)\`);" \
      "every configuration is loaded by the same one wrk with two threads, each with half the connections (two nodes: one thread each, \`bench/nodes.lua\`);" \
      "the synchronous standby (\`pg_basebackup -R\`, synchronous_standby_names='*') runs on the same cores, its CPU counted as PostgreSQL's." \
      "Ratios are to the SQLite row of the same flow and connections in this run. Errors: wrk's non-2xx responses / socket errors" \
      "(in practice wrk's timeouts: no answer within its 2 s; those requests are left out of p50/p99; SQLite rows: the sum, as above);" \
      "log lines: WARN/ERROR lines the nodes wrote during the run / ERROR, FATAL or PANIC lines PostgreSQL wrote." \
      "CPU: utime + stime of the node processes, and of the PostgreSQL server's processes, per request answered."
    echo
    echo "| flow | conns | engine | req/s | ratio to SQLite | two nodes / one | p50 ms | p99 ms | errors: non-2xx / socket | log lines: nodes / PostgreSQL | CPU µs/req: nodes (PostgreSQL) |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for flow in start submit entry; do
      case $flow in
        start) label='POST /api/sessions' ;;
        submit) label='POST /api/sessions/{id}/answers' ;;
        entry) label='POST /api/entries' ;;
      esac
      for c in "${CONNS[@]}"; do
        lite=$(get $flow "$c" 3)
        echo "| $label | $c | SQLite, 1 node | $lite | 1.00 | | $(get $flow "$c" 4) | $(get $flow "$c" 5) | $(get $flow "$c" 6) | | $(get $flow "$c" 7) |"
        for tag in pg1 pg2 pgsb; do
          n=$flow-$tag
          case $tag in
            pg1) eng='PostgreSQL, 1 node'; two= ;;
            pg2) eng='PostgreSQL, 2 nodes'; two=$(ratio "$(pget "$n" "$c" 3)" "$(pget "$flow-pg1" "$c" 3)") ;;
            pgsb) eng='PostgreSQL, 1 node, synchronous standby'; two= ;;
          esac
          echo "| $label | $c | $eng | $(pget "$n" "$c" 3) | $(ratio "$(pget "$n" "$c" 3)" "$lite") | $two | $(pget "$n" "$c" 4) | $(pget "$n" "$c" 5) | $(pget "$n" "$c" 6) / $(pget "$n" "$c" 12) | $(pget "$n" "$c" 9) / $(pget "$n" "$c" 10) | $(pget "$n" "$c" 7) ($(pget "$n" "$c" 8)) |"
        done
      done
    done
    echo
    echo "Each PostgreSQL run starts from a CHECKPOINT; checkpoints PostgreSQL began during the runs:" \
      "$(awk '{ n += $13 } END { print n + 0 }' "$TMP/pgruns");" \
      "autovacuums and autoanalyzes that ended during them: $(awk '{ n += $15 } END { print n + 0 }' "$TMP/pgruns");" \
      "the least loaded of two nodes answered at least $(awk '$1 ~ /-pg2$/ && (m == "" || $14 < m) { m = $14 } END { print m }' "$TMP/pgruns") of a run's requests."
    echo
    echo "Stored at the end: one node ${PG_COUNTS[pg1]}; two nodes ${PG_COUNTS[pg2]};" \
      "one node with a synchronous standby ${PG_COUNTS[pgsb]} (seeded passed submissions included)."
  fi
} >"$OUT"
echo
cat "$OUT"
