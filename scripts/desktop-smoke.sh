#!/usr/bin/env bash
# Desktop smoke test: the real binary in a real window under Xvfb.
#  1. seeds a data folder with a channel through serve mode;
#  2. starts the desktop app on it under Xvfb and waits for its window;
#  3. screenshots the screen until the dashboard shows the channel, which
#     it only can after a bound call (ListChannels) answered;
#  4. checks the picture is not blank, and records the memory of the app
#     and its WebKit processes.
#  5. runs frontend/e2e/desktop.xvfb.mjs: in the window, the voice-over
#     player reaches canplay and Export saves through the save dialog
#     (answered by TUBEAGENCY_TEST_SAVE_DIR) under the accented title.
# Writes test-results/desktop.png, desktop-rss.txt and desktop-*.png.
set -euo pipefail

bin=$(realpath "${1:-build/bin/tubeagency}")
out=$(realpath -m test-results)
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
data=$tmp/data
channel="Night Bus Stories"

fail() { echo "desktop smoke: FAIL: $*" >&2; for f in "$tmp"/*.log; do echo "--- $f"; tail -n 30 "$f"; done >&2; exit 1; }

# 1. Seed.
"$bin" serve --addr 127.0.0.1:0 --data-dir "$data" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q 'serving http' "$tmp/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/serve.log" | head -n1) || fail "serve did not start"
curl -fsS -X POST -H 'Content-Type: application/json' "$url/api/call/CreateChannel" \
  -d "[{\"name\":\"$channel\",\"niche\":\"urban legends\",\"language\":\"en\",\"audience\":\"night owls\",\"format\":\"shorts\",\"cadence\":5,\"youtube_id\":\"\",\"autopilot\":true}]" >/dev/null \
  || fail "could not seed a channel"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true

# 2–4. The window.
export bin data tmp out channel
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -u
  started=$(date +%s%N)
  "$bin" --data-dir "$data" >"$tmp/desktop.log" 2>&1 &
  pid=$!
  if ! timeout 30 xdotool search --sync --onlyvisible --name "^Tube Agency$" >/dev/null; then
    echo "no window appeared" >"$tmp/result"; kill $pid; exit 1
  fi
  window_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  found=""
  for _ in $(seq 40); do
    import -window root "$tmp/shot.png" 2>/dev/null || true
    if tesseract "$tmp/shot.png" - 2>/dev/null | grep -q "$channel"; then found=yes; break; fi
    sleep 0.5
  done
  shown_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  cp "$tmp/shot.png" "$out/desktop.png"
  {
    echo "window_visible_ms $window_ms"
    echo "channel_shown_ms $shown_ms"
    ps -o rss=,comm= --pid $pid
    for c in $(pgrep -P $pid); do ps -o rss=,comm= --pid $c; done
  } >"$out/desktop-rss.txt"
  kill $pid; wait $pid 2>/dev/null
  [ -n "$found" ] || { echo "the dashboard never showed the seeded channel" >"$tmp/result"; exit 1; }
  echo ok >"$tmp/result"
' || true
result=$(cat "$tmp/result" 2>/dev/null || echo "xvfb-run failed")
[ "$result" = ok ] || fail "$result"

# Not blank: real variation in the picture and many colours.
sd=$(convert "$out/desktop.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
colors=$(convert "$out/desktop.png" -format '%k' info:)
awk -v sd="$sd" 'BEGIN { exit !(sd > 0.05) }' || fail "screenshot is nearly uniform (sd $sd)"
[ "$colors" -gt 50 ] || fail "screenshot has only $colors colours"

echo "desktop smoke: ok (window and seeded channel visible; sd $sd, $colors colours)"
cat "$out/desktop-rss.txt"

# 5. Playing and saving in the window.
root=$(cd "$(dirname "$0")/.." && pwd)
(cd "$root/frontend" && TUBEAGENCY_BIN="$bin" node --test --test-concurrency=1 e2e/desktop.xvfb.mjs) || fail "the window's voice-over or export check failed"
