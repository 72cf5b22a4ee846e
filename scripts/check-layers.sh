#!/usr/bin/env bash
# Layers: who may import whom (DESIGN.md, "Layers"). Reads every `use crate::...` statement
# (braces expanded) and every inline `crate::...` path under src/, and prints each import
# that points up or sideways as file:line, then exits 1 if there was any.
#
#   domain -> nothing of ours
#   db     -> domain
#   views  -> domain, the leaf modules, db row types (CamelCase names: structs and enums,
#             never a query function)
#   auth   -> db, domain (and the HTTP edge's error and app state, see below)
#   export -> db, domain
#   web    -> anything but main and cli
#
# Leaf modules import nothing of ours but `domain`, so anyone may use them: `auth::identity` (who is
# signed in, the CSRF token), `auth::token` (random tokens and their hashes) and
# `telemetry` (log set-up and the one redaction of paths that may carry tokens).
set -euo pipefail
cd "$(dirname "$0")/.."

LEAVES=(auth::identity auth::token telemetry)

# file<TAB>line<TAB>path, one per imported path; braces in use statements expanded.
paths() {
    awk '
    function expand(prefix, body,    depth, i, c, item, out) {
        # split body at top-level commas; recurse into nested braces
        depth = 0; item = ""; out = ""
        for (i = 1; i <= length(body); i++) {
            c = substr(body, i, 1)
            if (c == "{") depth++
            if (c == "}") depth--
            if (c == "," && depth == 0) { out = out one(prefix, item); item = "" }
            else item = item c
        }
        return out one(prefix, item)
    }
    function one(prefix, item,    p, rest) {
        gsub(/^[ \t\n]+|[ \t\n]+$/, "", item)
        if (item == "") return ""
        sub(/ as .*/, "", item)
        p = index(item, "{")
        if (p > 0) {
            rest = substr(item, p + 1)
            sub(/}[ \t]*$/, "", rest)
            return expand(prefix substr(item, 1, p - 1), rest)
        }
        if (item == "self") { sub(/::$/, "", prefix); return prefix "\n" }
        return prefix item "\n"
    }
    function emit(list, line,    n, parts, k) {
        n = split(list, parts, "\n")
        for (k = 1; k <= n; k++) if (parts[k] != "") printf "%s\t%d\t%s\n", FILENAME, line, parts[k]
    }
    FNR == 1 { inuse = 0 }
    {
        line = $0
        sub(/\/\/.*/, "", line)
        if (!inuse && line ~ /^[ \t]*(pub(\([a-z]+\))? )?use crate::/) {
            inuse = 1; start = FNR; stmt = ""
        }
        if (inuse) {
            stmt = stmt " " line
            if (line ~ /;/) {
                inuse = 0
                sub(/^[ \t]*(pub(\([a-z]+\))? )?use /, "", stmt)
                sub(/;.*/, "", stmt)
                emit(one("", stmt), start)
            }
            next
        }
        while (match(line, /crate::[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*/)) {
            printf "%s\t%d\t%s\n", FILENAME, FNR, substr(line, RSTART, RLENGTH)
            line = substr(line, RSTART + RLENGTH)
        }
    }' "$@"
}

# The layer of a source file: its folder under src/ (or its file name at the top).
layer_of() {
    local f=${1#src/}
    case "$f" in
        */*) echo "${f%%/*}" ;;
        *) echo "${f%.rs}" ;;
    esac
}

is_leaf() {
    local p=$1 leaf
    for leaf in "${LEAVES[@]}"; do
        [[ "$p" == "$leaf" || "$p" == "$leaf::"* ]] && return 0
    done
    return 1
}

# 0 when a file of `layer` may import `path` (given without the `crate::` prefix).
allowed() {
    local layer=$1 file=$2 path=$3 top=${3%%::*}
    # A leaf module imports nothing of ours but the pure domain (the bottom layer).
    for leaf in "${LEAVES[@]}"; do
        [[ "$file" == "src/${leaf//:://}.rs" ]] && { [[ "$top" == domain ]]; return; }
    done
    is_leaf "$path" && return 0
    [[ "$top" == "$layer" ]] && return 0
    case "$layer" in
        domain) return 1 ;;
        db)
            # The db layer's own macro (macro_rules! exports live at the crate root).
            [[ "$top" == domain || "$path" == insert_returning_id ]] ;;
        views)
            [[ "$top" == domain ]] && return 0
            # db row types only: crate::db::<module>::<CamelCase>.
            [[ "$path" =~ ^db::[a-z_]+::[A-Z][A-Za-z0-9]*$ ]] ;;
        auth)
            # The session middleware and the guards are auth's HTTP edge: they answer with
            # AppError and read the app state.
            [[ "$top" == db || "$top" == domain || "$top" == error || "$path" == AppState ]] ;;
        export)
            [[ "$top" == db || "$top" == domain ]] ;;
        web)
            [[ "$top" != main && "$top" != cli ]] ;;
        *) return 0 ;;
    esac
}

mapfile -t files < <(find src/domain src/db src/views src/auth src/web src/export -name '*.rs' 2>/dev/null | sort)
violations=0
while IFS=$'\t' read -r file line path; do
    rel=${path#crate::}
    layer=$(layer_of "$file")
    if ! allowed "$layer" "$file" "$rel"; then
        echo "$file:$line: $layer imports crate::$rel"
        violations=$((violations + 1))
    fi
done < <(paths "${files[@]}")

# A counselor reaches a couple only through web/scope.rs, which audits the denied attempts.
while IFS=: read -r file line _; do
    echo "$file:$line: finds a counselor's couple outside web/scope.rs (use web::scope)"
    violations=$((violations + 1))
done < <(grep -rn --include='*.rs' 'find_for_counselor' src/web | grep -v '^src/web/scope.rs:' || true)

if ((violations > 0)); then
    echo "check-layers: $violations upward import(s); see DESIGN.md, \"Layers\"." >&2
    exit 1
fi
echo "check-layers: ok"
