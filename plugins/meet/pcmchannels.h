/* meetstream: maps the L16 wire channel orders of l16.h onto GStreamer channel positions, for
 * meetpcmpay and meetpcmdepay. */
#pragma once

#include <gst/audio/audio.h>

#include "l16.h"

namespace meet::pcm {

/* The wire order for @info's channels, or nothing to send them as they come (unpositioned input or a
 * layout no order describes). */
std::optional<l16::ChannelOrder> wire_order_for (const GstAudioInfo & info);

/* Fills @positions (info.channels entries) with the GStreamer positions of @order. */
void positions_of (const l16::ChannelOrder & order, GstAudioChannelPosition * positions);

}  // namespace meet::pcm
