/* meetstream: the participants roster, client side. See roster.h. */
#include "roster.h"
#include "rtsptext.h"

#include <glib.h>

namespace meet {

namespace {

bool
is_text_parameters (const std::string &content_type)
{
  std::string type = rtsp_trim (content_type.substr (0, content_type.find (';')));
  return rtsp_iequals (type, "text/parameters");
}

}  // namespace

std::optional<std::vector<std::string>>
parse_participants (const std::string &body)
{
  size_t pos = 0;
  while (pos < body.size ()) {
    size_t nl = body.find ('\n', pos);
    std::string line = body.substr (pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? body.size () : nl + 1;
    size_t colon = line.find (':');
    if (colon == std::string::npos || !rtsp_iequals (rtsp_trim (line.substr (0, colon)), "participants"))
      continue;
    std::vector<std::string> names;
    std::string value = line.substr (colon + 1);
    size_t start = 0;
    while (start <= value.size () && names.size () < kMaxRosterNames) {
      size_t comma = value.find (',', start);
      std::string name = rtsp_trim (value.substr (start, comma == std::string::npos ?
              std::string::npos : comma - start));
      if (!name.empty () && name.size () <= kMaxRosterNameLength &&
          name.find ('\0') == std::string::npos)
        names.push_back (name);
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
    return names;
  }
  return std::nullopt;
}

std::vector<std::string>
roster_uris (const std::string &aggregate_uri, const std::string &request_uri)
{
  std::vector<std::string> uris;
  auto strip = [](std::string uri) {
    while (!uri.empty () && uri.back () == '/')
      uri.pop_back ();
    return uri;
  };
  std::string own = strip (aggregate_uri.empty () ? request_uri : aggregate_uri);
  if (!own.empty ())
    uris.push_back (own);
  /* rtsp://host:port/PATH/NAME -> rtsp://host:port/PATH (only when PATH is not empty). */
  std::string uri = strip (request_uri);
  size_t scheme = uri.find ("://");
  size_t path = scheme == std::string::npos ? std::string::npos : uri.find ('/', scheme + 3);
  size_t last = uri.rfind ('/');
  if (path != std::string::npos && last != std::string::npos && last > path) {
    std::string parent = uri.substr (0, last);
    if (parent != own)
      uris.push_back (parent);
  }
  return uris;
}

ServerRequestAnswer
answer_server_request (const std::string &method, const std::string &content_type,
    const std::string &body)
{
  ServerRequestAnswer answer;
  std::string text = rtsp_trim (body);
  if (method == "OPTIONS") {
    answer.add_public = true;
    return answer;
  }
  if (method == "SET_PARAMETER" || method == "ANNOUNCE") {
    if (is_text_parameters (content_type))
      answer.participants = parse_participants (body);
    if (answer.participants)
      return answer;
    if (method == "ANNOUNCE") {
      /* A new session description: we keep playing the streams we set up. */
      answer.code = 501;
      return answer;
    }
    /* Parameters we do not know; an empty one is a ping. */
    answer.code = text.empty () ? 200 : 451;
    return answer;
  }
  if (method == "GET_PARAMETER") {
    /* A ping (empty body); we have no parameters to offer. */
    answer.code = text.empty () ? 200 : 451;
    return answer;
  }
  answer.code = 501;    /* REDIRECT, PLAY, ...: not implemented, the session goes on */
  return answer;
}

bool
Roster::update (const std::vector<std::string> &names)
{
  if (names == names_)
    return false;
  names_ = names;
  return true;
}

bool
Roster::clear ()
{
  bool had = !names_.empty ();
  names_.clear ();
  return had;
}

}  // namespace meet
