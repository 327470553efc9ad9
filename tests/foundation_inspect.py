#!/usr/bin/env python3
"""gst-inspect-1.0 on every element of the `meet` plugin: each prints its metadata with no GStreamer
warning (GST_DEBUG=*:2), names "meetstream developers" as author, has pad templates, documented
properties and a debug category named like the element."""
import os
import re
import subprocess
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GObject, Gst  # noqa: E402

AUTHOR = "meetstream developers"
problems = []


def inspect(*args):
    env = dict(os.environ, GST_DEBUG="*:2", GST_DEBUG_NO_COLOR="1")
    result = subprocess.run(["gst-inspect-1.0", *args], env=env, capture_output=True, text=True,
                            timeout=60)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        problems.append(f"gst-inspect-1.0 {' '.join(args)} exited with {result.returncode}")
    for line in output.splitlines():
        if re.search(r"\b(WARN|WARNING|ERROR|CRITICAL|FIXME)\b", line) and "Element Flags" not in line:
            problems.append(f"gst-inspect-1.0 {' '.join(args)}: {line.strip()}")
    return result.stdout


def check_element(name):
    text = inspect(name)
    for field in ("Long-name", "Klass", "Description", "Author"):
        match = re.search(rf"^\s*{field}\s+(.+)$", text, re.M)
        if not match or not match.group(1).strip():
            problems.append(f"{name}: no {field}")
    if not re.search(rf"^\s*Author\s+{AUTHOR}\s*$", text, re.M):
        problems.append(f"{name}: author is not '{AUTHOR}'")
    if "Pad Templates:" not in text or "none" in text.split("Pad Templates:")[1].split("\n")[1]:
        problems.append(f"{name}: no pad templates")

    element = Gst.ElementFactory.make(name, None)
    if element is None:
        problems.append(f"{name}: cannot be created")
        return
    gtype = type(element).__gtype__
    for pspec in GObject.list_properties(element):
        if pspec.owner_type != gtype:
            continue
        blurb = pspec.blurb or ""
        if len(blurb) < 15 or pspec.nick in (None, "", pspec.name):
            problems.append(f"{name}: property {pspec.name} lacks a documenting nick or blurb")
    categories = {c.get_name() for c in Gst.debug_get_all_categories()}
    if name not in categories:
        problems.append(f"{name}: no debug category named '{name}' (GST_DEBUG={name}:6)")


def main():
    Gst.init(None)
    plugin_text = inspect("meet")
    elements = re.findall(r"^\s+([a-z0-9]+): ", plugin_text.split("\n\n", 1)[-1], re.M)
    plugin = Gst.Registry.get().find_plugin("meet")
    if plugin is None:
        print("FAIL: plugin 'meet' not found (GST_PLUGIN_PATH should be the build tree)")
        return 1
    registered = sorted(f.get_name() for f in
                        Gst.Registry.get().get_feature_list_by_plugin("meet")
                        if isinstance(f, Gst.ElementFactory))
    if sorted(elements) != registered:
        problems.append(f"gst-inspect-1.0 meet lists {sorted(elements)}, the registry {registered}")
    for name in registered:
        check_element(name)
        print(f"checked {name}")
    for problem in problems:
        print("FAIL:", problem)
    return 1 if problems or not registered else 0


if __name__ == "__main__":
    sys.exit(main())
