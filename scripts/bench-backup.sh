#!/usr/bin/env bash
# Time `trellis backup` of a 1.5-million-entry SQLite database while wrk loads the dashboard.
#
#   scripts/bench-backup.sh            # seed data/bench.db if missing (as bench-dashboard.sh)
#   SEED=1 scripts/bench-backup.sh     # start again from a fresh database
#   BACKUP_PREFIX="nice -n 19" scripts/bench-backup.sh   # run the backup under a wrapper
#
# Needs a release build (cargo build --release) and wrk (apt-get install -y wrk).
# Prints the dashboard's latency without a backup, then during one, and the backup's time,
# size and checksum; the goal is under 10 s with the dashboard's p99 within 2x.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BIN="$TARGET_DIR/release/trellis"
SEEDER="$TARGET_DIR/release/trellis-seed"
DB="${BENCH_DB:-data/bench.db}"
OUT="${BENCH_OUT:-data/bench-backups}"
PORT="${BENCH_PORT:-18081}"
PASSWORD="bench passphrase 2026"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"

export TRELLIS__DATABASE__URL="sqlite://$DB"
export TRELLIS__SERVER__PORT="$PORT"
export TRELLIS__SERVER__BASE_URL="http://127.0.0.1:$PORT"
export TRELLIS__REMINDERS__ENABLED=false
export TRELLIS__EMAIL__TRANSPORT=memory
export RUST_LOG="${RUST_LOG:-warn}"

if [[ "${SEED:-0}" == "1" ]]; then rm -f "$DB" "$DB-wal" "$DB-shm"; fi
if [[ ! -f "$DB" ]]; then
  mkdir -p "$(dirname "$DB")"
  "$SEEDER" --couples 1000 --per-counselor 40 --days 730 --password "$PASSWORD"
fi
ENTRIES=$(sqlite3 "$DB" "SELECT count(*) FROM entries")
echo "Database: $DB, $(du -h "$DB" | cut -f1), $ENTRIES entries."

"$BIN" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
bench_wait_for_server

SESSION=$(bench_sign_in bench@practice.test "$PASSWORD")
LOAD=(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency
  -H "Cookie: trellis_session=$SESSION" "http://127.0.0.1:$PORT/dashboard")

echo "Warming up..."
wrk -t2 -c"$CONNECTIONS" -d3s -H "Cookie: trellis_session=$SESSION" \
  "http://127.0.0.1:$PORT/dashboard" >/dev/null
echo
echo "Dashboard, no backup running:"
"${LOAD[@]}"

echo
echo "Dashboard while a backup runs (it starts 2 s in):"
mkdir -p "$OUT"
FILE="$OUT/bench-$(date -u +%Y%m%dT%H%M%SZ).db"
"${LOAD[@]}" > "$OUT/wrk-during.txt" &
WRK=$!
sleep 2
START=$(date +%s.%N)
${BACKUP_PREFIX:-} "$BIN" backup --out "$FILE"
END=$(date +%s.%N)
wait $WRK
cat "$OUT/wrk-during.txt"
echo
echo "trellis backup took $(python3 -c "print(f'{$END - $START:.2f}')") s (wall clock, summary included)."

START=$(date +%s.%N)
"$BIN" backup --verify "$FILE" > "$OUT/verify.txt"
END=$(date +%s.%N)
head -1 "$OUT/verify.txt"
echo "trellis backup --verify took $(python3 -c "print(f'{$END - $START:.2f}')") s."
rm -f "$FILE" "$OUT/wrk-during.txt" "$OUT/verify.txt"
