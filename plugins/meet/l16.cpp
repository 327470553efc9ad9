/* meetstream: RTP L16 arithmetic shared by meetpcmpay and meetpcmdepay. */
#include "l16.h"

#include <algorithm>
#include <cctype>

namespace meet::l16 {

namespace {

constexpr std::uint64_t kNsPerSecond = 1000000000ULL;

using S = Speaker;

/* Named orders first (RFC 3190 "DV." layouts, as GStreamer's rtpL16pay/rtpL16depay know them), then
 * RFC 3551's defaults for 1-3 channels. A set of speakers that fits a named order is sent in that
 * order. RFC 3551's defaults for 4-6 channels use speakers GStreamer has no position for (left-centre,
 * surround) and are not offered. */
const ChannelOrder kOrders[] = {
  {"DV.LRLsRs", {S::FrontLeft, S::FrontRight, S::SideLeft, S::SideRight}},
  {"DV.LRCS", {S::FrontLeft, S::FrontRight, S::FrontCenter, S::Lfe}},
  {"DV.LRCWo", {S::FrontLeft, S::FrontRight, S::FrontCenter, S::Lfe}},
  {"DV.LRLsRsC", {S::FrontLeft, S::FrontRight, S::SideLeft, S::SideRight, S::FrontCenter}},
  {"DV.LRLsRsCS", {S::FrontLeft, S::FrontRight, S::SideLeft, S::SideRight, S::FrontCenter, S::Lfe}},
  {"DV.LmixRmixTWoQ1Q2", {S::FrontLeft, S::FrontRight, S::FrontCenter, S::Lfe, S::SideLeft,
      S::SideRight}},
  {"DV.LRCWoLsRsLmixRmix", {S::FrontLeft, S::FrontRight, S::FrontCenter, S::Lfe, S::SideLeft,
      S::SideRight, S::RearLeft, S::RearRight}},
  {"DV.LRCWoLs1Rs1Ls2Rs2", {S::FrontLeft, S::FrontRight, S::FrontCenter, S::Lfe, S::SideLeft,
      S::SideRight, S::RearLeft, S::RearRight}},
  {"DV.LRCWoLsRsLcRc", {S::FrontLeft, S::FrontRight, S::FrontCenter, S::Lfe, S::SideLeft,
      S::SideRight, S::RearLeft, S::RearRight}},
  {"", {S::Mono}},
  {"", {S::FrontLeft, S::FrontRight}},
  {"", {S::FrontLeft, S::FrontRight, S::FrontCenter}},
};

bool
same_speakers (const std::vector<Speaker> & a, const std::vector<Speaker> & b)
{
  return a.size () == b.size () && std::is_permutation (a.begin (), a.end (), b.begin ());
}

bool
equal_ignoring_case (const std::string & a, const std::string & b)
{
  return a.size () == b.size () && std::equal (a.begin (), a.end (), b.begin (), [](char x, char y) {
        return std::tolower (static_cast<unsigned char>(x)) == std::tolower (static_cast<unsigned char>(y));
      });
}

bool
format_in_range (const Format & format)
{
  return format.rate >= kMinRate && format.rate <= kMaxRate && format.channels >= kMinChannels
      && format.channels <= kMaxChannels;
}

}  // namespace

int
payload_type_for (const Format & format, int dynamic_pt)
{
  if (format.rate == 44100 && format.channels == 2)
    return kStaticPtStereo44100;
  if (format.rate == 44100 && format.channels == 1)
    return kStaticPtMono44100;
  return dynamic_pt;
}

std::optional<Format>
format_for (int pt, int clock_rate, int channels)
{
  Format format {clock_rate, channels};
  if (pt == kStaticPtStereo44100 || pt == kStaticPtMono44100) {
    if (format.rate == 0)
      format.rate = 44100;
    if (format.channels == 0)
      format.channels = pt == kStaticPtStereo44100 ? 2 : 1;
  } else if (format.channels == 0) {
    format.channels = 1;
  }
  if (!format_in_range (format))
    return std::nullopt;
  return format;
}

std::uint32_t
frames_per_packet (const Format & format, std::uint32_t mtu, std::int64_t max_ptime_ns,
    std::uint64_t ptime_ns, unsigned csrc_count)
{
  const std::uint64_t header = kRtpHeaderSize + 4ULL * csrc_count;
  const std::uint64_t frame = bytes_per_frame (format.channels);
  std::uint64_t frames = mtu > header ? (mtu - header) / frame : 0;
  if (max_ptime_ns >= 0)
    frames = std::min<std::uint64_t> (frames,
        static_cast<std::uint64_t>(max_ptime_ns) * format.rate / kNsPerSecond);
  if (ptime_ns > 0)
    frames = std::min<std::uint64_t> (frames, ptime_ns * format.rate / kNsPerSecond);
  return static_cast<std::uint32_t>(std::max<std::uint64_t> (frames, 1));
}

std::optional<ChannelOrder>
order_for_speakers (const std::vector<Speaker> & speakers)
{
  for (const auto & order : kOrders) {
    if (same_speakers (order.speakers, speakers))
      return order;
  }
  /* The DV layouts call their one surround pair "side"; GStreamer's 4.0 and 5.1 layouts call it
   * "rear". A layout with rear speakers and no side ones takes the order of its side equivalent. */
  const bool has_side = std::count (speakers.begin (), speakers.end (), S::SideLeft) > 0
      || std::count (speakers.begin (), speakers.end (), S::SideRight) > 0;
  if (has_side)
    return std::nullopt;
  std::vector<Speaker> as_side = speakers;
  std::replace (as_side.begin (), as_side.end (), S::RearLeft, S::SideLeft);
  std::replace (as_side.begin (), as_side.end (), S::RearRight, S::SideRight);
  if (as_side == speakers)
    return std::nullopt;
  auto order = order_for_speakers (as_side);
  if (order) {
    std::replace (order->speakers.begin (), order->speakers.end (), S::SideLeft, S::RearLeft);
    std::replace (order->speakers.begin (), order->speakers.end (), S::SideRight, S::RearRight);
  }
  return order;
}

std::optional<ChannelOrder>
order_for_name (int channels, const std::string & name)
{
  for (const auto & order : kOrders) {
    if (order.speakers.size () == static_cast<std::size_t>(channels)
        && equal_ignoring_case (order.name, name))
      return order;
  }
  return std::nullopt;
}

void
Receiver::set_channels (int channels)
{
  frame_bytes_ = bytes_per_frame (channels);
}

Verdict
Receiver::on_packet (std::uint16_t seq, std::size_t payload_len)
{
  Verdict verdict {false, false, 0, 0};

  if (last_seq_) {
    /* A forward distance below half the sequence space is a gap; anything else, a restart. */
    const std::uint16_t distance = static_cast<std::uint16_t>(seq - *last_seq_);
    if (distance > 1 && distance < 0x8000) {
      verdict.lost = distance - 1u;
      packets_lost_ += verdict.lost;
      pending_discont_ = true;
    } else if (distance == 0 || distance >= 0x8000) {
      pending_discont_ = true;
    }
  }
  last_seq_ = seq;

  if (payload_len == 0 || payload_len % frame_bytes_ != 0) {
    /* The frames after a dropped packet no longer follow on from the previous output. */
    ++packets_bad_length_;
    pending_discont_ = true;
    return verdict;
  }

  verdict.accept = true;
  verdict.frames = static_cast<std::uint32_t>(payload_len / frame_bytes_);
  verdict.discont = pending_discont_;
  pending_discont_ = false;
  ++packets_accepted_;
  return verdict;
}

void
Receiver::reset ()
{
  last_seq_.reset ();
  pending_discont_ = true;
}

void
feed_receiver (const std::uint8_t * data, std::size_t size)
{
  if (size == 0)
    return;
  Receiver receiver;
  receiver.set_channels (1 + data[0] % kMaxChannels);
  std::size_t pos = 1;
  while (size - pos >= 4) {
    const std::uint16_t seq = static_cast<std::uint16_t>(data[pos] << 8 | data[pos + 1]);
    const std::size_t len = std::min<std::size_t> (data[pos + 2] << 8 | data[pos + 3], size - pos - 4);
    receiver.on_packet (seq, len);
    pos += 4 + len;
  }
}

}  // namespace meet::l16
