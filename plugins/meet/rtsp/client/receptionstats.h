/* meetstream: meetrtspsrc's `stats` structure: per stream the packets and bytes that arrived
 * (counted on the way into rtpbin) and the loss and jitter rtpbin's sessions measured from the
 * senders' sequence numbers and timestamps; totals over all streams.
 *
 * No GObject type and no sockets: summarize_session_stats() reads an rtpsession "stats"
 * structure, build_reception_stats() makes the element's structure; both are unit-tested with
 * hand-made structures in tests/test_rtspclientparts.cpp. */
#pragma once

#include <cstdint>
#include <vector>

#include <gst/gst.h>

namespace meet {

struct StreamReception {
  unsigned id = 0;              /* stream-<id> */
  uint64_t packets = 0, bytes = 0;
  int lost = 0;                 /* summed over the remote sources */
  unsigned jitter = 0;          /* the largest of the remote sources, clock-rate units */
  const char *transport = nullptr;  /* "udp", "udp-mcast", "tcp", or nullptr before SETUP */
  bool srtp = false;            /* set up as SRTP over UDP (rtsps://) */
  uint64_t srtp_dropped = 0;    /* SRTP/SRTCP packets srtpdec dropped */
};

/* Adds the loss (negative counts as 0) and the largest jitter of the remote (not internal)
 * sources of an rtpsession "stats" structure (its "source-stats" array) to @stream. */
void summarize_session_stats (const GstStructure *session_stats, StreamReception &stream);

/* Asks @rtpbin (may be nullptr) for each stream's internal session and summarizes it. */
void add_rtpbin_stats (GstElement *rtpbin, std::vector<StreamReception> &streams);

/* "meetrtspsrc-stats": streams, packets-received, bytes-received, packets-lost, srtp-dropped
 * (totals) and one "stream-N" structure each with packets-received, bytes-received, packets-lost,
 * jitter, (once set up) transport, and for SRTP srtp=true and srtp-dropped. */
GstStructure *build_reception_stats (const std::vector<StreamReception> &streams);

}  // namespace meet
