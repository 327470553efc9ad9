#!/usr/bin/env bash
# Installs what is needed, builds meetstream and runs every test three times over:
#   build/       the normal build: every suite;
#   build-asan/  ASan+UBSan (gcc): every suite but `load` and `foundation` (tests/meson.build says why);
#   build-fuzz/  libFuzzer (clang): a run of about a minute of each fuzz target (fuzz/run.sh for long runs).
# Ends with one line over all three: "N passed, N failed".
# Usage (as root on Debian 12): bash scripts/test.sh [meson test options, e.g. --suite faults]
# MEET_SANITIZE=0 / MEET_FUZZ=0 skip the second / third pass; MEET_TEST_JOBS / MEET_ASAN_TEST_JOBS set how many
# tests run at once in the normal (3) and the sanitized pass (2: ASan costs the CPU that 3 would share).
#
# The tests mostly wait on the wall clock (media flows in real time), leaving most of the CPU idle, so
# the next pass's builds run during the normal tests and the fuzzers during the sanitized ones, both
# under SCHED_IDLE: they get only the CPU no test wants, and the tests' timings stay their own.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${MEET_BUILD_DIR:-build}
asan=$build-asan
fuzz=$build-fuzz
jobs=${MEET_TEST_JOBS:-3}
asan_jobs=${MEET_ASAN_TEST_JOBS:-2}
sanitize=${MEET_SANITIZE:-1}
fuzzing=${MEET_FUZZ:-1}
[ $# -eq 0 ] || fuzzing=0
logs=()

run_suite () {  # BUILD_DIR JOBS [meson test options...]
  local dir=$1 n=$2; shift 2
  meson test -C "$dir" --print-errorlogs --num-processes "$n" "$@" || true
}

in_background () {  # LOG COMMAND...: runs COMMAND under SCHED_IDLE, output to LOG; sets $background
  local log=$1; shift
  ( chrt --idle -p 0 "$BASHPID" >/dev/null && renice -n 19 -p "$BASHPID" >/dev/null; "$@" ) >"$log" 2>&1 &
  background=$!
}

finish_background () {  # WHAT LOG: waits for the background job; on failure shows its log
  if ! wait "$background"; then
    cat "$2"
    echo "FAILED: $1 (log above)"
    return 1
  fi
}

later_builds () {
  if [ "$sanitize" != 0 ]; then
    # -Dwerror=false: gcc 12's -Warray-bounds misfires on sanitizer-instrumented std::string code.
    # -O1 -g1 (line tables only): half the compile time of -O2 -g, and ASan's reports still name
    # file and line.
    [ -f "$asan/build.ninja" ] || meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false \
        -Dwerror=false -Doptimization=1 -Ddebug=false -Dc_args=-g1 -Dcpp_args=-g1
    meson compile -C "$asan"
  fi
  if [ "$fuzzing" != 0 ]; then
    MEET_FUZZ_BUILD_DIR=$PWD/$fuzz bash fuzz/run.sh --list  # configures and builds the targets
  fi
}

run_fuzzers () {
  meson test -C "$fuzz" --no-rebuild --print-errorlogs --num-processes 2 --suite fuzz || true
}

# A pass that does not run leaves no log, and test-summary.py counts that as a failure.
rm -f "$build/meson-logs/testlog.json" "$asan/meson-logs/testlog.json" "$fuzz/meson-logs/testlog.json"
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build"
mkdir -p "$build/meson-logs"
builds_log=$PWD/$build/meson-logs/later-builds.log
in_background "$builds_log" later_builds
run_suite "$build" "$jobs" "$@"
logs+=("$build/meson-logs/testlog.json")
builds_ok=1
finish_background "the sanitizer and fuzzing builds" "$builds_log" || builds_ok=0

fuzz_log=$PWD/$build/meson-logs/fuzz-runs.log
if [ "$fuzzing" != 0 ]; then
  if [ "$builds_ok" = 1 ] && [ -n "$(MEET_FUZZ_BUILD_DIR=$PWD/$fuzz bash fuzz/run.sh --no-build --list)" ]; then
    in_background "$fuzz_log" run_fuzzers
    fuzz_running=1
  elif [ "$builds_ok" = 1 ]; then
    fuzzing=0  # no fuzz targets in this build (fuzz/meson.build says which need what)
  fi
fi
if [ "$sanitize" != 0 ]; then
  [ "$builds_ok" = 1 ] && run_suite "$asan" "$asan_jobs" "$@"
  logs+=("$asan/meson-logs/testlog.json")
fi
if [ "${fuzz_running:-0}" = 1 ]; then
  finish_background "the fuzz runs" "$fuzz_log" && cat "$fuzz_log"
fi
[ "$fuzzing" != 0 ] && logs+=("$fuzz/meson-logs/testlog.json")

python3 scripts/test-summary.py "${logs[@]}"
