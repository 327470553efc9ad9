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

}  // namespace meet
