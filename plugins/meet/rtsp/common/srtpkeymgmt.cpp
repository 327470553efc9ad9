/* meetstream: the RTSP KeyMgmt header. See srtpkeymgmt.h. */
#include "srtpkeymgmt.h"
#include "rtsptext.h"

#include <vector>

namespace meet {

namespace {

std::string
unquote (const std::string & s)
{
  std::string t = rtsp_trim (s);
  if (t.size () >= 2 && t.front () == '"' && t.back () == '"')
    t = t.substr (1, t.size () - 2);
  return rtsp_trim (t);
}

/* Splits on @sep outside double quotes: a URI may hold ';' or ','. */
std::vector<std::string>
split_unquoted (const std::string & s, char sep)
{
  std::vector<std::string> parts (1);
  bool quoted = false;
  for (char c : s) {
    if (c == '"')
      quoted = !quoted;
    if (c == sep && !quoted)
      parts.emplace_back ();
    else
      parts.back () += c;
  }
  return parts;
}

}  // namespace

std::string
keymgmt_header_from_attribute (const std::string & uri, const std::string & keymgmt)
{
  std::string value = rtsp_trim (keymgmt);
  if (value.compare (0, 5, "mikey") != 0 || value.size () <= 5
      || (value[5] != ' ' && value[5] != '\t'))
    return std::string ();
  std::string data = rtsp_trim (value.substr (5));
  if (data.empty () || uri.find ('"') != std::string::npos)
    return std::string ();
  return "prot=mikey; uri=\"" + uri + "\"; data=\"" + data + "\"";
}

bool
keymgmt_header_to_attribute (const std::string & header, std::string * keymgmt,
    std::string * error)
{
  if (header.size () > 16384) {
    *error = "KeyMgmt header of " + std::to_string (header.size ()) + " bytes";
    return false;
  }
  bool mikey_seen = false;
  for (const std::string & entry : split_unquoted (header, ',')) {
    std::string prot, data;
    for (const std::string & param : split_unquoted (entry, ';')) {
      std::string p = rtsp_trim (param);
      size_t eq = p.find ('=');
      if (eq == std::string::npos)
        continue;
      std::string name = rtsp_trim (p.substr (0, eq));
      if (name == "prot")
        prot = unquote (p.substr (eq + 1));
      else if (name == "data")
        data = unquote (p.substr (eq + 1));
    }
    if (prot != "mikey")
      continue;
    mikey_seen = true;
    if (!data.empty ()) {
      *keymgmt = "mikey " + data;
      return true;
    }
  }
  *error = mikey_seen ? "KeyMgmt prot=mikey without data" : "KeyMgmt without prot=mikey";
  return false;
}

}  // namespace meet
