/* meetstream: meetrtspsrc's reception statistics. See receptionstats.h. */
#include "receptionstats.h"

#include <algorithm>
#include <string>

namespace meet {

void
summarize_session_stats (const GstStructure *session_stats, StreamReception &stream)
{
  const GValue *array = session_stats ?
      gst_structure_get_value (session_stats, "source-stats") : nullptr;
  /* rtpsession still hands out a (deprecated) GValueArray of per-source stats. */
  if (array == nullptr || !G_VALUE_HOLDS_BOXED (array) ||
      !g_str_equal (G_VALUE_TYPE_NAME (array), "GValueArray"))
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS;
  auto *sources = static_cast<GValueArray *> (g_value_get_boxed (array));
  for (guint i = 0; sources && i < sources->n_values; i++) {
    const GValue *v = g_value_array_get_nth (sources, i);
    if (!GST_VALUE_HOLDS_STRUCTURE (v))
      continue;
    const GstStructure *s = gst_value_get_structure (v);
    gboolean internal = TRUE;
    gst_structure_get_boolean (s, "internal", &internal);
    if (internal)
      continue;
    gint lost = 0;
    guint jitter = 0;
    if (gst_structure_get_int (s, "packets-lost", &lost))
      stream.lost += std::max (lost, 0);
    if (gst_structure_get_uint (s, "jitter", &jitter))
      stream.jitter = std::max (stream.jitter, static_cast<unsigned> (jitter));
  }
  G_GNUC_END_IGNORE_DEPRECATIONS;
}

void
add_rtpbin_stats (GstElement *rtpbin, std::vector<StreamReception> &streams)
{
  if (rtpbin == nullptr)
    return;
  for (auto &stream : streams) {
    GObject *session = nullptr;
    g_signal_emit_by_name (rtpbin, "get-internal-session", stream.id, &session);
    if (session == nullptr)
      continue;
    GstStructure *session_stats = nullptr;
    g_object_get (session, "stats", &session_stats, nullptr);
    summarize_session_stats (session_stats, stream);
    if (session_stats)
      gst_structure_free (session_stats);
    g_object_unref (session);
  }
}

GstStructure *
build_reception_stats (const std::vector<StreamReception> &streams)
{
  GstStructure *stats = gst_structure_new_empty ("meetrtspsrc-stats");
  guint64 total_packets = 0, total_bytes = 0;
  gint64 total_lost = 0;
  guint64 total_srtp_dropped = 0;
  for (const auto &c : streams) {
    std::string name = "stream-" + std::to_string (c.id);
    GstStructure *s = gst_structure_new ("stream",
        "packets-received", G_TYPE_UINT64, (guint64) c.packets,
        "bytes-received", G_TYPE_UINT64, (guint64) c.bytes,
        "packets-lost", G_TYPE_INT, c.lost,
        "jitter", G_TYPE_UINT, c.jitter, nullptr);
    if (c.transport)
      gst_structure_set (s, "transport", G_TYPE_STRING, c.transport, nullptr);
    /* SRTP over UDP (rtsps://): said while set up, the drops counted since the first session. */
    if (c.srtp)
      gst_structure_set (s, "srtp", G_TYPE_BOOLEAN, TRUE, nullptr);
    if (c.srtp || c.srtp_dropped)
      gst_structure_set (s, "srtp-dropped", G_TYPE_UINT64, (guint64) c.srtp_dropped, nullptr);
    gst_structure_set (stats, name.c_str (), GST_TYPE_STRUCTURE, s, nullptr);
    gst_structure_free (s);
    total_packets += c.packets;
    total_bytes += c.bytes;
    total_lost += c.lost;
    total_srtp_dropped += c.srtp_dropped;
  }
  gst_structure_set (stats, "streams", G_TYPE_UINT, (guint) streams.size (),
      "packets-received", G_TYPE_UINT64, total_packets,
      "bytes-received", G_TYPE_UINT64, total_bytes,
      "packets-lost", G_TYPE_INT64, total_lost,
      "srtp-dropped", G_TYPE_UINT64, total_srtp_dropped, nullptr);
  return stats;
}

}  // namespace meet
