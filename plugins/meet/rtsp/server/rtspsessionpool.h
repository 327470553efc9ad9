/* meetstream: the RTSP sessions of meetrtspsink's server (gst-rtsp-server's session and session pool).
 *
 * A session is one client's presentation, read (PLAY) or published (RECORD), bound to the connection
 * that made it, with one transport per stream. RtspSessionPool holds them, makes their IDs (128 random
 * bits from the kernel's CSPRNG), keeps them alive on any sign of life and finds those that timed out.
 * Plain C++, unit-tested without sockets.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace meet {

enum class RtspSessionState { kReady, kPlaying, kRecording };

/* The server's multicast group of a stream, as given to a multicast reader. */
struct MulticastDestination {
  std::string address;
  int rtp_port = 0;
  int rtcp_port = 0;
  unsigned ttl = 1;
};

struct RtspStreamTransport {
  bool configured = false;
  bool tcp = false;
  bool multicast = false;      // UDP to the stream's group (the server's pool), not to the client
  bool srtp = false;           // RTP/SAVP: the stream's SRTP bytes (srtpsender.h), keys by MIKEY
  int client_rtp_port = 0;     // UDP unicast
  int client_rtcp_port = 0;
  int rtp_channel = 0;         // TCP interleaved
  int rtcp_channel = 1;
  MulticastDestination group;  // multicast
};

struct RtspSession {
  std::string id;
  uint64_t connection_id = 0;
  std::string user;
  std::string client_host;
  /* The participant this session reads (PATH/NAME) or publishes; empty: the element's pads. */
  std::string name;
  bool publisher = false;
  RtspSessionState state = RtspSessionState::kReady;
  std::vector<RtspStreamTransport> streams;
  int64_t last_activity_us = 0;
};

class RtspSessionPool {
public:
  explicit RtspSessionPool (unsigned timeout_s = 60) : timeout_s_ (timeout_s) {}

  /* A new session of connection @connection_id with a fresh random ID. */
  RtspSession & create (uint64_t connection_id, const std::string & client_host,
      const std::string & user, const std::string & name, bool publisher, int64_t now_us);
  RtspSession *find (const std::string & id);
  const RtspSession *find (const std::string & id) const;
  /* The session @id only when connection @connection_id made it: someone else's ID is as good as
   * none. */
  RtspSession *find_for (const std::string & id, uint64_t connection_id);
  void remove (std::string id);
  /* Removes every session @pred holds for, each handed to @removed (before it goes). */
  void remove_if (const std::function<bool (const RtspSession &)> & pred,
      const std::function<void (const RtspSession &)> & removed);

  /* Signs of life: a request, interleaved data of the connection, an RTCP packet from a UDP
   * client (@port its RTP or RTCP port; 0: any port of @host, for multicast readers whose
   * reports come from ports they never named), packets of a publisher. */
  void touch (const std::string & id, int64_t now_us);
  void touch_connection (uint64_t connection_id, int64_t now_us);
  void touch_rtcp (unsigned stream, const std::string & host, int port, int64_t now_us);
  bool timed_out (const RtspSession & session, int64_t now_us) const;

  bool connection_has_session (uint64_t connection_id) const;
  /* Whether interleaved channels @a or @b are in use by a stream of connection @connection_id
   * other than stream @stream of @self. */
  bool channels_taken (uint64_t connection_id, const RtspSession * self, size_t stream, int a,
      int b) const;

  unsigned playing () const;
  size_t size () const { return sessions_.size (); }
  unsigned timeout_s () const { return timeout_s_; }
  const std::map<std::string, RtspSession> & all () const { return sessions_; }

private:
  unsigned timeout_s_;
  std::map<std::string, RtspSession> sessions_;
};

/* Session IDs and nonces: @bytes random bytes from the kernel's CSPRNG (getrandom(2)), as hex. */
std::string rtsp_random_hex (size_t bytes);

}  // namespace meet
