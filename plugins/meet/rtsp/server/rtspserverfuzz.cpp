/* meetstream: the fuzzing entry point of meetrtspsink's request handling, rtsp_server_handle_bytes()
 * (declared in rtspserverlogic.h): one client connection's bytes through RtspRequestParser and
 * RtspServerLogic against a fake media of two streams with a small multicast pool. */
#include "rtspserverlogic.h"

#include <gst/gst.h>

#include <cstdlib>
#include <string>

namespace meet {

/* ---------------------------------------------------------------- fuzzing */

namespace {

class FuzzMedia : public RtspServerLogic::Media {
public:
  std::vector<RtspServerLogic::StreamInfo> streams () override {
    RtspServerLogic::StreamInfo video, audio;
    video.caps = "application/x-rtp, media=(string)video, clock-rate=(int)90000, "
        "encoding-name=(string)JPEG, payload=(int)26, a-framerate=(string)30";
    video.server_rtp_port = 40000;
    video.server_rtcp_port = 40001;
    video.multicast = true;
    audio.caps = "application/x-rtp, media=(string)audio, clock-rate=(int)48000, "
        "encoding-name=(string)L16, encoding-params=(string)1, channels=(int)1, payload=(int)96";
    audio.server_rtp_port = 40002;
    audio.server_rtcp_port = 40003;
    audio.have_position = true;
    return { video, audio };
  }
  void session_play (const RtspSession &) override {}
  void session_pause (const RtspSession &) override {}
  void session_teardown (const RtspSession &) override {}
  bool multicast_acquire (const std::string &, unsigned stream, bool,
      MulticastDestination & group) override {
    if (readers_ >= 2)
      return false;     // a small pool, used up
    readers_++;
    group = { "239.255.42." + std::to_string (stream), 5000, 5001, 1 };
    return true;
  }
  void multicast_release (const std::string &, unsigned, bool) override {
    if (readers_ == 0)
      abort ();         // released more often than acquired: a bug the fuzzer must find
    readers_--;
  }
  ~FuzzMedia () override {
    if (readers_ != 0)
      abort ();         // a group never given back
  }
private:
  unsigned readers_ = 0;
};

}  // namespace

std::string
rtsp_server_handle_bytes (const uint8_t * data, size_t size)
{
  FuzzMedia media;
  RtspServerLogic::Config config;
  config.max_sessions = 4;
  RtspServerLogic logic (config, media);
  RtspConnectionContext connection;
  connection.id = 1;
  connection.peer_host = "127.0.0.1";
  connection.local_host = "127.0.0.1";

  RtspRequestParser parser;
  parser.feed (data, size);
  std::string out;
  int64_t now_us = 0;
  for (;;) {
    RtspRequest request;
    int error_code = 0;
    uint8_t channel = 0;
    RtspRequestParser::Result result = parser.next (request, error_code, channel);
    if (result == RtspRequestParser::Result::kNeedMore)
      break;
    if (result == RtspRequestParser::Result::kError) {
      out += RtspServerLogic::error_response (error_code).serialize ();
      break;
    }
    if (result == RtspRequestParser::Result::kRequest) {
      RtspResponse response = logic.handle (request, connection, now_us);
      out += response.serialize ();
      if (response.close_connection)
        break;
    }
    now_us += G_USEC_PER_SEC;
    logic.expire (now_us);
  }
  logic.connection_closed (connection);
  return out;
}

}  // namespace meet
