/* meetstream: RTP L16 (RFC 3551 section 4.5.11) arithmetic shared by meetpcmpay and meetpcmdepay.
 *
 * Plain C++ with no GStreamer types, so unit tests and the libFuzzer target drive it directly.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meet::l16 {

constexpr int kMinRate = 8000;
constexpr int kMaxRate = 192000;
constexpr int kMinChannels = 1;
constexpr int kMaxChannels = 8;
constexpr int kBytesPerSample = 2;

/* RFC 3551 table 4: the only two static payload types for L16. */
constexpr int kStaticPtStereo44100 = 10;
constexpr int kStaticPtMono44100 = 11;
constexpr int kDefaultDynamicPt = 96;

constexpr int kRtpHeaderSize = 12;

struct Format {
  int rate;
  int channels;
};

/* Static payload type 10 or 11 when the format has one, @dynamic_pt otherwise. */
int payload_type_for (const Format & format, int dynamic_pt);

/* The format a receiver should assume. RFC 3551 lets the static payload types omit the clock rate and
 * channel count (0 here means "absent from the caps"); dynamic ones must state the clock rate and imply
 * one channel when the count is absent. Returns nothing for an unusable combination. */
std::optional<Format> format_for (int pt, int clock_rate, int channels);

inline std::size_t
bytes_per_frame (int channels)
{
  return static_cast<std::size_t>(channels) * kBytesPerSample;
}

/* Most frames one packet can carry: limited by the MTU (RTP header and CSRCs included) and by
 * @max_ptime_ns (negative means no limit); at least one frame. A positive @ptime_ns asks for packets
 * of exactly that duration, clipped to the same limits. This is the packetisation the payloader
 * configures GstRTPBaseAudioPayload for. */
std::uint32_t frames_per_packet (const Format & format, std::uint32_t mtu, std::int64_t max_ptime_ns,
    std::uint64_t ptime_ns, unsigned csrc_count = 0);

/* Speaker positions an L16 stream can name; the elements map them to GstAudioChannelPosition. */
enum class Speaker {
  Mono,
  FrontLeft,
  FrontRight,
  FrontCenter,
  Lfe,
  SideLeft,
  SideRight,
  RearLeft,
  RearRight,
};

/* The order channels travel in on the wire. An empty name is RFC 3551's default order for 1-3
 * channels (no channel-order in the caps); others are RFC 3190 "DV." orders carried in the
 * channel-order caps field. */
struct ChannelOrder {
  std::string name;
  std::vector<Speaker> speakers;
};

/* The wire order for a set of input speakers: the first known order with exactly those speakers
 * (rear speakers standing in for side ones when there are none), or nothing: the channels are then
 * sent as they come, with no channel-order. Streams decode the same in GStreamer's rtpL16depay. */
std::optional<ChannelOrder> order_for_speakers (const std::vector<Speaker> & speakers);

/* The wire order a receiver assumes: the named one (case-insensitive), or with no name RFC 3551's
 * default for 1-3 channels. Nothing otherwise: the channels are then unpositioned, in wire order. */
std::optional<ChannelOrder> order_for_name (int channels, const std::string & name);

/* What the depayloader does with one packet. */
struct Verdict {
  bool accept;              /* false: drop the packet */
  bool discont;             /* the output buffer follows lost packets */
  std::uint32_t frames;     /* audio frames carried when accepted */
  std::uint32_t lost;       /* packets missing just before this one */
};

/* Receiver-side bookkeeping for one L16 stream: checks each payload holds whole frames and detects
 * sequence gaps. Reordered or duplicated packets never reach it (GstRTPBaseDepayload drops them),
 * so a backwards jump is treated as a sender restart. */
class Receiver {
public:
  /* Sets the frame size for the stream's channel count; counters carry on across caps changes. */
  void set_channels (int channels);
  Verdict on_packet (std::uint16_t seq, std::size_t payload_len);
  /* Forgets the sequence position (new stream or flush); the next packet starts afresh. */
  void reset ();

  std::uint64_t packets_accepted () const { return packets_accepted_; }
  std::uint64_t packets_bad_length () const { return packets_bad_length_; }
  std::uint64_t packets_lost () const { return packets_lost_; }

private:
  std::size_t frame_bytes_ = bytes_per_frame (1);
  std::optional<std::uint16_t> last_seq_;
  bool pending_discont_ = true;
  std::uint64_t packets_accepted_ = 0;
  std::uint64_t packets_bad_length_ = 0;
  std::uint64_t packets_lost_ = 0;
};

/* Fuzzing entry: feeds @data to a Receiver as a sequence of records
 * [channels-1 (first byte only)] then repeated [seq hi, seq lo, len hi, len lo, payload...]. */
void feed_receiver (const std::uint8_t * data, std::size_t size);

}  // namespace meet::l16
