#!/usr/bin/env bash
# Email delivery throughput: queue N test messages in a fresh SQLite database, then time
# `trellis mail deliver` against a local SMTP sink (scripts/smtp_sink.py, aiosmtpd) over
# the worker's pooled, reused connection.
#
#   scripts/bench_smtp.sh            # N=2000, release build
#   N=500 PORT=2600 SMTP_CONNECTIONS=16 scripts/bench_smtp.sh
set -euo pipefail

N=${N:-2000}
PORT=${PORT:-2526}
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet
BIN="$TARGET/release/trellis"

WORK=$(mktemp -d)
python3 scripts/smtp_sink.py --port "$PORT" --discard >/dev/null 2>"$WORK/sink.log" &
SINK=$!
cleanup() {
    kill "$SINK" 2>/dev/null || true
    wait "$SINK" 2>/dev/null || true
    cat "$WORK/sink.log" >&2
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done

export TRELLIS__EMAIL__TRANSPORT=smtp
export TRELLIS__EMAIL__SMTP_HOST=127.0.0.1
export TRELLIS__EMAIL__SMTP_PORT="$PORT"
export TRELLIS__EMAIL__SMTP_TLS=none
export TRELLIS__EMAIL__SMTP_CONNECTIONS="${SMTP_CONNECTIONS:-8}"
export RUST_LOG=${RUST_LOG:-warn}

rates=()
for round in $(seq 1 "${ROUNDS:-3}"); do
    export TRELLIS__DATABASE__URL="sqlite://$WORK/bench-$round.db"
    "$BIN" mail send-test --to bench@example.org --count "$N" >/dev/null
    start=$(date +%s.%N)
    "$BIN" mail deliver >/dev/null
    end=$(date +%s.%N)
    "$BIN" mail status | grep -qi "pending *0\|0 pending" || "$BIN" mail status
    rates+=("$(awk -v n="$N" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }')")
    echo "round $round: $N messages in $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }') s over $TRELLIS__EMAIL__SMTP_CONNECTIONS connection(s)"
done
row=$(printf '%-34s %20s %20s %20s %18s' "SMTP delivery, msg/s" "$(bench_stats "${rates[@]}")" "-" "-" "-")
printf '%s\n' "$row"
if [[ -n "${BENCH_TABLE:-}" ]]; then printf '%s\n' "$row" >> "$BENCH_TABLE"; fi
