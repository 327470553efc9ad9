/* meetstream: RTSP 1.0 (RFC 2326) server logic without sockets. See rtspserverlogic.h. */
#include "rtspserverlogic.h"
#include "rtsptext.h"
#include "srtpsender.h"
#include "srtpreceiver.h"
#include "rtsptransport.h"
#include "sdpbuilder.h"

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>
#include <gst/sdp/sdp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace meet {

namespace {

/* The session ID of a Session header ("id;timeout=60"). */
std::string
session_id_of (const std::string & value)
{
  return rtsp_trim (value.substr (0, value.find (';')));
}

/* Path of an absolute rtsp:// URI, without query and trailing slashes. */
bool
uri_path (const std::string & uri, std::string & path)
{
  /* rtsps:// too: the same presentation over TLS (rtsptls.h). */
  size_t start = g_ascii_strncasecmp (uri.c_str (), "rtsp://", 7) == 0 ? 7
      : g_ascii_strncasecmp (uri.c_str (), "rtsps://", 8) == 0 ? 8 : 0;
  if (!start)
    return false;
  size_t slash = uri.find ('/', start);
  path = slash == std::string::npos ? std::string () : uri.substr (slash);
  path = path.substr (0, path.find_first_of ("?#"));
  while (!path.empty () && path.back () == '/')
    path.pop_back ();
  return true;
}

/* The aggregate URL the client used, without query and trailing slashes. */
std::string
aggregate_url (const std::string & uri, bool is_stream_uri)
{
  std::string base = uri.substr (0, uri.find_first_of ("?#"));
  while (!base.empty () && base.back () == '/')
    base.pop_back ();
  if (is_stream_uri) {
    size_t slash = base.rfind ('/');
    if (slash != std::string::npos)
      base.erase (slash);
  }
  return base;
}

/* Why a publisher's RTP/SAVP SETUP found no transport, for the answer's body. */
void
explain_savp_refusal (const std::string & transport, bool secure, RtspResponse & response)
{
  if (transport.find ("SAVP") == std::string::npos || response.code != 461)
    return;
  response.add_header ("Content-Type", "text/plain");
  response.body = secure ? "no SRTP key for this stream: send it as a=key-mgmt:mikey in the "
      "ANNOUNCE or in a KeyMgmt header of the SETUP\r\n"
      : "RTP/SAVP is taken over rtsps:// (TLS) only: its key must not travel in clear\r\n";
}

}  // namespace

/* ---------------------------------------------------------------- helpers */

/* For a client over TLS, when every stream has a key: RTP/SAVP and the keys (MIKEY) in the SDP;
 * otherwise @sdp as it is (its streams then go interleaved inside TLS only). */
std::string
RtspServerLogic::secure_sdp (const std::string & sdp, const std::vector<StreamInfo> & streams)
{
  bool keyed = !streams.empty ();
  std::vector<std::string> keys;
  for (const StreamInfo & info : streams) {
    keyed = keyed && !info.keymgmt.empty ();
    keys.push_back (info.keymgmt);
  }
  std::string savp = keyed ? sdp_to_savp (sdp, keys) : std::string ();
  return savp.empty () ? sdp : savp;
}

std::string
RtspServerLogic::build_sdp (const std::vector<StreamInfo> & streams,
    const std::string & local_host)
{
  SdpSessionDescription session;
  session.local_host = local_host;
  session.information = "live meeting from meetrtspsink";
  std::vector<SdpStreamDescription> descriptions;
  for (size_t i = 0; i < streams.size (); i++)
    descriptions.push_back ({ streams[i].caps, "stream=" + std::to_string (i) });
  return meet::build_sdp (session, descriptions);
}

/* ---------------------------------------------------------------- server logic */

RtspServerLogic::RtspServerLogic (Config config, Media & media)
:  config_ (std::move (config)), media_ (media),
   auth_ ({ config_.user, config_.password, config_.realm, config_.auth_basic }),
   sessions_ (config_.session_timeout_s)
{
  while (!config_.path.empty () && config_.path.back () == '/')
    config_.path.pop_back ();
  if (!config_.path.empty () && config_.path[0] != '/')
    config_.path.insert (0, "/");
}

RtspResponse
RtspServerLogic::error_response (int code)
{
  RtspResponse response;
  response.code = code;
  response.add_header ("Server", "meetstream");
  response.close_connection = true;
  return response;
}

RtspServerLogic::UriKind
RtspServerLogic::classify_uri (const std::string & uri, unsigned &stream, std::string & name,
    std::string & rest) const
{
  if (uri == "*")
    return UriKind::kStar;
  std::string path;
  if (!uri_path (uri, path))
    return UriKind::kNotFound;
  if (path == config_.path)
    return UriKind::kAggregate;
  std::string prefix = config_.path + "/stream=";
  unsigned long index;
  if (path.compare (0, prefix.size (), prefix) == 0
      && rtsp_parse_uint (path.substr (prefix.size ()), 4, index)) {
    stream = static_cast < unsigned >(index);
    return UriKind::kStream;
  }
  /* PATH/NAME and PATH/NAME/CONTROL: a participant and its streams. */
  std::string own = config_.path + "/";
  if (path.compare (0, own.size (), own) != 0)
    return UriKind::kNotFound;
  std::string tail = path.substr (own.size ());
  size_t slash = tail.find ('/');
  name = tail.substr (0, slash);
  if (!participant_name_valid (name))
    return UriKind::kNotFound;
  if (slash == std::string::npos)
    return UriKind::kParticipant;
  rest = tail.substr (slash + 1);
  return UriKind::kParticipantStream;
}

bool
RtspServerLogic::authorize (const RtspRequest & request, RtspConnectionContext & connection,
    RtspResponse & response)
{
  if (auth_.check (request, connection.digest_nonce))
    return true;
  connection.digest_nonce = rtsp_random_hex (16);
  response.code = GST_RTSP_STS_UNAUTHORIZED;
  for (const std::string & challenge : auth_.challenges (connection.digest_nonce))
    response.add_header ("WWW-Authenticate", challenge);
  return false;
}

RtspResponse
RtspServerLogic::handle (const RtspRequest & request, RtspConnectionContext & connection,
    int64_t now_us)
{
  RtspResponse response;
  response.add_header ("Server", "meetstream");

  const std::string *cseq = request.header ("CSeq");
  unsigned long cseq_value;
  if (!cseq || !rtsp_parse_uint (*cseq, 10, cseq_value)) {
    response.code = GST_RTSP_STS_BAD_REQUEST;
    return response;
  }
  response.headers.insert (response.headers.begin (), { "CSeq", *cseq });

  static const char *const methods[] = { "OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE",
    "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER", "ANNOUNCE", "RECORD"
  };
  if (std::find_if (std::begin (methods), std::end (methods),
          [&](const char *m) { return request.method == m; }) == std::end (methods)) {
    response.code = GST_RTSP_STS_NOT_IMPLEMENTED;
    return response;
  }

  if (const std::string * require = request.header ("Require")) {
    response.code = GST_RTSP_STS_OPTION_NOT_SUPPORTED;
    response.add_header ("Unsupported", *require);
    return response;
  }

  bool publishing_method = request.method == "ANNOUNCE" || request.method == "RECORD";
  if (publishing_method && !config_.allow_publish) {
    response.code = GST_RTSP_STS_METHOD_NOT_ALLOWED;
    handle_options (response);
    response.headers.back ().first = "Allow";
    return response;
  }

  unsigned stream = 0;
  std::string name, rest;
  UriKind kind = classify_uri (request.uri, stream, name, rest);
  bool star_ok = request.method == "OPTIONS" || request.method == "GET_PARAMETER"
      || request.method == "SET_PARAMETER";
  if (kind == UriKind::kNotFound || (kind == UriKind::kStar && !star_ok)) {
    response.code = GST_RTSP_STS_NOT_FOUND;
    return response;
  }

  if (request.method == "OPTIONS") {
    /* Clients ping with OPTIONS: it keeps their session alive, but a stale ID is no error. */
    if (const std::string * value = request.header ("Session")) {
      if (RtspSession * session = sessions_.find_for (session_id_of (*value), connection.id))
        session->last_activity_us = now_us;
    }
    handle_options (response);
    return response;
  }

  if (!authorize (request, connection, response))
    return response;

  if (request.method == "DESCRIBE") {
    if (kind == UriKind::kParticipant) {
      const Participant *p = participants_.find (name);
      if (!p || !p->recording) {
        response.code = GST_RTSP_STS_NOT_FOUND;
        return response;
      }
      response.add_header ("Content-Type", "application/sdp");
      response.add_header ("Content-Base", aggregate_url (request.uri, false) + "/");
      response.body = connection.secure ? secure_sdp (p->reader_sdp,
          media_.participant_streams (name)) : p->reader_sdp;
      return response;
    }
    if (kind != UriKind::kAggregate) {
      response.code = GST_RTSP_STS_NOT_FOUND;
      return response;
    }
    handle_describe (request, connection, response);
    return response;
  }

  if (request.method == "ANNOUNCE") {
    handle_announce (request, connection, kind, name, response);
    return response;
  }

  if (request.method == "SETUP") {
    if (kind == UriKind::kParticipantStream) {
      /* A reader's stream=N, or the publisher's own control URL. */
      Participant *p = participants_.find (name);
      if (!p) {
        response.code = GST_RTSP_STS_NOT_FOUND;
        return response;
      }
      int index = p->connection_id == connection.id && !p->recording
          ? ParticipantRegistry::stream_of_control (*p, rest) : -1;
      unsigned long reader_index;
      if (index < 0 && p->recording && rest.compare (0, 7, "stream=") == 0
          && rtsp_parse_uint (rest.substr (7), 4, reader_index))
        index = static_cast<int> (reader_index);
      if (index < 0) {
        response.code = GST_RTSP_STS_NOT_FOUND;
        return response;
      }
      stream = static_cast<unsigned> (index);
    } else if (kind == UriKind::kParticipant) {
      /* The aggregate URL of a single-stream participant. */
      stream = 0;
    }
    handle_setup (request, connection, stream, kind, now_us, name, response);
    return response;
  }

  if (request.method == "GET_PARAMETER" || request.method == "SET_PARAMETER") {
    if (request.header ("Session")) {
      RtspSession *session = session_for (request, connection, response);
      if (!session)
        return response;
      session->last_activity_us = now_us;
      response.add_header ("Session", session->id);
    }
    std::string body = rtsp_trim (request.body);
    if (body.empty ())
      return response;    // a keep-alive
    /* The roster: who publishes under PATH; this connection then hears of every change. */
    if (request.method == "GET_PARAMETER" && body == "participants"
        && (kind == UriKind::kAggregate || kind == UriKind::kStar)) {
      connection.roster_subscriber = true;
      response.add_header ("Content-Type", "text/parameters");
      response.body = participants_.roster_parameters ();
      return response;
    }
    response.code = GST_RTSP_STS_PARAMETER_NOT_UNDERSTOOD;
    return response;
  }

  /* PLAY, PAUSE, TEARDOWN act on a session. */
  RtspSession *session = session_for (request, connection, response);
  if (!session)
    return response;
  session->last_activity_us = now_us;
  size_t configured = std::count_if (session->streams.begin (), session->streams.end (),
      [](const RtspStreamTransport & t) { return t.configured; });

  if (request.method == "TEARDOWN") {
    if (session->publisher) {
      end_participant (session->name);
      return response;
    }
    end_session (*session);
    sessions_.remove (session->id);
    return response;
  }

  if (request.method == "RECORD") {
    handle_record (*session, response);
    return response;
  }
  if (session->publisher) {
    /* A publisher neither plays nor pauses. */
    response.code = GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE;
    response.add_header ("Allow", "OPTIONS, RECORD, TEARDOWN, GET_PARAMETER, SET_PARAMETER");
    return response;
  }

  response.add_header ("Session", session->id + ";timeout="
      + std::to_string (config_.session_timeout_s));
  if (kind == UriKind::kStream && configured > 1) {
    response.code = GST_RTSP_STS_ONLY_AGGREGATE_OPERATION_ALLOWED;
    return response;
  }

  if (request.method == "PLAY") {
    std::vector<StreamInfo> infos = session->name.empty () ? media_.streams ()
        : media_.participant_streams (session->name);
    if (session->state != RtspSessionState::kPlaying) {
      session->state = RtspSessionState::kPlaying;
      media_.session_play (*session);
    }
    std::string base = aggregate_url (request.uri, kind == UriKind::kStream);
    std::string rtp_info;
    for (size_t i = 0; i < session->streams.size (); i++) {
      if (!session->streams[i].configured)
        continue;
      if (!rtp_info.empty ())
        rtp_info += ",";
      rtp_info += "url=" + base + "/stream=" + std::to_string (i);
      if (i < infos.size () && infos[i].have_position)
        rtp_info += ";seq=" + std::to_string (infos[i].next_seq) + ";rtptime="
            + std::to_string (infos[i].rtptime);
    }
    response.add_header ("Range", "npt=now-");
    response.add_header ("RTP-Info", rtp_info);
    return response;
  }

  /* PAUSE */
  if (session->state == RtspSessionState::kPlaying) {
    session->state = RtspSessionState::kReady;
    media_.session_pause (*session);
  }
  return response;
}

void
RtspServerLogic::handle_options (RtspResponse & response)
{
  response.add_header ("Public", std::string ("OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, "
          "GET_PARAMETER, SET_PARAMETER") + (config_.allow_publish ? ", ANNOUNCE, RECORD" : ""));
}

std::string
RtspServerLogic::owner_of (const RtspConnectionContext & connection) const
{
  /* With authentication the user is who publishes; without it, the client's address. */
  return config_.user.empty () ? "host:" + connection.peer_host : "user:" + config_.user;
}

void
RtspServerLogic::handle_announce (const RtspRequest & request,
    RtspConnectionContext & connection, UriKind kind, const std::string & name,
    RtspResponse & response)
{
  if (kind != UriKind::kParticipant) {
    response.code = GST_RTSP_STS_NOT_FOUND;
    return;
  }
  const std::string *type = request.header ("Content-Type");
  if (!type || !rtsp_iequals (rtsp_trim (type->substr (0, type->find (';'))), "application/sdp")) {
    response.code = GST_RTSP_STS_UNSUPPORTED_MEDIA_TYPE;
    return;
  }
  AnnouncedSdp announced = parse_announced_sdp (request.body,
      config_.max_streams_per_publisher, connection.local_host, name);
  if (announced.error) {
    response.code = announced.error;
    if (!announced.error_text.empty ()) {
      response.add_header ("Content-Type", "text/plain");
      response.body = announced.error_text + "\r\n";
    }
    return;
  }
  std::string owner = owner_of (connection);
  if (Participant * held = participants_.find (name)) {
    if (held->owner != owner) {
      response.code = 409;   // Conflict (RFC 2616; GstRTSPStatusCode has no name for it)
      response.add_header ("Content-Type", "text/plain");
      response.body = "the name " + name + " is taken by another participant\r\n";
      return;
    }
    /* The same participant again (a dropped laptop rejoining): the new one takes over. */
    end_participant (name);
  } else if (participants_.size () >= config_.max_publishers) {
    response.code = GST_RTSP_STS_NOT_ENOUGH_BANDWIDTH;
    response.add_header ("Content-Type", "text/plain");
    response.body = "this meeting has its " + std::to_string (config_.max_publishers)
        + " participants already\r\n";
    return;
  }
  if (!media_.participant_open (name, announced.controls.size ())) {
    response.code = GST_RTSP_STS_SERVICE_UNAVAILABLE;
    return;
  }
  Participant p;
  p.name = name;
  p.owner = owner;
  p.connection_id = connection.id;
  p.controls = announced.controls;
  p.reader_sdp = announced.reader_sdp;
  p.srtp_keys = announced.keys;
  participants_.add (std::move (p));
}

void
RtspServerLogic::handle_record (RtspSession & session, RtspResponse & response)
{
  Participant *p = session.publisher ? participants_.find (session.name) : nullptr;
  bool configured = std::any_of (session.streams.begin (), session.streams.end (),
      [](const RtspStreamTransport & t) { return t.configured; });
  if (!p || !configured) {
    response.code = GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE;
    response.add_header ("Allow", "OPTIONS, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER");
    return;
  }
  if (session.state != RtspSessionState::kRecording) {
    session.state = RtspSessionState::kRecording;
    media_.participant_record (session);
    participants_.start_recording (*p);
  }
  response.add_header ("Session", session.id + ";timeout="
      + std::to_string (config_.session_timeout_s));
}

void
RtspServerLogic::end_participant (std::string name)
{
  media_.participant_close (name);
  sessions_.remove_if ([&](const RtspSession & s) { return s.name == name; },
      [this](const RtspSession & s) { end_session (s); });
  participants_.remove (name);
}

void
RtspServerLogic::handle_describe (const RtspRequest & request,
    RtspConnectionContext & connection, RtspResponse & response)
{
  std::vector<StreamInfo> infos = media_.streams ();
  std::string sdp = build_sdp (infos, connection.local_host);
  if (sdp.empty ()) {
    /* Caps are not negotiated yet on every sink pad: the client can retry shortly. */
    response.code = GST_RTSP_STS_SERVICE_UNAVAILABLE;
    response.add_header ("Retry-After", "1");
    return;
  }
  if (connection.secure)
    sdp = secure_sdp (sdp, infos);
  response.add_header ("Content-Type", "application/sdp");
  response.add_header ("Content-Base", aggregate_url (request.uri, false) + "/");
  response.body = std::move (sdp);
}

RtspSession *
RtspServerLogic::session_for (const RtspRequest & request,
    RtspConnectionContext & connection, RtspResponse & response)
{
  const std::string *value = request.header ("Session");
  if (!value) {
    /* Without a session the client is still in the Init state (RFC 2326 A.1). */
    response.code = GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE;
    response.add_header ("Allow", "OPTIONS, DESCRIBE, SETUP, GET_PARAMETER, SET_PARAMETER");
    return nullptr;
  }
  /* A session is bound to the connection that made it: someone else's ID is as good as none. */
  RtspSession *session = sessions_.find_for (session_id_of (*value), connection.id);
  if (!session)
    response.code = GST_RTSP_STS_SESSION_NOT_FOUND;
  return session;
}

void
RtspServerLogic::handle_setup (const RtspRequest & request, RtspConnectionContext & connection,
    unsigned stream, UriKind kind, int64_t now_us, const std::string & name,
    RtspResponse & response)
{
  bool participant = kind == UriKind::kParticipant || kind == UriKind::kParticipantStream;
  Participant *p = participant ? participants_.find (name) : nullptr;
  if (participant && !p) {
    response.code = GST_RTSP_STS_NOT_FOUND;
    return;
  }
  /* The connection that announced NAME sets up its streams for RECORD; others read them. */
  bool publishing = p && !p->recording && p->connection_id == connection.id;
  if (p && !p->recording && !publishing) {
    response.code = GST_RTSP_STS_NOT_FOUND;
    return;
  }
  std::vector<StreamInfo> infos = participant ? media_.participant_streams (name)
      : media_.streams ();
  if (kind == UriKind::kAggregate || kind == UriKind::kParticipant) {
    if (infos.size () != 1) {
      response.code = GST_RTSP_STS_AGGREGATE_OPERATION_NOT_ALLOWED;
      return;
    }
    stream = 0;
  }
  if (kind == UriKind::kStar || stream >= infos.size ()) {
    response.code = GST_RTSP_STS_NOT_FOUND;
    return;
  }

  RtspSession *session = nullptr;
  if (request.header ("Session")) {
    session = session_for (request, connection, response);
    if (!session)
      return;
    if (session->name != name || session->publisher != publishing) {
      /* One session is one presentation, read or published. */
      response.code = GST_RTSP_STS_AGGREGATE_OPERATION_NOT_ALLOWED;
      return;
    }
    if (session->state != RtspSessionState::kReady) {
      response.code = GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE;
      response.add_header ("Allow", "OPTIONS, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, "
          "SET_PARAMETER");
      return;
    }
  } else if (!publishing && sessions_.size () >= config_.max_sessions) {
    /* Publishers are capped by max_publishers (at ANNOUNCE), readers by max_sessions. */
    response.code = GST_RTSP_STS_SERVICE_UNAVAILABLE;
    return;
  }

  const std::string *transport_header = request.header ("Transport");
  if (!transport_header) {
    response.code = GST_RTSP_STS_UNSUPPORTED_TRANSPORT;
    return;
  }

  TransportRequest offer;
  offer.peer_host = connection.peer_host;
  offer.publishing = publishing;
  offer.stream = stream;
  offer.multicast_offered = infos[stream].multicast;
  offer.srtp_offered = connection.secure && !publishing && !infos[stream].keymgmt.empty ();
  offer.channels_taken = [&](int a, int b) {
    return sessions_.channels_taken (connection.id, session, stream, a, b);
  };
  if (publishing && !publisher_srtp_offer (request, connection, *p, stream, offer, response))
    return;
  TransportChoice choice = choose_transport (*transport_header, offer);
  RtspStreamTransport chosen = choice.transport;
  if (!chosen.configured) {
    response.code = choice.refusal;
    if (publishing)
      explain_savp_refusal (*transport_header, connection.secure, response);
    return;
  }
  if (publishing && chosen.srtp && !media_.participant_srtp (name, stream,
          *p->srtp_keys[stream])) {
    response.code = GST_RTSP_STS_UNSUPPORTED_TRANSPORT;
    response.add_header ("Content-Type", "text/plain");
    response.body = "this server cannot decrypt SRTP (no srtpdec): publish interleaved "
        "(RTP/AVP/TCP inside TLS)\r\n";
    return;
  }
  bool had_group = session && stream < session->streams.size ()
      && session->streams[stream].configured && session->streams[stream].multicast;
  bool had_srtp = had_group && session->streams[stream].srtp;
  /* A stream's plain group and its SRTP group are two groups. */
  bool same_group = had_group && chosen.multicast && had_srtp == chosen.srtp;
  if (same_group) {
    chosen.group = session->streams[stream].group;
  } else if (chosen.multicast
      && !media_.multicast_acquire (name, stream, chosen.srtp, chosen.group)) {
    /* The pool is used up: no group for this stream. */
    response.code = GST_RTSP_STS_UNSUPPORTED_TRANSPORT;
    return;
  }
  if (had_group && !same_group)
    release_multicast (name, stream, had_srtp);

  if (!session) {
    session = &sessions_.create (connection.id, connection.peer_host, config_.user, name,
        publishing, now_us);
    if (publishing)
      p->session_id = session->id;
  }
  session->last_activity_us = now_us;
  if (session->streams.size () < infos.size ())
    session->streams.resize (infos.size ());
  session->streams[stream] = chosen;

  std::string reply = transport_reply (chosen, infos[stream].server_rtp_port,
      infos[stream].server_rtcp_port, publishing);
  response.add_header ("Transport", reply);
  response.add_header ("Session", session->id + ";timeout="
      + std::to_string (config_.session_timeout_s));
}

bool
RtspServerLogic::publisher_srtp_offer (const RtspRequest & request,
    const RtspConnectionContext & connection, Participant & p, unsigned stream,
    TransportRequest & offer, RtspResponse & response)
{
  /* A publisher's own key: from this SETUP's KeyMgmt header (RFC 4567, where rtspclientsink puts
   * it), else its ANNOUNCE's a=key-mgmt. Only over TLS, which kept it secret. */
  if (p.srtp_keys.size () <= stream)
    p.srtp_keys.resize (stream + 1);
  std::string error;
  if (!publisher_key_from_setup (request.header ("KeyMgmt"), p.srtp_keys[stream], &error)) {
    response.code = GST_RTSP_STS_BAD_REQUEST;
    response.add_header ("Content-Type", "text/plain");
    response.body = "unusable KeyMgmt: " + error + "\r\n";
    return false;
  }
  offer.srtp_offered = connection.secure && p.srtp_keys[stream].has_value ();
  return true;
}

void
RtspServerLogic::end_session (const RtspSession & session)
{
  media_.session_teardown (session);
  for (size_t i = 0; i < session.streams.size (); i++) {
    if (session.streams[i].configured && session.streams[i].multicast)
      release_multicast (session, i);
  }
}

void
RtspServerLogic::release_multicast (const RtspSession & session, size_t stream)
{
  release_multicast (session.name, stream, session.streams[stream].srtp);
}

void
RtspServerLogic::release_multicast (const std::string & name, size_t stream, bool srtp)
{
  media_.multicast_release (name, static_cast<unsigned> (stream), srtp);
}

void
RtspServerLogic::connection_closed (const RtspConnectionContext & connection)
{
  /* Its participants end first: their readers (maybe on other connections) hear BYE. */
  for (const std::string & name : participants_.names ()) {
    const Participant *p = participants_.find (name);
    if (p && p->connection_id == connection.id)
      end_participant (name);
  }
  sessions_.remove_if ([&](const RtspSession & s) { return s.connection_id == connection.id; },
      [this](const RtspSession & s) { end_session (s); });
}

void
RtspServerLogic::touch_connection (uint64_t connection_id, int64_t now_us)
{
  sessions_.touch_connection (connection_id, now_us);
}

bool
RtspServerLogic::connection_has_session (uint64_t connection_id) const
{
  return sessions_.connection_has_session (connection_id);
}

void
RtspServerLogic::touch_rtcp (unsigned stream, const std::string & host, int port,
    int64_t now_us)
{
  sessions_.touch_rtcp (stream, host, port, now_us);
}

unsigned
RtspServerLogic::expire (int64_t now_us)
{
  unsigned expired = 0;
  std::vector<std::string> ended;
  for (const auto & entry : sessions_.all ()) {
    if (entry.second.publisher && sessions_.timed_out (entry.second, now_us))
      ended.push_back (entry.second.name);
  }
  for (const std::string & name : ended) {
    end_participant (name);
    expired++;
  }
  sessions_.remove_if ([&](const RtspSession & s) { return sessions_.timed_out (s, now_us); },
      [&](const RtspSession & s) {
        end_session (s);
        expired++;
      });
  return expired;
}

void
RtspServerLogic::touch_session (const std::string & id, int64_t now_us)
{
  sessions_.touch (id, now_us);
}

void
RtspServerLogic::teardown_all ()
{
  /* The readers of the element's own streams; participants end with their connections. */
  sessions_.remove_if ([](const RtspSession & s) { return s.name.empty (); },
      [this](const RtspSession & s) { end_session (s); });
}

}  // namespace meet
