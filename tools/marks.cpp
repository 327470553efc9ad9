/* meetstream: picture marks for latency and A/V offset measurements; see marks.h. */
#include "marks.h"

#include <cmath>

namespace meet {

namespace {

constexpr int kCodeRows = 2;  /* barcode row and complement row */
constexpr uint8_t kWhite = 235;
constexpr uint8_t kBlack = 16;

uint8_t
sample_block (const ConstLumaView & v, int bx, int by, int block)
{
  /* Average the middle half of the block: edges blur under JPEG and scaling. */
  int x0 = bx * block + block / 4, y0 = by * block + block / 4;
  int n = 0, sum = 0;
  for (int y = y0; y < y0 + block / 2; y++)
    for (int x = x0; x < x0 + block / 2; x++) {
      sum += v.data[y * v.stride + x * v.pixel_stride];
      n++;
    }
  return static_cast<uint8_t> (sum / (n ? n : 1));
}

void
fill_block (const LumaView & v, int bx, int by, int block, uint8_t value)
{
  for (int y = by * block; y < (by + 1) * block; y++)
    for (int x = bx * block; x < (bx + 1) * block; x++)
      v.data[y * v.stride + x * v.pixel_stride] = value;
}

void
draw_code (const LumaView & v, int first_row, int block, uint64_t value)
{
  value &= FrameMarks::kMask;
  for (int i = 0; i < FrameMarks::kBits; i++) {
    bool bit = (value >> (FrameMarks::kBits - 1 - i)) & 1;
    fill_block (v, i, first_row, block, bit ? kWhite : kBlack);
    fill_block (v, i, first_row + 1, block, bit ? kBlack : kWhite);
  }
}

std::optional<uint64_t>
read_code (const ConstLumaView & v, int first_row, int block)
{
  uint64_t value = 0;
  for (int i = 0; i < FrameMarks::kBits; i++) {
    bool bit = sample_block (v, i, first_row, block) >= 128;
    bool complement = sample_block (v, i, first_row + 1, block) >= 128;
    if (bit == complement)
      return std::nullopt;
    value = (value << 1) | (bit ? 1 : 0);
  }
  return value;
}

}  // namespace

int
FrameMarks::block_size (int width, int height)
{
  int block = (width / kBits) / 8 * 8;
  if (block < 8 || height < block * (2 * kCodeRows + 2))
    return 0;
  return block;
}

bool
FrameMarks::draw (const LumaView & v, const Marks & marks)
{
  int block = block_size (v.width, v.height);
  if (block == 0 || v.data == nullptr)
    return false;
  draw_code (v, 0, block, marks.capture_time_us);
  draw_code (v, kCodeRows, block, marks.flash ? marks.flash_phase_us : 0);
  for (int by = 2 * kCodeRows; by < 2 * kCodeRows + 2; by++)
    for (int bx = 0; bx < 2; bx++)
      fill_block (v, bx, by, block, marks.flash ? kWhite : kBlack);
  return true;
}

std::optional<FrameMarks::Marks>
FrameMarks::read (const ConstLumaView & v)
{
  int block = block_size (v.width, v.height);
  if (block == 0 || v.data == nullptr)
    return std::nullopt;
  auto time = read_code (v, 0, block);
  auto phase = read_code (v, kCodeRows, block);
  if (!time || !phase)
    return std::nullopt;
  bool flash = sample_block (v, 0, 2 * kCodeRows, block) >= 128;
  return Marks{*time, flash, *phase};
}

int64_t
FrameMarks::diff_us (uint64_t later, uint64_t earlier)
{
  uint64_t d = (later - earlier) & kMask;
  if (d >= (uint64_t (1) << (kBits - 1)))
    return static_cast<int64_t> (d) - static_cast<int64_t> (uint64_t (1) << kBits);
  return static_cast<int64_t> (d);
}

double
TickWriter::value_at (uint64_t phase_ns) const
{
  if (phase_ns >= kTickNs)
    return 0;
  return amplitude_ * std::sin (2 * M_PI * hz_ * (phase_ns / 1e9));
}

namespace {

template <typename T, typename Convert>
void
write_ticks (const TickWriter & w, T * samples, size_t n_frames, int channels, int rate, uint64_t start_ns,
    Convert convert)
{
  if (rate <= 0 || channels <= 0)
    return;
  for (size_t i = 0; i < n_frames; i++) {
    /* Exact to the nanosecond from the buffer's start, so consecutive buffers join without a seam. */
    uint64_t t = start_ns + static_cast<uint64_t> (i) * 1000000000ull / static_cast<uint64_t> (rate);
    T v = convert (w.value_at (t % 1000000000ull));
    for (int c = 0; c < channels; c++)
      samples[i * channels + c] = v;
  }
}

}  // namespace

void
TickWriter::write (int16_t * samples, size_t n_frames, int channels, int rate, uint64_t start_ns) const
{
  write_ticks (*this, samples, n_frames, channels, rate, start_ns,
      [](double v) { return static_cast<int16_t> (std::lround (v * 32767)); });
}

void
TickWriter::write (int32_t * samples, size_t n_frames, int channels, int rate, uint64_t start_ns) const
{
  write_ticks (*this, samples, n_frames, channels, rate, start_ns,
      [](double v) { return static_cast<int32_t> (std::llround (v * 2147483647.0)); });
}

void
TickWriter::write (double *samples, size_t n_frames, int channels, int rate, uint64_t start_ns) const
{
  write_ticks (*this, samples, n_frames, channels, rate, start_ns, [](double v) { return v; });
}

void
TickWriter::write (float *samples, size_t n_frames, int channels, int rate, uint64_t start_ns) const
{
  write_ticks (*this, samples, n_frames, channels, rate, start_ns,
      [](double v) { return static_cast<float> (v); });
}

TickDetector::TickDetector (int rate, int channels)
  : channels_ (channels > 0 ? channels : 1),
    /* Ticks come once a second; half a second of quiet before a loud sample makes it an onset. */
    min_quiet_ (static_cast<size_t> (rate > 0 ? rate : 1) / 2),
    quiet_frames_ (0)
{
}

}  // namespace meet
