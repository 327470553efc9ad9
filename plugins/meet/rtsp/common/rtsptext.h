/* meetstream: the text rules RTSP and SDP share (RFC 2326 headers, RFC 4566 attributes), used by
 * the server's request parser, the client's response parser, the roster and the KeyMgmt header. */
#pragma once

#include <cstddef>
#include <string>

namespace meet {

/* @s without leading and trailing spaces, tabs, CRs and LFs. */
std::string rtsp_trim (const std::string & s);

/* ASCII case-insensitive equality: header names, methods, parameters and tokens. */
bool rtsp_iequals (const std::string & a, const std::string & b);

/* @s as a non-negative decimal of at most @max_digits digits (no sign, no blanks): CSeq,
 * Content-Length, ports and the like. False, @value undefined, for anything else. */
bool rtsp_parse_uint (const std::string & s, size_t max_digits, unsigned long & value);

}  // namespace meet
