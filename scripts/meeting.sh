#!/usr/bin/env bash
# Installs what is needed, builds meetstream and runs a meeting on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${MEET_BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build" >/dev/null
export GST_PLUGIN_PATH="$PWD/$build/plugins/meet${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
gst-inspect-1.0 meet
