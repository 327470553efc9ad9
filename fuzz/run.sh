#!/usr/bin/env bash
# Fuzzes one target with libFuzzer (clang, ASan+UBSan) for a while; seeds from fuzz/corpus/TARGET.
#   fuzz/run.sh TARGET [SECONDS]        e.g. fuzz/run.sh rtsp_request 3600   (default 60 s)
#   fuzz/run.sh --list                  names of the targets
# Builds build-fuzz/ (CXX=clang++, -Dfuzzing=true) when needed; MEET_FUZZ_BUILD_DIR picks another dir.
# New interesting inputs go to BUILD/fuzz-work/TARGET, crashes to BUILD/fuzz-artifacts/TARGET/: once the
# bug is fixed, copy the crash file into fuzz/regressions/TARGET/ so every build replays it.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${MEET_FUZZ_BUILD_DIR:-$src/build-fuzz}
build_it=1
if [ "${1:-}" = "--no-build" ]; then build_it=0; shift; fi

if [ "$build_it" = 1 ]; then
  if [ ! -f "$build/build.ninja" ]; then
    CXX=clang++ meson setup "$build" "$src" -Dfuzzing=true -Dtests=disabled \
      -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false >/dev/null
  fi
  targets=$(meson introspect --targets "$build" |
    python3 -c 'import json,sys; print(" ".join(t["name"] for t in json.load(sys.stdin) if t["name"].startswith("fuzz-")))')
  [ -n "$targets" ] && meson compile -C "$build" $targets >/dev/null
fi

if [ "${1:-}" = "--list" ]; then
  find "$build/fuzz" -maxdepth 1 -type f -executable -name 'fuzz-*' -printf '%f\n' 2>/dev/null |
    sed 's/^fuzz-//' | sort
  exit 0
fi
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-60}
fuzzer=$build/fuzz/fuzz-$target
[ -x "$fuzzer" ] || { echo "no fuzz target '$target' in $build (fuzz/run.sh --list)" >&2; exit 1; }

work=$build/fuzz-work/$target
artifacts=$build/fuzz-artifacts/$target
mkdir -p "$work" "$artifacts"
inputs=("$src/fuzz/corpus/$target")
[ -d "$src/fuzz/regressions/$target" ] && inputs+=("$src/fuzz/regressions/$target")
options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
  -artifact_prefix="$artifacts/" -print_final_stats=1)
[ -f "$src/fuzz/dict/$target.dict" ] && options+=(-dict="$src/fuzz/dict/$target.dict")

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:fast_unwind_on_malloc=0:detect_odr_violation=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if ! "$fuzzer" "${options[@]}" "$work" "${inputs[@]}" 2>"$work.log"; then
  tail -n 60 "$work.log"
  echo "fuzz-$target found a crash: input saved in $artifacts/; reproduce with $fuzzer FILE," \
    "and once fixed copy the file into fuzz/regressions/$target/" >&2
  exit 1
fi
grep -E '^(stat::|Done|#[0-9]+.*DONE)' "$work.log" || tail -n 3 "$work.log"
