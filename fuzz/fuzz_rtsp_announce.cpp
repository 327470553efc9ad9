/* Fuzz target: an ANNOUNCE body (the SDP a publisher sends meetrtspsink) through
 * meet::parse_announced_sdp, then the same body in a whole ANNOUNCE + SETUP + RECORD + DESCRIBE
 * exchange through a publishing RtspServerLogic (the rewritten SDP a reader gets). */
#include "participants.h"
#include "rtsp_test_helpers.h"   /* tests/: requests and participant media */
#include "rtspserverlogic.h"

#include <gst/gst.h>

#include <string>

namespace {

/* The unit tests' participant media, forgetting a participant that leaves. */
class FuzzMedia : public meet_test::ParticipantMedia {
public:
  void participant_close (const std::string & name) override { open.erase (name); }
};

meet::RtspRequest
request (const std::string & method, const std::string & uri, int cseq)
{
  return meet_test::request (method, uri, {}, cseq);
}

}  // namespace

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static const bool initialized = gst_init_check (nullptr, nullptr, nullptr);
  (void) initialized;
  /* Bodies beyond the request parser's cap never reach the SDP parser. */
  if (size > meet::kRtspMaxBody)
    size = meet::kRtspMaxBody;
  std::string body (reinterpret_cast<const char *> (data), size);
  meet::parse_announced_sdp (body, 4, "127.0.0.1", "bob");

  FuzzMedia media;
  meet::RtspServerLogic::Config config;
  config.allow_publish = true;
  meet::RtspServerLogic logic (config, media);
  meet::RtspConnectionContext connection;
  connection.id = 1;
  connection.peer_host = connection.local_host = "127.0.0.1";
  const std::string url = "rtsp://127.0.0.1:8554/meet/bob";

  meet::RtspRequest announce = request ("ANNOUNCE", url, 1);
  announce.headers.emplace_back ("Content-Type", "application/sdp");
  announce.body = body;
  if (logic.handle (announce, connection, 0).code == 200) {
    const meet::Participant *p = logic.participants ().find ("bob");
    std::string session;
    for (size_t i = 0; p && i < p->controls.size (); i++) {
      meet::RtspRequest setup = request ("SETUP", url + "/" + (p->controls[i].empty ()
              ? "stream=" + std::to_string (i) : p->controls[i]), 2 + i);
      setup.headers.emplace_back ("Transport", "RTP/AVP/TCP;unicast;interleaved="
          + std::to_string (2 * i) + "-" + std::to_string (2 * i + 1) + ";mode=record");
      if (!session.empty ())
        setup.headers.emplace_back ("Session", session);
      meet::RtspResponse r = logic.handle (setup, connection, 0);
      if (const std::string * s = r.header ("Session"))
        session = s->substr (0, s->find (';'));
    }
    meet::RtspRequest record = request ("RECORD", url, 100);
    record.headers.emplace_back ("Session", session);
    logic.handle (record, connection, 0);
    logic.handle (request ("DESCRIBE", url, 101), connection, 0);
  }
  logic.connection_closed (connection);
  return 0;
}
