#!/usr/bin/env bash
# Desktop smoke test: the real binary in a real window under Xvfb.
#  1. seeds a data folder with a channel through serve mode, then adds
#     SEED_PACKAGES packages (default 10,000) to it with scripts/seed;
#  2. starts the desktop app on it under Xvfb and waits for its window;
#  3. waits for the dashboard to report its first frame with data: the app
#     logs painted_ms (process start to that frame) in its log file; no
#     report within 30 s fails the test;
#  4. checks the screen (one screenshot: not blank, the seeded channel
#     readable) and records the memory of the app and its WebKit processes
#     (ffmpeg or espeak-ng started by the autopilot's work are listed apart:
#     they are renders and voice-overs, not the window);
#  5. launches the app again on the same data folder: it must hand over to
#     the open window and end; then, with `tubeagency serve` holding the
#     folder, the desktop must say in a window why it cannot start;
#  6. runs frontend/e2e/desktop.xvfb.mjs: in the window, the voice-over
#     player reaches canplay and Export saves through the save dialog
#     (answered by TUBEAGENCY_TEST_SAVE_DIR) under the accented title.
# Writes test-results/desktop.png, desktop-rss.txt and desktop-*.png, and
# prints the figures.
set -euo pipefail

bin=$(realpath "${1:-build/bin/tubeagency}")
out=$(realpath -m test-results)
packages=${SEED_PACKAGES:-10000}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
data=$tmp/data
channel="Night Bus Stories"

fail() { echo "desktop smoke: FAIL: $*" >&2; for f in "$tmp"/*.log "$data/logs/tubeagency.log"; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done >&2; exit 1; }

# 1. Seed.
"$bin" serve --addr 127.0.0.1:0 --data-dir "$data" --update-feed off >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q 'serving http' "$tmp/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/serve.log" | head -n1) || fail "serve did not start"
curl -fsS -X POST -H 'Content-Type: application/json' "$url/api/call/CreateChannel" \
  -d "[{\"name\":\"$channel\",\"niche\":\"urban legends\",\"language\":\"en\",\"audience\":\"night owls\",\"format\":\"shorts\",\"cadence\":5,\"youtube_id\":\"\",\"autopilot\":true}]" >/dev/null \
  || fail "could not seed a channel"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
if [ "$packages" -gt 0 ]; then
  go run ./scripts/seed -data-dir "$data" -channel-name "$channel" -packages "$packages" >"$tmp/seed.log" 2>&1 || fail "could not seed packages"
fi
rm -f "$data/logs/tubeagency.log"

# 2–4. The window, in a session with its own D-Bus as a desktop session has
# (without one GLib starts dbus-launch, slowing the start by a few hundred
# ms that no user sees).
# The session's runtime folder is its own: the accessibility bus puts its
# socket there, and without one it falls back to ~/.cache/at-spi/bus,
# which every session of the user shares.
export XDG_RUNTIME_DIR=$tmp/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"
export bin data tmp out channel
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session bash -c '
  set -u
  # A desktop session has its accessibility bus and registry running before
  # any app starts. Started here too, the app does not wait for them to be
  # spawned (GTK asks for them synchronously at start, with D-Bus'"'"'s 25 s
  # timeout), and the timing below is the one a user sees.
  a11y=$(timeout 20 dbus-send --session --print-reply=literal --dest=org.a11y.Bus /org/a11y/bus org.a11y.Bus.GetAddress | tr -d " ") &&
    timeout 20 dbus-send --bus="$a11y" --print-reply --dest=org.a11y.atspi.Registry /org/a11y/atspi/registry org.freedesktop.DBus.Peer.Ping >/dev/null ||
    { echo "the session'"'"'s accessibility bus did not start" >"$tmp/result"; exit 1; }
  started=$(date +%s%N)
  "$bin" --data-dir "$data" --update-feed off >"$tmp/desktop.log" 2>&1 &
  pid=$!
  # Polled: a search fails (BadWindow) when a window it reads goes away
  # meanwhile, as WebKit helper windows do while the app starts.
  found=""
  for _ in $(seq 300); do
    xdotool search --onlyvisible --name "^Tube Agency$" >/dev/null 2>&1 && { found=1; break; }
    sleep 0.1
  done
  if [ -z "$found" ]; then
    # What there was instead: the app and its children, and every window.
    { ps -o pid,stat,etime,comm --ppid $pid --pid $pid; xwininfo -root -tree; } >"$tmp/windows.log" 2>&1
    import -window root "$out/desktop.png" 2>/dev/null || true
    echo "no window appeared within 30 s" >"$tmp/result"; kill $pid; exit 1
  fi
  window_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  painted=""
  for _ in $(seq 300); do
    painted=$(grep -m1 "msg=painted" "$data/logs/tubeagency.log" 2>/dev/null || true)
    [ -n "$painted" ] && break
    sleep 0.1
  done
  # CPU time the app and its WebKit processes spent up to the paint: unlike
  # painted_ms it hardly moves with other work on the machine.
  cpu_ticks=0
  for p in $pid $(pgrep -P $pid); do
    t=$(awk "{print \$14 + \$15}" /proc/$p/stat 2>/dev/null || echo 0)
    cpu_ticks=$((cpu_ticks + t))
  done
  if [ -z "$painted" ]; then
    import -window root "$out/desktop.png" 2>/dev/null || true
    echo "the dashboard never painted (no painted_ms in the log within 30 s)" >"$tmp/result"; kill $pid; exit 1
  fi
  # Memory once the dashboard has loaded and settled.
  sleep 2
  import -window root "$out/desktop.png" 2>/dev/null || true
  {
    echo "$painted" | grep -o "painted_ms=[0-9]*" | tr = " "
    # Where the time went: process start → Go main → app started → page
    # loaded (DOM ready) → first frame with data.
    grep -m1 "msg=starting" "$data/logs/tubeagency.log" | grep -o "since_process_start_ms=[0-9]*" | sed "s/since_process_start_ms=/go_main_ms /"
    grep -m1 "msg=\"app started\"" "$data/logs/tubeagency.log" | grep -o "since_process_start_ms=[0-9]*" | sed "s/since_process_start_ms=/app_started_ms /"
    grep -m1 "dom_ready_ms=" "$data/logs/tubeagency.log" | grep -o "dom_ready_ms=[0-9]*" | tr = " "
    echo "$painted" | grep -o "webview_ms=[0-9]*" | tr = " "
    echo "window_visible_ms $window_ms"
    echo "cpu_ms_to_paint $((cpu_ticks * 10))"
    echo "load_average $(cut -d" " -f1 /proc/loadavg)"
    # RSS counts the GTK, WebKit and Mesa libraries once in every process
    # that maps them; PSS shares them out, so its sum is what the three
    # processes cost together.
    total=0 ptotal=0
    for p in $pid $(pgrep -P $pid); do
      read -r rss comm < <(ps -o rss=,comm= --pid $p) || continue
      pss=$(awk "/^Pss:/ {print \$2}" /proc/$p/smaps_rollup 2>/dev/null) || continue
      case $comm in
        tubeagency|WebKit*)
          echo "rss_kb $rss $comm"
          echo "pss_kb $pss $comm"
          total=$((total + rss)) ptotal=$((ptotal + pss)) ;;
        *) echo "helper_pss_kb $pss $comm" ;;
      esac
    done
    echo "rss_total_kb $total"
    echo "pss_total_kb $ptotal"
  } >"$out/desktop-rss.txt"
  # 5. Launched again on the same data folder (a second double-click), the
  # app hands itself to the open window and ends: one window, one app.
  started=$(date +%s%N)
  timeout 20 "$bin" --data-dir "$data" --update-feed off >"$tmp/second.log" 2>&1
  second_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  # The open window hears of it after the second launch has handed over
  # and ended: it logs that it came to the front soon after.
  handed=""
  for _ in $(seq 50); do grep -q "launched again" "$data/logs/tubeagency.log" && { handed=1; break; }; sleep 0.1; done
  windows=$(xdotool search --onlyvisible --name "^Tube Agency$" 2>/dev/null | wc -l)
  if [ "$second_ms" -ge 20000 ] || [ "$windows" != 1 ] || [ -z "$handed" ]; then
    echo "a second launch on the same data folder did not hand over to the open window (${second_ms} ms, $windows windows)" >"$tmp/result"; kill $pid; exit 1
  fi
  echo "second_launch_ms $second_ms" >>"$out/desktop-rss.txt"
  kill $pid; wait $pid 2>/dev/null
  # 5, continued. With the folder held by `tubeagency serve`, the desktop says why it
  # cannot start, in a window.
  "$bin" serve --addr 127.0.0.1:0 --data-dir "$data" --update-feed off >"$tmp/serve2.log" 2>&1 &
  spid=$!
  for _ in $(seq 100); do grep -q "serving http" "$tmp/serve2.log" && break; sleep 0.1; done
  "$bin" --data-dir "$data" --update-feed off >"$tmp/held.log" 2>&1 &
  hpid=$!
  shown=""
  for _ in $(seq 150); do
    if xdotool search --onlyvisible --name "^Tube Agency$" >/dev/null 2>&1; then
      sleep 1
      import -window root "$out/desktop-start-failure.png" 2>/dev/null || true
      tesseract "$out/desktop-start-failure.png" - 2>/dev/null | tr "\n" " " | grep -q "could not start.*using the data folder" && { shown=1; break; }
    fi
    sleep 0.1
  done
  kill $hpid $spid 2>/dev/null; wait $hpid $spid 2>/dev/null
  [ -n "$shown" ] || { echo "with the data folder in use, no window said why the app could not start" >"$tmp/result"; exit 1; }
  echo ok >"$tmp/result"
' || true
result=$(cat "$tmp/result" 2>/dev/null || echo "xvfb-run failed")
[ "$result" = ok ] || fail "$result"

# The picture: not blank, and the seeded channel is on it (the dashboard
# drew data from bound calls).
sd=$(convert "$out/desktop.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
colors=$(convert "$out/desktop.png" -format '%k' info:)
awk -v sd="$sd" 'BEGIN { exit !(sd > 0.05) }' || fail "screenshot is nearly uniform (sd $sd)"
[ "$colors" -gt 50 ] || fail "screenshot has only $colors colours"
tesseract "$out/desktop.png" - 2>/dev/null | grep -q "$channel" || fail "the dashboard does not show the seeded channel"

painted_ms=$(awk '/^painted_ms/ {print $2}' "$out/desktop-rss.txt")
total_mb=$(( $(awk '/^rss_total_kb/ {print $2}' "$out/desktop-rss.txt") / 1024 ))
pss_mb=$(( $(awk '/^pss_total_kb/ {print $2}' "$out/desktop-rss.txt") / 1024 ))
cpu_ms=$(awk '/^cpu_ms_to_paint/ {print $2}' "$out/desktop-rss.txt")
echo "desktop smoke: ok (painted_ms $painted_ms, $cpu_ms ms of CPU, with $packages packages; app and WebKit processes: $pss_mb MB PSS, $total_mb MB RSS summed; sd $sd, $colors colours)"
cat "$out/desktop-rss.txt"

# 6. Playing and saving in the window.
root=$(cd "$(dirname "$0")/.." && pwd)
(cd "$root/frontend" && TUBEAGENCY_BIN="$bin" node --test --test-concurrency=1 e2e/desktop.xvfb.mjs) || fail "the window's voice-over or export check failed"
