/* meetstream: RTSP 1.0 (RFC 2326) server logic without sockets.
 *
 * RtspServerLogic turns a parsed request into a response and drives the session state machine.
 * Both are plain C++ so they are unit-tested and fuzzed without a network; meetrtspsink owns the
 * sockets and the media and plugs into RtspServerLogic through RtspServerLogic::Media.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "participants.h"
#include "rtspauth.h"
#include "rtsprequestparser.h"
#include "rtspsessionpool.h"

namespace meet {

struct TransportRequest;   // rtsptransport.h

/* What the server knows about one client connection. */
struct RtspConnectionContext {
  uint64_t id = 0;
  std::string peer_host;
  std::string local_host;
  std::string digest_nonce;   // issued in this connection's last 401
  bool roster_subscriber = false;   // asked for the participants: told of every change
  bool secure = false;        // over TLS (rtsps://): may be given SRTP keys (RTP/SAVP)
};

class RtspServerLogic {
public:
  struct Config {
    std::string path = "/meet";
    unsigned max_sessions = 32;
    unsigned session_timeout_s = 60;
    std::string user;
    std::string password;
    bool auth_basic = false;
    std::string realm = "meetstream";
    /* Publishing (ANNOUNCE/RECORD under path/NAME), see publish-protocol in README. */
    bool allow_publish = false;
    unsigned max_publishers = 8;
    unsigned max_streams_per_publisher = 4;
  };

  struct StreamInfo {
    std::string caps;            // application/x-rtp caps; empty until negotiated
    int server_rtp_port = 0;
    int server_rtcp_port = 0;
    bool have_position = false;  // seq/rtptime of the next packet are known
    uint16_t next_seq = 0;
    uint32_t rtptime = 0;
    bool multicast = false;      // the server has a multicast group pool for it
    std::string keymgmt;         // SRTP: the a=key-mgmt value of its key; empty: no RTP/SAVP
  };

  /* The media side, implemented by meetrtspsink (and fakes in tests). Called on the thread
   * that calls into RtspServerLogic. */
  class Media {
  public:
    virtual ~Media () = default;
    virtual std::vector<StreamInfo> streams () = 0;
    virtual void session_play (const RtspSession & session) = 0;
    virtual void session_pause (const RtspSession & session) = 0;
    virtual void session_teardown (const RtspSession & session) = 0;
    /* Publishing. The streams of participant @name (its relay's server ports); empty when
     * it does not publish. */
    virtual std::vector<StreamInfo> participant_streams (const std::string & name) {
      (void) name;
      return {};
    }
    /* A participant announced @streams streams: make its relay (ports). False: 503. */
    virtual bool participant_open (const std::string & name, size_t streams) {
      (void) name; (void) streams;
      return false;
    }
    /* Stream @stream of participant @name comes as SRTP under the publisher's @keys
     * (srtpreceiver.h): decrypt it before relaying. False when it cannot (no srtpdec): the
     * SETUP is refused. */
    virtual bool participant_srtp (const std::string & name, size_t stream,
        const MikeyKeys & keys) {
      (void) name; (void) stream; (void) keys;
      return false;
    }
    /* Its publisher sent RECORD: accept its packets (from the transports of @publisher). */
    virtual void participant_record (const RtspSession & publisher) { (void) publisher; }
    /* It ends: RTCP BYE to its readers, no more forwarding, its ports closed. */
    virtual void participant_close (const std::string & name) { (void) name; }
    /* Multicast: the group of stream @stream of participant @name (empty: of the element's
     * pads) for one more reader, the same group for all of them; false when there is none to
     * give (no pool, pool used up). @srtp: the stream's SRTP group (RTP/SAVP;multicast), not
     * the one its plain RTP goes to. */
    virtual bool multicast_acquire (const std::string & name, unsigned stream, bool srtp,
        MulticastDestination & group) {
      (void) name; (void) stream; (void) srtp; (void) group;
      return false;
    }
    /* One multicast reader of that group fewer. */
    virtual void multicast_release (const std::string & name, unsigned stream, bool srtp) {
      (void) name; (void) stream; (void) srtp;
    }
  };

  RtspServerLogic (Config config, Media & media);

  RtspResponse handle (const RtspRequest & request, RtspConnectionContext & connection,
      int64_t now_us);
  /* Answer for a framing error from RtspRequestParser (no CSeq is known). */
  static RtspResponse error_response (int code);

  /* Tears down the sessions of a connection that closed. */
  void connection_closed (const RtspConnectionContext & connection);
  /* Any sign of life on a connection (interleaved RTCP, ...) keeps its sessions alive. */
  void touch_connection (uint64_t connection_id, int64_t now_us);
  /* Whether the connection owns a session (idle connections without one get closed). */
  bool connection_has_session (uint64_t connection_id) const;

  /* An RTCP packet from @host:@port arrived on @stream: keeps the matching UDP session alive. */
  void touch_rtcp (unsigned stream, const std::string & host, int port, int64_t now_us);
  /* Tears down sessions silent for longer than the timeout; returns how many. */
  unsigned expire (int64_t now_us);
  void teardown_all ();
  /* Keeps a session alive (its publisher's packets arrive, its reader's RTCP does). */
  void touch_session (const std::string & id, int64_t now_us);
  const ParticipantRegistry & participants () const { return participants_; }
  const std::string & config_path () const { return config_.path; }

  unsigned playing_sessions () const { return sessions_.playing (); }
  size_t session_count () const { return sessions_.size (); }
  const RtspSession *find_session (const std::string & id) const { return sessions_.find (id); }
  /* Builds the SDP for the streams; empty when a stream has no caps yet. */
  static std::string build_sdp (const std::vector<StreamInfo> & streams,
      const std::string & local_host);
  /* @sdp for a client over TLS: RTP/SAVP with each stream's key when all of @streams have one. */
  static std::string secure_sdp (const std::string & sdp, const std::vector<StreamInfo> & streams);

private:
  /* kParticipant: PATH/NAME; kParticipantStream: PATH/NAME/REST (REST a control). */
  enum class UriKind { kAggregate, kStream, kStar, kParticipant, kParticipantStream, kNotFound };
  UriKind classify_uri (const std::string & uri, unsigned & stream, std::string & name,
      std::string & rest) const;
  bool authorize (const RtspRequest & request, RtspConnectionContext & connection,
      RtspResponse & response);
  void handle_options (RtspResponse & response);
  void handle_describe (const RtspRequest & request, RtspConnectionContext & connection,
      RtspResponse & response);
  void handle_setup (const RtspRequest & request, RtspConnectionContext & connection,
      unsigned stream, UriKind kind, int64_t now_us, const std::string & name,
      RtspResponse & response);
  RtspSession *session_for (const RtspRequest & request, RtspConnectionContext & connection,
      RtspResponse & response);
  /* The media lets go of @session (its destinations, its multicast groups); the caller erases it. */
  void end_session (const RtspSession & session);
  void release_multicast (const RtspSession & session, size_t stream);
  void release_multicast (const std::string & name, size_t stream, bool srtp);
  void handle_announce (const RtspRequest & request, RtspConnectionContext & connection,
      UriKind kind, const std::string & name, RtspResponse & response);
  void handle_record (RtspSession & session, RtspResponse & response);
  /* A publisher's SETUP: its SRTP key for @stream and whether RTP/SAVP is offered. False when
   * @response says no (a KeyMgmt that cannot be used). */
  bool publisher_srtp_offer (const RtspRequest & request, const RtspConnectionContext & connection,
      Participant & p, unsigned stream, TransportRequest & offer, RtspResponse & response);
  /* Ends participant @name: its publisher's session, its readers' sessions, its NAME. By value:
   * callers pass names that live in the sessions this erases. */
  void end_participant (std::string name);
  std::string owner_of (const RtspConnectionContext & connection) const;

  Config config_;
  Media & media_;
  RtspAuth auth_;
  RtspSessionPool sessions_;
  ParticipantRegistry participants_;
};

/* Fuzzing entry point: runs @data as the byte stream of one client connection through
 * RtspRequestParser and RtspServerLogic (two fake streams, Digest auth off) and returns the
 * bytes the server would answer. Never crashes, hangs or leaks on any input. */
std::string rtsp_server_handle_bytes (const uint8_t * data, size_t size);

}  // namespace meet
