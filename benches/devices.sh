#!/usr/bin/env bash
# Active Devices at scale (issue 5): `licensedesk demo --devices 100000` gives the first demo
# organization 100 000 devices and the second 1 000; one `licensedesk serve` answers the
# page with a search (5 searches x 20 rounds: p50/p99) and streams the Devices Report for
# both, in the same run, while the server's resident memory is sampled. SQLite and
# PostgreSQL.
#
#   bash benches/devices.sh                 # both engines
#   ENGINES=sqlite DEVICES=20000 bash benches/devices.sh
#
# Needs: python3, curl, and for PostgreSQL psql reaching postgres://postgres@127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES="${DEVICES:-100000}"
ENGINES="${ENGINES:-sqlite postgres}"
PG="postgres://postgres@127.0.0.1:5432"
PASSWORD="bench password 1"

cargo build --release --quiet
BIN="$PWD/target/release/licensedesk"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

for engine in $ENGINES; do
  dir="$WORK/$engine"
  mkdir -p "$dir"
  if [ "$engine" = sqlite ]; then
    url="sqlite://$dir/bench.db?mode=rwc"
  else
    db="ld_bench_devices_$$"
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" -qc "CREATE DATABASE $db" >/dev/null
    url="$PG/$db"
  fi
  run() { RUST_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" "$@"; }
  orgs=$(run demo --users 150 --devices "$DEVICES" | grep -E '^[0-9a-f-]{36} ' | cut -d' ' -f1)
  big=$(echo "$orgs" | sed -n 1p)
  small=$(echo "$orgs" | sed -n 2p)
  echo "$PASSWORD" | run admin create --email big@bench.example --role admin --org "$big" --password-stdin >/dev/null
  echo "$PASSWORD" | run admin create --email small@bench.example --role admin --org "$small" --password-stdin >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # The binary itself in the background (not the `run` function), so that $! is its pid.
  RUST_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" --bind "127.0.0.1:$port" serve >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  echo "### $engine"
  python3 benches/devices.py "http://127.0.0.1:$port" "$server" \
    "$((DEVICES / 100)) devices:small@bench.example,$DEVICES devices:big@bench.example" "$PASSWORD"
  kill "$server"; wait "$server" 2>/dev/null || true
  if [ "$engine" = postgres ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
done
