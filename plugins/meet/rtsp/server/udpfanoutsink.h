/* meetstream: GstMeetUdpFanoutSink, sends every RTP packet to a set of UDP destinations over one
 * socket, with UDP segmentation offload. Internal to meetrtspsink (not registered). */
#pragma once

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define GST_TYPE_MEET_UDP_FANOUT_SINK (gst_meet_udp_fanout_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstMeetUdpFanoutSink, gst_meet_udp_fanout_sink, GST, MEET_UDP_FANOUT_SINK,
    GstBaseSink)

/* Destinations are counted: a host/port added twice gets each packet once and stays until
 * removed twice. host is a numeric IPv4 or IPv6 address. Callable from any thread. */
void gst_meet_udp_fanout_sink_add (GstMeetUdpFanoutSink * sink, const gchar * host, gint port);
void gst_meet_udp_fanout_sink_remove (GstMeetUdpFanoutSink * sink, const gchar * host, gint port);
void gst_meet_udp_fanout_sink_clear (GstMeetUdpFanoutSink * sink);

G_END_DECLS
