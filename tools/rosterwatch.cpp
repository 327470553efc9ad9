/* meetstream: the roster client (see rosterwatch.h). */
#include "rosterwatch.h"

#include "rtsptlsclient.h"

#include <gst/rtsp/rtsp.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace meet {

struct RosterWatch::State {
  std::string url, user, password, fingerprint;
  std::function<void (const std::vector<std::string> &)> on_change;
  std::function<void (const std::string &)> on_refused;
  std::atomic<bool> stop{false};
  std::atomic<bool> alive{true};
  std::atomic<int64_t> last_answer{0};      /* false once the owner is gone: pending callbacks do nothing */
  std::mutex lock;
  bool have_last = false;
  std::vector<std::string> last;
  std::thread thread;
};

namespace {

struct Update {
  std::shared_ptr<RosterWatch::State> state;
  std::vector<std::string> names;
};

void
deliver (const std::shared_ptr<RosterWatch::State> & state, const std::vector<std::string> & names)
{
  state->last_answer = g_get_monotonic_time ();
  {
    std::lock_guard<std::mutex> guard (state->lock);
    if (state->have_last && state->last == names)
      return;
    state->have_last = true;
    state->last = names;
  }
  auto *update = new Update { state, names };
  g_main_context_invoke_full (nullptr, G_PRIORITY_DEFAULT, [](gpointer data) -> gboolean {
        auto *u = static_cast<Update *> (data);
        if (u->state->alive && u->state->on_change)
          u->state->on_change (u->names);
        return G_SOURCE_REMOVE;
      }, update, [](gpointer data) { delete static_cast<Update *> (data); });
}

/* Retrying cannot help: said once to the owner, and the watch ends. */
void
refuse (const std::shared_ptr<RosterWatch::State> & state, const std::string & reason)
{
  auto *update = new std::pair<std::shared_ptr<RosterWatch::State>, std::string> (state, reason);
  g_main_context_invoke_full (nullptr, G_PRIORITY_DEFAULT, [](gpointer data) -> gboolean {
        auto *u = static_cast<std::pair<std::shared_ptr<RosterWatch::State>, std::string> *> (data);
        if (u->first->alive && u->first->on_refused)
          u->first->on_refused (u->second);
        return G_SOURCE_REMOVE;
      }, update, [](gpointer data) {
        delete static_cast<std::pair<std::shared_ptr<RosterWatch::State>, std::string> *> (data);
      });
}

std::string
body_of (GstRTSPMessage * message)
{
  guint8 *data = nullptr;
  guint size = 0;
  if (gst_rtsp_message_get_body (message, &data, &size) != GST_RTSP_OK || data == nullptr)
    return "";
  return std::string (reinterpret_cast<const char *> (data), size);
}

/* Takes a Digest (or Basic) challenge into the connection, which then answers every request with it. */
bool
take_challenge (GstRTSPConnection * conn, GstRTSPMessage * response, const std::string & user,
    const std::string & password)
{
  if (user.empty ())
    return false;
  GstRTSPAuthCredential **credentials = gst_rtsp_message_parse_auth_credentials (response,
      GST_RTSP_HDR_WWW_AUTHENTICATE);
  bool ok = false;
  for (GstRTSPAuthCredential ** c = credentials; c && *c && !ok; c++) {
    if ((*c)->scheme == GST_RTSP_AUTH_DIGEST) {
      gst_rtsp_connection_clear_auth_params (conn);
      for (GstRTSPAuthParam ** p = (*c)->params; p && *p; p++)
        gst_rtsp_connection_set_auth_param (conn, (*p)->name, (*p)->value);
      ok = gst_rtsp_connection_set_auth (conn, GST_RTSP_AUTH_DIGEST, user.c_str (), password.c_str ()) ==
          GST_RTSP_OK;
    }
  }
  for (GstRTSPAuthCredential ** c = credentials; c && *c && !ok; c++) {
    if ((*c)->scheme == GST_RTSP_AUTH_BASIC)
      ok = gst_rtsp_connection_set_auth (conn, GST_RTSP_AUTH_BASIC, user.c_str (), password.c_str ()) ==
          GST_RTSP_OK;
  }
  if (credentials)
    gst_rtsp_auth_credentials_free (credentials);
  return ok;
}

bool
send_get (GstRTSPConnection * conn, const std::string & url, int cseq)
{
  GstRTSPMessage *request = nullptr;
  gst_rtsp_message_new_request (&request, GST_RTSP_GET_PARAMETER, url.c_str ());
  gst_rtsp_message_add_header (request, GST_RTSP_HDR_CSEQ, std::to_string (cseq).c_str ());
  gst_rtsp_message_add_header (request, GST_RTSP_HDR_CONTENT_TYPE, "text/parameters");
  const char body[] = "participants\r\n";
  gst_rtsp_message_set_body (request, reinterpret_cast<const guint8 *> (body), sizeof body - 1);
  GstRTSPResult result = gst_rtsp_connection_send_usec (conn, request, 2 * G_USEC_PER_SEC);
  gst_rtsp_message_free (request);
  return result == GST_RTSP_OK;
}

void
run (std::shared_ptr<RosterWatch::State> state)
{
  RtspTlsConfig tls = rtsp_tls_config (state->url, "", state->fingerprint);
  std::string check_error;
  if (!rtsp_tls_config_check (tls, check_error)) {
    refuse (state, check_error);
    return;
  }
  int cseq = 1;
  bool refused_for_good = false;
  while (!state->stop && !refused_for_good) {
    std::string reason;
    bool refused = false;
    GstRTSPConnection *conn = rtsp_client_connect (state->url, tls, 2 * G_USEC_PER_SEC, reason, &refused);
    if (conn == nullptr && refused) {
      refuse (state, reason);
      break;
    }
    if (conn) {
      bool ok = send_get (conn, state->url, cseq++);
      bool retried_auth = false;
      gint64 last_get = g_get_monotonic_time ();
      while (ok && !state->stop) {
        GstRTSPMessage message = { };
        gst_rtsp_message_init (&message);
        GstRTSPResult result = gst_rtsp_connection_receive_usec (conn, &message, 250000);
        if (result == GST_RTSP_ETIMEOUT) {
          gst_rtsp_message_unset (&message);
        } else if (result != GST_RTSP_OK) {
          gst_rtsp_message_unset (&message);
          break;
        } else if (message.type == GST_RTSP_MESSAGE_RESPONSE) {
          GstRTSPStatusCode code = GST_RTSP_STS_OK;
          gst_rtsp_message_parse_response (&message, &code, nullptr, nullptr);
          std::vector<std::string> names;
          if (code == GST_RTSP_STS_OK && RosterWatch::parse (body_of (&message), &names))
            deliver (state, names);
          else if (code == GST_RTSP_STS_UNAUTHORIZED && !retried_auth && !state->user.empty ()) {
            retried_auth = true;
            ok = take_challenge (conn, &message, state->user, state->password) &&
                send_get (conn, state->url, cseq++);
          } else if (code == GST_RTSP_STS_UNAUTHORIZED) {
            /* Our answer to the challenge was refused, or we have none to give. */
            refuse (state, state->user.empty () ?
                "the meeting needs a passcode (401 Unauthorized)" :
                "the server refused the passcode (401 Unauthorized): wrong passcode or user name");
            refused_for_good = true;
            ok = false;
          } else if (code == GST_RTSP_STS_FORBIDDEN) {
            /* An encryption=required server answers plain RTSP 403. */
            refuse (state, "the server refused the request (403 Forbidden)" + std::string (
                    g_str_has_prefix (state->url.c_str (), "rtsp://") ?
                    ": it may require rtsps:// (use the meeting's join line)" : ""));
            refused_for_good = true;
            ok = false;
          }
          gst_rtsp_message_unset (&message);
        } else if (message.type == GST_RTSP_MESSAGE_REQUEST) {
          GstRTSPMethod method;
          gst_rtsp_message_parse_request (&message, &method, nullptr, nullptr);
          std::vector<std::string> names;
          if (method == GST_RTSP_SET_PARAMETER && RosterWatch::parse (body_of (&message), &names))
            deliver (state, names);
          /* The server ignores answers to its pushes; answering keeps the exchange well-formed. */
          gchar *seq = nullptr;
          gst_rtsp_message_get_header (&message, GST_RTSP_HDR_CSEQ, &seq, 0);
          GstRTSPMessage *reply = nullptr;
          gst_rtsp_message_new_response (&reply, GST_RTSP_STS_OK, nullptr, nullptr);
          if (seq)
            gst_rtsp_message_add_header (reply, GST_RTSP_HDR_CSEQ, seq);
          gst_rtsp_message_unset (&message);
          ok = gst_rtsp_connection_send_usec (conn, reply, G_USEC_PER_SEC) == GST_RTSP_OK;
          gst_rtsp_message_free (reply);
        } else {
          gst_rtsp_message_unset (&message);
        }
        gint64 now = g_get_monotonic_time ();
        if (ok && now - last_get >= G_USEC_PER_SEC) {
          last_get = now;
          ok = send_get (conn, state->url, cseq++);
        }
      }
    }
    if (conn) {
      gst_rtsp_connection_close (conn);
      gst_rtsp_connection_free (conn);
    }
    for (int i = 0; i < 5 && !state->stop && !refused_for_good; i++)
      g_usleep (100000);
  }
}

}  // namespace

RosterWatch::RosterWatch (const std::string & url, const std::string & user, const std::string & password,
    std::function<void (const std::vector<std::string> &)> on_change)
  : RosterWatch (url, user, password, std::move (on_change), "", nullptr)
{
}

RosterWatch::RosterWatch (const std::string & url, const std::string & user, const std::string & password,
    std::function<void (const std::vector<std::string> &)> on_change, const std::string & tls_fingerprint,
    std::function<void (const std::string &)> on_refused)
  : state_ (std::make_shared<State> ())
{
  state_->url = url;
  state_->user = user;
  state_->password = password;
  state_->fingerprint = tls_fingerprint;
  state_->on_change = std::move (on_change);
  state_->on_refused = std::move (on_refused);
  state_->thread = std::thread (run, state_);
}

RosterWatch::~RosterWatch ()
{
  state_->alive = false;
  state_->stop = true;
  if (state_->thread.joinable ())
    state_->thread.join ();
}

int64_t
RosterWatch::last_answer_time () const
{
  return state_->last_answer;
}

bool
RosterWatch::parse (const std::string & body, std::vector<std::string> * names)
{
  names->clear ();
  size_t start = 0;
  while (start <= body.size ()) {
    size_t end = body.find ('\n', start);
    std::string line = body.substr (start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty () && line.back () == '\r')
      line.pop_back ();
    const std::string key = "participants:";
    if (line.compare (0, key.size (), key) == 0) {
      std::string list = line.substr (key.size ());
      size_t p = 0;
      while (p <= list.size ()) {
        size_t comma = list.find (',', p);
        std::string name = list.substr (p, comma == std::string::npos ? std::string::npos : comma - p);
        size_t a = name.find_first_not_of (" \t"), b = name.find_last_not_of (" \t");
        if (a != std::string::npos)
          names->push_back (name.substr (a, b - a + 1));
        if (comma == std::string::npos)
          break;
        p = comma + 1;
      }
      return true;
    }
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return false;
}

}  // namespace meet
