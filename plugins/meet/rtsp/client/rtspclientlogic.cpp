/* meetstream: RTSP client logic behind meetrtspsrc. See rtspclientlogic.h. */
#include "rtspclientlogic.h"

#include "roster.h"
#include "srtpkeymgmt.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/rtsp/gstrtspmessage.h>
#include <gst/rtsp/gstrtsptransport.h>
#include <gst/rtsp/gstrtspurl.h>
#include <gst/sdp/gstsdpmessage.h>

namespace meet {

namespace {

/* Large enough for any SDP we expect; bounds what a hostile server can make us hold. */
constexpr size_t kMaxBodySize = 1 << 20;
constexpr size_t kMaxHeaderLines = 256;

bool
iequals (const std::string &a, const std::string &b)
{
  return a.size () == b.size () &&
      g_ascii_strncasecmp (a.c_str (), b.c_str (), a.size ()) == 0;
}

std::string
trim (const std::string &s)
{
  size_t begin = s.find_first_not_of (" \t\r\n");
  if (begin == std::string::npos)
    return std::string ();
  size_t end = s.find_last_not_of (" \t\r\n");
  return s.substr (begin, end - begin + 1);
}

bool
is_success (int code)
{
  return code >= 200 && code < 300;
}

/* The server's words for an error message: one line, no control characters. */
std::string
printable (const std::string &text)
{
  std::string out = trim (text);
  for (char &c : out) {
    if (static_cast<unsigned char> (c) < 0x20 || c == 0x7f)
      c = ' ';
  }
  return out;
}

/* A Transport header without its mode parameter: gst_rtsp_transport_parse() knows only "play" and
 * "record" and refuses the whole header for ffmpeg's mode=receive (RFC 2326's older word for record).
 * What the server echoes as mode changes nothing for us. */
std::string
without_mode (const std::string &transport)
{
  std::string out;
  size_t pos = 0;
  while (pos <= transport.size ()) {
    size_t semi = transport.find (';', pos);
    std::string part = transport.substr (pos, semi == std::string::npos ? std::string::npos : semi - pos);
    if (g_ascii_strncasecmp (trim (part).c_str (), "mode=", 5) != 0)
      out += (out.empty () ? "" : ";") + part;
    if (semi == std::string::npos)
      break;
    pos = semi + 1;
  }
  return out;
}

std::string
status_text (const RtspClientResponse &response)
{
  return std::to_string (response.code) + " " + response.reason;
}

}  // namespace

const std::string *
RtspClientResponse::header (const std::string &name, size_t index) const
{
  for (const auto &h : headers) {
    if (iequals (h.first, name)) {
      if (index == 0)
        return &h.second;
      index--;
    }
  }
  return nullptr;
}

bool
parse_rtsp_response (const uint8_t *data, size_t size, RtspClientResponse &out,
    std::string &error)
{
  out = RtspClientResponse ();
  const char *text = reinterpret_cast<const char *> (data);
  std::string head;
  size_t body_start = 0;
  for (size_t i = 0; i < size; i++) {
    if (text[i] == '\n' && i + 1 < size &&
        (text[i + 1] == '\n' || (text[i + 1] == '\r' && i + 2 < size
                && text[i + 2] == '\n'))) {
      head.assign (text, i);
      body_start = i + (text[i + 1] == '\n' ? 2 : 3);
      break;
    }
  }
  if (body_start == 0) {
    error = "response ends before the end of its headers";
    return false;
  }
  if (head.find ('\0') != std::string::npos) {
    error = "response headers contain a NUL byte";
    return false;
  }

  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= head.size ()) {
    size_t nl = head.find ('\n', pos);
    std::string line = head.substr (pos, nl == std::string::npos ?
        std::string::npos : nl - pos);
    if (!line.empty () && line.back () == '\r')
      line.pop_back ();
    if (!lines.empty () && !line.empty () && (line[0] == ' ' || line[0] == '\t'))
      lines.back () += " " + trim (line);       /* folded header line */
    else
      lines.push_back (line);
    if (lines.size () > kMaxHeaderLines) {
      error = "response has too many header lines";
      return false;
    }
    if (nl == std::string::npos)
      break;
    pos = nl + 1;
  }

  const std::string &status = lines[0];
  if (status.compare (0, 5, "RTSP/") != 0) {
    error = "status line does not start with RTSP/: '" + status.substr (0, 40) + "'";
    return false;
  }
  size_t sp = status.find (' ');
  if (sp == std::string::npos || status.size () < sp + 4 ||
      !g_ascii_isdigit (status[sp + 1]) || !g_ascii_isdigit (status[sp + 2]) ||
      !g_ascii_isdigit (status[sp + 3]) ||
      (status.size () > sp + 4 && status[sp + 4] != ' ')) {
    error = "status line has no 3-digit status code: '" + status.substr (0, 40) + "'";
    return false;
  }
  out.code = std::stoi (status.substr (sp + 1, 3));
  if (out.code < 100) {
    error = "status code " + std::to_string (out.code) + " is out of range";
    return false;
  }
  out.reason = status.size () > sp + 5 ? trim (status.substr (sp + 5)) : "";

  for (size_t i = 1; i < lines.size (); i++) {
    if (lines[i].empty ())
      continue;
    size_t colon = lines[i].find (':');
    if (colon == std::string::npos || colon == 0) {
      error = "header line without a name: '" + lines[i].substr (0, 40) + "'";
      return false;
    }
    out.headers.emplace_back (trim (lines[i].substr (0, colon)),
        trim (lines[i].substr (colon + 1)));
  }

  size_t length = 0;
  if (const std::string *cl = out.header ("Content-Length")) {
    if (cl->empty () || cl->size () > 9 ||
        !std::all_of (cl->begin (), cl->end (), [](char c) {
              return g_ascii_isdigit (c);
            })) {
      error = "Content-Length '" + cl->substr (0, 20) + "' is not a number";
      return false;
    }
    length = std::stoul (*cl);
  }
  if (length > kMaxBodySize) {
    error = "body of " + std::to_string (length) + " bytes is too large";
    return false;
  }
  if (size - body_start < length) {
    error = "body is truncated: Content-Length says " + std::to_string (length) +
        " bytes, " + std::to_string (size - body_start) + " arrived";
    return false;
  }
  out.body.assign (text + body_start, length);
  return true;
}

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

std::string
RtspClientLogic::transport_header (const RtspClientStream &stream) const
{
  /* Playing rtsps://: the stream's SRTP group (keys in the SDP), never a plain group beside TLS;
   * handle_describe left multicast only where every stream is keyed. */
  if (transport_ == RtspLowerTransport::UdpMulticast)
    return multicast_transport_request (stream.srtp_offer, secure_ && !publishing_);
  if (transport_ == RtspLowerTransport::Tcp)
    return "RTP/AVP/TCP;unicast;interleaved=" + std::to_string (2 * stream.id) +
        "-" + std::to_string (2 * stream.id + 1);
  /* Publishing over rtsps://: RTP/SAVP with our keys. Playing rtsps://: SRTP in the profile the SDP
   * offered (choose_secure_transport saw to it that every stream has a key). */
  std::string profile = srtp () ? "RTP/SAVP" :
      secure_ && stream.srtp_offer.keyed ? stream.srtp_offer.profile + "/UDP" : "RTP/AVP";
  return profile + ";unicast;client_port=" + std::to_string (stream.client_rtp_port) +
      "-" + std::to_string (stream.client_rtcp_port);
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
    RtspClientRequest r = make (GST_RTSP_SETUP, streams_[i].control_uri);
    r.headers.emplace_back ("Transport", transport_header (streams_[i]) +
        (publishing_ ? ";mode=record" : ""));
    RtspClientStream &s = streams_[i];
    if (srtp () && transport_ == RtspLowerTransport::Udp && i < srtp_keymgmt_.size ()) {
      /* Publishing: the key of what we send. */
      std::string keymgmt = keymgmt_header_from_attribute (s.control_uri, srtp_keymgmt_[i]);
      if (!keymgmt.empty ())
        r.headers.emplace_back ("KeyMgmt", keymgmt);
    } else if (secure_ && transport_ == RtspLowerTransport::Udp && s.srtp_offer.keyed &&
        (srtp_key_valid (s.rtcp_key) || srtp_rtcp_key_generate (s.srtp_offer.keys.suite,
                &s.rtcp_key))) {
      /* Playing: our receiver reports go as SRTCP under a key of ours, handed over here. */
      r.headers.emplace_back ("KeyMgmt", srtp_keymgmt_header (s.rtcp_key, s.control_uri));
    }
    return remember (r, Step::Setup, i);
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
  std::string id = trim (value->substr (0, semi));
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
          "': check user and password (" + status_text (response) + ")");
    auth_attempts_++;
    resend_last_ = true;
    return Event::AuthRequired;
  }
  if (is_success (response.code))
    auth_attempts_ = 0;

  switch (request.step) {
    case Step::Options:
      return handle_options (response);
    case Step::Describe:
      return handle_describe (response);
    case Step::Announce:
      return handle_announce (response);
    case Step::Record:
      if (!is_success (response.code))
        return fail ("server at " + request_uri_ + " refused RECORD: " + status_text (response));
      state_ = State::Playing;
      return Event::Playing;
    case Step::Setup:
      return handle_setup (request.stream, response);
    case Step::Play:
      if (!is_success (response.code))
        return fail ("server at " + request_uri_ + " refused PLAY: " + status_text (response));
      state_ = State::Playing;
      return Event::Playing;
    case Step::Pause:
      if (!is_success (response.code))
        return fail ("server at " + request_uri_ + " refused PAUSE: " + status_text (response));
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
      if (is_success (response.code) && type && type->find ("text/parameters") != std::string::npos)
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
  if (is_success (response.code)) {
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
  if (!is_success (response.code))
    return fail ("server at " + request_uri_ + " refused DESCRIBE: " + status_text (response));
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
  if (!is_success (code)) {
    std::string said = status_text (response);
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

std::string
RtspClientLogic::resolve_control (const std::string &base, const std::string &control)
{
  if (control.empty () || control == "*")
    return base;
  if (g_ascii_strncasecmp (control.c_str (), "rtsp://", 7) == 0 ||
      g_ascii_strncasecmp (control.c_str (), "rtsps://", 8) == 0)
    return control;
  if (!base.empty () && base.back () == '/')
    return base + control;
  return base + "/" + control;
}

bool
RtspClientLogic::parse_sdp (const std::string &sdp, const std::string &base)
{
  GstSDPMessage *msg = nullptr;
  gst_sdp_message_new (&msg);
  std::unique_ptr<GstSDPMessage, decltype (&gst_sdp_message_free)> guard (msg,
      gst_sdp_message_free);
  if (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
          sdp.size (), msg) != GST_SDP_OK) {
    error_ = "stream description (SDP) from " + request_uri_ + " does not parse";
    return false;
  }
  GstSDPMessage *plain = sdp_copy_without_keymgmt (msg);
  if (plain == nullptr) {
    error_ = "stream description (SDP) from " + request_uri_ + " does not parse";
    return false;
  }
  std::unique_ptr<GstSDPMessage, decltype (&gst_sdp_message_free)> plain_guard (plain,
      gst_sdp_message_free);

  const gchar *session_control = gst_sdp_message_get_attribute_val (msg, "control");
  aggregate_uri_ = resolve_control (base, session_control ? session_control : "*");

  streams_.clear ();
  for (guint i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (msg, i);
    const gchar *proto = gst_sdp_media_get_proto (media);
    const gchar *media_type = gst_sdp_media_get_media (media);
    /* RTP/SAVP: over rtsps:// (SRTP over UDP with the MIKEY keys, or interleaved inside TLS),
     * or interleaved only, where it is set up as RTP/AVP/TCP. */
    const bool savp_ok = srtp_profile_is_savp (proto) &&
        (secure_ || (!allow_udp_ && !allow_multicast_));
    if (proto == nullptr || media_type == nullptr ||
        (strcmp (proto, "RTP/AVP") != 0 && strcmp (proto, "RTP/AVPF") != 0 && !savp_ok))
      continue;
    if (gst_sdp_media_formats_len (media) == 0)
      continue;
    const gchar *format = gst_sdp_media_get_format (media, 0);
    if (format == nullptr || !g_ascii_isdigit (format[0]))
      continue;
    int payload = atoi (format);
    if (payload < 0 || payload > 127)
      continue;
    /* Caps from a copy without a=key-mgmt: the library's MIKEY parser can hang (srtpreceive.h),
     * and the key stays out of the caps the pads show (srtp_offer has it). */
    const GstSDPMedia *plain_media = gst_sdp_message_get_media (plain, i);
    GstCaps *caps = gst_sdp_media_get_caps_from_media (plain_media, payload);
    if (caps == nullptr)
      continue;         /* dynamic payload without rtpmap: cannot be decoded */
    gst_sdp_media_attributes_to_caps (plain_media, caps);
    gst_sdp_message_attributes_to_caps (plain, caps);
    GstStructure *s = gst_caps_get_structure (caps, 0);
    gst_structure_set_name (s, "application/x-rtp");
    gint clock_rate = 0;
    if (!gst_structure_get_int (s, "clock-rate", &clock_rate) || clock_rate <= 0) {
      gst_caps_unref (caps);
      continue;
    }
    RtspClientStream stream;
    stream.id = streams_.size ();
    stream.media = media_type;
    stream.payload = payload;
    stream.clock_rate = clock_rate;
    gchar *caps_str = gst_caps_to_string (caps);
    stream.caps = caps_str;
    g_free (caps_str);
    gst_caps_unref (caps);
    const gchar *control = gst_sdp_media_get_attribute_val (media, "control");
    stream.control_uri = resolve_control (aggregate_uri_, control ? control : "*");
    if (secure_)
      stream.srtp_offer = srtp_offer_from_sdp_media (msg, media);
    streams_.push_back (stream);
  }
  if (streams_.empty ()) {
    error_ = "stream description (SDP) from " + request_uri_ +
        " announces no RTP stream this client can receive";
    return false;
  }
  secure_notice_.clear ();
  if (secure_ && transport_ == RtspLowerTransport::UdpMulticast) {
    /* rtsps:// and multicast: the SRTP groups (RTP/SAVP;multicast) with the SDP's keys, or no
     * multicast this session: a plain group would carry the media in clear beside TLS. */
    std::vector<std::string> media;
    std::vector<SrtpOffer> offers;
    for (const RtspClientStream &s : streams_) {
      media.push_back (s.media);
      offers.push_back (s.srtp_offer);
    }
    std::string why = srtp_offers_problem (media, offers);
    if (!why.empty ()) {
      std::string shown = request_uri_.compare (0, 7, "rtsp://") == 0 ?
          "rtsps://" + request_uri_.substr (7) : request_uri_;
      if (!allow_udp_ && !allow_tcp_) {
        error_ = "Cannot receive " + shown + " by multicast securely: " + why +
            ". Allow protocols=udp-mcast+udp+tcp to receive it by unicast SRTP or inside TLS, "
            "or have the server offer SRTP (RTP/SAVP with a=key-mgmt:mikey).";
        return false;
      }
      transport_ = allow_udp_ ? RtspLowerTransport::Udp : RtspLowerTransport::Tcp;
      secure_notice_ = "No SRTP multicast from " + shown + ": " + why + "; trying " +
          (allow_udp_ ? "unicast UDP" : "TCP inside TLS") + " instead.";
    }
  }
  /* rtsps:// and UDP still to be tried (a switch to TCP after silence stays): SRTP or nothing. */
  if (secure_ && transport_ == RtspLowerTransport::Udp) {
    std::vector<std::string> media;
    std::vector<SrtpOffer> offers;
    for (const RtspClientStream &s : streams_) {
      media.push_back (s.media);
      offers.push_back (s.srtp_offer);
    }
    /* The messages name the URL as the user gave it (the request URI is rtsp:// over TLS too). */
    std::string shown = request_uri_.compare (0, 7, "rtsp://") == 0 ?
        "rtsps://" + request_uri_.substr (7) : request_uri_;
    SecureTransportChoice choice = choose_secure_transport (media, offers, allow_udp_, allow_tcp_,
        shown);
    if (choice.kind == SecureTransportChoice::Kind::Refused) {
      error_ = choice.message;
      return false;
    }
    if (choice.kind == SecureTransportChoice::Kind::TlsTcp) {
      transport_ = RtspLowerTransport::Tcp;
      secure_notice_ += (secure_notice_.empty () ? "" : " ") + choice.message;
    }
  }
  return true;
}

RtspClientLogic::Event
RtspClientLogic::handle_setup (size_t index, const RtspClientResponse &response)
{
  if (index >= streams_.size ())
    return fail ("internal: SETUP answer for unknown stream");
  RtspClientStream &stream = streams_[index];

  if (response.code == GST_RTSP_STS_UNSUPPORTED_TRANSPORT &&
      transport_ == RtspLowerTransport::UdpMulticast && (allow_udp_ || allow_tcp_)) {
    /* No multicast from this server: unicast, UDP first. */
    transport_ = allow_udp_ ? RtspLowerTransport::Udp : RtspLowerTransport::Tcp;
    for (auto &s : streams_)
      s.is_setup = false;
    return Event::TransportFallback;
  }
  if (response.code == GST_RTSP_STS_UNSUPPORTED_TRANSPORT &&
      transport_ == RtspLowerTransport::Udp && allow_tcp_) {
    /* Server will not send UDP (firewalled or TCP-only): interleave over TCP. */
    transport_ = RtspLowerTransport::Tcp;
    for (auto &s : streams_)
      s.is_setup = false;
    return Event::TransportFallback;
  }
  if (!is_success (response.code)) {
    std::string hint;
    if (response.code == GST_RTSP_STS_UNSUPPORTED_TRANSPORT)
      hint = transport_ == RtspLowerTransport::UdpMulticast ?
          ": server offers no multicast, allow protocols=udp-mcast+udp+tcp" :
          transport_ == RtspLowerTransport::Udp ?
          ": server refuses UDP, allow protocols=tcp" : ": server refuses TCP, allow protocols=udp";
    return fail ("server at " + request_uri_ + " refused SETUP of " + stream.control_uri +
        ": " + status_text (response) + hint);
  }
  if (!parse_session (response))
    return fail ("server at " + request_uri_ + " answered SETUP without a Session header");

  const std::string *value = response.header ("Transport");
  if (value == nullptr)
    return fail ("server at " + request_uri_ + " answered SETUP without a Transport header");
  GstRTSPTransport *transport = nullptr;
  gst_rtsp_transport_new (&transport);
  if (gst_rtsp_transport_parse (without_mode (*value).c_str (), transport) != GST_RTSP_OK) {
    gst_rtsp_transport_free (transport);
    return fail ("server at " + request_uri_ + " sent a Transport header that does not parse: '" +
        value->substr (0, 80) + "'");
  }
  bool ok = true;
  if (transport_ == RtspLowerTransport::UdpMulticast &&
      transport->lower_transport != GST_RTSP_LOWER_TRANS_UDP_MCAST && (allow_udp_ || allow_tcp_)) {
    /* Asked for multicast, offered something else (no client ports were given): unicast. */
    gst_rtsp_transport_free (transport);
    transport_ = allow_udp_ ? RtspLowerTransport::Udp : RtspLowerTransport::Tcp;
    for (auto &s : streams_)
      s.is_setup = false;
    return Event::TransportFallback;
  }
  if (transport->lower_transport == GST_RTSP_LOWER_TRANS_UDP_MCAST) {
    stream.transport = RtspLowerTransport::UdpMulticast;
    GInetAddress *group = transport->destination ?
        g_inet_address_new_from_string (transport->destination) : nullptr;
    /* Only a group: a "multicast" answer naming a unicast host would have us bind its port. */
    ok = group && g_inet_address_get_is_multicast (group);
    g_clear_object (&group);
    if (ok)
      stream.destination = transport->destination;
    stream.server_rtp_port = transport->port.min;
    stream.server_rtcp_port = transport->port.max;
    if (stream.server_rtp_port <= 0 || stream.server_rtp_port > 65535)
      ok = false;
    if (stream.server_rtcp_port <= 0 || stream.server_rtcp_port > 65535)
      stream.server_rtcp_port = 0;
    stream.ttl = transport->ttl > 0 && transport->ttl <= 255 ? transport->ttl : 1;
  } else if (transport->lower_transport == GST_RTSP_LOWER_TRANS_TCP) {
    stream.transport = RtspLowerTransport::Tcp;
    stream.rtp_channel = transport->interleaved.min;
    stream.rtcp_channel = transport->interleaved.max;
    if (stream.rtp_channel < 0 || stream.rtp_channel > 255 ||
        stream.rtcp_channel < 0 || stream.rtcp_channel > 255)
      ok = false;
  } else {
    stream.transport = RtspLowerTransport::Udp;
    stream.server_rtp_port = transport->server_port.min;
    stream.server_rtcp_port = transport->server_port.max;
    if (stream.server_rtp_port <= 0 || stream.server_rtp_port > 65535)
      ok = false;
    if (stream.server_rtcp_port <= 0 || stream.server_rtcp_port > 65535)
      stream.server_rtcp_port = 0;      /* no RTCP back to the server */
  }
  if (transport->ssrc != 0) {
    stream.ssrc = transport->ssrc;
    stream.has_ssrc = true;
  }
  /* Asked for SRTP over UDP or an SRTP group: an answer in plain RTP/AVP would have media cross
   * in clear. */
  const bool srtp_group = secure_ && !publishing_ &&
      stream.transport == RtspLowerTransport::UdpMulticast;
  stream.srtp = ((srtp () || secure_) && stream.transport == RtspLowerTransport::Udp) || srtp_group;
  const GstRTSPProfile answered_profile = transport->profile;
  const bool answered_savp = answered_profile == GST_RTSP_PROFILE_SAVP ||
      answered_profile == GST_RTSP_PROFILE_SAVPF;
  gst_rtsp_transport_free (transport);
  std::string why;
  if (srtp_group && !multicast_answer_acceptable (stream.srtp_offer, true, answered_profile, &why))
    return fail ("server at " + request_uri_ + " answered SETUP of " + stream.control_uri +
        ": " + why + ": refusing media in clear beside rtsps://; allow "
        "protocols=udp-mcast+udp+tcp to receive it by unicast SRTP or inside TLS");
  if (stream.srtp && !answered_savp && srtp ())
    return fail ("server at " + request_uri_ + " answered the RTP/SAVP SETUP of " +
        stream.control_uri + " with plain RTP: the media would leave TLS in clear; publish to a "
        "server that takes SRTP (RTP/SAVP), or set protocols=tcp to keep it inside TLS");
  if (stream.srtp && !answered_savp)
    return fail ("server at " + request_uri_ + " answered SETUP of " + stream.control_uri +
        " with plain RTP over UDP where SRTP (RTP/SAVP) was asked: refusing media in clear beside "
        "rtsps://; allow protocols=tcp to receive it inside TLS");
  if (!ok || stream.transport != transport_)
    return fail ("server at " + request_uri_ + " answered SETUP with an unusable Transport: '" +
        value->substr (0, 80) + "'");

  stream.is_setup = true;
  for (const auto &s : streams_) {
    if (!s.is_setup)
      return Event::None;
  }
  if (state_ == State::Init)
    state_ = State::Ready;
  return Event::SetupDone;
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
