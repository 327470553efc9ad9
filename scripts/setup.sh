#!/usr/bin/env bash
# Installs every Debian 12 package meetstream needs to build, run, test and benchmark.
# Idempotent: when everything is present it prints nothing and touches nothing.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config g++ clang libclang-rt-14-dev git
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  libopencv-dev libgtk-3-dev libgtest-dev
  libgnutls28-dev  # meetsrv: makes its self-signed certificate (tools/meetcert.cpp)
  nettle-dev  # meetrtspsink's SRTP (AES-CTR/GCM, HMAC-SHA1; plugins/meet/rtsp/common/srtpprotector.h)
  # run
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-libav gstreamer1.0-alsa gstreamer1.0-pulseaudio gstreamer1.0-gtk3 gstreamer1.0-x
  # test peers and harness
  libgstrtspserver-1.0-dev gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp ffmpeg
  python3 python3-gi python3-numpy gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  xvfb xauth xdotool imagemagick iproute2 procps
  libjpeg-turbo-progs  # rtp-jpeg: cjpeg writes the restart-interval JPEGs jpegenc cannot
  openssl  # secure-server: the tests make their CA and certificates with it
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run this script as root (or with sudo) to install them." >&2
  exit 1
fi
echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
