/* meetstream: RTSP requests as meetrtspsink receives them. See rtsprequestparser.h. */
#include "rtsprequestparser.h"
#include "rtsptext.h"

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>

#include <algorithm>
#include <cstring>

namespace meet {

namespace {

bool
is_token (const std::string & s)
{
  if (s.empty ())
    return false;
  for (unsigned char c : s) {
    if (c <= 32 || c >= 127 || strchr ("()<>@,;:\\\"/[]?={}", c))
      return false;
  }
  return true;
}

const char *
status_text (int code)
{
  if (code == 409)
    return "Conflict";
  const char *text = gst_rtsp_status_as_text (static_cast < GstRTSPStatusCode > (code));
  return text ? text : "Error";
}

}  // namespace

/* ---------------------------------------------------------------- messages */

const std::string *
RtspRequest::header (const std::string & name) const
{
  for (const auto & h : headers) {
    if (rtsp_iequals (h.first, name))
      return &h.second;
  }
  return nullptr;
}

void
RtspResponse::add_header (const std::string & name, const std::string & value)
{
  headers.emplace_back (name, value);
}

const std::string *
RtspResponse::header (const std::string & name) const
{
  for (const auto & h : headers) {
    if (rtsp_iequals (h.first, name))
      return &h.second;
  }
  return nullptr;
}

std::string
RtspResponse::serialize () const
{
  std::string out = "RTSP/1.0 " + std::to_string (code) + " " + status_text (code) + "\r\n";
  for (const auto & h : headers)
    out += h.first + ": " + h.second + "\r\n";
  if (!body.empty ())
    out += "Content-Length: " + std::to_string (body.size ()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

/* ---------------------------------------------------------------- framing */

void
RtspRequestParser::feed (const uint8_t * data, size_t size)
{
  if (failed_ || size == 0)
    return;
  compact ();
  buffer_.append (reinterpret_cast < const char *>(data), size);
}

void
RtspRequestParser::compact ()
{
  if (consumed_ > 0) {
    buffer_.erase (0, consumed_);
    consumed_ = 0;
  }
}

RtspRequestParser::Result
RtspRequestParser::next (RtspRequest & request, int &error_code, uint8_t & channel)
{
  if (failed_)
    return Result::kNeedMore;

  /* Stray line ends between requests are allowed (RFC 2326 15.1 keep-alives). */
  while (consumed_ < buffer_.size ()
      && (buffer_[consumed_] == '\r' || buffer_[consumed_] == '\n')) {
    consumed_++;
    scanned_ = 0;
  }
  if (consumed_ == buffer_.size ())
    return Result::kNeedMore;

  const char *data = buffer_.data () + consumed_;
  size_t avail = buffer_.size () - consumed_;

  if (data[0] == '$') {
    if (avail < 4)
      return Result::kNeedMore;
    size_t len = (static_cast < uint8_t > (data[2]) << 8) | static_cast < uint8_t > (data[3]);
    if (avail < 4 + len)
      return Result::kNeedMore;
    channel = static_cast < uint8_t > (data[1]);
    interleaved_offset_ = consumed_ + 4;
    interleaved_size_ = len;
    consumed_ += 4 + len;
    scanned_ = 0;
    saw_line_end_ = false;
    return Result::kInterleaved;
  }

  /* The head ends at an empty line (CRLF CRLF, or bare LF LF from sloppy clients). */
  size_t head_end = std::string::npos, body_start = 0;
  size_t limit = std::min (avail, kRtspMaxHead + 4);
  /* Resume where the last call stopped (minus what an empty line can span), so a client
   * trickling bytes does not make us rescan its whole head each time. */
  for (size_t i = scanned_ > 2 ? scanned_ - 2 : 0; i < limit; i++) {
    if (data[i] != '\n')
      continue;
    saw_line_end_ = true;
    if (i + 1 < avail && data[i + 1] == '\n') {
      head_end = i;
      body_start = i + 2;
      break;
    }
    if (i + 2 < avail && data[i + 1] == '\r' && data[i + 2] == '\n') {
      head_end = i;
      body_start = i + 3;
      break;
    }
  }
  /* Found heads are searched again from their end while their body arrives. */
  scanned_ = head_end == std::string::npos ? limit : head_end;
  if (!saw_line_end_ && avail > kRtspMaxRequestLine) {
    failed_ = true;
    error_code = GST_RTSP_STS_REQUEST_URI_TOO_LARGE;
    return Result::kError;
  }
  if (head_end == std::string::npos) {
    if (avail > kRtspMaxHead) {
      failed_ = true;
      error_code = GST_RTSP_STS_REQUEST_ENTITY_TOO_LARGE;
      return Result::kError;
    }
    return Result::kNeedMore;
  }
  if (head_end > kRtspMaxHead) {
    failed_ = true;
    error_code = GST_RTSP_STS_REQUEST_ENTITY_TOO_LARGE;
    return Result::kError;
  }

  RtspRequest parsed;
  head_is_response_ = false;
  Result result = parse_head (head_end, body_start, parsed, error_code);
  if (result == Result::kError) {
    failed_ = true;
    return result;
  }

  size_t body_len = 0;
  if (const std::string * cl = parsed.header ("Content-Length")) {
    unsigned long value;
    if (!rtsp_parse_uint (*cl, 9, value)) {
      failed_ = true;
      error_code = GST_RTSP_STS_BAD_REQUEST;
      return Result::kError;
    }
    if (value > kRtspMaxBody) {
      failed_ = true;
      error_code = GST_RTSP_STS_REQUEST_ENTITY_TOO_LARGE;
      return Result::kError;
    }
    body_len = value;
  }
  if (avail < body_start + body_len)
    return Result::kNeedMore;
  parsed.body.assign (data + body_start, body_len);
  consumed_ += body_start + body_len;
  scanned_ = 0;
  saw_line_end_ = false;
  if (head_is_response_)
    return Result::kResponse;
  request = std::move (parsed);
  return Result::kRequest;
}

RtspRequestParser::Result
RtspRequestParser::parse_head (size_t head_end, size_t body_start, RtspRequest & request,
    int &error_code)
{
  (void) body_start;
  const char *data = buffer_.data () + consumed_;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= head_end) {
    size_t lf = std::string (data + start, head_end + 1 - start).find ('\n');
    size_t end = start + lf;
    std::string line (data + start, end - start);
    if (!line.empty () && line.back () == '\r')
      line.pop_back ();
    lines.push_back (std::move (line));
    start = end + 1;
  }

  error_code = GST_RTSP_STS_BAD_REQUEST;
  for (const auto & line : lines) {
    for (unsigned char c : line) {
      if (c == 0 || (c < 32 && c != '\t') || c == 127)
        return Result::kError;
    }
  }
  if (lines.empty () || lines[0].size () > kRtspMaxRequestLine) {
    error_code = GST_RTSP_STS_REQUEST_URI_TOO_LARGE;
    return Result::kError;
  }

  const std::string & request_line = lines[0];
  /* A client answering our SET_PARAMETER (roster): "RTSP/1.0 200 OK"; its headers are
   * still checked so the body is framed by a sane Content-Length. */
  head_is_response_ = request_line.size () >= 12 && request_line.compare (0, 9, "RTSP/1.0 ") == 0
      && g_ascii_isdigit (request_line[9]) && g_ascii_isdigit (request_line[10])
      && g_ascii_isdigit (request_line[11]);
  size_t sp1 = request_line.find (' ');
  size_t sp2 = sp1 == std::string::npos ? sp1 : request_line.find (' ', sp1 + 1);
  if (head_is_response_) {
    request.method = request_line.substr (0, 8);
  } else {
    if (sp2 == std::string::npos || request_line.find (' ', sp2 + 1) != std::string::npos)
      return Result::kError;
    request.method = request_line.substr (0, sp1);
    request.uri = request_line.substr (sp1 + 1, sp2 - sp1 - 1);
    request.version = request_line.substr (sp2 + 1);
    if (!is_token (request.method) || request.uri.empty ()
        || request.version.compare (0, 5, "RTSP/") != 0)
      return Result::kError;
    if (request.version != "RTSP/1.0") {
      error_code = GST_RTSP_STS_RTSP_VERSION_NOT_SUPPORTED;
      return Result::kError;
    }
  }

  for (size_t i = 1; i < lines.size (); i++) {
    const std::string & line = lines[i];
    if (line[0] == ' ' || line[0] == '\t') {
      /* Folded continuation of the previous header. */
      if (request.headers.empty ())
        return Result::kError;
      request.headers.back ().second += " " + rtsp_trim (line);
      continue;
    }
    size_t colon = line.find (':');
    if (colon == std::string::npos)
      return Result::kError;
    std::string name = rtsp_trim (line.substr (0, colon));
    if (!is_token (name))
      return Result::kError;
    if (request.headers.size () >= kRtspMaxHeaders) {
      error_code = GST_RTSP_STS_REQUEST_ENTITY_TOO_LARGE;
      return Result::kError;
    }
    request.headers.emplace_back (name, rtsp_trim (line.substr (colon + 1)));
  }
  return Result::kRequest;
}

}  // namespace meet
