/* meetstream: RFC 2435 JPEG header parsing, RTP JPEG headers, Appendix A tables, JFIF rebuild and
 * fragment reassembly. See rfc2435.h. */
#include "rfc2435.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace meet::rfc2435 {

namespace {

/* JPEG markers (ITU T.81 Table B.1). */
enum : uint8_t {
  kSOF0 = 0xc0, kSOF1 = 0xc1, kSOF2 = 0xc2, kSOF3 = 0xc3, kDHT = 0xc4, kSOF5 = 0xc5, kSOF6 = 0xc6,
  kSOF7 = 0xc7, kJPG = 0xc8, kSOF9 = 0xc9, kSOF10 = 0xca, kSOF11 = 0xcb, kDAC = 0xcc, kSOF13 = 0xcd,
  kSOF14 = 0xce, kSOF15 = 0xcf, kRST0 = 0xd0, kRST7 = 0xd7, kSOI = 0xd8, kEOI = 0xd9, kSOS = 0xda,
  kDQT = 0xdb, kDRI = 0xdd, kAPP0 = 0xe0, kTEM = 0x01,
};

/* ITU T.81 Annex K.3 "typical" Huffman tables, which RFC 2435 receivers assume. bits[i]: codes of length i+1. */
struct HuffmanTable {
  uint8_t bits[16];
  std::vector<uint8_t> values;
};

const HuffmanTable kLumaDc = {
  {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
  {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}};

const HuffmanTable kChromaDc = {
  {0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
  {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}};

const HuffmanTable kLumaAc = {
  {0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d},
  {0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
   0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
   0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
   0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
   0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
   0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
   0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
   0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
   0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
   0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
   0xf9, 0xfa}};

const HuffmanTable kChromaAc = {
  {0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77},
  {0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
   0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
   0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
   0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
   0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
   0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
   0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
   0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
   0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
   0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
   0xf9, 0xfa}};

/* ITU T.81 Annex K.1 / K.2 (natural order), the base of RFC 2435 Appendix A. */
const uint8_t kLumaQuantizer[64] = {
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

const uint8_t kChromaQuantizer[64] = {
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

/* Natural-order index of the i-th coefficient in zig-zag order: DQT stores tables zig-zagged. */
const uint8_t kZigzag[64] = {
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
  12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
  58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

inline uint16_t read16 (const uint8_t * p) { return static_cast<uint16_t> ((p[0] << 8) | p[1]); }

inline void put16 (std::vector<uint8_t> & out, unsigned v)
{
  out.push_back (static_cast<uint8_t> (v >> 8));
  out.push_back (static_cast<uint8_t> (v));
}

bool huffman_equals (const HuffmanTable & table, const uint8_t * bits, const uint8_t * values, size_t count)
{
  return memcmp (table.bits, bits, 16) == 0 && count == table.values.size () &&
      memcmp (table.values.data (), values, count) == 0;
}

/* What the parser learnt about one Huffman table destination. */
struct HuffmanSlot {
  bool defined = false;
  bool luma_standard = false;
  bool chroma_standard = false;
};

struct Component {
  uint8_t id = 0;
  uint8_t h = 0;
  uint8_t v = 0;
  uint8_t tq = 0;
};

/* Huffman tables used by a component are fine when they are the Annex K ones RFC 2435 receivers
 * rebuild: either defined with exactly those contents, or not defined at all (Motion-JPEG "AVI1"
 * frames omit DHT and mean the standard tables in destinations 0 = luma, 1 = chroma). */
bool huffman_ok (const HuffmanSlot & slot, unsigned destination, bool luma)
{
  if (slot.defined)
    return luma ? slot.luma_standard : slot.chroma_standard;
  return destination == (luma ? 0u : 1u);
}

void append_huffman (std::vector<uint8_t> & out, uint8_t class_and_id, const HuffmanTable & table)
{
  out.push_back (class_and_id);
  out.insert (out.end (), table.bits, table.bits + 16);
  out.insert (out.end (), table.values.begin (), table.values.end ());
}

}  // namespace

const char *
describe (ParseStatus status)
{
  switch (status) {
    case ParseStatus::kOk:
      return "no error";
    case ParseStatus::kNotJpeg:
      return "the data is not a JPEG image (it does not start with the SOI marker)";
    case ParseStatus::kTruncated:
      return "the JPEG image is truncated (it ends before its first scan's data)";
    case ParseStatus::kCorrupt:
      return "the JPEG headers are corrupt (a marker segment is malformed)";
    case ParseStatus::kProgressive:
      return "it is a progressive JPEG; RFC 2435 carries only baseline (SOF0) JPEG, encode without "
          "progressive mode (jpegenc does by default)";
    case ParseStatus::kNotBaseline:
      return "it is an extended-sequential (SOF1) JPEG; RFC 2435 carries only baseline (SOF0) JPEG";
    case ParseStatus::kArithmetic:
      return "it is arithmetic-coded; RFC 2435 carries only Huffman-coded baseline (SOF0) JPEG";
    case ParseStatus::kLossless:
      return "it is a lossless JPEG; RFC 2435 carries only baseline (SOF0) JPEG";
    case ParseStatus::kHierarchical:
      return "it is a hierarchical JPEG; RFC 2435 carries only baseline (SOF0) JPEG";
    case ParseStatus::kPrecision:
      return "its samples are not 8-bit (e.g. 12-bit JPEG); RFC 2435 carries only 8-bit baseline JPEG";
    case ParseStatus::kComponentCount:
      return "it does not have exactly 3 components (greyscale, CMYK or more); RFC 2435 carries only "
          "YCbCr JPEG with 3 components";
    case ParseStatus::kSampling:
      return "its chroma subsampling is neither 4:2:0 nor 4:2:2 (e.g. 4:4:4); RFC 2435 carries only "
          "those two: feed jpegenc with I420 or Y42B video";
    case ParseStatus::kChromaTables:
      return "its Cb and Cr components use different quantization tables, which RFC 2435 cannot express";
    case ParseStatus::kMissingQuantTable:
      return "a component refers to a quantization table the JPEG does not define";
    case ParseStatus::kHuffmanTables:
      return "it uses non-standard (e.g. optimized) Huffman tables; RFC 2435 receivers assume the "
          "standard tables of ITU T.81 Annex K.3, so encode without Huffman optimization";
    case ParseStatus::kScanLayout:
      return "its first scan is not a single interleaved scan of all 3 components, which RFC 2435 requires";
    case ParseStatus::kNoFrameHeader:
      return "the JPEG has no frame header (SOF) before its scan";
    case ParseStatus::kNoScan:
      return "the JPEG has no scan (SOS) before its end";
    case ParseStatus::kBadDimensions:
      return "the JPEG frame header gives a width or height of 0";
  }
  return "unknown error";
}

ParseStatus
parse_jpeg (const uint8_t * data, size_t size, JpegInfo & info)
{
  if (size < 2 || data[0] != 0xff || data[1] != kSOI)
    return ParseStatus::kNotJpeg;

  QuantTable quant[4];
  bool quant_defined[4] = {false, false, false, false};
  HuffmanSlot huffman[2][4];     /* [class: 0 DC, 1 AC][destination] */
  Component comps[3];
  bool have_sof = false;
  uint16_t restart_interval = 0;
  size_t pos = 2;

  for (;;) {
    if (pos >= size)
      return ParseStatus::kTruncated;
    if (data[pos] != 0xff)
      return ParseStatus::kCorrupt;
    while (pos < size && data[pos] == 0xff)   /* fill bytes */
      pos++;
    if (pos >= size)
      return ParseStatus::kTruncated;
    const uint8_t marker = data[pos++];

    if (marker == kTEM || (marker >= kRST0 && marker <= kRST7))
      continue;                  /* stand-alone markers */
    if (marker == kEOI)
      return ParseStatus::kNoScan;
    if (marker == kSOI || marker == 0x00)
      return ParseStatus::kCorrupt;
    if (size - pos < 2)
      return ParseStatus::kTruncated;
    const size_t length = read16 (data + pos);
    if (length < 2)
      return ParseStatus::kCorrupt;
    if (size - pos < length)
      return ParseStatus::kTruncated;
    const uint8_t *seg = data + pos + 2;
    const size_t seg_len = length - 2;

    switch (marker) {
      case kSOF2: case kSOF6: case kSOF10: case kSOF14:
        return ParseStatus::kProgressive;
      case kSOF3: case kSOF7: case kSOF11: case kSOF15:
        return ParseStatus::kLossless;
      case kSOF9: case kSOF13: case kDAC:
        return ParseStatus::kArithmetic;
      case kSOF5:
        return ParseStatus::kHierarchical;
      case kSOF1:
        return ParseStatus::kNotBaseline;
      case kJPG:
        return ParseStatus::kCorrupt;
      case kSOF0: {
        if (seg_len < 6)
          return ParseStatus::kCorrupt;
        if (seg[0] != 8)
          return ParseStatus::kPrecision;
        const unsigned nf = seg[5];
        if (nf != 3)
          return ParseStatus::kComponentCount;
        if (seg_len < 6 + 3 * nf)
          return ParseStatus::kCorrupt;
        info.height = read16 (seg + 1);
        info.width = read16 (seg + 3);
        if (info.width == 0 || info.height == 0)
          return ParseStatus::kBadDimensions;
        for (unsigned i = 0; i < 3; i++) {
          comps[i].id = seg[6 + 3 * i];
          comps[i].h = seg[7 + 3 * i] >> 4;
          comps[i].v = seg[7 + 3 * i] & 0x0f;
          comps[i].tq = seg[8 + 3 * i];
          if (comps[i].tq > 3)
            return ParseStatus::kCorrupt;
        }
        if (comps[1].h != 1 || comps[1].v != 1 || comps[2].h != 1 || comps[2].v != 1 || comps[0].h != 2)
          return ParseStatus::kSampling;
        if (comps[0].v == 1)
          info.type = kType422;
        else if (comps[0].v == 2)
          info.type = kType420;
        else
          return ParseStatus::kSampling;
        have_sof = true;
        break;
      }
      case kDQT: {
        size_t i = 0;
        while (i < seg_len) {
          const unsigned pq = seg[i] >> 4, tq = seg[i] & 0x0f;
          if (pq > 1 || tq > 3)
            return ParseStatus::kCorrupt;
          const size_t n = pq ? 128 : 64;
          if (seg_len - i - 1 < n)
            return ParseStatus::kCorrupt;
          quant[tq].sixteen_bit = pq == 1;
          quant[tq].data.assign (seg + i + 1, seg + i + 1 + n);
          quant_defined[tq] = true;
          i += 1 + n;
        }
        break;
      }
      case kDHT: {
        size_t i = 0;
        while (i < seg_len) {
          if (seg_len - i < 17)
            return ParseStatus::kCorrupt;
          const unsigned tc = seg[i] >> 4, th = seg[i] & 0x0f;
          if (tc > 1 || th > 3)
            return ParseStatus::kCorrupt;
          const uint8_t *bits = seg + i + 1;
          size_t count = 0;
          for (unsigned b = 0; b < 16; b++)
            count += bits[b];
          if (seg_len - i - 17 < count)
            return ParseStatus::kCorrupt;
          const uint8_t *values = bits + 16;
          HuffmanSlot & slot = huffman[tc][th];
          slot.defined = true;
          slot.luma_standard = huffman_equals (tc ? kLumaAc : kLumaDc, bits, values, count);
          slot.chroma_standard = huffman_equals (tc ? kChromaAc : kChromaDc, bits, values, count);
          i += 17 + count;
        }
        break;
      }
      case kDRI:
        if (seg_len < 2)
          return ParseStatus::kCorrupt;
        restart_interval = read16 (seg);
        break;
      case kSOS: {
        if (!have_sof)
          return ParseStatus::kNoFrameHeader;
        if (seg_len < 1)
          return ParseStatus::kCorrupt;
        const unsigned ns = seg[0];
        if (seg_len < 1 + 2 * ns + 3)
          return ParseStatus::kCorrupt;
        if (ns != 3)
          return ParseStatus::kScanLayout;
        for (unsigned i = 0; i < ns; i++) {
          const uint8_t cs = seg[1 + 2 * i], tables = seg[2 + 2 * i];
          if (cs != comps[i].id)
            return ParseStatus::kScanLayout;
          const unsigned td = tables >> 4, ta = tables & 0x0f;
          if (td > 3 || ta > 3)
            return ParseStatus::kCorrupt;
          const bool luma = i == 0;
          if (!huffman_ok (huffman[0][td], td, luma) || !huffman_ok (huffman[1][ta], ta, luma))
            return ParseStatus::kHuffmanTables;
        }
        const uint8_t *tail = seg + 1 + 2 * ns;
        if (tail[0] != 0 || tail[1] != 63 || tail[2] != 0)
          return ParseStatus::kProgressive;
        for (const Component & c : comps)
          if (!quant_defined[c.tq])
            return ParseStatus::kMissingQuantTable;
        const QuantTable & cb = quant[comps[1].tq], &cr = quant[comps[2].tq];
        if (comps[1].tq != comps[2].tq &&
            (cb.sixteen_bit != cr.sixteen_bit || cb.data != cr.data))
          return ParseStatus::kChromaTables;

        info.luma_table = quant[comps[0].tq];
        info.chroma_table = cb;
        info.restart_interval = restart_interval;
        info.scan_offset = pos + length;
        size_t end = size;
        if (end - info.scan_offset >= 2 && data[end - 2] == 0xff && data[end - 1] == kEOI)
          end -= 2;
        info.scan_size = end - info.scan_offset;
        if (info.scan_size == 0)
          return ParseStatus::kTruncated;
        return ParseStatus::kOk;
      }
      default:
        break;                   /* APPn, COM and the like carry nothing RFC 2435 needs */
    }
    pos += length;
  }
}

/* --- RFC 2435 headers ------------------------------------------------------------------------ */

void
write_main_header (const MainHeader & h, uint8_t * out)
{
  out[0] = h.type_specific;
  out[1] = static_cast<uint8_t> (h.fragment_offset >> 16);
  out[2] = static_cast<uint8_t> (h.fragment_offset >> 8);
  out[3] = static_cast<uint8_t> (h.fragment_offset);
  out[4] = h.type;
  out[5] = h.q;
  out[6] = h.width_blocks;
  out[7] = h.height_blocks;
}

void
write_restart_header (const RestartHeader & h, uint8_t * out)
{
  out[0] = static_cast<uint8_t> (h.interval >> 8);
  out[1] = static_cast<uint8_t> (h.interval);
  out[2] = static_cast<uint8_t> ((h.first ? 0x80 : 0) | (h.last ? 0x40 : 0) | ((h.count >> 8) & 0x3f));
  out[3] = static_cast<uint8_t> (h.count);
}

void
write_quant_header (const QuantHeader & h, uint8_t * out)
{
  out[0] = h.mbz;
  out[1] = h.precision;
  out[2] = static_cast<uint8_t> (h.length >> 8);
  out[3] = static_cast<uint8_t> (h.length);
}

size_t
read_main_header (const uint8_t * data, size_t size, MainHeader & h)
{
  if (size < kMainHeaderSize)
    return 0;
  h.type_specific = data[0];
  h.fragment_offset = (static_cast<uint32_t> (data[1]) << 16) | (data[2] << 8) | data[3];
  h.type = data[4];
  h.q = data[5];
  h.width_blocks = data[6];
  h.height_blocks = data[7];
  return kMainHeaderSize;
}

size_t
read_restart_header (const uint8_t * data, size_t size, RestartHeader & h)
{
  if (size < kRestartHeaderSize)
    return 0;
  h.interval = read16 (data);
  h.first = data[2] & 0x80;
  h.last = data[2] & 0x40;
  h.count = static_cast<uint16_t> (((data[2] & 0x3f) << 8) | data[3]);
  return kRestartHeaderSize;
}

size_t
read_quant_header (const uint8_t * data, size_t size, QuantHeader & h)
{
  if (size < kQuantHeaderSize)
    return 0;
  h.mbz = data[0];
  h.precision = data[1];
  h.length = read16 (data + 2);
  return kQuantHeaderSize;
}

uint8_t
dimension_to_blocks (unsigned pixels)
{
  if (pixels > kMaxHeaderDimension)
    return 0;
  return static_cast<uint8_t> ((pixels + 7) / 8);
}

size_t
packet_header_size (const JpegInfo & info)
{
  return kMainHeaderSize + (info.restart_interval ? kRestartHeaderSize : 0);
}

size_t
first_packet_header_size (const JpegInfo & info)
{
  return packet_header_size (info) + kQuantHeaderSize + info.luma_table.data.size () +
      info.chroma_table.data.size ();
}

size_t
write_packet_headers (const JpegInfo & info, uint32_t fragment_offset, uint8_t * out)
{
  MainHeader main;
  main.fragment_offset = fragment_offset;
  main.type = info.rtp_type ();
  main.q = 255;                  /* tables in-band on every frame: any encoder quality round-trips */
  /* Like rtpjpegpay: above 2040 in either direction both fields are 0 and x-dimensions says the size. */
  if (info.width > kMaxHeaderDimension || info.height > kMaxHeaderDimension) {
    main.width_blocks = main.height_blocks = 0;
  } else {
    main.width_blocks = dimension_to_blocks (info.width);
    main.height_blocks = dimension_to_blocks (info.height);
  }
  write_main_header (main, out);
  size_t n = kMainHeaderSize;

  if (info.restart_interval) {
    /* Packets are not cut at restart interval boundaries, so RFC 2435 3.1.7 wants F=L=1, count 0x3fff. */
    RestartHeader restart;
    restart.interval = info.restart_interval;
    write_restart_header (restart, out + n);
    n += kRestartHeaderSize;
  }

  if (fragment_offset == 0) {
    QuantHeader quant;
    quant.precision = static_cast<uint8_t> ((info.luma_table.sixteen_bit ? 1 : 0) |
        (info.chroma_table.sixteen_bit ? 2 : 0));
    quant.length = static_cast<uint16_t> (info.luma_table.data.size () + info.chroma_table.data.size ());
    write_quant_header (quant, out + n);
    n += kQuantHeaderSize;
    memcpy (out + n, info.luma_table.data.data (), info.luma_table.data.size ());
    n += info.luma_table.data.size ();
    memcpy (out + n, info.chroma_table.data.data (), info.chroma_table.data.size ());
    n += info.chroma_table.data.size ();
  }
  return n;
}

/* --- Appendix A and the JFIF rebuild --------------------------------------------------------- */

void
make_tables (int q, std::array<uint8_t, 64> & luma, std::array<uint8_t, 64> & chroma)
{
  const int factor = std::clamp (q, 1, 99);
  const int scale = q < 50 ? 5000 / factor : 200 - factor * 2;
  for (int i = 0; i < 64; i++) {
    const int lq = (kLumaQuantizer[kZigzag[i]] * scale + 50) / 100;
    const int cq = (kChromaQuantizer[kZigzag[i]] * scale + 50) / 100;
    luma[i] = static_cast<uint8_t> (std::clamp (lq, 1, 255));
    chroma[i] = static_cast<uint8_t> (std::clamp (cq, 1, 255));
  }
}

void
write_jfif_headers (const FrameParams & p, std::vector<uint8_t> & out)
{
  out.push_back (0xff);
  out.push_back (kSOI);

  static const uint8_t app0[] = {0xff, kAPP0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
  out.insert (out.end (), app0, app0 + sizeof (app0));

  out.push_back (0xff);
  out.push_back (kDQT);
  put16 (out, 2 + 1 + p.luma_table.data.size () + 1 + p.chroma_table.data.size ());
  out.push_back (p.luma_table.sixteen_bit ? 0x10 : 0x00);
  out.insert (out.end (), p.luma_table.data.begin (), p.luma_table.data.end ());
  out.push_back (p.chroma_table.sixteen_bit ? 0x11 : 0x01);
  out.insert (out.end (), p.chroma_table.data.begin (), p.chroma_table.data.end ());

  if (p.restart_interval) {
    out.push_back (0xff);
    out.push_back (kDRI);
    put16 (out, 4);
    put16 (out, p.restart_interval);
  }

  out.push_back (0xff);
  out.push_back (kSOF0);
  put16 (out, 17);
  out.push_back (8);
  put16 (out, p.height);
  put16 (out, p.width);
  out.push_back (3);
  const uint8_t luma_sampling = p.type == kType420 ? 0x22 : 0x21;
  const uint8_t sof_components[] = {1, luma_sampling, 0, 2, 0x11, 1, 3, 0x11, 1};
  out.insert (out.end (), sof_components, sof_components + sizeof (sof_components));

  out.push_back (0xff);
  out.push_back (kDHT);
  put16 (out, 2 + 4 * 17 + kLumaDc.values.size () + kLumaAc.values.size () + kChromaDc.values.size () +
      kChromaAc.values.size ());
  append_huffman (out, 0x00, kLumaDc);
  append_huffman (out, 0x10, kLumaAc);
  append_huffman (out, 0x01, kChromaDc);
  append_huffman (out, 0x11, kChromaAc);

  static const uint8_t sos[] = {0xff, kSOS, 0x00, 0x0c, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0};
  out.insert (out.end (), sos, sos + sizeof (sos));
}

/* --- Receiver: fragment reassembly ---------------------------------------------------------- */

void
JpegDepacketizer::set_dimensions_hint (unsigned width, unsigned height)
{
  hint_width_ = width;
  hint_height_ = height;
}

void
JpegDepacketizer::abandon_current (const char *why)
{
  if (state_ == State::kAssembling) {
    frames_dropped_++;
    packets_dropped_ += packets_in_frame_;
    drop_reason_ = why;
  }
  state_ = State::kIdle;
  packets_in_frame_ = 0;
  data_.clear ();
}

JpegDepacketizer::Result
JpegDepacketizer::drop_frame (uint32_t ts, std::string reason)
{
  frames_dropped_++;
  packets_dropped_ += (state_ == State::kAssembling ? packets_in_frame_ : 0) + 1;
  drop_reason_ = std::move (reason);
  state_ = State::kDiscarding;
  timestamp_ = ts;
  packets_in_frame_ = 0;
  data_.clear ();
  return Result::kDropped;
}

JpegDepacketizer::Result
JpegDepacketizer::drop_stray_packet (std::string reason)
{
  packets_dropped_++;
  drop_reason_ = std::move (reason);
  return Result::kDropped;
}

void
JpegDepacketizer::reset ()
{
  abandon_current ("flushed before its last packet");
  frame_ready_ = false;
  have_completed_ts_ = false;
}

std::vector<uint8_t>
JpegDepacketizer::take_frame ()
{
  if (!frame_ready_)
    return {};
  frame_ready_ = false;
  std::vector<uint8_t> frame = std::move (data_);
  data_ = std::vector<uint8_t> ();
  return frame;
}

JpegDepacketizer::Result
JpegDepacketizer::push (const uint8_t * payload, size_t size, uint32_t ts, bool marker)
{
  if (frame_ready_) {            /* the caller did not take the previous frame */
    frame_ready_ = false;
    data_.clear ();
  }

  if (state_ == State::kAssembling && ts != timestamp_)
    abandon_current ("a new frame started before the last packet (marker bit) of the previous one");
  if (state_ == State::kDiscarding) {
    if (ts == timestamp_) {
      packets_dropped_++;
      return Result::kDropped;
    }
    state_ = State::kIdle;
  }

  MainHeader h;
  size_t pos = read_main_header (payload, size, h);
  if (pos == 0) {
    if (state_ == State::kAssembling)
      return drop_frame (ts, "packet shorter than the RFC 2435 main header");
    return drop_stray_packet ("packet shorter than the RFC 2435 main header");
  }

  if (state_ == State::kIdle) {
    if (h.fragment_offset != 0) {
      if (have_completed_ts_ && ts == completed_ts_)
        return drop_stray_packet ("duplicate packet of a frame already completed");
      return drop_frame (ts, "the frame's first packet (fragment offset 0) is missing");
    }
    return start_frame (payload, size, ts, marker);
  }

  /* Assembling: a continuation of the current frame. */
  if (h.type != first_.type || h.q != first_.q || h.width_blocks != first_.width_blocks ||
      h.height_blocks != first_.height_blocks || h.type_specific != first_.type_specific)
    return drop_frame (ts, "type, Q or size changed in the middle of a frame");
  if (h.fragment_offset != next_offset_) {
    return drop_frame (ts, h.fragment_offset < next_offset_ ?
        "duplicate or overlapping fragment" : "missing fragment (gap in fragment offsets)");
  }
  if (h.type & kTypeRestartFlag) {
    RestartHeader restart;
    const size_t n = read_restart_header (payload + pos, size - pos, restart);
    if (n == 0)
      return drop_frame (ts, "packet too short for its restart marker header");
    if (restart.interval != restart_interval_)
      return drop_frame (ts, "restart interval changed in the middle of a frame");
    pos += n;
  }
  const size_t len = size - pos;
  if (data_.size () - header_bytes_ + len > kMaxFrameSize)
    return drop_frame (ts, "frame larger than 16 MiB");
  data_.insert (data_.end (), payload + pos, payload + size);
  next_offset_ += static_cast<uint32_t> (len);
  packets_in_frame_++;

  return marker ? finish_frame (ts) : Result::kNeedMore;
}

JpegDepacketizer::Result
JpegDepacketizer::finish_frame (uint32_t ts)
{
  /* Every offset from 0 to the marker packet arrived exactly once. */
  if (data_.size () == header_bytes_)
    return drop_frame (ts, "frame without any scan data");
  if (data_.size () < header_bytes_ + 2 || data_[data_.size () - 2] != 0xff || data_.back () != kEOI) {
    data_.push_back (0xff);
    data_.push_back (kEOI);
  }
  state_ = State::kIdle;
  have_completed_ts_ = true;
  completed_ts_ = ts;
  frames_completed_++;
  frame_ready_ = true;
  last_frame_size_ = data_.size ();
  packets_in_frame_ = 0;
  return Result::kFrameReady;
}

JpegDepacketizer::Result
JpegDepacketizer::start_frame (const uint8_t * payload, size_t size, uint32_t ts, bool marker)
{
  MainHeader h;
  size_t pos = read_main_header (payload, size, h);

  const uint8_t base_type = h.type & ~kTypeRestartFlag;
  if (h.type >= 128 || (base_type != kType422 && base_type != kType420))
    return drop_frame (ts, "unsupported RFC 2435 type " + std::to_string (h.type) +
        " (only 0, 1, 64 and 65 are defined)");

  FrameParams params;
  params.type = base_type;
  params.width = h.width_blocks * 8u;
  params.height = h.height_blocks * 8u;
  if (params.width == 0 || params.height == 0) {
    if (hint_width_ == 0 || hint_height_ == 0)
      return drop_frame (ts, "frame size is 0 and the caps carry no x-dimensions");
    params.width = hint_width_;
    params.height = hint_height_;
  } else if (dimension_to_blocks (hint_width_) == h.width_blocks &&
      dimension_to_blocks (hint_height_) == h.height_blocks) {
    /* The header rounds up to 8 pixels; x-dimensions gives the exact size it rounded. */
    params.width = hint_width_;
    params.height = hint_height_;
  }

  if (h.type & kTypeRestartFlag) {
    RestartHeader restart;
    const size_t n = read_restart_header (payload + pos, size - pos, restart);
    if (n == 0)
      return drop_frame (ts, "packet too short for its restart marker header");
    params.restart_interval = restart.interval;
    pos += n;
  }

  if (h.q == 0 || (h.q >= 100 && h.q < 128))
    return drop_frame (ts, "reserved Q value " + std::to_string (h.q));
  if (h.q < 100) {
    std::array<uint8_t, 64> luma, chroma;
    make_tables (h.q, luma, chroma);
    params.luma_table.data.assign (luma.begin (), luma.end ());
    params.chroma_table.data.assign (chroma.begin (), chroma.end ());
  } else {
    QuantHeader quant;
    const size_t n = read_quant_header (payload + pos, size - pos, quant);
    if (n == 0)
      return drop_frame (ts, "packet too short for its quantization table header");
    pos += n;
    CachedTables & cached = cache_[h.q - 128];
    if (quant.length == 0) {
      if (h.q == 255)
        return drop_frame (ts, "Q=255 without in-band quantization tables");
      if (!cached.valid)
        return drop_frame (ts, "no quantization tables received yet for Q=" + std::to_string (h.q));
      params.luma_table = cached.luma;
      params.chroma_table = cached.chroma;
    } else {
      const size_t luma_size = (quant.precision & 1) ? 128 : 64;
      const size_t chroma_size = (quant.precision & 2) ? 128 : 64;
      if (quant.length > size - pos)
        return drop_frame (ts, "quantization tables longer than the packet");
      params.luma_table.sixteen_bit = quant.precision & 1;
      if (quant.length >= luma_size + chroma_size) {
        params.luma_table.data.assign (payload + pos, payload + pos + luma_size);
        params.chroma_table.sixteen_bit = quant.precision & 2;
        params.chroma_table.data.assign (payload + pos + luma_size, payload + pos + luma_size + chroma_size);
      } else if (quant.length == luma_size) {
        /* One table for all components, as ffmpeg sends when its JPEG has a single DQT table. */
        params.luma_table.data.assign (payload + pos, payload + pos + luma_size);
        params.chroma_table = params.luma_table;
      } else {
        return drop_frame (ts, "quantization table length " + std::to_string (quant.length) +
            " is neither one nor two tables");
      }
      pos += quant.length;
      if (h.q != 255) {
        cached.valid = true;
        cached.luma = params.luma_table;
        cached.chroma = params.chroma_table;
      }
    }
  }

  const size_t len = size - pos;
  if (len > kMaxFrameSize)
    return drop_frame (ts, "frame larger than 16 MiB");

  frame_ = std::move (params);
  first_ = h;
  restart_interval_ = frame_.restart_interval;
  data_.clear ();
  data_.reserve (last_frame_size_ + 4096);
  write_jfif_headers (frame_, data_);
  header_bytes_ = data_.size ();
  data_.insert (data_.end (), payload + pos, payload + size);
  next_offset_ = static_cast<uint32_t> (len);
  packets_in_frame_ = 1;
  timestamp_ = ts;
  state_ = State::kAssembling;

  return marker ? finish_frame (ts) : Result::kNeedMore;
}

}  // namespace meet::rfc2435
