/* meetstream: the text rules RTSP and SDP share (rtsptext.h). */
#include "rtsptext.h"

#include <glib.h>

namespace meet {

std::string
rtsp_trim (const std::string & s)
{
  size_t begin = s.find_first_not_of (" \t\r\n");
  if (begin == std::string::npos)
    return std::string ();
  size_t end = s.find_last_not_of (" \t\r\n");
  return s.substr (begin, end - begin + 1);
}

bool
rtsp_iequals (const std::string & a, const std::string & b)
{
  return a.size () == b.size () && g_ascii_strncasecmp (a.c_str (), b.c_str (), a.size ()) == 0;
}

bool
rtsp_parse_uint (const std::string & s, size_t max_digits, unsigned long & value)
{
  if (s.empty () || s.size () > max_digits)
    return false;
  value = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

}  // namespace meet
