#!/usr/bin/env bash
# The studio's window under a real window manager (issue 20.2; JDK-8316423 in docs/stack.md): starts ./styleclip on
# Xvfb (1400×900) with openbox, reads the window's size with xdotool and checks that
#   1. a first start (fresh preferences) opens at the default size, not 200×200;
#   2. maximised, opening the file dialog (Ctrl+O) and cancelling it (Escape) leaves it maximised;
#   3. un-maximised it returns to its normal size; resized to 1100×700 and closed, the next start opens at 1100×700;
#   4. closed while maximised, the next start opens maximised.
# Preferences and models folder are throw-away (demo networks). Needs: xvfb, openbox, xdotool, wmctrl, x11-utils (Debian).
# Usage: packaging/check-window.sh   (exit 0: all checks passed; 1: a check failed; 2: something missing)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for t in Xvfb openbox xdotool wmctrl xprop; do
  command -v "$t" >/dev/null || { echo "check-window: $t is missing (apt-get install xvfb openbox xdotool wmctrl x11-utils)" >&2; exit 2; }
done
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "check-window: FAIL: $*" >&2; [ -f "$tmp/app.log" ] && grep -v dconf "$tmp/app.log" | tail -20 >&2; exit 1; }
step() { echo "check-window: $*" >&2; }

# a free display
exec 5>"$tmp/display"
Xvfb -displayfd 5 -screen 0 1400x900x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
export DISPLAY=:$(cat "$tmp/display")
openbox >"$tmp/openbox.log" 2>&1 &
pids+=($!)
sleep 1
mkdir -p "$tmp/models" "$tmp/prefs"

app=""
start() {
  STYLECLIP_JAVA_OPTS="-Xmx2g -Djava.util.prefs.userRoot=$tmp/prefs -Dstyleclip.prefs.node=/dev/styleclip/check-window -Dstyleclip.models=$tmp/models" \
    GSETTINGS_BACKEND=memory "$here/styleclip" >"$tmp/app.log" 2>&1 &
  app=$!
  pids+=("$app")
  wid=""
  for _ in $(seq 240); do
    wid=$(xdotool search --onlyvisible --name '^StyleCLIP Studio' 2>/dev/null | head -1 || true)
    [ -n "$wid" ] && break
    kill -0 "$app" 2>/dev/null || fail "the studio exited"
    sleep 0.5
  done
  [ -n "$wid" ] || fail "no studio window within 2 minutes"
}
# the window's client size once it stopped changing (2 s the same, at most 20 s)
size() {
  local last="" same=0 now
  for _ in $(seq 40); do
    now=$(xdotool getwindowgeometry "$wid" 2>/dev/null | sed -n 's/.*Geometry: *//p')
    if [ "$now" = "$last" ]; then same=$((same + 1)); [ $same -ge 4 ] && break; else same=0; last=$now; fi
    sleep 0.5
  done
  echo "$last"
}
# expect W H TOLERANCE WHAT: the client size within TOLERANCE px (decorations) of W×H
expect() {
  local s w h
  s=$(size); w=${s%x*}; h=${s#*x}
  step "$4: ${s}"
  [ -n "$w" ] && [ -n "$h" ] || fail "$4: no size"
  [ $((w - $1)) -le "$3" ] && [ $(($1 - w)) -le "$3" ] && [ $((h - $2)) -le "$3" ] && [ $(($2 - h)) -le "$3" ] \
    || fail "$4: ${s}, expected about ${1}x${2}"
}
maximised() { xprop -id "$wid" _NET_WM_STATE 2>/dev/null | grep -q _NET_WM_STATE_MAXIMIZED_HORZ; }
close() {
  wmctrl -i -c "$wid"
  for i in $(seq 60); do
    kill -0 "$app" 2>/dev/null || break
    # work still running (a slow machine): the studio asks first; its default button stops the work and closes
    if [ "$i" = 10 ]; then
      q=$(xdotool search --onlyvisible --name '^Close StyleCLIP' 2>/dev/null | head -1 || true)
      [ -n "$q" ] && { xdotool windowactivate --sync "$q" >/dev/null 2>&1 || true; xdotool key --clearmodifiers Return; }
    fi
    sleep 0.5
  done
  ! kill -0 "$app" 2>/dev/null || fail "the studio did not close"
  wait "$app" 2>/dev/null || true
}

step "1. fresh preferences: the default size (1280×860 with decorations)"
start
expect 1280 860 40 "opened at"
step "2. maximised, Ctrl+O, Escape"
wmctrl -i -r "$wid" -b add,maximized_vert,maximized_horz
expect 1400 900 40 "maximised"
xdotool windowactivate --sync "$wid" >/dev/null 2>&1 || true
xdotool key --clearmodifiers ctrl+o
dialog=""
for _ in $(seq 40); do
  dialog=$(xdotool search --onlyvisible --name '^Open session' 2>/dev/null | head -1 || true)
  [ -n "$dialog" ] && break
  sleep 0.5
done
[ -n "$dialog" ] || fail "Ctrl+O opened no file dialog"
sleep 1
xdotool windowactivate --sync "$dialog" >/dev/null 2>&1 || true
xdotool key --clearmodifiers Escape
for _ in $(seq 20); do xdotool search --onlyvisible --name '^Open session' >/dev/null 2>&1 || break; sleep 0.5; done
expect 1400 900 40 "after the dialog"
maximised || fail "after the dialog: no longer maximised"
step "3. un-maximised, resized to 1100×700, closed and started again"
wmctrl -i -r "$wid" -b remove,maximized_vert,maximized_horz
expect 1280 860 40 "un-maximised"
xdotool windowsize "$wid" 1100 700
expect 1100 700 4 "resized"
close
start
expect 1100 700 4 "started again at"
step "4. closed maximised, started again"
wmctrl -i -r "$wid" -b add,maximized_vert,maximized_horz
expect 1400 900 40 "maximised"
close
start
expect 1400 900 40 "started again at"
maximised || fail "started again: not maximised"
wmctrl -i -r "$wid" -b remove,maximized_vert,maximized_horz
expect 1100 700 4 "un-maximised to the remembered size"
close
step "all checks passed"
