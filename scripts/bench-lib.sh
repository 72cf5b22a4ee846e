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
