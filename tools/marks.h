/* meetstream: picture marks that let a receiver measure glass-to-glass latency and A/V offset.
 *
 * The sender draws marks into the top-left corner of the luma of every frame:
 *  - a barcode of the capture wall-clock time (microseconds, modulo 2^40): one row of 40 black/white
 *    blocks, and below it a row with the complement so that a receiver can reject damaged codes;
 *  - a flash square, white on the first frame captured after a whole second of running time (when the test
 *    sound ticks), black otherwise; a second barcode (same layout) holds how many microseconds after that
 *    whole second the frame was captured, so the receiver can place the tick moment exactly.
 * The test sound's ticks (TickWriter) start on every whole second of running time, the moment the flash stands
 * for.
 * Blocks are multiples of 8 pixels so JPEG keeps them crisp. Plain C++: no GStreamer types.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace meet {

/* A view of 8-bit luma-like samples: sample (x, y) is data[y * stride + x * pixel_stride]. For planar YUV pass
 * the Y plane with pixel_stride 1; for packed 4-byte RGB pass a pointer to the green byte with pixel_stride 4. */
struct LumaView {
  uint8_t *data;
  size_t stride;
  size_t pixel_stride;
  int width;
  int height;
};

struct ConstLumaView {
  const uint8_t *data;
  size_t stride;
  size_t pixel_stride;
  int width;
  int height;
};

class FrameMarks {
public:
  static constexpr int kBits = 40;
  static constexpr uint64_t kMask = (uint64_t (1) << kBits) - 1;

  /* Side of one block in pixels for a picture this wide, or 0 when the picture is too small to carry marks. */
  static int block_size (int width, int height);

  struct Marks {
    uint64_t capture_time_us;   /* modulo 2^40 */
    bool flash;
    uint64_t flash_phase_us;    /* capture time after the whole second, meaningful when flash */
  };

  /* Draws the marks. Returns false (and draws nothing) when the picture is too small. */
  static bool draw (const LumaView & view, const Marks & marks);

  /* Reads the marks back; empty when they are missing or damaged. */
  static std::optional<Marks> read (const ConstLumaView & view);

  /* Difference later - earlier of two times modulo 2^40, as a signed number of microseconds. */
  static int64_t diff_us (uint64_t later, uint64_t earlier);
};

/* Writes the test sound's ticks: a tone of @hz for kTickNs from every whole second of running time, over
 * silence. The sample times are the running times of the buffer (after any start-up offset a live source's
 * base class adds), which is what the flash of the picture marks stands for: audiotestsrc's own wave=ticks
 * counts samples from its first buffer instead, so its ticks land off a whole second by the source's start-up
 * delay (tens of ms, up to 100 ms behind webrtcdsp's start on a busy machine) plus one buffer (it places
 * them with the next buffer's sample count). */
class TickWriter {
public:
  static constexpr uint64_t kTickNs = 50000000;   /* 50 ms */

  /* @amplitude: of full scale, 0-1. */
  TickWriter (int hz, double amplitude) : hz_ (hz > 0 ? hz : 1000), amplitude_ (amplitude) {}

  /* Fills @n_frames interleaved frames of @channels at @rate whose first frame plays at running time
   * @start_ns: the tone inside a tick, silence elsewhere. */
  void write (int16_t * samples, size_t n_frames, int channels, int rate, uint64_t start_ns) const;
  void write (int32_t * samples, size_t n_frames, int channels, int rate, uint64_t start_ns) const;
  void write (float *samples, size_t n_frames, int channels, int rate, uint64_t start_ns) const;
  void write (double *samples, size_t n_frames, int channels, int rate, uint64_t start_ns) const;

  /* The tone at @phase_ns after a whole second (0 outside a tick), from -1 to 1. */
  double value_at (uint64_t phase_ns) const;

private:
  int hz_;
  double amplitude_;
};

/* Finds the onsets of ticks (short beeps separated by silence) in a stream of 16-bit samples. */
class TickDetector {
public:
  /* @rate: samples per second of one channel; @channels: interleaved channels (only the first is read). */
  TickDetector (int rate, int channels);

  /* Feeds samples (native endianness); for every tick onset found calls @on_tick with the index of the onset's
   * frame relative to the start of this block. Returns the number of onsets found. */
  template <typename F>
  int feed (const int16_t * samples, size_t n_frames, F && on_tick)
  {
    int found = 0;
    for (size_t i = 0; i < n_frames; i++) {
      int v = samples[i * channels_];
      if (v < 0)
        v = -v;
      if (v >= kLoud) {
        if (quiet_frames_ >= min_quiet_) {
          on_tick (i);
          found++;
        }
        quiet_frames_ = 0;
      } else if (quiet_frames_ < min_quiet_) {
        quiet_frames_++;
      }
    }
    return found;
  }

private:
  static constexpr int kLoud = 2000;  /* about -24 dBFS: far above noise, far below a test tick */
  int channels_;
  size_t min_quiet_;
  size_t quiet_frames_;
};

}  // namespace meet
