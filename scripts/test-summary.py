#!/usr/bin/env python3
"""Prints the closing line "N passed, N failed[, N skipped]" over one or more meson test logs
(testlog.json of each build: normal, sanitized, fuzzing); exits 1 on any failure or when nothing passed."""
import json
import os
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    # build-asan/meson-logs/testlog.json -> build-asan: names the pass a failure came from.
    build = os.path.basename(os.path.dirname(os.path.dirname(path))) or path
    try:
        with open(path) as log:
            for line in log:
                entry = json.loads(line)
                result = entry["result"]
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                    print(f"FAILED: {build}: {entry['name']} ({result})")
    except FileNotFoundError:
        print(f"no test log at {path}: the test run did not start")
        failed += 1
summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed or passed == 0 else 0)
