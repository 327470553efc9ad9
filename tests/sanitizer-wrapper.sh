#!/bin/sh
# Test wrapper of the `asan` test setup (builds configured with -Db_sanitize=address,undefined).
#
# Our own test binaries are linked with the sanitizers and keep leak detection on, with suppressions for
# GLib/GStreamer allocations that live until exit by design (type system, registry, debug categories).
# Anything else (python3, gst-launch-1.0, shell scripts) loads the sanitized plugin as a module: the ASan
# runtime must then come first (LD_PRELOAD), and leak detection is off because the interpreter's and
# GLib's own never-freed allocations would drown ours.
sources_dir=$(dirname "$0")
case "$1" in
  "$MEET_BUILD_DIR"/*)
    # Bring the test registry up to date first, with the runtime preloaded: a plugin scanner forked
    # by our binary would get no preload, fail to load the sanitized plugin and cache it as missing.
    LD_PRELOAD="$MEET_ASAN_RUNTIME" ASAN_OPTIONS="detect_leaks=0:$MEET_ASAN_COMMON" \
      gst-inspect-1.0 meet >/dev/null 2>&1
    # Leak detection on the binary under test only: children it spawns inherit no preload.
    # Full stacks through GLib (built without frame pointers), so suppressions can match.
    ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:$MEET_ASAN_COMMON"
    LSAN_OPTIONS="suppressions=$sources_dir/lsan.supp:print_suppressions=0"
    export ASAN_OPTIONS LSAN_OPTIONS
    ;;
  *)
    ASAN_OPTIONS="detect_leaks=0:$MEET_ASAN_COMMON"
    LD_PRELOAD="$MEET_ASAN_RUNTIME${LD_PRELOAD:+:$LD_PRELOAD}"
    export ASAN_OPTIONS LD_PRELOAD
    ;;
esac
exec "$@"
