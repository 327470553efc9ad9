/* meetstream: meetsrv --forward (meetingforward.h says what goes where). */
#include "meetingforward.h"

#include <algorithm>
#include <atomic>

namespace meet {

namespace {

/* Retries of a forward whose relay goes away: a relay restart, however long, is waited out. */
constexpr int kForwardRetries = 1000000;

void
set_credentials (GstElement * element, const std::string & user, const std::string & password)
{
  if (!user.empty ())
    g_object_set (element, "user", user.c_str (), "password", password.c_str (), nullptr);
}

/* meetrtspclientsink waits for caps on every requested pad before it ANNOUNCEs, so it is requested only
 * once the participant's every stream has its pad (no-more-pads): the relay then announces them all. */
struct ParticipantRelay {
  GstElement *bin;
  std::string target;
  std::vector<GstPad *> pads;
  std::atomic<GstElement *> publisher { nullptr };   /* set on the streaming thread, read for status */
};

void
on_pad_added (GstElement *, GstPad * pad, gpointer data)
{
  auto *relay = static_cast<ParticipantRelay *> (data);
  relay->pads.push_back (GST_PAD (gst_object_ref (pad)));
}

void
on_no_more_pads (GstElement *, gpointer data)
{
  auto *relay = static_cast<ParticipantRelay *> (data);
  GstElement *publisher = gst_element_factory_make ("meetrtspclientsink", nullptr);
  g_object_set (publisher, "location", relay->target.c_str (), "retry", kForwardRetries, nullptr);
  gst_bin_add (GST_BIN (relay->bin), publisher);
  std::vector<GstPad *> sinks;
  for (size_t i = 0; i < relay->pads.size (); i++)
    sinks.push_back (gst_element_request_pad_simple (publisher, "sink_%u"));
  /* Linked only once the publisher's pads are active: a packet pushed into a pad still flushing gets
   * FLUSHING back, and rtpbin's jitter buffer then stops that stream for good (the forward waited for
   * its caps forever). */
  gst_element_sync_state_with_parent (publisher);
  for (size_t i = 0; i < relay->pads.size (); i++) {
    if (gst_pad_link (relay->pads[i], sinks[i]) != GST_PAD_LINK_OK)
      GST_WARNING_OBJECT (relay->bin, "cannot link %s to the forward", GST_PAD_NAME (relay->pads[i]));
    gst_object_unref (sinks[i]);
    gst_object_unref (relay->pads[i]);
  }
  relay->pads.clear ();
  relay->publisher = publisher;
}

void
free_relay (gpointer data)
{
  auto *relay = static_cast<ParticipantRelay *> (data);
  for (GstPad *pad : relay->pads)
    gst_object_unref (pad);
  delete relay;
}

}  // namespace

std::string
url_without_password (const std::string & url)
{
  size_t scheme = url.find ("://");
  if (scheme == std::string::npos)
    return url;
  size_t start = scheme + 3;
  size_t at = url.find ('@', start);
  size_t slash = url.find ('/', start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash))
    return url;
  size_t colon = url.find (':', start);
  if (colon == std::string::npos || colon > at)
    return url;
  return url.substr (0, colon) + url.substr (at);
}

std::string
forward_url_for (const std::string & url, const std::string & name)
{
  std::string base = url;
  while (!base.empty () && base.back () == '/')
    base.pop_back ();
  return base + "/" + name;
}

MeetingForwards::MeetingForwards (GstElement * pipeline, std::string local_url, std::string user,
    std::string password, bool forward_all, std::string local_fingerprint)
  : pipeline_ (pipeline), local_url_ (std::move (local_url)), user_ (std::move (user)),
    password_ (std::move (password)), local_fingerprint_ (std::move (local_fingerprint)),
    forward_all_ (forward_all)
{
}

MeetingForwards::~MeetingForwards ()
{
  if (retry_source_)
    g_source_remove (retry_source_);
  for (auto &entry : participant_forwards_)
    for (auto &forward : entry.second)
      remove_forward (forward);
}

bool
MeetingForwards::add_host_forward (const std::string & url, GError ** error)
{
  GstElement *tees[2] = { gst_bin_get_by_name (GST_BIN (pipeline_), "vtee"),
    gst_bin_get_by_name (GST_BIN (pipeline_), "atee") };
  if (tees[0] == nullptr || tees[1] == nullptr) {
    g_clear_object (&tees[0]);
    g_clear_object (&tees[1]);
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "--forward %s: the host has no media of its "
        "own to forward (--no-camera); add --forward-all to forward the participants",
        url_without_password (url).c_str ());
    return false;
  }
  gchar *name = g_strdup_printf ("forward%d", next_id_++);
  GstElement *publisher = gst_element_factory_make ("meetrtspclientsink", name);
  g_free (name);
  g_object_set (publisher, "location", url.c_str (), "retry", kForwardRetries, nullptr);
  gst_bin_add (GST_BIN (pipeline_), publisher);
  for (GstElement *tee : tees) {
    /* A relay that is slow or gone must not hold the meeting back: the queue drops its oldest instead. */
    GstElement *queue = gst_element_factory_make ("queue", nullptr);
    g_object_set (queue, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time", G_GUINT64_CONSTANT (200000000),
        "leaky", 2, nullptr);
    gst_bin_add (GST_BIN (pipeline_), queue);
    gst_element_link (tee, queue);
    GstPad *src = gst_element_get_static_pad (queue, "src");
    GstPad *sink = gst_element_request_pad_simple (publisher, "sink_%u");
    gst_pad_link (src, sink);
    gst_object_unref (src);
    gst_object_unref (sink);
    gst_object_unref (tee);
  }
  host_forwards_.push_back ({ url, publisher });
  if (std::find (participant_targets_.begin (), participant_targets_.end (), url) == participant_targets_.end () &&
      forward_all_)
    participant_targets_.push_back (url);
  return true;
}

void
MeetingForwards::add_participant_target (const std::string & url)
{
  if (std::find (participant_targets_.begin (), participant_targets_.end (), url) == participant_targets_.end ())
    participant_targets_.push_back (url);
}

void
MeetingForwards::on_roster (const std::vector<std::string> & names)
{
  if (!forward_all_)
    return;
  roster_ = names;
  for (auto it = participant_forwards_.begin (); it != participant_forwards_.end ();) {
    if (std::find (names.begin (), names.end (), it->first) == names.end ()) {
      for (auto &forward : it->second)
        remove_forward (forward);
      it = participant_forwards_.erase (it);
    } else {
      ++it;
    }
  }
  for (const auto &name : names) {
    if (participant_forwards_.count (name))
      continue;
    auto &forwards = participant_forwards_[name];
    for (const auto &target : participant_targets_) {
      gchar *bin_name = g_strdup_printf ("forward%d-%s", next_id_++, name.c_str ());
      GstElement *bin = gst_bin_new (bin_name);
      g_free (bin_name);
      GstElement *source = gst_element_factory_make ("meetrtspsrc", nullptr);
      std::string source_url = local_url_ + "/" + name;
      g_object_set (source, "location", source_url.c_str (), "latency", 0, nullptr);
      set_credentials (source, user_, password_);
      if (!local_fingerprint_.empty ())
        g_object_set (source, "tls-fingerprint", local_fingerprint_.c_str (), nullptr);
      gst_bin_add (GST_BIN (bin), source);
      auto *relay = new ParticipantRelay;
      relay->bin = bin;
      relay->target = forward_url_for (target, name);
      g_signal_connect (source, "pad-added", G_CALLBACK (on_pad_added), relay);
      g_signal_connect (source, "no-more-pads", G_CALLBACK (on_no_more_pads), relay);
      g_object_set_data_full (G_OBJECT (bin), "meet-relay", relay, free_relay);
      gst_bin_add (GST_BIN (pipeline_), bin);
      gst_element_sync_state_with_parent (bin);
      forwards.push_back ({ relay->target, bin });
      g_print ("meetsrv: forwarding %s to %s\n", name.c_str (), url_without_password (relay->target).c_str ());
    }
  }
}

void
MeetingForwards::remove_forward (Forward & forward)
{
  if (forward.element == nullptr)
    return;
  gst_element_set_state (forward.element, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (pipeline_), forward.element);
  forward.element = nullptr;
}

bool
MeetingForwards::handle_error (GstMessage * message)
{
  GstObject *origin = GST_MESSAGE_SRC (message);
  auto owns = [origin](const Forward & forward) {
    return forward.element && (origin == GST_OBJECT (forward.element) ||
        gst_object_has_as_ancestor (origin, GST_OBJECT (forward.element)));
  };
  Forward *failed = nullptr;
  std::string participant;
  for (auto &forward : host_forwards_)
    if (owns (forward))
      failed = &forward;
  for (auto &entry : participant_forwards_)
    for (auto &forward : entry.second)
      if (owns (forward)) {
        failed = &forward;
        participant = entry.first;
      }
  if (failed == nullptr)
    return false;
  GError *error = nullptr;
  gst_message_parse_error (message, &error, nullptr);
  g_printerr ("meetsrv: forward to %s stopped: %s\n", url_without_password (failed->url).c_str (),
      error ? error->message : "unknown error");
  g_clear_error (&error);
  /* Not from inside the bus handler's walk of the pipeline: the element goes on the next idle. */
  GstElement *element = failed->element;
  failed->element = nullptr;
  struct Removal { GstElement *pipeline; GstElement *element; };
  g_idle_add ([](gpointer data) -> gboolean {
        auto *removal = static_cast<Removal *> (data);
        gst_element_set_state (removal->element, GST_STATE_NULL);
        gst_bin_remove (GST_BIN (removal->pipeline), removal->element);
        delete removal;
        return G_SOURCE_REMOVE;
      }, new Removal { pipeline_, element });
  if (!participant.empty () && retry_source_ == 0) {
    /* A participant still in the roster is tried again (it may have been reading a stream that was
     * not ready yet, or the relay refused it for now); one that left is not. */
    for (auto &forward : participant_forwards_[participant])
      remove_forward (forward);
    participant_forwards_.erase (participant);
    retry_source_ = g_timeout_add_seconds (1, [](gpointer data) -> gboolean {
          auto *self = static_cast<MeetingForwards *> (data);
          self->retry_source_ = 0;
          std::vector<std::string> names = self->roster_;
          self->on_roster (names);
          return G_SOURCE_REMOVE;
        }, this);
  } else if (!participant.empty ()) {
    for (auto &forward : participant_forwards_[participant])
      remove_forward (forward);
    participant_forwards_.erase (participant);
  }
  return true;
}

void
MeetingForwards::print_status () const
{
  auto recording = [](GstElement * element) {
    auto *relay = static_cast<ParticipantRelay *> (g_object_get_data (G_OBJECT (element), "meet-relay"));
    GstElement *publisher = relay ? relay->publisher.load () : element;
    gboolean on = FALSE;
    if (publisher)
      g_object_get (publisher, "recording", &on, nullptr);
    return on == TRUE;
  };
  for (const auto &forward : host_forwards_)
    if (forward.element)
      g_print ("meetsrv: forward to %s: %s\n", url_without_password (forward.url).c_str (),
          recording (forward.element) ? "publishing" : "connecting");
  for (const auto &entry : participant_forwards_)
    for (const auto &forward : entry.second)
      if (forward.element)
        g_print ("meetsrv: forward of %s to %s: %s\n", entry.first.c_str (),
            url_without_password (forward.url).c_str (), recording (forward.element) ? "publishing" : "connecting");
}

}  // namespace meet
