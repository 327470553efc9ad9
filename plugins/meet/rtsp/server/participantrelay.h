/* meetstream: forwards what participants publish into meetrtspsink to whoever reads them.
 *
 * Per published stream one UDP socket pair (the server_port of the publisher's and of the
 * readers' SETUP): RTP and RTCP from the publisher come in on it and go out of it to every
 * reader as they arrive, never decoded, through the element's GSO/sendmmsg fan-out
 * (udpfanoutsink); RTCP sender reports are forwarded as they are (same SSRC, same NTP/RTP
 * mapping) so readers keep lip sync. Multicast readers share the stream's group from the
 * server's pool: one destination, each packet sent to it once. Packets from anywhere but the
 * publisher's address and the ports its SETUP named are dropped and counted. Runs on meetrtspsink's server thread.
 *
 * SRTP (issue 11), when enabled: each stream is encrypted once as it comes in, by an
 * SrtpPacketEncoder of its own (one key per stream, given to secure readers in the DESCRIBE SDP),
 * and RTP/SAVP readers - unicast UDP, interleaved in TLS, or the stream's SRTP multicast group -
 * all get those same bytes from a second fan-out on the same sockets; plain readers get the
 * packets as they came. While enabled every packet is encrypted, read or not, so the SRTP
 * packet index (and the rollover counter a late reader is told) never skips ahead.
 */
#pragma once

#include "rtspserverlogic.h"
#include "srtppacketencoder.h"

#include <gio/gio.h>
#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace meet {

class ParticipantRelay {
public:
  /* Sends one interleaved frame ('$' channel len data) on an RTSP connection. */
  using SendInterleaved = std::function<void (uint64_t connection_id, uint8_t channel,
      const uint8_t * data, size_t size)>;

  ParticipantRelay (GMainContext * context, std::string address, SendInterleaved send);
  ~ParticipantRelay ();
  ParticipantRelay (const ParticipantRelay &) = delete;
  ParticipantRelay & operator= (const ParticipantRelay &) = delete;

  /* SRTP for the participants opened from now on (encryption optional or required). */
  void set_srtp_enabled (bool enabled) { srtp_enabled_ = enabled; }
  bool open (const std::string & name, size_t streams);
  std::vector<RtspServerLogic::StreamInfo> streams (const std::string & name) const;
  /* Stream @stream of @name comes as SRTP under the publisher's @keys (srtpreceiver.h): each
   * packet is decrypted before it is relayed, those that fail are dropped and counted. False
   * without srtpdec. */
  bool set_srtp (const std::string & name, size_t stream, const MikeyKeys & keys);
  void record (const RtspSession & publisher);
  void add_reader (const RtspSession & reader);
  void remove_reader (const RtspSession & reader);
  /* RTCP BYE of every SSRC the publisher used to its readers, then nothing more. */
  void close (const std::string & name);
  void close_all ();
  /* An interleaved frame from connection @connection_id; true when it was a publisher's. */
  bool interleaved (uint64_t connection_id, uint8_t channel, const uint8_t * data, size_t size);
  /* Sessions that showed life (publisher packets, reader RTCP) since the last call. */
  std::vector<std::string> take_active_sessions ();

  uint64_t dropped_packets () const { return dropped_; }
  /* Of those, SRTP packets from the publisher's own address and port that failed
   * authentication or were replays (srtpdec dropped them). */
  uint64_t srtp_rejected_packets () const { return srtp_rejected_; }
  uint64_t forwarded_packets () const { return forwarded_; }
  uint64_t bytes_sent () const { return bytes_sent_; }
  /* What publishers sent that was accepted (RTP and RTCP), whether anyone reads it or not. */
  uint64_t bytes_received () const { return bytes_received_; }
  size_t size () const { return participants_.size (); }

private:
  struct Reader;
  struct Stream;
  struct Participant;
  static gboolean on_readable (GSocket * socket, GIOCondition condition, gpointer user_data);
  void receive (Participant & p, Stream & s, bool rtcp);
  static void note_rtp (Stream & s, const uint8_t * data);
  void forward (Participant & p, Stream & s, bool rtcp, GstBuffer * const * packets, size_t n);
  /* Sends @n packets (plain, or the SRTP ones) to the readers of that kind. */
  size_t send_to (Stream & s, bool rtcp, bool srtp, GstBuffer * const * packets, size_t n);
  void free_participant (Participant & p);
  /* Multicast from @s leaves with @ttl hops by the interface of the server's address. */
  void prepare_multicast (Stream & s, unsigned ttl);

  GMainContext *context_;
  std::string address_;
  SendInterleaved send_;
  bool srtp_enabled_ = false;
  std::map<std::string, std::unique_ptr<Participant>> participants_;
  std::vector<std::string> active_;
  std::atomic<uint64_t> dropped_ { 0 };
  std::atomic<uint64_t> srtp_rejected_ { 0 };
  /* A packet of @s that is SRTP: its clear form (transfer full), or NULL (dropped, counted). */
  GstBuffer *decrypt (Participant & p, Stream & s, const uint8_t * data, size_t size, bool rtcp);
  std::atomic<uint64_t> forwarded_ { 0 };
  std::atomic<uint64_t> bytes_sent_ { 0 };
  std::atomic<uint64_t> bytes_received_ { 0 };
};

}  // namespace meet
