#!/usr/bin/env bash
# Compares the desktop's cold start of two or more builds on one machine in
# one run: the figures docs/BENCHMARKS.md quotes for the first paint.
#
#   scripts/paint-ab.sh ROUNDS BIN [BIN...]
#
# Seeds one data folder as scripts/desktop-smoke.sh does (a channel and
# SEED_PACKAGES packages, default 10,000), then starts each binary in turn
# on a fresh copy of it, ROUNDS times, alternating so that the machine's
# drift falls on every build alike. Each start runs under Xvfb in a D-Bus
# session with its accessibility bus already up, and ends once the log has
# painted_ms. Prints each run, then per build the median and range of
# painted_ms, webview_ms (the page's own part) and the CPU time of the app
# and its WebKit processes up to the paint.
set -euo pipefail
rounds=${1:?usage: paint-ab.sh ROUNDS BIN [BIN...]}; shift
[ $# -ge 1 ] || { echo "usage: paint-ab.sh ROUNDS BIN [BIN...]" >&2; exit 2; }
bins=(); for b in "$@"; do bins+=("$(realpath "$b")"); done
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
seed=$tmp/seed

"${bins[0]}" serve --addr 127.0.0.1:0 --data-dir "$seed" --update-feed off >"$tmp/serve.log" 2>&1 &
spid=$!
for _ in $(seq 100); do grep -q 'serving http' "$tmp/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/serve.log" | head -n1)
curl -fsS -X POST -H 'Content-Type: application/json' "$url/api/call/CreateChannel" \
  -d '[{"name":"Night Bus Stories","niche":"urban legends","language":"en","audience":"night owls","format":"shorts","cadence":5,"youtube_id":"","autopilot":true}]' >/dev/null
kill "$spid"; wait "$spid" 2>/dev/null || true
(cd "$root" && go run ./scripts/seed -data-dir "$seed" -channel-name "Night Bus Stories" -packages "${SEED_PACKAGES:-10000}" >"$tmp/seed.log")
rm -f "$seed/logs/tubeagency.log"

# one BIN: prints "painted webview cpu_ms"
one() {
  local run; run=$(mktemp -d "$tmp/run.XXXX")
  cp -a "$seed" "$run/data"
  mkdir -m 0700 "$run/xdg"
  XDG_RUNTIME_DIR=$run/xdg BIN=$1 RUN=$run xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session bash -c '
    a11y=$(timeout 20 dbus-send --session --print-reply=literal --dest=org.a11y.Bus /org/a11y/bus org.a11y.Bus.GetAddress | tr -d " ")
    timeout 20 dbus-send --bus="$a11y" --print-reply --dest=org.a11y.atspi.Registry /org/a11y/atspi/registry org.freedesktop.DBus.Peer.Ping >/dev/null
    "$BIN" --data-dir "$RUN/data" --update-feed off >"$RUN/app.log" 2>&1 &
    pid=$!
    for _ in $(seq 600); do grep -q "msg=painted" "$RUN/data/logs/tubeagency.log" 2>/dev/null && break; sleep 0.05; done
    ticks=0; for p in $pid $(pgrep -P $pid); do t=$(awk "{print \$14 + \$15}" /proc/$p/stat 2>/dev/null || echo 0); ticks=$((ticks + t)); done
    echo $((ticks * 10)) >"$RUN/cpu"
    kill $pid; wait $pid 2>/dev/null' >/dev/null 2>&1 || true
  local line; line=$(grep -m1 "msg=painted" "$run/data/logs/tubeagency.log" || true)
  [ -n "$line" ] || { echo "paint-ab: $1 never painted" >&2; exit 1; }
  echo "$(echo "$line" | grep -o 'painted_ms=[0-9]*' | cut -d= -f2) $(echo "$line" | grep -o 'webview_ms=[0-9]*' | cut -d= -f2) $(cat "$run/cpu")"
  rm -rf "$run"
}

for i in $(seq "$rounds"); do
  for b in "${bins[@]}"; do
    r=$(one "$b")
    echo "round $i $(basename "$b"): painted_ms webview_ms cpu_ms = $r"
    echo "$b $r" >>"$tmp/results"
  done
done
echo
for b in "${bins[@]}"; do
  awk -v b="$b" '$1 == b { p[++n] = $2; w[n] = $3; c[n] = $4 }
    function med(a, n,   s, i, j, t) { for (i = 1; i <= n; i++) s[i] = a[i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
      return (n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2) " [" s[1] "-" s[n] "]" }
    END { printf "%s: painted_ms %s, webview_ms %s, cpu_ms %s (%d runs)\n", b, med(p, n), med(w, n), med(c, n), n }' "$tmp/results"
done
