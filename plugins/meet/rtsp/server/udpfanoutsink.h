/* meetstream: GstMeetUdpFanoutSink, sends every RTP packet to a set of UDP destinations over one
 * socket, with UDP segmentation offload. Internal to meetrtspsink (not registered). */
#pragma once

#include <gio/gio.h>
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

/* The same fan-out outside a pipeline (meetrtspsink's relay of published streams): sends from
 * @socket at once, on the caller's thread. Unref the result when done. */
GstMeetUdpFanoutSink *gst_meet_udp_fanout_sink_new_for_socket (GSocket * socket);
GstFlowReturn gst_meet_udp_fanout_sink_send (GstMeetUdpFanoutSink * sink,
    GstBuffer * const * buffers, guint n);

G_END_DECLS
