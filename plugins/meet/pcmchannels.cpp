/* meetstream: L16 wire channel orders <-> GStreamer channel positions. */
#include "pcmchannels.h"

namespace meet::pcm {

namespace {

std::optional<l16::Speaker>
speaker_of (GstAudioChannelPosition position)
{
  switch (position) {
    case GST_AUDIO_CHANNEL_POSITION_MONO:
      return l16::Speaker::Mono;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT:
      return l16::Speaker::FrontLeft;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT:
      return l16::Speaker::FrontRight;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER:
      return l16::Speaker::FrontCenter;
    case GST_AUDIO_CHANNEL_POSITION_LFE1:
      return l16::Speaker::Lfe;
    case GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT:
      return l16::Speaker::SideLeft;
    case GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT:
      return l16::Speaker::SideRight;
    case GST_AUDIO_CHANNEL_POSITION_REAR_LEFT:
      return l16::Speaker::RearLeft;
    case GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT:
      return l16::Speaker::RearRight;
    default:
      return std::nullopt;
  }
}

GstAudioChannelPosition
position_of (l16::Speaker speaker)
{
  switch (speaker) {
    case l16::Speaker::Mono:
      return GST_AUDIO_CHANNEL_POSITION_MONO;
    case l16::Speaker::FrontLeft:
      return GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT;
    case l16::Speaker::FrontRight:
      return GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT;
    case l16::Speaker::FrontCenter:
      return GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER;
    case l16::Speaker::Lfe:
      return GST_AUDIO_CHANNEL_POSITION_LFE1;
    case l16::Speaker::SideLeft:
      return GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT;
    case l16::Speaker::SideRight:
      return GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT;
    case l16::Speaker::RearLeft:
      return GST_AUDIO_CHANNEL_POSITION_REAR_LEFT;
    case l16::Speaker::RearRight:
      return GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT;
  }
  return GST_AUDIO_CHANNEL_POSITION_NONE;
}

}  // namespace

std::optional<l16::ChannelOrder>
wire_order_for (const GstAudioInfo & info)
{
  if (GST_AUDIO_INFO_IS_UNPOSITIONED (&info))
    return std::nullopt;
  std::vector<l16::Speaker> speakers;
  for (int i = 0; i < GST_AUDIO_INFO_CHANNELS (&info); i++) {
    auto speaker = speaker_of (GST_AUDIO_INFO_POSITION (&info, i));
    if (!speaker)
      return std::nullopt;
    speakers.push_back (*speaker);
  }
  return l16::order_for_speakers (speakers);
}

void
positions_of (const l16::ChannelOrder & order, GstAudioChannelPosition * positions)
{
  for (std::size_t i = 0; i < order.speakers.size (); i++)
    positions[i] = position_of (order.speakers[i]);
}

}  // namespace meet::pcm
