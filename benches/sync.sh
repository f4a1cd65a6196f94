#!/usr/bin/env bash
# Sync benchmark (issue 12): the demo organization with 200 registered devices pushing
# batches of 50 updates to 5 000 shared work orders while pulling, over HTTP from a separate
# load process (benches/sync_load.rs), on SQLite and on PostgreSQL; then the first full pull
# of RECORDS work orders by a new device. Prints a Markdown table.
#
#   bash benches/sync.sh                       # both engines
#   ENGINES=sqlite INTERVAL_MS=0 bash benches/sync.sh
#   SECONDS_PER_RUN=20 WARMUP_SECONDS=10 (the defaults): the measured run and the warm-up
#
# INTERVAL_MS is each device's time between pushes (1800: 200 devices offer 111 pushes,
# 5 556 changes a second, so that "at least 5 000 applied" can show); 0 pushes as fast as
# the answers come (the server's capacity, with the latency of a full queue).
# Needs python3, and for PostgreSQL psql reaching postgres://postgres@127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINES="${ENGINES:-sqlite postgres}"
RECORDS="${RECORDS:-100000}"
# (Not SECONDS: bash counts that one up by itself.)
export DEVICES="${DEVICES:-200}" BATCH="${BATCH:-50}" RUN_SECONDS="${SECONDS_PER_RUN:-20}"
WARMUP="${WARMUP_SECONDS:-10}"
export INTERVAL_MS="${INTERVAL_MS:-1800}" SHARED="${SHARED:-5000}"
PG="postgres://postgres@127.0.0.1:5432"

cargo build --release --quiet --bin licensedesk
cargo build --release --quiet --bench sync_load
BIN="$PWD/target/release/licensedesk"
LOAD=$(ls -t target/release/deps/sync_load-* | grep -v '\.d$' | head -1)
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "| engine | devices × batch | every | changes applied/s | push p50 ms | push p99 ms | pushes | non-200 | first pull of $RECORDS records |"
echo "|---|---|---|---|---|---|---|---|---|"
for engine in $ENGINES; do
  dir="$WORK/$engine"
  mkdir -p "$dir"
  if [ "$engine" = sqlite ]; then
    url="sqlite://$dir/bench.db?mode=rwc"
  else
    db="ld_sync_bench_$$"
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" -qc "CREATE DATABASE $db" >/dev/null
    url="$PG/$db"
  fi
  RUST_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" demo \
    --users 300 --devices $((DEVICES + 40)) --records "$RECORDS" >/dev/null
  # A checkpoint after the bulk load, so that every run starts alike.
  if [ "$engine" = postgres ]; then psql "$url" -qc "CHECKPOINT" >/dev/null; fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RUST_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" --bind "127.0.0.1:$port" serve >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  export BENCH_URL="http://127.0.0.1:$port" DATABASE_URL="$url"
  # The first pull before the pushes: the records are as the demo wrote them.
  read -r pull_s pages pulled <<<"$("$LOAD" pull)"
  # A warm-up first: after a bulk load and a checkpoint, PostgreSQL writes each page's full
  # image into its log the first time the page changes, and the first pushes wait for that.
  RUN_SECONDS=$WARMUP "$LOAD" push >/dev/null
  read -r applied p50 p99 pushes failed <<<"$("$LOAD" push)"
  kill "$server"; wait "$server" 2>/dev/null || true
  every=$([ "$INTERVAL_MS" = 0 ] && echo "back to back" || echo "${INTERVAL_MS} ms")
  echo "| $engine | $DEVICES × $BATCH | $every | $applied | $p50 | $p99 | $pushes | $failed | ${pull_s} s ($pages pages, $pulled records) |"
  if [ "$engine" = postgres ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; fi
done
