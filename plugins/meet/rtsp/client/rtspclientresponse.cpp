/* meetstream: RTSP responses for the client. See rtspclientresponse.h. */
#include "rtspclientresponse.h"
#include "rtsptext.h"

#include <algorithm>

#include <glib.h>

namespace meet {

namespace {

/* Large enough for any SDP we expect; bounds what a hostile server can make us hold. */
constexpr size_t kMaxBodySize = 1 << 20;
constexpr size_t kMaxHeaderLines = 256;

}  // namespace

std::string
rtsp_status_text (const RtspClientResponse &response)
{
  return std::to_string (response.code) + " " + response.reason;
}

const std::string *
RtspClientResponse::header (const std::string &name, size_t index) const
{
  for (const auto &h : headers) {
    if (rtsp_iequals (h.first, name)) {
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
      lines.back () += " " + rtsp_trim (line);       /* folded header line */
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
  out.reason = status.size () > sp + 5 ? rtsp_trim (status.substr (sp + 5)) : "";

  for (size_t i = 1; i < lines.size (); i++) {
    if (lines[i].empty ())
      continue;
    size_t colon = lines[i].find (':');
    if (colon == std::string::npos || colon == 0) {
      error = "header line without a name: '" + lines[i].substr (0, 40) + "'";
      return false;
    }
    out.headers.emplace_back (rtsp_trim (lines[i].substr (0, colon)),
        rtsp_trim (lines[i].substr (colon + 1)));
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

}  // namespace meet
