#!/usr/bin/env bash
# Run every benchmark and print one table: each HTTP figure beside /health measured in the
# same run (the ratio is the number to compare between machines), three rounds each
# (min/median/max), gzip asked for as browsers do.
#
#   scripts/bench-all.sh                 # everything (about 15 minutes on 2 cores)
#   ONLY="dashboard smtp" scripts/bench-all.sh
#
# Needs wrk, sqlite3, python3 with aiosmtpd. Builds the release binaries first. Each
# script's full output goes to data/bench-logs/NAME.log.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
cargo build --release --quiet --bins

LOGS=data/bench-logs
mkdir -p "$LOGS"
export BENCH_TABLE
BENCH_TABLE=$(mktemp)
trap 'rm -f "$BENCH_TABLE"' EXIT

declare -A SCRIPTS=(
  [dashboard]=scripts/bench-dashboard.sh
  [report]=scripts/bench_report.sh
  [export-stall]=scripts/bench-export-stall.sh
  [smtp]=scripts/bench_smtp.sh
  [backup]=scripts/bench-backup.sh
)
ORDER=(dashboard report export-stall smtp backup)
for name in ${ONLY:-${ORDER[@]}}; do
  script=${SCRIPTS[$name]:-}
  if [[ -z "$script" ]]; then echo "unknown benchmark $name (one of: ${ORDER[*]})" >&2; exit 2; fi
  echo "running $name ($script) ..."
  if ! bash "$script" > "$LOGS/$name.log" 2>&1; then
    echo "  $name failed; see $LOGS/$name.log" >&2
  fi
done

echo
echo "$(nproc) cores, $(date -u +%FT%TZ), gzip ${GZIP:-1}, ${ROUNDS:-3} rounds"
bench_header
cat "$BENCH_TABLE"
