#!/usr/bin/env python3
"""Prints the closing line "N passed, N failed[, N skipped]" for a meson test log; exits 1 on any failure."""
import json
import sys

passed = failed = skipped = 0
try:
    with open(sys.argv[1]) as log:
        for line in log:
            result = json.loads(line)["result"]
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
                print(f"FAILED: {json.loads(line)['name']} ({result})")
except FileNotFoundError:
    print(f"no test log at {sys.argv[1]}: the test run did not start")
    failed += 1
summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed or passed == 0 else 0)
