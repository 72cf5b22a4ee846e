#!/usr/bin/env bash
# Time `trellis backup` of a 1.5-million-entry SQLite database while wrk loads the dashboard.
#
#   scripts/bench-backup.sh            # seed data/bench.db if missing (as bench-dashboard.sh)
#   SEED=1 scripts/bench-backup.sh     # start again from a fresh database
#   BACKUP_PREFIX="nice -n 19" scripts/bench-backup.sh   # run the backup under a wrapper
#
# Needs a release build (cargo build --release) and wrk (apt-get install -y wrk).
# Prints the dashboard's figures without a backup, then while one runs (three rounds each,
# beside /health), and the backup's time; the goal is under 10 s with the dashboard's p99
# within 2x.
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
DURATION="${DURATION:-10s}"
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
COOKIE="Cookie: trellis_session=$SESSION"

echo "Warming up..."
wrk -t2 -c"$CONNECTIONS" -d3s -H "$COOKIE" "http://127.0.0.1:$PORT/dashboard" >/dev/null
echo
bench_header
bench_compare "dashboard, no backup" /dashboard -H "$COOKIE"

# Each round: wrk loads the dashboard for WINDOW seconds and a backup starts 1 s in, so
# most of the window has a backup running; the same round measures /health just before.
mkdir -p "$OUT"
WINDOW="${WINDOW:-6}"
p99s=(); rps=(); health=(); ratio=(); took=()
for round in $(seq 1 "${ROUNDS:-3}"); do
  h=$(DURATION="${WINDOW}s" bench_wrk_once /health)
  FILE="$OUT/bench-$(date -u +%Y%m%dT%H%M%SZ)-$round.db"
  DURATION="${WINDOW}s" bench_wrk_once /dashboard -H "$COOKIE" > "$OUT/wrk-during.txt" &
  WRK=$!
  sleep 1
  START=$(date +%s.%N)
  ${BACKUP_PREFIX:-} "$BIN" backup --out "$FILE" > "$OUT/backup.txt"
  END=$(date +%s.%N)
  wait $WRK
  out=$(cat "$OUT/wrk-during.txt")
  health+=("${h%% *}"); rps+=("${out%% *}"); p99s+=("${out##* }")
  ratio+=("$(awk -v a="${out%% *}" -v b="${h%% *}" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')")
  took+=("$(awk -v s="$START" -v e="$END" 'BEGIN { printf "%.2f", e - s }')")
  if [[ $round == 1 ]]; then
    "$BIN" backup --verify "$FILE" | head -1
    head -3 "$OUT/backup.txt"
  fi
  rm -f "$FILE"
done
row=$(printf '%-34s %20s %20s %20s %18s' "dashboard during a backup" "$(bench_stats "${rps[@]}")" \
  "$(BENCH_FORMAT=%.1f bench_stats "${p99s[@]}")" "$(bench_stats "${health[@]}")" \
  "$(BENCH_FORMAT=%.3f bench_stats "${ratio[@]}")")
printf '%s\n' "$row"
row2=$(printf '%-34s %20s %20s %20s %18s' "backup of $ENTRIES entries, s" \
  "$(BENCH_FORMAT=%.2f bench_stats "${took[@]}")" "-" "-" "-")
printf '%s\n' "$row2"
if [[ -n "${BENCH_TABLE:-}" ]]; then printf '%s\n%s\n' "$row" "$row2" >> "$BENCH_TABLE"; fi
rm -f "$OUT/wrk-during.txt" "$OUT/backup.txt"
