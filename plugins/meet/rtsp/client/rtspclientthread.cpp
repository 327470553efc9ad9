/* meetstream: meetrtspsrc's RTSP thread. See rtspclientthread.h. */
#include "rtspclientthread.h"

namespace meet {

namespace {

struct Command {
  RtspClientSession *session;
  RtspClientSession::State target;
  RtspClientSession::Config config;
};

}  // namespace

RtspClientThread::RtspClientThread (RtspClientSession::Delegate &delegate, ReceiveStreams &streams)
    : delegate_ (delegate), streams_ (streams)
{
  g_mutex_init (&lock_);
  g_cond_init (&done_cond_);
}

RtspClientThread::~RtspClientThread ()
{
  stop ();
  g_mutex_clear (&lock_);
  g_cond_clear (&done_cond_);
}

gpointer
RtspClientThread::run (gpointer user_data)
{
  auto *self = static_cast<RtspClientThread *> (user_data);
  g_main_context_push_thread_default (self->context_);
  g_main_loop_run (self->loop_);
  g_main_context_pop_thread_default (self->context_);
  return nullptr;
}

gboolean
RtspClientThread::quit (gpointer user_data)
{
  auto *self = static_cast<RtspClientThread *> (user_data);
  self->session_->shutdown ();
  self->streams_.free_all ();
  g_main_loop_quit (self->loop_);
  return G_SOURCE_REMOVE;
}

void
RtspClientThread::start ()
{
  context_ = g_main_context_new ();
  loop_ = g_main_loop_new (context_, FALSE);
  session_ = std::make_unique<RtspClientSession> (context_, delegate_);
  RtspClientSession *session = session_.get ();
  streams_.set_rtcp_sender ([session](uint8_t channel, const uint8_t * data, size_t size) {
        session->send_data (channel, data, size);
      });
  thread_ = g_thread_new ("meetrtspsrc", run, this);
}

void
RtspClientThread::stop ()
{
  if (thread_ == nullptr)
    return;
  g_main_context_invoke (context_, quit, this);
  g_thread_join (thread_);
  thread_ = nullptr;
  streams_.set_rtcp_sender (nullptr);
  session_.reset ();
  g_main_loop_unref (loop_);
  loop_ = nullptr;
  g_main_context_unref (context_);
  context_ = nullptr;
}

void
RtspClientThread::post (RtspClientSession::State target, const RtspClientSession::Config &config)
{
  auto *command = new Command {session_.get (), target, config};
  GSource *source = g_idle_source_new ();
  g_source_set_callback (source, [](gpointer data) -> gboolean {
        auto *c = static_cast<Command *> (data);
        c->session->go (c->target, c->config);
        return G_SOURCE_REMOVE;
      }, command, [](gpointer c) {
        delete static_cast<Command *> (c);
      });
  g_source_attach (source, context_);
  g_source_unref (source);
}

bool
RtspClientThread::teardown_and_wait (const RtspClientSession::Config &config, int64_t wait_ms)
{
  g_mutex_lock (&lock_);
  teardown_done_ = false;
  g_mutex_unlock (&lock_);
  post (RtspClientSession::State::Init, config);
  gint64 deadline = g_get_monotonic_time () + wait_ms * G_TIME_SPAN_MILLISECOND;
  bool done = true;
  g_mutex_lock (&lock_);
  while (!teardown_done_) {
    if (!g_cond_wait_until (&done_cond_, &lock_, deadline)) {
      done = false;
      break;
    }
  }
  g_mutex_unlock (&lock_);
  return done;
}

void
RtspClientThread::teardown_done ()
{
  g_mutex_lock (&lock_);
  teardown_done_ = true;
  g_cond_broadcast (&done_cond_);
  g_mutex_unlock (&lock_);
}

}  // namespace meet
