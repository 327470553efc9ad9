#!/usr/bin/env bash
# Installs what is needed, builds meetstream and runs every test three times over:
#   build/       the normal build: every suite;
#   build-asan/  ASan+UBSan (gcc): every suite but `load` and `foundation` (tests/meson.build says why);
#   build-fuzz/  libFuzzer (clang): a short run of each fuzz target (fuzz/run.sh for long runs).
# Ends with one line over all three: "N passed, N failed".
# Usage (as root on Debian 12): bash scripts/test.sh [meson test options, e.g. --suite faults]
# MEET_SANITIZE=0 / MEET_FUZZ=0 skip the second / third pass.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${MEET_BUILD_DIR:-build}
logs=()

run_suite () {  # BUILD_DIR [meson test options...]
  local dir=$1; shift
  rm -f "$dir/meson-logs/testlog.json"
  meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || true
  logs+=("$dir/meson-logs/testlog.json")
}

[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build"
run_suite "$build" "$@"

if [ "${MEET_SANITIZE:-1}" != 0 ]; then
  asan=$build-asan
  # -Dwerror=false: gcc 12's -Warray-bounds misfires on sanitizer-instrumented std::string code.
  # -O1 -g1 (line tables only): half the compile time of -O2 -g, and ASan's reports still name
  # file and line.
  [ -f "$asan/build.ninja" ] || meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false \
      -Doptimization=1 -Ddebug=false -Dc_args=-g1 -Dcpp_args=-g1 >/dev/null
  meson compile -C "$asan"
  run_suite "$asan" "$@"
fi

if [ "${MEET_FUZZ:-1}" != 0 ] && [ $# -eq 0 ]; then
  fuzz=$build-fuzz
  MEET_FUZZ_BUILD_DIR=$PWD/$fuzz bash fuzz/run.sh --list >/dev/null  # configures and builds the targets
  if [ -n "$(MEET_FUZZ_BUILD_DIR=$PWD/$fuzz bash fuzz/run.sh --no-build --list)" ]; then
    run_suite "$fuzz" --no-rebuild --suite fuzz
  fi
fi

python3 scripts/test-summary.py "${logs[@]}"
