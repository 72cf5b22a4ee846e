# Shared by the benchmark scripts: `source scripts/bench-lib.sh`.

# Wait until the server on $PORT answers (up to 10 s).
bench_wait_for_server() {
  for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/login" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the server on port $PORT did not start" >&2
  return 1
}

# Sign in as the seeded counselor and print the session cookie's value. The login form wants
# the CSRF token from its own page and the signed cookie that came with it.
bench_sign_in() {
  local email=$1 password=$2 jar csrf session
  jar=$(mktemp)
  csrf=$(curl -fs -c "$jar" "http://127.0.0.1:$PORT/login" \
    | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
  curl -fs -b "$jar" -c "$jar" -o /dev/null \
    --data-urlencode "email=$email" \
    --data-urlencode "password=$password" \
    --data-urlencode "csrf_token=$csrf" \
    "http://127.0.0.1:$PORT/login"
  session=$(awk '$6 == "trellis_session" { print $7 }' "$jar")
  rm -f "$jar"
  if [[ -z "$session" ]]; then echo "sign-in failed" >&2; return 1; fi
  printf '%s\n' "$session"
}

# --- Side-by-side measurements -------------------------------------------------------------
# Every figure is taken next to `/health` in the same run, so a loaded or slow machine shows
# up in both and the ratio stays meaningful. Browsers always ask for gzip, so wrk does too
# unless GZIP=0. Each measurement runs ROUNDS times (default 3) and reports min/median/max.
#
#   bench_compare LABEL PATH [extra wrk arguments, e.g. -H "Cookie: ..." -s post.lua]
#
# prints one table row and, when BENCH_TABLE names a file, appends the row to it (that is how
# scripts/bench-all.sh gathers one table from every script).

BENCH_GZIP=()
if [[ "${GZIP:-1}" != "0" ]]; then BENCH_GZIP=(-H "Accept-Encoding: gzip"); fi

# "requests/s p99_ms" from wrk --latency output on stdin.
bench_parse_wrk() {
  awk '
    /Requests\/sec:/ { rps = $2 }
    /^ +99%/ {
      v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v) }
      else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
      p99 = v
    }
    END { printf "%s %s\n", rps, p99 }'
}

# min/median/max of the numbers given, formatted with FORMAT (default %.0f).
bench_stats() {
  local format=${BENCH_FORMAT:-%.0f}
  printf '%s\n' "$@" | sort -g | awk -v f="$format" '
    { v[NR] = $1 }
    END { printf f "/" f "/" f, v[1], v[int((NR + 1) / 2)], v[NR] }'
}

# One wrk run of PATH; prints "requests/s p99_ms".
bench_wrk_once() {
  local path=$1; shift
  wrk -t2 -c"${CONNECTIONS:-32}" -d"${DURATION:-10s}" --latency "${BENCH_GZIP[@]}" "$@" \
    "http://127.0.0.1:$PORT$path" | bench_parse_wrk
}

bench_header() {
  printf '%-34s %20s %20s %20s %18s\n' "measurement (min/median/max)" "req/s" "p99 ms" \
    "/health req/s" "ratio to /health"
}

bench_compare() {
  local label=$1 path=$2; shift 2
  local rps=() p99=() health=() ratio=() i out h
  for i in $(seq 1 "${ROUNDS:-3}"); do
    h=$(bench_wrk_once /health)
    out=$(bench_wrk_once "$path" "$@")
    health+=("${h%% *}")
    rps+=("${out%% *}")
    p99+=("${out##* }")
    ratio+=("$(awk -v a="${out%% *}" -v b="${h%% *}" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')")
  done
  local row
  row=$(printf '%-34s %20s %20s %20s %18s' "$label" "$(bench_stats "${rps[@]}")" \
    "$(BENCH_FORMAT=%.1f bench_stats "${p99[@]}")" "$(bench_stats "${health[@]}")" \
    "$(BENCH_FORMAT=%.3f bench_stats "${ratio[@]}")")
  printf '%s\n' "$row"
  if [[ -n "${BENCH_TABLE:-}" ]]; then printf '%s\n' "$row" >> "$BENCH_TABLE"; fi
}
