#!/usr/bin/env bash
# Dashboard latency while stalled CSV downloads wait on their clients.
#
#   scripts/bench-export-stall.sh [STALLED] [ROWS]
#
# Release build, SQLite, pool of 8 reading connections. Seeds one large couple export
# (ROWS answer rows, default 200,000: tens of MB, far more than socket buffers hold) with
# scripts/gen_report_data.py, then measures the dashboard with wrk three times: alone, while
# STALLED (default 50) clients hold the export open without reading (after SETTLE seconds,
# default 10, for the exports to fill the buffers), and after they are gone.
# Needs wrk, sqlite3 and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
STALLED="${1:-50}"
ROWS="${2:-200000}"
PORT="${PORT:-18093}"
DIR="${BENCH_DIR:-/tmp/trellis-bench-export-stall}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
BIN="${CARGO_TARGET_DIR:-target}/release/trellis"
cargo build --release --bin trellis >/dev/null
rm -rf "$DIR" && mkdir -p "$DIR"
export TRELLIS__DATABASE__URL="sqlite://$DIR/trellis.db" TRELLIS__SERVER__PORT="$PORT" \
       TRELLIS__REMINDERS__ENABLED=false TRELLIS__SERVER__WORKERS=2 \
       TRELLIS__DATABASE__POOL_SIZE=8 TRELLIS__EMAIL__TRANSPORT=memory RUST_LOG=warn
"$BIN" migrate >/dev/null
COUPLE=$(python3 scripts/gen_report_data.py "$DIR/trellis.db" rows "$ROWS")

"$BIN" serve >"$DIR/server.log" 2>&1 &
PID=$!
STALLER=""
trap 'kill $PID 2>/dev/null || true; [[ -n "$STALLER" ]] && kill $STALLER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/login" >/dev/null && break; sleep 0.2; done
COOKIE="Cookie: trellis_session=bench-token"
code=$(curl -s -o "$DIR/export.csv" -w '%{http_code}' -H "$COOKIE" "http://127.0.0.1:$PORT/couples/$COUPLE/export.csv")
echo "export: HTTP $code, $(du -h "$DIR/export.csv" | cut -f1)"

measure() {
  bench_compare "$1" /dashboard -H "$COOKIE"
}
bench_header

measure "dashboard alone"

# STALLED raw connections that ask for the export and never read; held until killed.
python3 - "$PORT" "$COUPLE" "$STALLED" <<'PY' &
import socket, sys, time
port, couple, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.sendall((f"GET /couples/{couple}/export.csv HTTP/1.1\r\nHost: x\r\n"
               "Cookie: trellis_session=bench-token\r\n\r\n").encode())
    socks.append(s)
time.sleep(3600)
PY
STALLER=$!
sleep "${SETTLE:-10}"   # let the exports fill the buffers and park
measure "dashboard while $STALLED export downloads are stalled"
kill $STALLER 2>/dev/null || true
STALLER=""
sleep 1
measure "dashboard after the stalled clients left"
echo "server log warnings: $(grep -c WARN "$DIR/server.log" || true)"
