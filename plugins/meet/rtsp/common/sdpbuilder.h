/* meetstream: the SDP of a presentation built from its streams' RTP caps (RFC 4566, RFC 2326 C.1).
 *
 * Both sides of RTSP need it: the server answers DESCRIBE with it, a publishing client sends it in
 * ANNOUNCE. GstSDPMessage and gst_sdp_media_set_media_from_caps() do the encoding (rtpmap, fmtp,
 * a-framerate, x-dimensions); this only adds the session lines and one `a=control` per stream.
 */
#pragma once

#include <string>
#include <vector>

namespace meet {

struct SdpStreamDescription {
  std::string caps;      // application/x-rtp caps with media, encoding-name, clock-rate, payload
  std::string control;   // the stream's a=control value, e.g. "stream=0"
};

struct SdpSessionDescription {
  std::string local_host;            // o= and c= address; its family picks IP4/IP6
  std::string session_name = "meetstream";
  std::string information;           // i= line, omitted when empty
  std::string type = "broadcast";    // a=type
};

/* The SDP text, or empty when @streams is empty or a stream's caps do not describe RTP. */
std::string build_sdp (const SdpSessionDescription & session,
    const std::vector<SdpStreamDescription> & streams);

}  // namespace meet
