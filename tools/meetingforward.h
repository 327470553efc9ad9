/* meetstream: meetsrv --forward, the meeting published into other RTSP servers (a relay that fans it out
 * further: MediaMTX, Wowza, gst-rtsp-server in RECORD mode, a second meetrtspsink with allow-publish).
 *
 * Per --forward URL:
 *   the host's RTP (the tees vtee/atee) ! queue ! meetrtspclientsink location=URL
 *   and with --forward-all, per participant NAME of the roster (the host's own entry too, so that a relay
 *   that only takes PATH/NAME, such as meetrtspsink, holds the whole meeting):
 *   meetrtspsrc location=rtsp://127.0.0.1:PORT/PATH/NAME ! meetrtspclientsink location=URL/NAME
 * Packets are forwarded as they are, never decoded. A forward that fails (the relay refuses it) is reported
 * in one line and dropped without ending the meeting; one whose relay goes away reconnects (retry). */
#pragma once

#include <gst/gst.h>

#include <map>
#include <string>
#include <vector>

namespace meet {

/* "rtsp://user:secret@host/p" -> "rtsp://user@host/p": URLs as they may be printed. */
std::string url_without_password (const std::string & url);

/* URL and NAME -> URL/NAME, keeping a query or trailing slash out of the way. */
std::string forward_url_for (const std::string & url, const std::string & name);

class MeetingForwards {
public:
  /* @local_url reads the meeting's participants back (rtsp://127.0.0.1:PORT/PATH, or rtsps:// pinned to
   * @local_fingerprint in a secure meeting), with @user/@password when the meeting has them. */
  MeetingForwards (GstElement * pipeline, std::string local_url, std::string user, std::string password,
      bool forward_all, std::string local_fingerprint = "");
  ~MeetingForwards ();
  MeetingForwards (const MeetingForwards &) = delete;
  MeetingForwards & operator= (const MeetingForwards &) = delete;

  /* Links the host's streams to a publisher into @url; call before the pipeline plays. False with
   * @error set when the pipeline has no tees of the host's own (--no-camera) or an element is missing. */
  bool add_host_forward (const std::string & url, GError ** error);
  /* The URLs participants are forwarded to (--forward-all); the host's forward need not exist. */
  void add_participant_target (const std::string & url);

  /* The roster changed (main context): starts and stops the participants' forwards. */
  void on_roster (const std::vector<std::string> & names);
  /* An error from inside a forward: reported, that forward dropped; true when @message was one. */
  bool handle_error (GstMessage * message);
  /* One status line per forward target. */
  void print_status () const;

private:
  struct Forward {
    std::string url;
    GstElement *element = nullptr;     /* the host's publisher, or a participant's relay bin */
  };
  void remove_forward (Forward & forward);

  GstElement *pipeline_;
  std::string local_url_, user_, password_, local_fingerprint_;
  bool forward_all_;
  std::vector<Forward> host_forwards_;
  std::vector<std::string> participant_targets_;
  std::map<std::string, std::vector<Forward>> participant_forwards_;   /* by NAME */
  std::vector<std::string> roster_;
  guint retry_source_ = 0;
  int next_id_ = 0;
};

}  // namespace meet
