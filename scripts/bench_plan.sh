#!/usr/bin/env bash
# Seed 10,000 partners (5,000 couples, a daily assignment each) into a fresh SQLite database
# and time planning passes, in release mode.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cargo build --release --quiet
TRELLIS__DATABASE__URL="sqlite://$dir/bench.db" TRELLIS__EMAIL__OUTBOX_DIR="$dir/outbox" \
    "${CARGO_TARGET_DIR:-target}/release/trellis" bench-plan --couples "${1:-5000}"
