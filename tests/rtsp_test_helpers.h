/* Helpers the server core's unit tests share: RTSP requests built by hand and a fake media side
 * for participants. Header-only; each test binary gets its own copy of the CSeq counter. */
#pragma once

#include "rtspserverlogic.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace meet_test {

using Headers = std::vector<std::pair<std::string, std::string>>;

/* A request as a client would send it; @cseq < 0 leaves out the CSeq header. */
inline meet::RtspRequest
request (const std::string & method, const std::string & uri, const Headers & headers = {},
    int cseq = 1, const std::string & body = "")
{
  meet::RtspRequest r;
  r.method = method;
  r.uri = uri;
  r.version = "RTSP/1.0";
  if (cseq >= 0)
    r.headers.emplace_back ("CSeq", std::to_string (cseq));
  for (auto & h : headers)
    r.headers.push_back (h);
  r.body = body;
  return r;
}

/* The same with the next CSeq of a counter, as one client's requests would carry. */
inline meet::RtspRequest
make (const std::string & method, const std::string & uri, const Headers & headers = {},
    const std::string & body = "")
{
  static int cseq = 1;
  return request (method, uri, headers, cseq++, body);
}

/* Media with participants that publish on server ports 6000/6001 for each stream, and no streams
 * of its own; tests override what they watch. */
class ParticipantMedia : public meet::RtspServerLogic::Media {
public:
  std::vector<meet::RtspServerLogic::StreamInfo> streams () override { return {}; }
  void session_play (const meet::RtspSession &) override {}
  void session_pause (const meet::RtspSession &) override {}
  void session_teardown (const meet::RtspSession &) override {}
  std::vector<meet::RtspServerLogic::StreamInfo>
  participant_streams (const std::string & name) override {
    if (!open.count (name))
      return {};
    meet::RtspServerLogic::StreamInfo info;
    info.server_rtp_port = 6000;
    info.server_rtcp_port = 6001;
    return std::vector<meet::RtspServerLogic::StreamInfo> (open[name], info);
  }
  bool participant_open (const std::string & name, size_t streams) override {
    open[name] = streams;
    return true;
  }
  std::map<std::string, size_t> open;
};

}  // namespace meet_test
