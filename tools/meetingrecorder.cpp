/* meetstream: recording a meeting into one Matroska file (see meetingrecorder.h). */
#include "meetingrecorder.h"

#include "remoteparticipant.h"

#include <glib/gstdio.h>

namespace meet {

MeetingRecorder::MeetingRecorder (const std::string & path)
  : path_ (path)
{
}

MeetingRecorder::~MeetingRecorder ()
{
  if (folder_.empty () || g_getenv ("MEET_KEEP_RECORDING_PARTS"))
    return;
  for (auto &p : ended_)
    g_unlink (p.file.c_str ());
  for (auto &p : active_)
    g_unlink (p.second.file.c_str ());
  g_rmdir (folder_.c_str ());
}

bool
MeetingRecorder::start (GstBin * pipeline, std::string * error)
{
  pipeline_ = pipeline;
  GError *err = nullptr;
  gchar *dir = g_dir_make_tmp ("meetcli-record-XXXXXX", &err);
  if (dir == nullptr) {
    *error = std::string ("cannot make a temporary folder for the recording: ") + err->message;
    g_error_free (err);
    return false;
  }
  folder_ = dir;
  g_free (dir);
  /* Fail early when FILE cannot be written, not after the meeting. */
  FILE *f = g_fopen (path_.c_str (), "wb");
  if (f == nullptr) {
    *error = "cannot write " + path_;
    return false;
  }
  fclose (f);
  return true;
}

void
MeetingRecorder::add (const std::string & name, RemoteParticipant * remote)
{
  Part part;
  part.name = name;
  part.file = folder_ + "/" + std::to_string (++count_) + "-" + name + ".mkv";
  std::string d = "matroskamux name=mux ! filesink name=file async=false location=\"" + part.file + "\" "
      "queue name=vq max-size-time=0 max-size-bytes=0 max-size-buffers=0 ! mux.video_0 "
      "queue name=aq max-size-time=0 max-size-bytes=0 max-size-buffers=0 ! mux.audio_0";
  GError *err = nullptr;
  part.bin = gst_parse_bin_from_description (d.c_str (), FALSE, &err);
  if (part.bin == nullptr) {
    g_printerr ("meetcli: cannot record %s: %s\n", name.c_str (), err ? err->message : "?");
    g_clear_error (&err);
    return;
  }
  gst_object_ref_sink (part.bin);
  for (const char *kind : {"video", "audio"}) {
    GstElement *q = gst_bin_get_by_name (GST_BIN (part.bin), g_str_equal (kind, "video") ? "vq" : "aq");
    GstPad *qpad = gst_element_get_static_pad (q, "sink");
    GstPad *ghost = gst_ghost_pad_new (kind, qpad);
    struct Seen { std::shared_ptr<std::atomic<int>> streams; int bit; };
    gst_pad_add_probe (ghost, GST_PAD_PROBE_TYPE_BUFFER, [](GstPad *, GstPadProbeInfo *, gpointer data) {
          auto *seen = static_cast<Seen *> (data);
          *seen->streams |= seen->bit;
          return GST_PAD_PROBE_REMOVE;
        }, new Seen { part.streams, g_str_equal (kind, "video") ? 1 : 2 },
        [](gpointer data) { delete static_cast<Seen *> (data); });
    gst_element_add_pad (part.bin, ghost);
    gst_object_unref (qpad);
    gst_object_unref (q);
  }
  gst_bin_add (pipeline_, part.bin);
  for (const char *kind : {"video", "audio"}) {
    GstPad *src = remote->record_pad (kind);
    GstPad *sink = gst_element_get_static_pad (part.bin, kind);
    gst_pad_link (src, sink);
    gst_object_unref (src);
    gst_object_unref (sink);
  }
  gst_element_sync_state_with_parent (part.bin);
  active_[name] = part;
}

void
MeetingRecorder::end_part (Part & part, RemoteParticipant * remote)
{
  for (const char *kind : {"video", "audio"}) {
    GstPad *sink = gst_element_get_static_pad (part.bin, kind);
    if (remote) {
      GstPad *src = remote->record_pad (kind);
      gst_pad_unlink (src, sink);
      gst_object_unref (src);
    }
    gst_pad_send_event (sink, gst_event_new_eos ());
    gst_object_unref (sink);
  }
}

void
MeetingRecorder::remove (const std::string & name, RemoteParticipant * remote)
{
  auto it = active_.find (name);
  if (it == active_.end ())
    return;
  end_part (it->second, remote);
  ended_.push_back (it->second);
  active_.erase (it);
}

void
MeetingRecorder::stop ()
{
  for (auto &entry : active_) {
    end_part (entry.second, nullptr);
    ended_.push_back (entry.second);
  }
  active_.clear ();
}

void
MeetingRecorder::finalize (GstBin *)
{
  stop ();
  /* Each muxer writes its index and header on EOS, on its own thread; give them a moment. */
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (auto &part : ended_) {
    while (g_get_monotonic_time () < deadline) {
      GstElement *file = gst_bin_get_by_name (GST_BIN (part.bin), "file");
      GstPad *pad = gst_element_get_static_pad (file, "sink");
      GstEvent *eos = gst_pad_get_sticky_event (pad, GST_EVENT_EOS, 0);
      gst_object_unref (pad);
      gst_object_unref (file);
      if (eos) {
        gst_event_unref (eos);
        break;
      }
      g_main_context_iteration (nullptr, FALSE);
      g_usleep (10000);
    }
  }
  for (auto &part : ended_) {
    gst_element_set_state (part.bin, GST_STATE_NULL);
    gst_bin_remove (pipeline_, part.bin);
    gst_object_unref (part.bin);
    part.bin = nullptr;
  }
}

bool
MeetingRecorder::write_file ()
{
  std::string d;
  int streams = 0;
  for (size_t i = 0; i < ended_.size (); i++) {
    GStatBuf st;
    if (g_stat (ended_[i].file.c_str (), &st) != 0 || st.st_size < 1024)
      continue;                 /* nothing was received from them */
    int present = *ended_[i].streams;
    if (present == 0)
      continue;
    std::string demux = "d" + std::to_string (i), n = std::to_string (i);
    /* Each track is named after its participant (Matroska's track name, from the title tag). */
    std::string title = "taginject tags=\"title=" + ended_[i].name + "\" ! ";
    d += "filesrc location=\"" + ended_[i].file + "\" ! matroskademux name=" + demux + " ";
    if (present & 1)
      d += demux + ".video_0 ! queue ! " + title + "mux.video_" + n + " ";
    if (present & 2)
      d += demux + ".audio_0 ! queue ! " + title + "mux.audio_" + n + " ";
    streams += (present & 1) + (present >> 1);
  }
  if (streams == 0) {
    g_print ("meetcli: nothing to record: %s is empty\n", path_.c_str ());
    return true;
  }
  d += "matroskamux name=mux ! filesink location=\"" + path_ + "\"";
  GError *err = nullptr;
  GstElement *remux = gst_parse_launch (d.c_str (), &err);
  if (remux == nullptr) {
    g_printerr ("meetcli: cannot write %s: %s\n", path_.c_str (), err ? err->message : "?");
    g_clear_error (&err);
    return false;
  }
  gst_element_set_state (remux, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (remux);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      static_cast<GstMessageType> (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  bool ok = msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  if (!ok) {
    GError *e = nullptr;
    if (msg)
      gst_message_parse_error (msg, &e, nullptr);
    g_printerr ("meetcli: cannot write %s: %s\n", path_.c_str (), e ? e->message : "timed out");
    g_clear_error (&e);
  } else {
    g_print ("meetcli: recorded %d track%s of %zu participant stay%s to %s\n", streams, streams == 1 ? "" : "s",
        ended_.size (), ended_.size () == 1 ? "" : "s", path_.c_str ());
  }
  if (msg)
    gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (remux, GST_STATE_NULL);
  gst_object_unref (remux);
  return ok;
}

}  // namespace meet
