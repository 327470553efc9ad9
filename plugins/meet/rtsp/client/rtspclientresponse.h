/* meetstream: an RTSP response as meet::RtspClientLogic reads it, and its parser.
 *
 * Plain C++ (no GObject, no sockets): the status, headers and body of one RTSP/1.0 response from
 * raw bytes (the fuzz target feeds it anything), or filled in from a GstRTSPMessage
 * (rtspmessages.h). Bounded: a hostile server cannot make it hold more than a body of 1 MiB.
 */
#ifndef MEET_RTSP_CLIENT_RESPONSE_H
#define MEET_RTSP_CLIENT_RESPONSE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace meet {

/* One RTSP response as received: status, headers in arrival order, body. */
struct RtspClientResponse {
  int code = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /* The index-th value of header @name (case-insensitive), or nullptr. */
  const std::string *header (const std::string &name, size_t index = 0) const;
};

/* Parses one RTSP/1.0 response (status line, headers, body of Content-Length
 * bytes) from raw bytes. Returns false with a reason in @error when the bytes
 * are not a complete, well-formed response. */
bool parse_rtsp_response (const uint8_t *data, size_t size, RtspClientResponse &out,
    std::string &error);

/* 2xx. */
inline bool
rtsp_status_is_success (int code)
{
  return code >= 200 && code < 300;
}

/* "404 Not Found": the status as the error messages quote it. */
std::string rtsp_status_text (const RtspClientResponse &response);

}  // namespace meet

#endif /* MEET_RTSP_CLIENT_RESPONSE_H */
