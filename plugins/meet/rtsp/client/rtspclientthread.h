/* meetstream: meetrtspsrc's RTSP thread: one GMainContext running an RtspClientSession.
 *
 * Every RTSP exchange and data-path change happens on this thread; the application's threads
 * (state changes, action signals) only post commands to it, so they never wait on the network,
 * except PAUSED->READY, which waits (bounded) for the TEARDOWN. Not a GObject: what the session
 * does to the element goes through its Delegate, which the element owns.
 */
#pragma once

#include "receivestreams.h"
#include "rtspclientsession.h"

#include <glib.h>

#include <cstdint>
#include <memory>

namespace meet {

class RtspClientThread {
public:
  RtspClientThread (RtspClientSession::Delegate &delegate, ReceiveStreams &streams);
  ~RtspClientThread ();
  RtspClientThread (const RtspClientThread &) = delete;
  RtspClientThread &operator= (const RtspClientThread &) = delete;

  /* NULL->READY: the thread and its session start (the streams send RTCP through it). */
  void start ();
  /* READY->NULL (and finalize): the session and the streams closed on the thread, then joined. */
  void stop ();
  /* Between start() and stop(): commands are taken. */
  bool running () const { return context_ != nullptr; }

  /* From any thread: the session goes to @target (Init: TEARDOWN), @config for a fresh session. */
  void post (RtspClientSession::State target, const RtspClientSession::Config &config);
  /* TEARDOWN and wait until the session says it is done (teardown_done) or @wait_ms passed.
   * False on the timeout. */
  bool teardown_and_wait (const RtspClientSession::Config &config, int64_t wait_ms);
  /* From the session (Delegate::torn_down): wakes teardown_and_wait. */
  void teardown_done ();

private:
  static gpointer run (gpointer self);
  static gboolean quit (gpointer self);

  RtspClientSession::Delegate &delegate_;
  ReceiveStreams &streams_;
  GThread *thread_ = nullptr;
  GMainContext *context_ = nullptr;
  GMainLoop *loop_ = nullptr;
  std::unique_ptr<RtspClientSession> session_;     /* used on the thread only */

  /* PAUSED->READY waits for the thread to finish its TEARDOWN. */
  GMutex lock_;
  GCond done_cond_;
  bool teardown_done_ = false;
};

}  // namespace meet
