#!/usr/bin/env bash
# Stream a 1,000,000-row per-couple CSV from a release build and compare with the time
# `sqlite3 -csv` takes to print the same rows; report the server's memory growth.
#   scripts/bench_csv.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
PORT="${PORT:-18091}"
DIR="${BENCH_DIR:-/tmp/trellis-bench-csv}"
BIN="${CARGO_TARGET_DIR:-target}/release/trellis"
cargo build --release --bin trellis >/dev/null
rm -rf "$DIR" && mkdir -p "$DIR"
export TRELLIS__DATABASE__URL="sqlite://$DIR/trellis.db" TRELLIS__SERVER__PORT="$PORT" \
       TRELLIS__REMINDERS__ENABLED=false TRELLIS__SERVER__WORKERS=2 RUST_LOG=warn
"$BIN" migrate >/dev/null
COUPLE=$(python3 scripts/gen_report_data.py "$DIR/trellis.db" rows "$ROWS")
echo "couple $COUPLE, $(sqlite3 "$DIR/trellis.db" 'SELECT COUNT(*) FROM entry_answers') answer rows"

QUERY="SELECT 'answer', e.id, e.couple_id, p.display_name, p.slot, x.title, e.occurrence_date,
  e.submitted_at, e.status, e.visibility, e.flagged_for_session, q.label, q.kind, a.value
  FROM entries e JOIN entry_answers a ON a.entry_id = e.id JOIN partners p ON p.id = e.partner_id
  JOIN exercises x ON x.id = e.exercise_id JOIN exercise_prompts q ON q.id = a.prompt_id
  WHERE e.couple_id = $COUPLE AND e.status = 'submitted' ORDER BY e.id, q.position;"
sqlite3 "$DIR/trellis.db" "$QUERY" >/dev/null   # warm the page cache
best_sqlite=999999
for _ in 1 2 3; do
  s=$(date +%s.%N); sqlite3 -csv "$DIR/trellis.db" "$QUERY" >"$DIR/sqlite.csv"; e=$(date +%s.%N)
  best_sqlite=$(python3 -c "print(min($best_sqlite, $e - $s))")
done

"$BIN" serve >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/login" >/dev/null && break; sleep 0.2; done
curl -fs -H "Cookie: trellis_session=bench-token" "http://127.0.0.1:$PORT/couples/$COUPLE/report" >/dev/null
rss_before=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
best_http=999999
for _ in 1 2 3; do
  s=$(date +%s.%N)
  curl -fs -H "Cookie: trellis_session=bench-token" "http://127.0.0.1:$PORT/couples/$COUPLE/export.csv" -o "$DIR/http.csv"
  e=$(date +%s.%N)
  best_http=$(python3 -c "print(min($best_http, $e - $s))")
done
hwm=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
echo "sqlite3 -csv: $(wc -l <"$DIR/sqlite.csv") lines, $(du -h "$DIR/sqlite.csv" | cut -f1), best of 3: ${best_sqlite}s"
echo "HTTP export : $(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open('$DIR/http.csv', newline=''))))") records, $(du -h "$DIR/http.csv" | cut -f1), best of 3: ${best_http}s"
python3 -c "print(f'ratio HTTP / sqlite3: {$best_http / $best_sqlite:.2f}x')"
echo "server RSS before: $((rss_before / 1024)) MB, peak during exports: $((hwm / 1024)) MB, growth: $(((hwm - rss_before) / 1024)) MB"
