#!/usr/bin/env bash
# make bench-load: the protected and unprotected endpoints of a Go example
# server and of the JavaScript reference library (mcp-auth 0.2.0 on Express),
# trusting the same authorization server and loaded with the same token, in
# interleaved rounds of wrk. Prints throughput, p50/p99 latency and ratios.
#
# Env: EXAMPLE (gin), ROUNDS (3), DURATION (10s), CONNECTIONS (32), THREADS (2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
EXAMPLE=${EXAMPLE:-gin} ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-10s} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-2}

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk; then
  echo "installing wrk from Debian's packages" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi
need node || { echo "bench-load needs Node.js (20 or later) for the JavaScript library" >&2; exit 1; }
need curl || { echo "bench-load needs curl" >&2; exit 1; }
(cd "$here" && npm ci --silent >/dev/null)

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # url: poll until it answers, at most 30 s
  for _ in $(seq 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2; exit 1
}

go_port=$(free_port); js_port=$(free_port)
resource="http://127.0.0.1:$go_port/mcp"   # the one identifier both servers check as audience
(cd "$root" && go build -o "$work/example" "./examples/$EXAMPLE")
"$work/example" -addr "127.0.0.1:$go_port" >"$work/go.out" 2>"$work/go.err" &
pids+=($!)
wait_for "http://127.0.0.1:$go_port/healthz"
issuer=$(sed -nE 's/^ at (http:\/\/127\.0\.0\.1:[0-9]+) .*/\1/p' "$work/go.out" | head -1)
[ -n "$issuer" ] || { echo "no development issuer in the example's output" >&2; cat "$work/go.out" >&2; exit 1; }
PORT=$js_port RESOURCE=$resource AS_ISSUER=$issuer node "$here/server.mjs" >"$work/js.out" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$js_port/unprotected"

token=$(curl -s -u demo-client:demo-secret -d grant_type=client_credentials --data-urlencode "resource=$resource" \
  -d 'scope=read:todos' "$issuer/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
auth="Authorization: Bearer $token"
for u in "http://127.0.0.1:$go_port/whoami" "http://127.0.0.1:$js_port/protected"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$u")
  [ "$code" = 200 ] || { echo "$u answered $code to the benchmark token" >&2; exit 1; }
done

declare -A targets=(
  ["go-unprotected"]="http://127.0.0.1:$go_port/healthz"
  ["go-protected"]="http://127.0.0.1:$go_port/whoami"
  ["js-unprotected"]="http://127.0.0.1:$js_port/unprotected"
  ["js-protected"]="http://127.0.0.1:$js_port/protected"
)
order=(go-unprotected go-protected js-unprotected js-protected)
results="$work/results"
# Every request carries the token, the unprotected endpoints ignoring it, so
# both sides of a ratio receive the same request and differ only by the
# bearer middleware (a 700-byte header alone costs the HTTP server's header
# validation a few percent).
load() { # name [duration]
  local name=$1 d=${2:-$DURATION}
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$d" --latency -H "$auth" "${targets[$name]}"
}
echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS interleaved rounds; $(nproc) cores; $(go version | awk '{print $3}'); node $(node --version); example $EXAMPLE; $(date -u +%FT%TZ)"
for name in "${order[@]}"; do load "$name" 3s >/dev/null; done # warm-up: JIT, key sets
for r in $(seq "$ROUNDS"); do
  for name in "${order[@]}"; do
    out=$(load "$name")
    if grep -q 'Non-2xx' <<<"$out"; then echo "$name: non-2xx answers under load" >&2; echo "$out" >&2; exit 1; fi
    rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
    p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    printf '%-16s round %d  %10s req/s  p50 %-9s p99 %s\n' "$name" "$r" "$rps" "$p50" "$p99"
    echo "$name $rps" >>"$results"
  done
done
python3 - "$results" <<'PY'
import sys, statistics, collections
rps = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, v = line.split()
    rps[name].append(float(v))
m = {k: statistics.mean(v) for k, v in rps.items()}
print()
for k in ("go-unprotected", "go-protected", "js-unprotected", "js-protected"):
    print(f"{k:16s} mean {m[k]:10.0f} req/s")
print()
print(f"Go  protected/unprotected: {m['go-protected']/m['go-unprotected']:.3f}  (target >= 0.90)")
print(f"JS  protected/unprotected: {m['js-protected']/m['js-unprotected']:.3f}")
print(f"Go protected / JS protected: {m['go-protected']/m['js-protected']:.2f}x  (target >= 5)")
PY
