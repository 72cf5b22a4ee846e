#!/usr/bin/env bash
# Session-prep report for a couple with a year of daily entries: latency with one client,
# throughput with 32 connections (wrk), against a release build on SQLite.
#   scripts/bench_report.sh [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
SECS="${1:-10}"
PORT="${PORT:-18092}"
DIR="${BENCH_DIR:-/tmp/trellis-bench-report}"
BIN="${CARGO_TARGET_DIR:-target}/release/trellis"
cargo build --release --bin trellis >/dev/null
rm -rf "$DIR" && mkdir -p "$DIR"
export TRELLIS__DATABASE__URL="sqlite://$DIR/trellis.db" TRELLIS__SERVER__PORT="$PORT" \
       TRELLIS__REMINDERS__ENABLED=false RUST_LOG=warn
"$BIN" migrate >/dev/null
COUPLE=$(python3 scripts/gen_report_data.py "$DIR/trellis.db" year)
echo "couple $COUPLE: $(sqlite3 "$DIR/trellis.db" "SELECT COUNT(*) FROM entries") entries, $(sqlite3 "$DIR/trellis.db" "SELECT COUNT(*) FROM entry_answers") answers"
"$BIN" serve >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/login" >/dev/null && break; sleep 0.2; done
H="Cookie: trellis_session=bench-token"
for path in "/couples/$COUPLE/report" "/couples/$COUPLE/report?from=$(date -u -d '-365 days' +%F)&to=$(date -u +%F)"; do
  URL="http://127.0.0.1:$PORT$path"
  code=$(curl -s -o "$DIR/page.html" -w '%{http_code}' -H "$H" "$URL")
  echo "== $path  (HTTP $code, $(wc -c <"$DIR/page.html") bytes)"
  wrk -t1 -c1 -d3s -H "$H" "$URL" >/dev/null   # warm-up
  if [[ "$path" == *"?"* ]]; then period="a year"; else period="since last session"; fi
  bench_header
  CONNECTIONS=1 DURATION="${SECS}s" bench_compare "report ($period), 1 conn" "$path" -H "$H"
  CONNECTIONS=32 DURATION="${SECS}s" bench_compare "report ($period), 32 conn" "$path" -H "$H"
done
echo "audit rows written: $(sqlite3 "$DIR/trellis.db" "SELECT COUNT(*) FROM audit_log WHERE action = 'report.view'")"
