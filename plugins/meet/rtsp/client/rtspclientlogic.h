/* meetstream: RTSP client logic behind meetrtspsrc.
 *
 * Plain C++ (no GObject, no sockets): parses RTSP responses (rtspclientresponse.h) and SDP,
 * builds the requests a client sends and keeps the client state machine
 * (init -> ready -> playing <-> paused -> init): the walk in rtspclientlogic.cpp, the streams
 * and their SETUP/transport negotiation in rtspclientsetup.cpp. meetrtspsrc moves bytes over a
 * GstRTSPConnection and does what this class says; the unit tests and the fuzz
 * target drive it with canned responses.
 */
#ifndef MEET_RTSP_CLIENT_LOGIC_H
#define MEET_RTSP_CLIENT_LOGIC_H

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gst/rtsp/gstrtspdefs.h>

#include "rtspclientresponse.h"
#include "srtpreceive.h"

namespace meet {

/* UdpMulticast: RFC 2326 multicast, the server chooses group, ports and TTL. */
enum class RtspLowerTransport { Udp, Tcp, UdpMulticast };

/* One media stream announced in the SDP that the client sets up. Not "RtspStream": that is the
 * server's class in the same library, and one name for two classes let the linker call the
 * server's destructor on the client's struct (a crash in parse_sdp). */
struct RtspClientStream {
  unsigned id = 0;              /* becomes the pad name stream_<id> */
  std::string media;            /* "video", "audio", ... */
  std::string control_uri;      /* absolute URI used for SETUP */
  int payload = -1;
  unsigned clock_rate = 0;
  std::string caps;             /* application/x-rtp caps from the SDP */

  /* Filled in by SETUP. */
  bool is_setup = false;
  RtspLowerTransport transport = RtspLowerTransport::Udp;
  int client_rtp_port = 0, client_rtcp_port = 0;
  int server_rtp_port = 0, server_rtcp_port = 0;
  int rtp_channel = -1, rtcp_channel = -1;
  std::string destination;      /* multicast: the group (port= in server_rtp/rtcp_port) */
  unsigned ttl = 1;
  uint32_t ssrc = 0;
  bool has_ssrc = false;

  /* Set up as RTP/SAVP over UDP: its packets go through SRTP (the stream's SrtpProtector when publishing, srtpdec with
   * srtp_offer.keys when playing rtsps://). */
  bool srtp = false;
  /* Playing rtsps:// (set_secure): what the SDP offers for SRTP. */
  SrtpOffer srtp_offer;
  /* Our key for the receiver reports we send as SRTCP (KeyMgmt in SETUP); its ssrc is ours. */
  SrtpKey rtcp_key;
};

/* A request for the connection to send: the connection adds CSeq, Date and
 * Authorization itself (and Content-Length for a body). */
struct RtspClientRequest {
  GstRTSPMethod method = GST_RTSP_INVALID;
  std::string uri;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/* What the server asked for in WWW-Authenticate, strongest scheme chosen. */
struct RtspAuthChallenge {
  GstRTSPAuthMethod method = GST_RTSP_AUTH_NONE;
  std::map<std::string, std::string> params;   /* realm, nonce, opaque ... */
};

class RtspClientLogic {
public:
  enum class State { Init, Ready, Playing, Paused };

  /* What the last response meant for the caller. */
  enum class Event {
    None,               /* nothing for the caller to do (e.g. keep-alive, OPTIONS) */
    Described,          /* streams() is known: allocate client ports now */
    SetupDone,          /* every stream is set up: build the data path */
    Playing,
    Paused,
    TornDown,
    AuthRequired,       /* set credentials from auth_challenge(), resend */
    TransportFallback,  /* server refused UDP: SETUP again over TCP */
    RosterAnswered,     /* roster() holds the server's answer to the roster request */
    Failed,             /* error() says why */
  };

  RtspClientLogic () = default;

  /* rtsp://[user:password@]host[:port]/path. False with error() on a bad URL. */
  bool set_location (const std::string &location);
  /* Non-empty values override the credentials of the URL. */
  void set_credentials (const std::string &user, const std::string &password);
  /* Which lower transports may be used; UDP is tried first when both are (none: UDP).
   * @multicast (RTP/AVP;multicast, the server picks the group) is tried before the others;
   * refused (461, or answered without multicast), the next allowed one is set up instead. */
  void set_allowed_transports (bool udp, bool tcp, bool multicast = false);
  /* Publishes instead of playing (RFC 2326 10.3, 10.11): the walk toward State::Playing is
   * ANNOUNCE of @sdp, SETUP of each stream with mode=record, then RECORD (Playing then means
   * "recording"). @controls are the a=control values of @sdp's streams, in order. Call after
   * set_location(). */
  void set_publish (const std::string &sdp, const std::vector<std::string> &controls);
  /* rtsps:// (playing): media over UDP only as SRTP (RTP/SAVP with the keys of the SDP's MIKEY),
   * else interleaved inside TLS when TCP is allowed, else DESCRIBE fails saying why; never
   * RTP/AVP over UDP. Call before the session starts. */
  void set_secure (bool secure) { secure_ = secure; }
  bool secure () const { return secure_; }
  /* Why an rtsps:// session that allowed UDP takes TCP inside TLS instead (empty otherwise):
   * set by DESCRIBE, for the log. */
  const std::string &secure_notice () const { return secure_notice_; }
  bool publishing () const { return publishing_; }
  /* Publishing over rtsps:// (RFC 3711, RFC 4567): unicast UDP is set up as RTP/SAVP with each
   * stream's key, @keymgmt[i] (the "mikey BASE64" of its a=key-mgmt), in a KeyMgmt header of its
   * SETUP, and the answer must be RTP/SAVP too: never RTP/AVP in clear beside TLS. Interleaved
   * stays RTP/AVP/TCP (inside TLS). Empty: plain RTP/AVP. */
  void set_srtp_keymgmt (const std::vector<std::string> &keymgmt) { srtp_keymgmt_ = keymgmt; }
  bool srtp () const { return !srtp_keymgmt_.empty (); }
  /* Once playing, ask the server for its participants roster (roster.h): GET_PARAMETER of PATH,
   * then of the parent path, when OPTIONS listed GET_PARAMETER; a server without a roster just
   * answers no (the roster stays empty). */
  void set_ask_roster (bool ask) { ask_roster_ = ask; }
  /* The names of the last roster answer (Event::RosterAnswered). */
  const std::vector<std::string> &roster () const { return roster_; }

  const std::string &request_uri () const { return request_uri_; }
  /* The URL for messages, as the user gave it: the request URI says rtsp:// inside TLS too. */
  std::string shown_uri () const;
  const std::string &host () const { return host_; }
  unsigned port () const { return port_; }
  const std::string &user () const { return user_; }
  const std::string &password () const { return password_; }
  RtspLowerTransport transport () const { return transport_; }
  void force_transport (RtspLowerTransport transport) { transport_ = transport; }

  /* Back to a fresh session (before reconnecting): keeps location, credentials
   * and the chosen transport, forgets streams and session. */
  void reset_session ();

  /* The state the client should reach; next_request() walks toward it. */
  void set_target (State target) { target_ = target; }
  State target () const { return target_; }
  State state () const { return state_; }
  static const char *state_name (State state);

  /* The next request toward target(), or nothing when the target is reached
   * or a request is still waiting for its response. */
  std::optional<RtspClientRequest> next_request ();
  /* A keep-alive request for the current session (GET_PARAMETER when the
   * server announced it, else OPTIONS). Its response yields Event::None. */
  std::optional<RtspClientRequest> keepalive_request ();
  bool waiting_for_response () const { return !in_flight_.empty (); }

  /* Feeds the response to the oldest request sent. */
  Event handle_response (const RtspClientResponse &response);
  /* Parses raw bytes and feeds them like handle_response(). */
  Event handle_raw_response (const uint8_t *data, size_t size);

  std::vector<RtspClientStream> &streams () { return streams_; }
  const std::vector<RtspClientStream> &streams () const { return streams_; }
  void set_client_ports (size_t stream, int rtp_port, int rtcp_port);

  const std::string &session_id () const { return session_id_; }
  /* Seconds the server keeps an idle session (Session: ...;timeout=N). */
  unsigned session_timeout () const { return session_timeout_; }
  const RtspAuthChallenge &auth_challenge () const { return auth_challenge_; }
  const std::string &error () const { return error_; }
  /* The last failure was the server saying it cannot serve yet (503 Service Unavailable, e.g. a
   * server still starting its streams): worth retrying, unlike a refusal. */
  bool failure_is_transient () const { return last_status_ == GST_RTSP_STS_SERVICE_UNAVAILABLE; }
  /* The status of the last answer (0 before any). */
  int last_status () const { return last_status_; }

  /* Exposed for tests. */
  bool parse_sdp (const std::string &sdp, const std::string &base_uri);
  static std::string resolve_control (const std::string &base,
      const std::string &control);

private:
  enum class Step { Options, Describe, Announce, Setup, Play, Record, Pause, Teardown, KeepAlive,
    Roster };
  struct InFlight {
    Step step;
    size_t stream;
  };

  Event fail (const std::string &message);
  Event handle_options (const RtspClientResponse &response);
  Event handle_describe (const RtspClientResponse &response);
  Event handle_announce (const RtspClientResponse &response);
  Event handle_setup (size_t stream, const RtspClientResponse &response);
  bool parse_session (const RtspClientResponse &response);
  bool parse_auth (const RtspClientResponse &response);
  RtspClientRequest make (GstRTSPMethod method, const std::string &uri);
  RtspClientRequest remember (const RtspClientRequest &request, Step step, size_t stream = 0);
  /* SETUP and its answer (rtspclientsetup.cpp). */
  std::string transport_header (const RtspClientStream &stream) const;
  std::string setup_keymgmt (size_t stream);
  RtspClientRequest setup_request (size_t stream);
  Event fall_back (RtspLowerTransport next);
  RtspLowerTransport unicast_transport () const
  {
    return allow_udp_ ? RtspLowerTransport::Udp : RtspLowerTransport::Tcp;
  }

  std::string request_uri_, host_, user_, password_;
  unsigned port_ = 554;
  bool allow_udp_ = true, allow_tcp_ = true, allow_multicast_ = false;
  RtspLowerTransport transport_ = RtspLowerTransport::Udp;

  State state_ = State::Init;
  State target_ = State::Init;
  bool options_done_ = false;
  bool described_ = false;
  bool get_parameter_supported_ = false;
  bool publishing_ = false;
  bool secure_ = false;
  std::string secure_notice_;
  bool ask_roster_ = false;
  size_t roster_asked_ = 0;     /* roster URIs asked in this session */
  bool roster_done_ = false;
  bool roster_refused_ = false;  /* the line broke while asking: not again */
  std::vector<std::string> roster_;
  std::string announce_sdp_;
  std::vector<std::string> announce_controls_;
  std::vector<std::string> srtp_keymgmt_;
  std::string aggregate_uri_;
  std::vector<RtspClientStream> streams_;
  std::string session_id_;
  unsigned session_timeout_ = 60;
  std::deque<InFlight> in_flight_;
  RtspClientRequest last_request_;
  InFlight last_in_flight_ {Step::Options, 0};
  bool resend_last_ = false;
  int auth_attempts_ = 0;
  RtspAuthChallenge auth_challenge_;
  std::string error_;
  int last_status_ = 0;
};

}  // namespace meet

/* Fuzz entry point: feeds @data as the DESCRIBE, SETUP and PLAY responses of a
 * client session. Never crashes on any input; returns 0. */
extern "C" int meet_rtsp_client_logic_fuzz (const uint8_t *data, size_t size);

#endif /* MEET_RTSP_CLIENT_LOGIC_H */
