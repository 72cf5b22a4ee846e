#!/usr/bin/env bash
# Run the whole test suite against a local PostgreSQL (each test makes its own database).
set -euo pipefail
cd "$(dirname "$0")/.."
URL="${TRELLIS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! pg_isready -d "$URL" -q 2>/dev/null; then
    echo "PostgreSQL is not answering at $URL." >&2
    echo "Start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
    exit 1
fi
TRELLIS_TEST_DATABASE_URL="$URL" exec cargo test "$@"
