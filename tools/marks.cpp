/* meetstream: picture marks for latency and A/V offset measurements; see marks.h. */
#include "marks.h"

namespace meet {

namespace {

constexpr int kRows = 2;  /* barcode row and complement row */

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

}  // namespace

int
FrameMarks::block_size (int width, int height)
{
  int block = (width / kBits) / 8 * 8;
  if (block < 8 || height < block * (kRows + 2))
    return 0;
  return block;
}

bool
FrameMarks::draw (const LumaView & v, uint64_t capture_time_us, bool flash)
{
  int block = block_size (v.width, v.height);
  if (block == 0 || v.data == nullptr)
    return false;
  uint64_t value = capture_time_us & kMask;
  for (int i = 0; i < kBits; i++) {
    bool bit = (value >> (kBits - 1 - i)) & 1;
    fill_block (v, i, 0, block, bit ? 235 : 16);
    fill_block (v, i, 1, block, bit ? 16 : 235);
  }
  for (int by = kRows; by < kRows + 2; by++)
    for (int bx = 0; bx < 2; bx++)
      fill_block (v, bx, by, block, flash ? 235 : 16);
  return true;
}

std::optional<uint64_t>
FrameMarks::read_time (const ConstLumaView & v)
{
  int block = block_size (v.width, v.height);
  if (block == 0 || v.data == nullptr)
    return std::nullopt;
  uint64_t value = 0;
  for (int i = 0; i < kBits; i++) {
    bool bit = sample_block (v, i, 0, block) >= 128;
    bool complement = sample_block (v, i, 1, block) >= 128;
    if (bit == complement)
      return std::nullopt;
    value = (value << 1) | (bit ? 1 : 0);
  }
  return value;
}

std::optional<bool>
FrameMarks::read_flash (const ConstLumaView & v)
{
  if (!read_time (v))
    return std::nullopt;
  int block = block_size (v.width, v.height);
  return sample_block (v, 0, kRows, block) >= 128;
}

int64_t
FrameMarks::diff_us (uint64_t later, uint64_t earlier)
{
  uint64_t d = (later - earlier) & kMask;
  if (d >= (uint64_t (1) << (kBits - 1)))
    return static_cast<int64_t> (d) - static_cast<int64_t> (uint64_t (1) << kBits);
  return static_cast<int64_t> (d);
}

TickDetector::TickDetector (int rate, int channels)
  : channels_ (channels > 0 ? channels : 1),
    /* Ticks come once a second; half a second of quiet before a loud sample makes it an onset. */
    min_quiet_ (static_cast<size_t> (rate > 0 ? rate : 1) / 2),
    quiet_frames_ (0)
{
}

}  // namespace meet
