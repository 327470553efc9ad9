#!/usr/bin/env bash
# Installs what is needed, builds meetstream and runs a three-party meeting on this machine: meetsrv hosts
# (camera and microphone, test sources when there are none) and two meetcli join on test sources as alice and
# bob. With a display each meetcli opens its meeting window (close them, or press q, to end); headless they
# stay MEET_DURATION seconds (default 20). At the end it shows what each one saw and heard of the others.
# People are blurred when a YOLOv5 model is found. Extra arguments go to meetsrv (e.g. --width 1280
# --height 720, --no-mirror, --video test, --name NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${MEET_BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build" >/dev/null
export GST_PLUGIN_PATH="$PWD/$build/plugins/meet${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

# The project's shared models folder stands in when MEET_MODEL_DIR is not set.
if [ -z "${MEET_MODEL_DIR:-}" ] && [ -d ../shared/models ]; then
  MEET_MODEL_DIR=$(cd ../shared/models && pwd)
  export MEET_MODEL_DIR
fi
blur=()
if [ -n "${MEET_MODEL_DIR:-}" ] && { [ -r "$MEET_MODEL_DIR/yolov5s.onnx" ] || [ -r "$MEET_MODEL_DIR/yolov5n.onnx" ]; } &&
   gst-inspect-1.0 yoloblur >/dev/null 2>&1; then
  blur=(--blur)
  echo "meeting: blurring people with the YOLOv5 model in $MEET_MODEL_DIR"
else
  echo "meeting: no YOLOv5 model, so no blur: put yolov5n.onnx in \$MEET_MODEL_DIR (how to get one: models/README.md)"
fi

dir=$(mktemp -d)
server=
clients=()
cleanup () {
  for pid in "${clients[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -INT "$pid" 2>/dev/null || true
  done
  for pid in "${clients[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

"$build/tools/meetsrv" --port 0 "${blur[@]}" "$@" >"$dir/meetsrv.log" 2>&1 &
server=$!
# meetsrv is secure by default: its join line (rtsps:// URL, passcode, certificate fingerprint) is all a
# participant needs (with --insecure among the arguments it is a plain rtsp:// URL).
join=
for _ in $(seq 100); do
  join=$(sed -n 's/^meetsrv: .*; join the meeting at \(rtsps\{0,1\}:\/\/.*\)$/\1/p' "$dir/meetsrv.log" | head -n 1)
  [ -n "$join" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$dir/meetsrv.log"
    exit 1
  fi
  sleep 0.2
done
cat "$dir/meetsrv.log"
[ -n "$join" ] || { echo "meeting: meetsrv did not start within 20 s"; exit 1; }

# Others join with the printed line; this machine's participants join over loopback (the same line with
# 127.0.0.1 for the host: the pinned fingerprint, not the name, vouches for the server).
local_join=$(sed 's#^\(rtsps\{0,1\}://\)\([^@/ ]*@\)\{0,1\}[^/ ]*:\([0-9]*/\)#\1\2127.0.0.1:\3#' <<<"$join")
case "$join" in
  rtsps://*) echo "meeting: encrypted (rtsps://, passcode, pinned certificate): alice and bob join with the join line" ;;
  *) echo "meeting: plain rtsp:// (--insecure): not encrypted" ;;
esac
duration=${MEET_DURATION:-20}
mode=(--headless --duration "$duration")
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  mode=()
  echo "meeting: alice and bob join in windows (q or closing a window ends that participant)"
else
  echo "meeting: no display: alice and bob join headless for $duration s"
fi
for name in alice bob; do
  "$build/tools/meetcli" "$local_join" --name "$name" --video test --audio test "${mode[@]}" \
    </dev/null >"$dir/$name.log" 2>&1 &
  clients+=($!)
done
# What happens, as it happens: each log followed until its meetcli ends.
i=0
followers=()
for name in alice bob; do
  tail --pid="${clients[$i]}" -n +1 -f "$dir/$name.log" 2>/dev/null |
    grep --line-buffered -E 'joined|left|receiving|error' | sed -u "s/^meetcli:/$name:/" &
  followers+=($!)
  i=$((i + 1))
done
for pid in "${clients[@]}"; do
  wait "$pid" || true
done
clients=()
wait "${followers[@]}" 2>/dev/null || true

# The host is in the roster under its --name (none with --no-camera).
host=$(sed -n 's/^meetsrv: \(.*\) joined (1 in the meeting.*/\1/p' "$dir/meetsrv.log" | head -n 1)
echo
echo "meeting: what each one saw and heard of the others:"
ok=true
for name in alice bob; do
  grep -h "summary for" "$dir/$name.log" | sed "s/^meetcli:/  $name:/" || true
  for other in $(printf '%s\n' $host alice bob | grep -vx "$name"); do
    line=$(grep -h "summary for $other:" "$dir/$name.log" || true)
    frames=$(sed -n 's/.*: \([0-9]*\) video frames.*/\1/p' <<<"$line")
    audio=$(sed -n 's/.* \([0-9.]*\) s of audio.*/\1/p' <<<"$line")
    if [ -z "$frames" ] || [ "$frames" -eq 0 ] || [ "${audio%%.*}" -eq 0 ]; then
      echo "meeting: $name did not see and hear $other"
      ok=false
    fi
  done
done
$ok && echo "meeting: everyone saw and heard everyone else."
