/* rawframe-g2g: glass-to-glass latency of raw frames arriving on standard input, for players that cannot report
 * when they show a frame (ffplay). ffmpeg, with ffplay's demuxer and decoder options, decodes an RTSP stream to
 * raw 8-bit grey frames on a pipe; every frame is timed with the wall clock as soon as it is read whole and its
 * capture time is read from the marks the sender drew (tools/marks.h). No display is involved: the figure is a
 * lower bound for such a player.
 *
 * Usage: ffmpeg ... -pix_fmt gray -f rawvideo - | rawframe-g2g WIDTH HEIGHT [SKIP_FRAMES]
 * Prints: frames N, unmarked N, median MS, p90 MS
 */
#include "marks.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

namespace {

int64_t
wall_clock_us ()
{
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  return static_cast<int64_t> (now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

}  // namespace

int
main (int argc, char **argv)
{
  if (argc < 3) {
    std::fprintf (stderr, "usage: rawframe-g2g WIDTH HEIGHT [SKIP_FRAMES] < raw GRAY8 frames\n");
    return 2;
  }
  int width = std::atoi (argv[1]), height = std::atoi (argv[2]);
  long skip = argc > 3 ? std::atol (argv[3]) : 0;
  if (width <= 0 || height <= 0 || meet::FrameMarks::block_size (width, height) == 0) {
    std::fprintf (stderr, "rawframe-g2g: %dx%d cannot carry marks\n", width, height);
    return 2;
  }
  std::vector<uint8_t> frame (static_cast<size_t> (width) * height);
  std::vector<double> latencies_ms;
  long frames = 0, unmarked = 0;
  while (std::fread (frame.data (), 1, frame.size (), stdin) == frame.size ()) {
    int64_t now_us = wall_clock_us ();
    /* The first frames tell how the player started, not its steady latency. */
    if (frames++ < skip)
      continue;
    auto marks = meet::FrameMarks::read (meet::ConstLumaView{frame.data (), static_cast<size_t> (width), 1,
            width, height});
    if (!marks) {
      unmarked++;
      continue;
    }
    latencies_ms.push_back (meet::FrameMarks::diff_us (static_cast<uint64_t> (now_us),
            marks->capture_time_us) / 1e3);
  }
  if (latencies_ms.empty ()) {
    std::printf ("frames %ld, unmarked %ld, no marked frame\n", frames, unmarked);
    return 1;
  }
  std::sort (latencies_ms.begin (), latencies_ms.end ());
  std::printf ("frames %ld, unmarked %ld, median %.1f ms, p90 %.1f ms\n", frames, unmarked,
      latencies_ms[latencies_ms.size () / 2], latencies_ms[latencies_ms.size () * 9 / 10]);
  return 0;
}
