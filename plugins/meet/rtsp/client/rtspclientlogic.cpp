/* meetstream: RTSP client logic behind meetrtspsrc: the session's walk (OPTIONS, DESCRIBE or
 * ANNOUNCE, SETUP, PLAY or RECORD, PAUSE, TEARDOWN, keep-alive, roster, authentication). The
 * streams and their SETUP are in rtspclientsetup.cpp, responses in rtspclientresponse.cpp. See
 * rtspclientlogic.h. */
#include "rtspclientlogic.h"
#include "rtsptext.h"

#include "roster.h"

#include <memory>

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/rtsp/gstrtspmessage.h>
#include <gst/rtsp/gstrtspurl.h>

namespace meet {

namespace {

/* The server's words for an error message: one line, no control characters. */
std::string
printable (const std::string &text)
{
  std::string out = rtsp_trim (text);
  for (char &c : out) {
    if (static_cast<unsigned char> (c) < 0x20 || c == 0x7f)
      c = ' ';
  }
  return out;
}

}  // namespace

const char *
RtspClientLogic::state_name (State state)
{
  switch (state) {
    case State::Init:
      return "init";
    case State::Ready:
      return "ready";
    case State::Playing:
      return "playing";
    case State::Paused:
      return "paused";
  }
  return "init";
}

bool
RtspClientLogic::set_location (const std::string &location)
{
  GstRTSPUrl *url = nullptr;
  if (location.empty () || gst_rtsp_url_parse (location.c_str (), &url) != GST_RTSP_OK
      || url == nullptr || url->host == nullptr || url->host[0] == '\0') {
    if (url)
      gst_rtsp_url_free (url);
    error_ = "'" + location + "' is not an RTSP URL (rtsp://[user:password@]host[:port]/path)";
    return false;
  }
  gchar *uri = gst_rtsp_url_get_request_uri (url);
  request_uri_ = uri;
  g_free (uri);
  host_ = url->host;
  guint16 port = 554;
  gst_rtsp_url_get_port (url, &port);
  port_ = port;
  if (url->user && user_.empty ())
    user_ = url->user;
  if (url->passwd && password_.empty ())
    password_ = url->passwd;
  gst_rtsp_url_free (url);
  return true;
}

void
RtspClientLogic::set_credentials (const std::string &user,
    const std::string &password)
{
  if (!user.empty ())
    user_ = user;
  if (!password.empty ())
    password_ = password;
}

void
RtspClientLogic::set_allowed_transports (bool udp, bool tcp, bool multicast)
{
  allow_multicast_ = multicast;
  allow_udp_ = udp || (!tcp && !multicast);
  allow_tcp_ = tcp;
  transport_ = multicast ? RtspLowerTransport::UdpMulticast :
      allow_udp_ ? RtspLowerTransport::Udp : RtspLowerTransport::Tcp;
}

void
RtspClientLogic::set_publish (const std::string &sdp, const std::vector<std::string> &controls)
{
  publishing_ = true;
  announce_sdp_ = sdp;
  announce_controls_ = controls;
}

void
RtspClientLogic::reset_session ()
{
  state_ = State::Init;
  options_done_ = false;
  described_ = false;
  aggregate_uri_.clear ();
  streams_.clear ();
  session_id_.clear ();
  session_timeout_ = 60;
  /* A session that ended while its roster question was unanswered (a server that hangs up on
   * it): never ask that server again. */
  for (const InFlight &r : in_flight_)
    if (r.step == Step::Roster)
      roster_refused_ = true;
  in_flight_.clear ();
  resend_last_ = false;
  auth_attempts_ = 0;
  roster_asked_ = 0;
  roster_done_ = false;
}

RtspClientRequest
RtspClientLogic::make (GstRTSPMethod method, const std::string &uri)
{
  RtspClientRequest request;
  request.method = method;
  request.uri = uri;
  if (!session_id_.empty () && method != GST_RTSP_OPTIONS && method != GST_RTSP_DESCRIBE)
    request.headers.emplace_back ("Session", session_id_);
  return request;
}

RtspClientRequest
RtspClientLogic::remember (const RtspClientRequest &request, Step step, size_t stream)
{
  in_flight_.push_back ({step, stream});
  last_in_flight_ = in_flight_.back ();
  last_request_ = request;
  return request;
}

std::optional<RtspClientRequest>
RtspClientLogic::next_request ()
{
  if (!in_flight_.empty ())
    return std::nullopt;
  if (resend_last_) {
    /* Same request again, now that the connection carries credentials. */
    resend_last_ = false;
    return remember (last_request_, last_in_flight_.step, last_in_flight_.stream);
  }

  if (target_ == State::Init) {
    if (state_ != State::Init && !session_id_.empty ())
      return remember (make (GST_RTSP_TEARDOWN, aggregate_uri_), Step::Teardown);
    reset_session ();
    return std::nullopt;
  }

  if (!options_done_)
    return remember (make (GST_RTSP_OPTIONS, request_uri_), Step::Options);
  if (!described_ && publishing_) {
    RtspClientRequest r = make (GST_RTSP_ANNOUNCE, request_uri_);
    r.headers.emplace_back ("Content-Type", "application/sdp");
    r.body = announce_sdp_;
    return remember (r, Step::Announce);
  }
  if (!described_) {
    RtspClientRequest r = make (GST_RTSP_DESCRIBE, request_uri_);
    r.headers.emplace_back ("Accept", "application/sdp");
    return remember (r, Step::Describe);
  }
  for (size_t i = 0; i < streams_.size (); i++) {
    if (streams_[i].is_setup)
      continue;
    return remember (setup_request (i), Step::Setup, i);
  }

  if (target_ == State::Playing && publishing_ && state_ == State::Ready)
    return remember (make (GST_RTSP_RECORD, aggregate_uri_), Step::Record);
  if (target_ == State::Playing && !publishing_ &&
      (state_ == State::Ready || state_ == State::Paused))
    return remember (make (GST_RTSP_PLAY, aggregate_uri_), Step::Play);
  if (target_ == State::Paused && state_ == State::Playing)
    return remember (make (GST_RTSP_PAUSE, aggregate_uri_), Step::Pause);
  /* Only servers that list GET_PARAMETER in Public are asked: some devices drop the connection
   * on a method they do not know. */
  if (ask_roster_ && get_parameter_supported_ && !roster_refused_ && !publishing_ && !roster_done_ &&
      state_ == State::Playing && target_ == State::Playing) {
    std::vector<std::string> uris = roster_uris (aggregate_uri_, request_uri_);
    if (roster_asked_ < uris.size ()) {
      RtspClientRequest r = make (GST_RTSP_GET_PARAMETER, uris[roster_asked_++]);
      r.headers.emplace_back ("Content-Type", "text/parameters");
      r.body = roster_request_body ();
      return remember (r, Step::Roster);
    }
    roster_done_ = true;        /* nobody here keeps a roster */
  }
  return std::nullopt;
}

std::optional<RtspClientRequest>
RtspClientLogic::keepalive_request ()
{
  if (session_id_.empty ())
    return std::nullopt;
  RtspClientRequest request;
  request.method = get_parameter_supported_ ? GST_RTSP_GET_PARAMETER : GST_RTSP_OPTIONS;
  request.uri = aggregate_uri_;
  request.headers.emplace_back ("Session", session_id_);
  in_flight_.push_back ({Step::KeepAlive, 0});
  return request;
}

void
RtspClientLogic::set_client_ports (size_t stream, int rtp_port, int rtcp_port)
{
  if (stream < streams_.size ()) {
    streams_[stream].client_rtp_port = rtp_port;
    streams_[stream].client_rtcp_port = rtcp_port;
  }
}

RtspClientLogic::Event
RtspClientLogic::fail (const std::string &message)
{
  error_ = message;
  return Event::Failed;
}

bool
RtspClientLogic::parse_auth (const RtspClientResponse &response)
{
  GstRTSPMessage *msg = nullptr;
  gst_rtsp_message_new_response (&msg, GST_RTSP_STS_UNAUTHORIZED, nullptr, nullptr);
  for (size_t i = 0; const std::string *value = response.header ("WWW-Authenticate", i); i++)
    gst_rtsp_message_add_header (msg, GST_RTSP_HDR_WWW_AUTHENTICATE, value->c_str ());
  GstRTSPAuthCredential **credentials =
      gst_rtsp_message_parse_auth_credentials (msg, GST_RTSP_HDR_WWW_AUTHENTICATE);
  gst_rtsp_message_free (msg);

  auth_challenge_ = RtspAuthChallenge ();
  for (GstRTSPAuthCredential **c = credentials; c && *c; c++) {
    /* Digest never sends the password; prefer it whenever offered. */
    if ((*c)->scheme != GST_RTSP_AUTH_BASIC && (*c)->scheme != GST_RTSP_AUTH_DIGEST)
      continue;
    if ((*c)->scheme < auth_challenge_.method)
      continue;
    auth_challenge_.method = (*c)->scheme;
    auth_challenge_.params.clear ();
    for (GstRTSPAuthParam **p = (*c)->params; p && *p; p++) {
      if ((*p)->name && (*p)->value)
        auth_challenge_.params[(*p)->name] = (*p)->value;
    }
  }
  if (credentials)
    gst_rtsp_auth_credentials_free (credentials);
  if (auth_challenge_.method == GST_RTSP_AUTH_DIGEST &&
      (auth_challenge_.params.count ("nonce") == 0 || auth_challenge_.params.count ("realm") == 0))
    auth_challenge_.method = GST_RTSP_AUTH_NONE;
  return auth_challenge_.method != GST_RTSP_AUTH_NONE;
}

bool
RtspClientLogic::parse_session (const RtspClientResponse &response)
{
  const std::string *value = response.header ("Session");
  if (value == nullptr)
    return !session_id_.empty ();
  size_t semi = value->find (';');
  std::string id = rtsp_trim (value->substr (0, semi));
  if (id.empty ())
    return false;
  session_id_ = id;
  if (semi != std::string::npos) {
    std::string params = value->substr (semi + 1);
    size_t t = params.find ("timeout=");
    if (t != std::string::npos) {
      unsigned long timeout = std::strtoul (params.c_str () + t + 8, nullptr, 10);
      if (timeout > 0 && timeout < 24 * 3600)
        session_timeout_ = timeout;
    }
  }
  return true;
}

RtspClientLogic::Event
RtspClientLogic::handle_raw_response (const uint8_t *data, size_t size)
{
  RtspClientResponse response;
  std::string parse_error;
  if (!parse_rtsp_response (data, size, response, parse_error)) {
    in_flight_.clear ();
    last_status_ = 0;
    return fail ("malformed RTSP response from " + request_uri_ + ": " + parse_error);
  }
  return handle_response (response);
}

RtspClientLogic::Event
RtspClientLogic::handle_response (const RtspClientResponse &response)
{
  if (in_flight_.empty ())
    return Event::None;         /* nothing asked: ignore */
  InFlight request = in_flight_.front ();
  in_flight_.pop_front ();
  last_status_ = response.code;

  if (response.code == GST_RTSP_STS_UNAUTHORIZED && request.step != Step::KeepAlive) {
    if (user_.empty ())
      return fail ("server at " + request_uri_ +
          " requires authentication: set user and password (or put them in the URL)");
    if (auth_attempts_ >= 2 || !parse_auth (response))
      return fail ("server at " + request_uri_ + " rejected user '" + user_ +
          "': check user and password (" + rtsp_status_text (response) + ")");
    auth_attempts_++;
    resend_last_ = true;
    return Event::AuthRequired;
  }
  if (rtsp_status_is_success (response.code))
    auth_attempts_ = 0;

  switch (request.step) {
    case Step::Options:
      return handle_options (response);
    case Step::Describe:
      return handle_describe (response);
    case Step::Announce:
      return handle_announce (response);
    case Step::Record:
      if (!rtsp_status_is_success (response.code))
        return fail ("server at " + request_uri_ + " refused RECORD: " + rtsp_status_text (response));
      state_ = State::Playing;
      return Event::Playing;
    case Step::Setup:
      return handle_setup (request.stream, response);
    case Step::Play:
      if (!rtsp_status_is_success (response.code))
        return fail ("server at " + request_uri_ + " refused PLAY: " + rtsp_status_text (response));
      state_ = State::Playing;
      return Event::Playing;
    case Step::Pause:
      if (!rtsp_status_is_success (response.code))
        return fail ("server at " + request_uri_ + " refused PAUSE: " + rtsp_status_text (response));
      state_ = State::Paused;
      return Event::Paused;
    case Step::Teardown:
      /* Whatever the answer, the session is over for us. */
      reset_session ();
      return Event::TornDown;
    case Step::KeepAlive:
      if (response.code == GST_RTSP_STS_SESSION_NOT_FOUND)
        return fail ("server at " + request_uri_ + " forgot our session (454 Session Not Found)");
      return Event::None;
    case Step::Roster:{
      /* Anything but a text/parameters roster (451 from servers without one, 404, ...) is no
       * error: the next URI is asked, then none. */
      const std::string *type = response.header ("Content-Type");
      std::optional<std::vector<std::string>> names;
      if (rtsp_status_is_success (response.code) && type && type->find ("text/parameters") != std::string::npos)
        names = parse_participants (response.body);
      if (!names)
        return Event::None;
      roster_done_ = true;
      roster_ = *names;
      return Event::RosterAnswered;
    }
  }
  return Event::None;
}

RtspClientLogic::Event
RtspClientLogic::handle_options (const RtspClientResponse &response)
{
  options_done_ = true;
  /* OPTIONS only tells us which methods exist; servers that refuse it still stream. */
  if (rtsp_status_is_success (response.code)) {
    for (size_t i = 0; const std::string *value = response.header ("Public", i); i++) {
      if (value->find ("GET_PARAMETER") != std::string::npos)
        get_parameter_supported_ = true;
    }
  }
  return Event::None;
}

RtspClientLogic::Event
RtspClientLogic::handle_describe (const RtspClientResponse &response)
{
  if (response.code == GST_RTSP_STS_NOT_FOUND)
    return fail ("server has no stream at " + request_uri_ + " (404 Not Found): check the path");
  if (!rtsp_status_is_success (response.code))
    return fail ("server at " + request_uri_ + " refused DESCRIBE: " + rtsp_status_text (response));
  const std::string *type = response.header ("Content-Type");
  if (type && type->find ("application/sdp") == std::string::npos)
    return fail ("server at " + request_uri_ + " described the stream as '" + *type +
        "', not application/sdp");
  if (response.body.empty ())
    return fail ("server at " + request_uri_ + " sent an empty stream description (SDP)");

  std::string base = request_uri_;
  if (const std::string *cb = response.header ("Content-Base"))
    base = *cb;
  else if (const std::string *cl = response.header ("Content-Location"))
    base = *cl;
  if (!parse_sdp (response.body, base))
    return Event::Failed;
  described_ = true;
  return Event::Described;
}

RtspClientLogic::Event
RtspClientLogic::handle_announce (const RtspClientResponse &response)
{
  int code = response.code;
  if (!rtsp_status_is_success (code)) {
    std::string said = rtsp_status_text (response);
    if (!response.body.empty ())
      said += ": \"" + printable (response.body.substr (0, 200)) + "\"";
    if (code == GST_RTSP_STS_FORBIDDEN)
      return fail ("server at " + request_uri_ + " does not allow us to publish (" + said +
          "): check user and password, or ask the host to allow publishing");
    if (code == GST_RTSP_STS_NOT_FOUND || code == GST_RTSP_STS_METHOD_NOT_ALLOWED ||
        code == GST_RTSP_STS_NOT_IMPLEMENTED)
      return fail ("server at " + request_uri_ + " takes no publishers at this path (" + said +
          "): check the path, or whether the server accepts RECORD");
    if (code == 409)
      return fail ("the name at " + request_uri_ + " is taken (" + said + "): publish under "
          "another name");
    return fail ("server at " + request_uri_ + " refused ANNOUNCE: " + said);
  }
  /* Our own streams, with their controls resolved against the URL we announced at (RFC 2326
   * C.1.1: relative to the request URL when no Content-Base came back). */
  std::string base = request_uri_;
  if (const std::string *cb = response.header ("Content-Base"))
    base = *cb;
  aggregate_uri_ = request_uri_;
  streams_.clear ();
  for (size_t i = 0; i < announce_controls_.size (); i++) {
    RtspClientStream stream;
    stream.id = static_cast<unsigned> (i);
    stream.control_uri = resolve_control (base, announce_controls_[i]);
    streams_.push_back (stream);
  }
  described_ = true;
  return Event::Described;
}

}  // namespace meet

extern "C" int
meet_rtsp_client_logic_fuzz (const uint8_t *data, size_t size)
{
  static bool initialized = gst_init_check (nullptr, nullptr, nullptr);
  if (!initialized)
    return 0;
  /* Plain, then as over rtsps:// (SAVP offers, MIKEY keys in the SDP, KeyMgmt in SETUP). */
  for (bool secure : {false, true}) {
    meet::RtspClientLogic logic;
    logic.set_location ("rtsp://user:pass@127.0.0.1:8554/test");
    logic.set_secure (secure);
    logic.set_target (meet::RtspClientLogic::State::Playing);
    /* Walk the session with @data as every answer until it fails or plays. */
    for (int step = 0; step < 16; step++) {
      auto request = logic.next_request ();
      if (!request)
        break;
      auto event = logic.handle_raw_response (data, size);
      if (event == meet::RtspClientLogic::Event::Failed ||
          event == meet::RtspClientLogic::Event::Playing)
        break;
      if (event == meet::RtspClientLogic::Event::Described) {
        for (size_t i = 0; i < logic.streams ().size (); i++)
          logic.set_client_ports (i, 5000 + 2 * i, 5001 + 2 * i);
      }
    }
  }
  return 0;
}
