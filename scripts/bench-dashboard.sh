#!/usr/bin/env bash
# Load test for the counselor dashboard.
#
#   scripts/bench-dashboard.sh            # seed data/bench.db if missing, serve, measure
#   SEED=1 scripts/bench-dashboard.sh     # start again from a fresh database
#   BENCH_PG=postgres://postgres@127.0.0.1:5432/trellis_bench scripts/bench-dashboard.sh
#                                         # the same on PostgreSQL (database created if missing)
#
# Needs a release build (cargo build --release) and wrk (apt-get install -y wrk).
# Seeds 1,000 couples with two years of daily entries from both partners (~1.5M entries);
# the measured counselor (bench@practice.test) has 40 couples.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BIN="$TARGET_DIR/release/trellis"
SEEDER="$TARGET_DIR/release/trellis-seed"
DB="${BENCH_DB:-data/bench.db}"
PORT="${BENCH_PORT:-18080}"
PASSWORD="bench passphrase 2026"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"

PG="${BENCH_PG:-}"
if [[ -n "$PG" ]]; then
  export TRELLIS__DATABASE__URL="$PG"
else
  export TRELLIS__DATABASE__URL="sqlite://$DB"
fi
export TRELLIS__SERVER__PORT="$PORT"
export TRELLIS__SERVER__BASE_URL="http://127.0.0.1:$PORT"
export TRELLIS__REMINDERS__ENABLED=false
export TRELLIS__EMAIL__TRANSPORT=memory
export RUST_LOG="${RUST_LOG:-warn}"

if [[ -n "$PG" ]]; then
  PG_ADMIN="${PG%/*}/postgres"
  NAME="${PG##*/}"
  if [[ "${SEED:-0}" == "1" ]]; then psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $NAME"; fi
  if [[ -z "$(psql -tA "$PG_ADMIN" -c "SELECT 1 FROM pg_database WHERE datname = '$NAME'")" ]]; then
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $NAME"
    "$SEEDER" --couples 1000 --per-counselor 40 --days 730 --password "$PASSWORD"
    psql -q "$PG" -c "VACUUM ANALYZE"
  fi
else
  if [[ "${SEED:-0}" == "1" ]]; then rm -f "$DB" "$DB-wal" "$DB-shm"; fi
  if [[ ! -f "$DB" ]]; then
    mkdir -p "$(dirname "$DB")"
    "$SEEDER" --couples 1000 --per-counselor 40 --days 730 --password "$PASSWORD"
  fi
fi

"$BIN" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
bench_wait_for_server

SESSION=$(bench_sign_in bench@practice.test "$PASSWORD")

COUPLES=$(curl -fs -H "Cookie: trellis_session=$SESSION" "http://127.0.0.1:$PORT/dashboard" \
  | grep -o 'th scope="row"' | wc -l)
echo "Dashboard shows $COUPLES couples. Warming up..."
wrk -t2 -c"$CONNECTIONS" -d3s -H "Cookie: trellis_session=$SESSION" "http://127.0.0.1:$PORT/dashboard" >/dev/null
echo
bench_header
bench_compare "dashboard (cached)" /dashboard -H "Cookie: trellis_session=$SESSION"

# The same load while partners write: a background writer changes a submitted entry of
# one of the measured counselor's couples WRITES_PER_SEC times a second (each change
# bumps the couple's data_version, so the next view recomputes the dashboard). A real
# 40-couple caseload writes a few hundred entries a day, far below these rates.
WRITER_SQL="UPDATE entries SET trust_score = floor(random() * 11)::int WHERE id = (SELECT e.id
  FROM entries e JOIN couples c ON c.id = e.couple_id JOIN counselors k ON k.id = c.counselor_id
  WHERE k.email = 'bench@practice.test' AND e.status = 'submitted'
  AND e.occurrence_date >= current_date - 10 ORDER BY e.id LIMIT 1 OFFSET floor(random() * 500)::int)"
for RATE in ${WRITES_PER_SEC:-1 10 50}; do
  if [[ -n "$PG" ]]; then
    # One psql session, one statement every 1/RATE seconds.
    (while true; do echo "$WRITER_SQL;"; sleep "$(python3 -c "print(1 / $RATE)")"; done) \
      | psql -q "$PG" >/dev/null &
  else
  python3 - "$DB" "$RATE" <<'PY' &
import random, sqlite3, sys, time
db, rate = sys.argv[1], float(sys.argv[2])
conn = sqlite3.connect(db, timeout=10, isolation_level=None)
# As the server's own writers: no checkpoint inside a commit (the server checkpoints).
conn.execute("PRAGMA wal_autocheckpoint=0")
ids = [r[0] for r in conn.execute(
    "SELECT e.id FROM entries e JOIN couples c ON c.id = e.couple_id "
    "JOIN counselors k ON k.id = c.counselor_id WHERE k.email = 'bench@practice.test' "
    "AND e.status = 'submitted' AND e.occurrence_date >= date('now', '-10 days')")]
while True:
    conn.execute("UPDATE entries SET trust_score = ? WHERE id = ?",
                 (random.randint(0, 10), random.choice(ids)))
    time.sleep(1.0 / rate)
PY
  fi
  WRITER=$!
  bench_compare "dashboard, writer at $RATE/s" /dashboard -H "Cookie: trellis_session=$SESSION"
  kill $WRITER 2>/dev/null || true
  pkill -P $$ -f "psql -q" 2>/dev/null || true
  wait $WRITER 2>/dev/null || true
done
