/* meetstream: RTSP 1.0 (RFC 2326) requests as meetrtspsink receives them, without sockets.
 *
 * RtspRequestParser frames requests (and interleaved RTP/RTCP, and clients' answers to our own
 * requests) out of the raw bytes of one connection, with size caps; RtspResponse is what goes
 * back. Plain C++, unit-tested and fuzzed (fuzz_rtsp_request) without a network.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace meet {

/* Limits on what one client may send; beyond them the request is answered 4xx and the
 * connection closed, so a hostile client cannot make the server buffer without bound. */
constexpr size_t kRtspMaxRequestLine = 4096;
constexpr size_t kRtspMaxHead = 16384;      // request line + headers
constexpr size_t kRtspMaxHeaders = 64;
constexpr size_t kRtspMaxBody = 4096;       // Content-Length

struct RtspRequest {
  std::string method;
  std::string uri;
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /* Value of the first header named @name (case-insensitive), or nullptr. */
  const std::string *header (const std::string & name) const;
};

struct RtspResponse {
  int code = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /* The connection is closed once this response has been sent. */
  bool close_connection = false;

  void add_header (const std::string & name, const std::string & value);
  const std::string *header (const std::string & name) const;
  std::string serialize () const;
};

/* Incremental framer for the bytes a client sends on its RTSP connection: requests, and
 * RTP/RTCP frames interleaved with them ('$', channel, 16-bit length, data). */
class RtspRequestParser {
public:
  enum class Result {
    kNeedMore,      // nothing complete yet
    kRequest,       // @request filled
    kInterleaved,   // one interleaved frame consumed (@channel set, interleaved_data ())
    kResponse,      // a client's answer to a request of ours (SET_PARAMETER): skipped
    kError,         // @error_code set; the connection must be answered and closed
  };

  void feed (const uint8_t * data, size_t size);
  Result next (RtspRequest & request, int & error_code, uint8_t & channel);
  /* Bytes received but not yet framed (a half-sent request). */
  size_t pending () const { return buffer_.size () - consumed_; }
  /* The payload of the last kInterleaved frame, valid until the next feed (). */
  const uint8_t *interleaved_data () const {
    return reinterpret_cast<const uint8_t *> (buffer_.data ()) + interleaved_offset_;
  }
  size_t interleaved_size () const { return interleaved_size_; }

private:
  Result parse_head (size_t head_end, size_t body_start, RtspRequest & request, int & error_code);
  void compact ();

  std::string buffer_;
  size_t consumed_ = 0;
  size_t scanned_ = 0;          // bytes of the pending head already searched for its end
  bool saw_line_end_ = false;   // the pending head has a complete request line
  bool failed_ = false;
  bool head_is_response_ = false;
  size_t interleaved_offset_ = 0;
  size_t interleaved_size_ = 0;
};

}  // namespace meet
