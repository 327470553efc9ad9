/* meetstream: the participants publishing into meetrtspsink (ANNOUNCE / RECORD under PATH/NAME).
 *
 * ParticipantRegistry is plain C++ with no sockets: which NAME is held by whom, the SDP each one
 * announced (checked and rewritten for readers), the join order for the roster. The RTSP state
 * machine (RtspServerLogic) drives it; the relay that moves the packets lives in the element.
 */
#pragma once

#include "srtpmikey.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meet {

/* NAME of docs/publish-protocol: 1-64 of [A-Za-z0-9._-], not "." or "..". */
bool participant_name_valid (const std::string & name);

/* An announced SDP, checked: every m= line is RTP/AVP (or RTP/SAVP, SRTP keyed by the publisher,
 * srtpreceiver.h) with payload formats (dynamic ones with an rtpmap), at most @max_streams of
 * them. */
struct AnnouncedSdp {
  int error = 0;                        // 0, or the RTSP status to answer (400, 453)
  std::string error_text;               // why, for the answer's body (a key that cannot be used)
  std::vector<std::string> controls;    // a=control of each stream ("" when absent)
  std::string reader_sdp;               // the same media, controls rewritten to stream=N, no keys
  std::vector<std::optional<MikeyKeys>> keys;   // each stream's a=key-mgmt, when it has one
};
AnnouncedSdp parse_announced_sdp (const std::string & body, size_t max_streams,
    const std::string & local_host, const std::string & name);

struct Participant {
  std::string name;
  std::string owner;            // authenticated user, or the client's address without auth
  uint64_t connection_id = 0;
  std::string session_id;       // the publisher's session, once SETUP made it
  std::vector<std::string> controls;
  std::string reader_sdp;
  std::vector<std::optional<MikeyKeys>> srtp_keys;   // the publisher's own, per stream
  bool recording = false;
  uint64_t joined = 0;          // join order of recording participants
};

class ParticipantRegistry {
public:
  Participant *find (const std::string & name);
  const Participant *find (const std::string & name) const;
  Participant *find_by_session (const std::string & session_id);
  Participant & add (Participant participant);
  void remove (const std::string & name);
  size_t size () const { return participants_.size (); }
  /* Names of those recording, in join order. */
  std::vector<std::string> roster () const;
  /* "participants: a,b\r\n", the text/parameters body of the roster. */
  std::string roster_parameters () const;
  /* Changes whenever someone starts or stops recording. */
  uint64_t roster_version () const { return roster_version_; }
  void start_recording (Participant & participant);
  std::vector<std::string> names () const;

  /* Stream index of a SETUP for @participant whose URL has @rest after PATH/NAME/ (the
   * announced control, or stream=N); -1 when none matches. */
  static int stream_of_control (const Participant & participant, const std::string & rest);

private:
  std::vector<Participant> participants_;
  uint64_t next_join_ = 1;
  uint64_t roster_version_ = 0;
};

}  // namespace meet
