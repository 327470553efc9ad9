#!/usr/bin/env bash
# Installs what is needed, builds meetstream and runs every test. Ends with one line: "N passed, N failed".
# Usage (as root on Debian 12): bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${MEET_BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build"
rm -f "$build/meson-logs/testlog.json"
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || true
python3 scripts/test-summary.py "$build/meson-logs/testlog.json"
