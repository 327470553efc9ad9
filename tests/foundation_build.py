#!/usr/bin/env python3
"""Checks of the build itself.

Usage: foundation_build.py install | no-opencv
  install    `meson install --destdir` puts libgstmeet.so in GStreamer's plugin directory, and
             gst-inspect-1.0 loads the installed copy.
  no-opencv  a fresh `meson setup -Dopencv=disabled` of the source tree configures and compiles the plugin
             (with werror, as always).
"""
import os
import subprocess
import sys
import tempfile

BUILD_DIR = os.environ["MEET_BUILD_DIR"]
SOURCE_DIR = os.environ["MEET_SOURCE_DIR"]


def run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=kwargs.pop("timeout", 120),
                            **kwargs)
    if result.returncode != 0:
        print(f"FAIL: {' '.join(args)} exited with {result.returncode}\n{result.stdout}\n{result.stderr}")
        sys.exit(1)
    return result.stdout


def check_install():
    plugins_dir = run(["pkg-config", "--variable=pluginsdir", "gstreamer-1.0"]).strip()
    with tempfile.TemporaryDirectory() as destdir:
        run(["meson", "install", "-C", BUILD_DIR, "--no-rebuild", "--quiet", "--destdir", destdir])
        plugin = os.path.join(destdir, plugins_dir.lstrip("/"), "libgstmeet.so")
        if not os.path.isfile(plugin):
            print(f"FAIL: {plugin} not installed")
            sys.exit(1)
        env = dict(os.environ, GST_PLUGIN_PATH="", GST_REGISTRY=os.path.join(destdir, "registry.bin"))
        text = run(["gst-inspect-1.0", plugin], env=env)
        if "meetstream" not in text:
            print(f"FAIL: gst-inspect-1.0 {plugin} does not describe the meet plugin:\n{text}")
            sys.exit(1)
        print(f"ok: installed {plugin}")


def check_no_opencv():
    if os.environ.get("MEET_SANITIZED") == "1":
        # This checks the build, not our code at run time: once per test run is enough.
        print("skip: sanitized build")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as build:
        # Only the plugin: OpenCV is the plugin's alone (the tools never link it). Unoptimized, since this
        # checks that the code compiles (with werror), not how fast it runs: a third of a full build's time.
        run(["meson", "setup", build, SOURCE_DIR, "-Dopencv=disabled", "-Dtests=disabled",
             "-Doptimization=0", "-Ddebug=false"])
        run(["meson", "compile", "-C", build, "gstmeet"], timeout=900)
        if not os.path.isfile(os.path.join(build, "plugins", "meet", "libgstmeet.so")):
            print("FAIL: no libgstmeet.so without OpenCV")
            sys.exit(1)
        print("ok: builds with -Dopencv=disabled")


if __name__ == "__main__":
    {"install": check_install, "no-opencv": check_no_opencv}[sys.argv[1]]()
