/* meetstream: what meetrtspsink's server serves (gst-rtsp-server's media): the element's own streams
 * (one RtspStream per request pad, PATH) and the participants of its relay (PATH/NAME), as the
 * RtspServerLogic::Media the request handling drives: PLAY adds a session's destinations to its
 * streams, PAUSE and TEARDOWN remove them, and multicast readers share the one group per stream (of
 * the pads or of a participant) the server's pool (multicastpool) hands out, so a packet is sent once
 * to the group whatever their number. The streams vector is shared with the element (pads come and go); the rest runs on the
 * server thread.
 */
#pragma once

#include "multicastpool.h"
#include "participantrelay.h"
#include "rtspserverlogic.h"
#include "rtspstream.h"

#include <gio/gio.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace meet {

class RtspServerIO;

class RtspMedia : public RtspServerLogic::Media {
public:
  RtspMedia ();
  ~RtspMedia () override;

  /* The element's streams, in pad request order (= stream index in the SDP). */
  void add_stream (std::unique_ptr<RtspStream> stream);
  /* Takes @stream out (the caller tears its elements down). */
  std::unique_ptr<RtspStream> remove_stream (RtspStream * stream);
  std::vector<RtspStream *> streams_snapshot ();
  RtspStream *find_stream (GstPad * ghost);
  /* A free pad index (@wanted < 0: the next one); -1 when @wanted is taken. */
  int claim_index (int wanted);

  /* While the server runs: where TCP clients' connections and the relay are; @pool the multicast
   * groups (none: no multicast), their receiver reports read on @context. */
  void attach (RtspServerIO * io, ParticipantRelay * relay, std::optional<MulticastPool> pool,
      GMainContext * context, const std::string & address);
  /* Server thread, when it stops: every destination and group goes. */
  void detach ();
  /* Server thread, twice a second: receiver reports seen keep their sessions alive. */
  void collect_rtcp (RtspServerLogic & logic, int64_t now_us);

  std::atomic<uint64_t> bytes_sent { 0 };
  /* Bytes of RTP/RTCP taken from publishers (the relay's), for the element's bytes-received. */
  std::atomic<uint64_t> bytes_received { 0 };
  std::atomic<unsigned> publishers { 0 };
  std::atomic<uint64_t> dropped_packets { 0 };
  /* The relay's bytes since the last call, into bytes_sent (server thread). */
  void count_relay_bytes ();

  /* RtspServerLogic::Media */
  std::vector<RtspServerLogic::StreamInfo> streams () override;
  void session_play (const RtspSession & session) override;
  void session_pause (const RtspSession & session) override;
  void session_teardown (const RtspSession & session) override;
  std::vector<RtspServerLogic::StreamInfo> participant_streams (const std::string & name)
      override;
  bool participant_open (const std::string & name, size_t streams) override;
  bool participant_srtp (const std::string & name, size_t stream, const MikeyKeys & keys) override;
  void participant_record (const RtspSession & publisher) override;
  void participant_close (const std::string & name) override;
  bool multicast_acquire (const std::string & name, unsigned stream, bool srtp,
      MulticastDestination & group) override;
  void multicast_release (const std::string & name, unsigned stream, bool srtp) override;

private:
  struct Group;
  void remove_destinations (const RtspSession & session);
  /* @srtp: the SRTP group of the stream, apart from its plain one. */
  static std::string group_key (const std::string & name, unsigned stream, bool srtp);
  static gboolean on_group_rtcp (GSocket * socket, GIOCondition condition, gpointer group);

  std::mutex lock_;      // streams_
  std::vector<std::unique_ptr<RtspStream>> streams_;

  /* Server thread. */
  RtspServerIO *io_ = nullptr;
  ParticipantRelay *relay_ = nullptr;
  uint64_t relay_bytes_counted_ = 0;
  uint64_t relay_bytes_received_counted_ = 0;
  std::optional<MulticastPool> pool_;
  GMainContext *context_ = nullptr;
  std::string address_;      // the server's: multicast leaves and is heard by its interface
  /* By pool key: "stream=N" (the pads'), "NAME/stream=N" (participants'), with ";srtp" for
   * the SRTP groups. */
  std::map<std::string, std::unique_ptr<Group>> groups_;
};

}  // namespace meet
