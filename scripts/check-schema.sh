#!/usr/bin/env bash
# Checks that src/db/schema.rs (kept by hand, one file for both back ends) matches what the
# migrations build: applies migrations/sqlite to a scratch SQLite file and
# migrations/postgres to a scratch PostgreSQL database (dropped afterwards), runs
# `diesel print-schema` on each, and compares all three after normalising what
# legitimately differs between back ends.
#
# Compared, per table: its name, its primary key, and each column's name, nullability and
# type, with the type names of the two back ends mapped onto one set (Int4 -> Integer,
# Int8 -> BigInt, Int2 -> SmallInt, Float8 -> Double, Float4 -> Float, Timestamptz ->
# Timestamp, Varchar -> Text). Each `joinable!` in schema.rs must be a foreign key in the
# migrations (print-schema writes one per foreign key; schema.rs declares only the joins the
# code uses, so it may have fewer), and the two back ends must agree on every line,
# foreign keys included. Not compared: the order of tables and of columns inside a table
# (diesel names every column in its queries), `allow_tables_to_appear_in_same_query!` (it
# lists every table), comments and attributes other than `#[sql_name]`.
#
# Needs diesel_cli (`cargo install diesel_cli --no-default-features --features
# sqlite-bundled,postgres`), python3, psql, and PostgreSQL at $SCHEMA_CHECK_PG_URL
# (default postgres://postgres@127.0.0.1:5432/postgres); SCHEMA_CHECK_SKIP_PG=1 checks
# SQLite alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

command -v diesel >/dev/null || {
    echo "check-schema: diesel_cli is missing: cargo install diesel_cli --no-default-features --features sqlite-bundled,postgres" >&2
    exit 1
}

PG_URL="${SCHEMA_CHECK_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="trellis_schema_check_$$"
WORK="$(mktemp -d)"
cleanup() {
    if [ -n "${PG_CREATED:-}" ]; then
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null \
            || echo "check-schema: could not drop $PG_DB" >&2
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# diesel looks for a diesel.toml from the current folder up; run it where there is none.
cd "$WORK"

echo "check-schema: SQLite"
diesel migration run --migration-dir "$ROOT/migrations/sqlite" \
    --database-url "$WORK/schema.db" >/dev/null
diesel print-schema --database-url "$WORK/schema.db" >"$WORK/sqlite.rs"
sources=("$WORK/sqlite.rs")

if [ "${SCHEMA_CHECK_SKIP_PG:-}" != 1 ]; then
    echo "check-schema: PostgreSQL"
    psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $PG_DB" >/dev/null
    PG_CREATED=1
    pg_db_url="${PG_URL%/*}/$PG_DB"
    diesel migration run --migration-dir "$ROOT/migrations/postgres" \
        --database-url "$pg_db_url" >/dev/null
    diesel print-schema --database-url "$pg_db_url" >"$WORK/postgres.rs"
    sources+=("$WORK/postgres.rs")
fi

python3 - "$ROOT/src/db/schema.rs" "${sources[@]}" <<'PY'
import re
import sys

TYPES = {
    "Int4": "Integer", "Int8": "BigInt", "Int2": "SmallInt",
    "Float8": "Double", "Float4": "Float", "Timestamptz": "Timestamp",
    "Varchar": "Text", "Bpchar": "Text",
}

def norm_type(t):
    t = re.sub(r"\s+", "", t)
    for a, b in TYPES.items():
        t = re.sub(r"\b%s\b" % a, b, t)
    return t

def parse(path):
    """The schema as a set of comparable lines."""
    text = open(path).read()
    text = re.sub(r"//[^\n]*", "", text)
    lines = set()
    for m in re.finditer(r"\btable!\s*\{(.*?)\n\}", text, re.S):
        body = m.group(1)
        head = re.search(r"(?:(?:[\w:]+)\.)?(\w+)\s*\(([^)]*)\)\s*\{", body)
        if not head:
            sys.exit(f"check-schema: cannot read a table! in {path}")
        table = head.group(1)
        keys = ", ".join(k.strip() for k in head.group(2).split(","))
        lines.add(f"{table} primary key ({keys})")
        sql_name = None
        for line in body[head.end():].splitlines():
            line = line.strip()
            a = re.match(r'#\[sql_name\s*=\s*"([^"]+)"\]', line)
            if a:
                sql_name = a.group(1)
                continue
            c = re.match(r"(\w+)\s*->\s*(.+?),?$", line)
            if c:
                name = sql_name or c.group(1)
                lines.add(f"{table}.{name}: {norm_type(c.group(2))}")
                sql_name = None
    for m in re.finditer(r"joinable!\s*\(\s*(\w+)\s*->\s*(\w+)\s*\((\w+)\)\s*\)", text):
        lines.add(f"joinable {m.group(1)} -> {m.group(2)} ({m.group(3)})")
    if not lines:
        sys.exit(f"check-schema: no table found in {path}")
    return lines

def is_join(line):
    return line.startswith("joinable ")

expected_path, *built_paths = sys.argv[1:]
expected = parse(expected_path)
failed = False
builds = {}
for path in built_paths:
    built = parse(path)
    name = "SQLite" if path.endswith("sqlite.rs") else "PostgreSQL"
    builds[name] = built
    # A foreign key that schema.rs declares no join for is fine.
    missing = sorted(l for l in built - expected if not is_join(l))
    extra = sorted(expected - built)
    if missing or extra:
        failed = True
        print(f"check-schema: src/db/schema.rs differs from the {name} migrations:")
        for l in missing:
            print(f"  the migrations have, schema.rs lacks: {l}")
        for l in extra:
            print(f"  schema.rs has, the migrations lack:  {l}")
    else:
        tables = sum(1 for l in built if " primary key " in l)
        columns = sum(1 for l in built if ": " in l)
        joins = sum(1 for l in expected if is_join(l))
        print(f"check-schema: {name}: {tables} tables, {columns} columns and schema.rs's "
              f"{joins} joins match src/db/schema.rs")
if len(builds) == 2:
    a, b = builds["SQLite"], builds["PostgreSQL"]
    if a != b:
        failed = True
        print("check-schema: the SQLite and PostgreSQL migrations build different schemas:")
        for l in sorted(a - b):
            print(f"  only SQLite:     {l}")
        for l in sorted(b - a):
            print(f"  only PostgreSQL: {l}")
    else:
        print(f"check-schema: SQLite and PostgreSQL agree ({len(a)} lines, foreign keys included)")
sys.exit(1 if failed else 0)
PY
