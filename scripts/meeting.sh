#!/usr/bin/env bash
# Installs what is needed, builds meetstream and runs a meeting on this machine: meetsrv serves the camera and
# microphone (test sources when there are none) and meetcli joins it, in a window when there is a display,
# headless for MEET_DURATION seconds (default 20) otherwise. People are blurred when a YOLOv5 model is found.
# Extra arguments go to meetsrv (e.g. --width 1280 --height 720, --no-mirror, --video test).
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

log=$(mktemp)
server=
cleanup () {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
  sed -n '/ending the meeting/,$p' "$log"
  rm -f "$log"
}
trap cleanup EXIT

"$build/tools/meetsrv" --port 0 "${blur[@]}" "$@" >"$log" 2>&1 &
server=$!
url=
for _ in $(seq 100); do
  url=$(grep -o 'rtsp://[^ ]*' "$log" || true)
  [ -n "$url" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$log"
    exit 1
  fi
  sleep 0.2
done
cat "$log"
[ -n "$url" ] || { echo "meeting: meetsrv did not start within 20 s"; exit 1; }

# Others join at the printed URL; this machine joins over loopback.
local_url="rtsp://127.0.0.1:${url##*:}"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  "$build/tools/meetcli" "$local_url"
else
  echo "meeting: no display: joining headless for ${MEET_DURATION:-20} s and recording to $build/meeting.mkv"
  "$build/tools/meetcli" "$local_url" --headless --duration "${MEET_DURATION:-20}" --record "$build/meeting.mkv"
fi
