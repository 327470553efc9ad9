/* meetstream: RFC 2435 (RTP payload format for JPEG-compressed video), plain C++.
 *
 * Everything the meetjpegpay/meetjpegdepay elements need that is not GObject glue:
 *  - JpegHeaderParser: walks SOI..SOS of a JFIF/baseline JPEG and decides whether RFC 2435 can carry it.
 *  - The RFC 2435 main / restart / quantization-table headers (writers and a reader).
 *  - Appendix A quantization table generation and the JFIF header rebuild a receiver needs.
 *  - JpegDepacketizer: reassembles fragments into complete JFIF frames, dropping broken frames whole.
 *
 * Every entry point that sees network or file bytes takes (const uint8_t *, size_t), so fuzzers can drive it.
 */
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace meet::rfc2435 {

constexpr size_t kMainHeaderSize = 8;
constexpr size_t kRestartHeaderSize = 4;
constexpr size_t kQuantHeaderSize = 4;
/* RFC 2435 codes width and height in units of 8 pixels in one byte each. */
constexpr unsigned kMaxHeaderDimension = 2040;
/* The depacketizer never holds more than this for one frame. */
constexpr size_t kMaxFrameSize = 16 * 1024 * 1024;

/* RFC 2435 3.1.3: types 0 and 1; +64 when restart markers are present. */
enum : uint8_t {
  kType422 = 0,
  kType420 = 1,
  kTypeRestartFlag = 64,
};

/* One quantization table as found in a DQT segment, zig-zag order, 8- or 16-bit entries. */
struct QuantTable {
  bool sixteen_bit = false;
  std::vector<uint8_t> data;     /* 64 or 128 bytes, big-endian entries when 16-bit */
};

/* What a JPEG must be for RFC 2435, and where its pieces are. */
struct JpegInfo {
  uint8_t type = 0;              /* kType422 or kType420, without the restart flag */
  unsigned width = 0;
  unsigned height = 0;
  uint16_t restart_interval = 0; /* 0: no DRI */
  QuantTable luma_table;         /* table used by component 0 */
  QuantTable chroma_table;       /* table used by components 1 and 2 */
  size_t scan_offset = 0;        /* first byte of entropy-coded data */
  size_t scan_size = 0;          /* entropy-coded data up to (not including) a trailing EOI */

  uint8_t rtp_type () const { return restart_interval ? type | kTypeRestartFlag : type; }
};

enum class ParseStatus {
  kOk,
  kNotJpeg,
  kTruncated,
  kCorrupt,
  kProgressive,
  kNotBaseline,
  kArithmetic,
  kLossless,
  kHierarchical,
  kPrecision,
  kComponentCount,
  kSampling,
  kChromaTables,
  kMissingQuantTable,
  kHuffmanTables,
  kScanLayout,
  kNoFrameHeader,
  kNoScan,
  kBadDimensions,
};

/* A sentence a user can act on, e.g. "progressive JPEG (SOF2); ...". */
const char *describe (ParseStatus status);

/* Parses the headers of the JPEG in data[0..size) into info. Never reads outside the buffer. */
ParseStatus parse_jpeg (const uint8_t * data, size_t size, JpegInfo & info);

/* --- RFC 2435 headers ------------------------------------------------------------------------ */

struct MainHeader {
  uint8_t type_specific = 0;
  uint32_t fragment_offset = 0;  /* 24 bits */
  uint8_t type = 0;
  uint8_t q = 0;
  uint8_t width_blocks = 0;      /* width / 8, 0 when the frame is wider than 2040 */
  uint8_t height_blocks = 0;
};

struct RestartHeader {
  uint16_t interval = 0;
  bool first = true;
  bool last = true;
  uint16_t count = 0x3fff;       /* 14 bits; F=L=1, count 0x3fff: reassemble the whole frame */
};

struct QuantHeader {
  uint8_t mbz = 0;
  uint8_t precision = 0;         /* bit i: table i has 16-bit entries */
  uint16_t length = 0;
};

void write_main_header (const MainHeader & h, uint8_t * out);
void write_restart_header (const RestartHeader & h, uint8_t * out);
void write_quant_header (const QuantHeader & h, uint8_t * out);

/* Width/height fields for RFC 2435: units of 8 pixels, or 0 above 2040 (the size then travels
 * out of band in the x-dimensions caps field, as GStreamer's rtpjpegpay does). */
uint8_t dimension_to_blocks (unsigned pixels);

/* Bytes of RFC 2435 headers on the first packet of a frame carrying in-band tables (Q = 255). */
size_t first_packet_header_size (const JpegInfo & info);
/* Bytes of RFC 2435 headers on the other packets. */
size_t packet_header_size (const JpegInfo & info);

/* Writes the RFC 2435 headers of the packet carrying scan bytes from fragment_offset on.
 * Returns the bytes written: first_packet_header_size() at offset 0, packet_header_size() otherwise. */
size_t write_packet_headers (const JpegInfo & info, uint32_t fragment_offset, uint8_t * out);

/* --- Appendix A and the JFIF rebuild --------------------------------------------------------- */

/* RFC 2435 Appendix A MakeTables(): quantization tables (zig-zag order) for Q 1..99. */
void make_tables (int q, std::array<uint8_t, 64> & luma, std::array<uint8_t, 64> & chroma);

/* Parameters of a frame as a receiver knows them from the RFC 2435 headers. */
struct FrameParams {
  uint8_t type = 0;              /* 0 or 1 (restart flag removed) */
  unsigned width = 0;
  unsigned height = 0;
  uint16_t restart_interval = 0;
  QuantTable luma_table;
  QuantTable chroma_table;
};

/* Appends SOI, APP0 (JFIF), DQT, DRI (if any), SOF0, the standard DHTs and SOS to out. */
void write_jfif_headers (const FrameParams & params, std::vector<uint8_t> & out);

/* --- Receiver: fragment reassembly ---------------------------------------------------------- */

class JpegDepacketizer {
public:
  enum class Result {
    kNeedMore,                   /* packet taken, frame not complete yet */
    kFrameReady,                 /* take_frame() returns a complete JFIF image */
    kDropped,                    /* packet (and maybe the frame it belonged to) dropped: see last_drop_reason() */
  };

  /* Frame size out of band (the x-dimensions caps field): used when the header says 0, or when
   * the header's size (a multiple of 8) is this size rounded up. */
  void set_dimensions_hint (unsigned width, unsigned height);

  /* One RTP payload (the bytes after the RTP header) with its RTP timestamp and marker bit. */
  Result push (const uint8_t * payload, size_t size, uint32_t rtp_timestamp, bool marker);

  /* The completed frame; valid once after push() returned kFrameReady. */
  std::vector<uint8_t> take_frame ();
  unsigned frame_width () const { return frame_.width; }
  unsigned frame_height () const { return frame_.height; }

  /* Forget any partial frame (e.g. on flush); counts it as dropped if it had started. */
  void reset ();

  uint64_t frames_completed () const { return frames_completed_; }
  uint64_t frames_dropped () const { return frames_dropped_; }
  uint64_t packets_dropped () const { return packets_dropped_; }
  const std::string & last_drop_reason () const { return drop_reason_; }

private:
  enum class State { kIdle, kAssembling, kDiscarding };

  Result start_frame (const uint8_t * payload, size_t size, uint32_t ts, bool marker);
  Result finish_frame (uint32_t ts);
  Result drop_frame (uint32_t ts, std::string reason);
  Result drop_stray_packet (std::string reason);
  void abandon_current (const char *why);

  State state_ = State::kIdle;
  uint32_t timestamp_ = 0;
  bool have_completed_ts_ = false;
  uint32_t completed_ts_ = 0;
  MainHeader first_;             /* header of the frame's first packet */
  uint16_t restart_interval_ = 0;
  FrameParams frame_;
  size_t header_bytes_ = 0;      /* JFIF header size at the front of data_ */
  uint32_t next_offset_ = 0;
  uint64_t packets_in_frame_ = 0;
  std::vector<uint8_t> data_;
  size_t last_frame_size_ = 0;
  bool frame_ready_ = false;

  unsigned hint_width_ = 0;
  unsigned hint_height_ = 0;
  /* RFC 2435 3.1.8: tables for Q 128..254 may be sent once and reused. */
  struct CachedTables {
    bool valid = false;
    QuantTable luma;
    QuantTable chroma;
  };
  std::array<CachedTables, 127> cache_;

  uint64_t frames_completed_ = 0;
  uint64_t frames_dropped_ = 0;
  uint64_t packets_dropped_ = 0;
  std::string drop_reason_;
};

/* Parses an RFC 2435 payload header sequence; returns bytes consumed or 0 on truncation. */
size_t read_main_header (const uint8_t * data, size_t size, MainHeader & h);
size_t read_restart_header (const uint8_t * data, size_t size, RestartHeader & h);
size_t read_quant_header (const uint8_t * data, size_t size, QuantHeader & h);

}  // namespace meet::rfc2435
