#!/usr/bin/env bash
# List pages at scale (issue 14): `licensedesk demo` fills the first demo organization with
# USERS/3 mobile users (the demo spreads USERS over three), DEVICES devices and AUDIT audit
# entries; one `licensedesk serve` then answers every list page — plain, searched and at a
# deep page — for that organization's admin, 20 rounds each (p50/p99). SQLite and
# PostgreSQL. Prints Markdown tables and the time the demo took.
#
#   bash benches/pages.sh                                     # the issue's sizes
#   ENGINES=sqlite USERS=300000 DEVICES=100000 AUDIT=1000000 bash benches/pages.sh
#
# Needs: python3, curl, and for PostgreSQL psql reaching postgres://postgres@127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS="${USERS:-3000000}"
DEVICES="${DEVICES:-100000}"
AUDIT="${AUDIT:-10000000}"
ENGINES="${ENGINES:-sqlite postgres}"
PG="postgres://postgres@127.0.0.1:5432"
PASSWORD="bench password 1"

cargo build --release --quiet --bin licensedesk
BIN="$PWD/target/release/licensedesk"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

for engine in $ENGINES; do
  dir="$WORK/$engine"
  mkdir -p "$dir"
  if [ "$engine" = sqlite ]; then
    url="sqlite://$dir/bench.db?mode=rwc"
  else
    db="ld_bench_pages_$$"
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" -qc "CREATE DATABASE $db" >/dev/null
    url="$PG/$db"
  fi
  run() { RUST_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" "$@"; }
  started=$(date +%s)
  first=$(run demo --users "$USERS" --devices "$DEVICES" --audit "$AUDIT" |
    grep -E '^[0-9a-f-]{36} ' | head -1 | cut -d' ' -f1)
  filled=$(( $(date +%s) - started ))
  echo "$PASSWORD" | run admin create --email admin@bench.example --role admin --org "$first" --password-stdin >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RUST_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" --bind "127.0.0.1:$port" serve >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  echo "### $engine: $((USERS / 3)) users, $DEVICES devices, $AUDIT audit entries in one organization (demo: ${filled} s)"
  python3 benches/pages.py "http://127.0.0.1:$port" admin@bench.example "$PASSWORD" \
    "$((USERS / 3))" "$DEVICES" "$AUDIT"
  kill "$server"; wait "$server" 2>/dev/null || true
  if [ "$engine" = postgres ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
done
