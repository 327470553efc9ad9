/* meetstream: the participants publishing into meetrtspsink. See participants.h. */
#include "participants.h"
#include "srtpreceiver.h"

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>
#include <gst/sdp/sdp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace meet {

bool
participant_name_valid (const std::string & name)
{
  if (name.empty () || name.size () > 64 || name == "." || name == "..")
    return false;
  for (unsigned char c : name) {
    if (!g_ascii_isalnum (c) && c != '.' && c != '_' && c != '-')
      return false;
  }
  return true;
}

namespace {

bool
format_ok (const GstSDPMedia * media, const char *format)
{
  char *end = nullptr;
  long pt = strtol (format, &end, 10);
  if (!*format || *end || pt < 0 || pt > 127)
    return false;
  if (pt < 96)
    return true;
  /* Dynamic payload types mean nothing without their rtpmap. */
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, i);
    if (a->key && a->value && strcmp (a->key, "rtpmap") == 0 && strtol (a->value, &end, 10) == pt
        && end != a->value && (*end == ' ' || *end == '\t'))
      return true;
  }
  return false;
}

}  // namespace

AnnouncedSdp
parse_announced_sdp (const std::string & body, size_t max_streams,
    const std::string & local_host, const std::string & name)
{
  AnnouncedSdp result;
  GstSDPMessage *sdp = nullptr;
  gst_sdp_message_new (&sdp);
  if (body.empty () || gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (body.data ()),
          body.size (), sdp) != GST_SDP_OK || gst_sdp_message_medias_len (sdp) == 0) {
    gst_sdp_message_free (sdp);
    result.error = GST_RTSP_STS_BAD_REQUEST;
    return result;
  }
  if (gst_sdp_message_medias_len (sdp) > max_streams) {
    gst_sdp_message_free (sdp);
    result.error = GST_RTSP_STS_NOT_ENOUGH_BANDWIDTH;
    return result;
  }

  const char *addrtype = local_host.find (':') != std::string::npos ? "IP6" : "IP4";
  GstSDPMessage *out = nullptr;
  gst_sdp_message_new (&out);
  gst_sdp_message_set_version (out, "0");
  std::string sess_id = std::to_string (g_get_real_time () / 1000000);
  gst_sdp_message_set_origin (out, "-", sess_id.c_str (), "1", "IN", addrtype,
      local_host.empty () ? "127.0.0.1" : local_host.c_str ());
  gst_sdp_message_set_session_name (out, name.c_str ());
  gst_sdp_message_set_information (out, ("participant " + name + " relayed by meetrtspsink").c_str ());
  gst_sdp_message_set_connection (out, "IN", addrtype, addrtype[2] == '6' ? "::" : "0.0.0.0", 0,
      0);
  gst_sdp_message_add_time (out, "0", "0", nullptr);
  gst_sdp_message_add_attribute (out, "tool", "meetstream");
  gst_sdp_message_add_attribute (out, "control", "*");
  gst_sdp_message_add_attribute (out, "range", "npt=now-");

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp) && !result.error; i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    const char *proto = gst_sdp_media_get_proto (media);
    const bool savp = proto && strncmp (proto, "RTP/SAVP", 8) == 0;
    if (!gst_sdp_media_get_media (media) || !proto || (strncmp (proto, "RTP/AVP", 7) != 0 && !savp)
        || gst_sdp_media_formats_len (media) == 0) {
      result.error = GST_RTSP_STS_BAD_REQUEST;
      break;
    }
    for (guint f = 0; f < gst_sdp_media_formats_len (media); f++) {
      if (!format_ok (media, gst_sdp_media_get_format (media, f)))
        result.error = GST_RTSP_STS_BAD_REQUEST;
    }
    if (result.error)
      break;
    MikeyKeys keys;
    std::string key_error;
    switch (announced_stream_key (sdp, media, &keys, &key_error)) {
      case AnnouncedKey::kKeyed:
        result.keys.emplace_back (std::move (keys));
        break;
      case AnnouncedKey::kNone:
        result.keys.emplace_back ();
        break;
      case AnnouncedKey::kBad:
        result.error = GST_RTSP_STS_BAD_REQUEST;
        result.error_text = "stream " + std::to_string (i) + ": unusable a=key-mgmt: " + key_error;
        break;
    }
    if (result.error)
      break;
    const char *control = gst_sdp_media_get_attribute_val (media, "control");
    result.controls.push_back (control ? control : "");

    GstSDPMedia *copy = nullptr;
    gst_sdp_media_copy (media, &copy);
    for (guint a = gst_sdp_media_attributes_len (copy); a > 0; a--) {
      const GstSDPAttribute *attr = gst_sdp_media_get_attribute (copy, a - 1);
      /* The publisher's key is for the server alone: readers get the media in clear (or
       * under keys of the server's own). */
      if (attr->key && (strcmp (attr->key, "control") == 0 || strcmp (attr->key, "key-mgmt") == 0
              || strcmp (attr->key, "crypto") == 0))
        gst_sdp_media_remove_attribute (copy, a - 1);
    }
    while (gst_sdp_media_connections_len (copy) > 0)
      gst_sdp_media_remove_connection (copy, 0);
    gst_sdp_media_set_port_info (copy, 0, 1);
    gst_sdp_media_set_proto (copy, "RTP/AVP");
    gst_sdp_media_add_attribute (copy, "control", ("stream=" + std::to_string (i)).c_str ());
    gst_sdp_message_add_media (out, copy);
    gst_sdp_media_free (copy);
  }
  if (!result.error) {
    gchar *text = gst_sdp_message_as_text (out);
    result.reader_sdp = text;
    g_free (text);
  } else {
    result.controls.clear ();
    result.keys.clear ();
  }
  gst_sdp_message_free (out);
  gst_sdp_message_free (sdp);
  return result;
}

Participant *
ParticipantRegistry::find (const std::string & name)
{
  for (Participant & p : participants_) {
    if (p.name == name)
      return &p;
  }
  return nullptr;
}

const Participant *
ParticipantRegistry::find (const std::string & name) const
{
  return const_cast<ParticipantRegistry *> (this)->find (name);
}

Participant *
ParticipantRegistry::find_by_session (const std::string & session_id)
{
  for (Participant & p : participants_) {
    if (!session_id.empty () && p.session_id == session_id)
      return &p;
  }
  return nullptr;
}

Participant &
ParticipantRegistry::add (Participant participant)
{
  remove (participant.name);
  participant.recording = false;
  participants_.push_back (std::move (participant));
  return participants_.back ();
}

void
ParticipantRegistry::remove (const std::string & name)
{
  auto it = std::find_if (participants_.begin (), participants_.end (),
      [&](const Participant & p) { return p.name == name; });
  if (it == participants_.end ())
    return;
  if (it->recording)
    roster_version_++;
  participants_.erase (it);
}

void
ParticipantRegistry::start_recording (Participant & participant)
{
  if (participant.recording)
    return;
  participant.recording = true;
  participant.joined = next_join_++;
  roster_version_++;
}

std::vector<std::string>
ParticipantRegistry::roster () const
{
  std::vector<const Participant *> live;
  for (const Participant & p : participants_) {
    if (p.recording)
      live.push_back (&p);
  }
  std::sort (live.begin (), live.end (), [](const Participant * a, const Participant * b) {
        return a->joined < b->joined;
      });
  std::vector<std::string> names;
  for (const Participant *p : live)
    names.push_back (p->name);
  return names;
}

std::string
ParticipantRegistry::roster_parameters () const
{
  std::string body = "participants: ";
  std::vector<std::string> names = roster ();
  for (size_t i = 0; i < names.size (); i++)
    body += (i ? "," : "") + names[i];
  return body + "\r\n";
}

std::vector<std::string>
ParticipantRegistry::names () const
{
  std::vector<std::string> names;
  for (const Participant & p : participants_)
    names.push_back (p.name);
  return names;
}

int
ParticipantRegistry::stream_of_control (const Participant & participant, const std::string & rest)
{
  for (size_t i = 0; i < participant.controls.size (); i++) {
    const std::string & control = participant.controls[i];
    if (control.empty ())
      continue;
    /* An absolute control URL ends in the same path as the request. */
    size_t scheme = control.find ("://");
    std::string tail = control;
    if (scheme != std::string::npos) {
      size_t slash = control.find ('/', scheme + 3);
      tail = slash == std::string::npos ? std::string () : control.substr (slash);
      if (tail.size () >= rest.size () + 1
          && tail.compare (tail.size () - rest.size (), rest.size (), rest) == 0
          && tail[tail.size () - rest.size () - 1] == '/')
        return static_cast<int> (i);
      continue;
    }
    if (tail == rest)
      return static_cast<int> (i);
  }
  /* A stream without a control of its own: stream=N by its position. */
  if (rest.compare (0, 7, "stream=") == 0 && rest.size () > 7 && rest.size () <= 10
      && rest.find_first_not_of ("0123456789", 7) == std::string::npos) {
    size_t index = std::stoul (rest.substr (7));
    if (index < participant.controls.size () && participant.controls[index].empty ())
      return static_cast<int> (index);
  }
  if (rest.empty () && participant.controls.size () == 1)
    return 0;
  return -1;
}

}  // namespace meet
