#!/usr/bin/env bash
# Licence check benchmark (issues 4 and 14): 100 000 mobile users, the check endpoint driven
# over HTTP by wrk (a separate process) at 64 connections for known users and for a
# first-sync storm (every request a new user GUID, benches/storm.lua), beside /healthz in
# the same run (ROUNDS alternating rounds of DURATION each), on SQLite and on PostgreSQL.
# Prints a Markdown table: mean requests/s, median p50 and worst p99 over the rounds.
#
#   bash benches/license_check.sh            # both engines
#   ENGINES=sqlite bash benches/license_check.sh
#
# Needs: wrk (apt-get install wrk), python3, and for PostgreSQL psql reaching
# postgres://postgres@127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS="${USERS:-100000}"
DURATION="${DURATION:-5s}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
ENGINES="${ENGINES:-sqlite postgres}"
PG="postgres://postgres@127.0.0.1:5432"

cargo build --release --quiet
BIN="$PWD/target/release/licensedesk"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# "requests/s p50 p99" from wrk --latency output (latencies in ms).
summarize() {
  python3 -c '
import re, sys
text = sys.stdin.read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
lat = dict((p, ms(v, u)) for p, v, u in re.findall(r"\s(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)", text))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
p50, p99 = lat["50"], lat["99"]
print(f"{rps:.0f} {p50:.2f} {p99:.2f} {errors.group(1) if errors else 0}")
'
}

# Rounds of one endpoint → mean requests/s, median p50, worst p99, all non-2xx.
combine() {
  python3 -c '
import statistics, sys
rounds = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
rps = statistics.mean(r[0] for r in rounds)
p50 = statistics.median(r[1] for r in rounds)
p99 = max(r[2] for r in rounds)
errors = sum(int(r[3]) for r in rounds)
print(f"{rps:.0f} {p50:.2f} {p99:.2f} {errors}")
'
}

echo "| engine | endpoint | requests/s | p50 ms | p99 ms | non-2xx | check / healthz |"
echo "|---|---|---|---|---|---|---|"
for engine in $ENGINES; do
  dir="$WORK/$engine"
  mkdir -p "$dir"
  if [ "$engine" = sqlite ]; then
    url="sqlite://$dir/bench.db?mode=rwc"
  else
    db="ld_bench_$$"
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" -qc "CREATE DATABASE $db" >/dev/null
    url="$PG/$db"
  fi
  RUST_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" demo --users "$USERS" >/dev/null
  query="SELECT o.organization_id, m.user_id FROM mobile_users m JOIN organizations o ON o.id = m.organization_id ORDER BY m.id LIMIT 20000"
  if [ "$engine" = sqlite ]; then
    python3 -c "import sqlite3,sys; [print(o, u) for o, u in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]" "$dir/bench.db" "$query" > "$dir/users.txt"
  else
    psql "$url" -AtF ' ' -c "$query" > "$dir/users.txt"
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RUST_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" --bind "127.0.0.1:$port" serve >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  # Warm up, then measure the two endpoints in alternating rounds, so that a change in the
  # machine's load during the run weighs on both alike.
  BENCH_USERS="$dir/users.txt" wrk -t2 -c"$CONNECTIONS" -d3s -s benches/check.lua "http://127.0.0.1:$port/api/v1/license/check" >/dev/null
  : >"$dir/check.txt"; : >"$dir/health.txt"; : >"$dir/storm.txt"
  for _ in $(seq 1 "$ROUNDS"); do
    BENCH_USERS="$dir/users.txt" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s benches/check.lua "http://127.0.0.1:$port/api/v1/license/check" | summarize >>"$dir/check.txt"
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/healthz" | summarize >>"$dir/health.txt"
    BENCH_USERS="$dir/users.txt" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s benches/storm.lua "http://127.0.0.1:$port/api/v1/license/check" | summarize >>"$dir/storm.txt"
  done
  kill "$server"; wait "$server" 2>/dev/null || true
  read -r c_rps c_p50 c_p99 c_err <<<"$(combine <"$dir/check.txt")"
  read -r h_rps h_p50 h_p99 h_err <<<"$(combine <"$dir/health.txt")"
  read -r s_rps s_p50 s_p99 s_err <<<"$(combine <"$dir/storm.txt")"
  ratio=$(python3 -c "print(f'{$c_rps / $h_rps:.2f}')")
  storm_ratio=$(python3 -c "print(f'{$s_rps / $h_rps:.2f}')")
  echo "| $engine | POST /api/v1/license/check | $c_rps | $c_p50 | $c_p99 | $c_err | $ratio |"
  echo "| $engine | POST /api/v1/license/check, new users (storm) | $s_rps | $s_p50 | $s_p99 | $s_err | $storm_ratio |"
  echo "| $engine | GET /healthz | $h_rps | $h_p50 | $h_p99 | $h_err | |"
  if [ "$engine" = postgres ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; fi
done
