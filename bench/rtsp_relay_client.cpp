/* Publishers and readers for the relay benchmark (bench/rtsp_relay.py), by hand over RTSP/UDP.
 *
 * Each publisher ANNOUNCEs a JPEG video and an L16 audio stream under one path, SETUPs both with
 * mode=record and RECORDs, then sends a 30 fps frame (FRAME_BYTES cut into 1400-byte RTP packets,
 * marker on the last) and a 10 ms sound packet (960 bytes, 48 kHz mono L16) on time, noting when it
 * sent the first packet of each frame. Each reader SETUPs and PLAYs both streams of one path; one epoll loop
 * counts per reader the frames and the sequence gaps and, for a path fed by a publisher of this
 * process, how long the first packet of each frame took from its send to its arrival (the time it spent in the
 * relay plus two trips over loopback). Publishing and reading in one process puts both ends on one
 * clock.
 *
 * Usage: rtsp_relay_client PUBLISH READ READERS WARMUP_S WINDOW_S FRAME_BYTES
 *   PUBLISH  comma-separated PORT/PATH to publish into, or "-" for none
 *   READ     comma-separated PORT/PATH to read; the i-th is fed by the i-th publisher, if any
 *   READERS  readers of each READ path
 * Prints "window-start" and "window-end" around the counting window (the driver samples the
 * server's CPU time there), then one line:
 *   readers=N frames_min=.. frames_avg=.. lost=.. transit_median_us=.. transit_p90_us=.. samples=..
 */
#include "rtsp_bench_client.h"

#include <sys/epoll.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using meet_bench::header_value;
using meet_bench::request;
using meet_bench::udp_socket;

namespace {

constexpr int kFps = 30;
constexpr size_t kPacketPayload = 1400;
constexpr size_t kAudioPayload = 960;     // 10 ms of 48 kHz mono L16
constexpr int kAudioPeriodMs = 10;

struct Target {
  int port = 0;
  std::string path;
  std::string url () const { return "rtsp://127.0.0.1:" + std::to_string (port) + path; }
};

std::vector<Target>
parse_targets (const std::string & list)
{
  std::vector<Target> targets;
  if (list == "-")
    return targets;
  std::stringstream in (list);
  std::string item;
  while (std::getline (in, item, ',')) {
    size_t slash = item.find ('/');
    if (slash == std::string::npos) {
      fprintf (stderr, "bad target %s (want PORT/PATH)\n", item.c_str ());
      exit (2);
    }
    targets.push_back ({ atoi (item.substr (0, slash).c_str ()), item.substr (slash) });
  }
  return targets;
}

int64_t
now_ns ()
{
  timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t> (ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Publisher {
  Target target;
  int rtsp = -1;
  int socket[2] = { -1, -1 };          // RTP of video, audio (their RTCP sockets stay silent)
  int rtcp[2] = { -1, -1 };
  sockaddr_in server[2] {};
  std::string session;
  uint16_t seq[2] = { 0, 0 };
  uint32_t ssrc[2] = { 0, 0 };
  /* When each video sequence number was last sent (ns), read by the receive loop. */
  std::unique_ptr<std::atomic<int64_t>[]> sent { new std::atomic<int64_t>[65536] () };
};

struct Reader {
  int rtsp = -1;
  int socket[2] = { -1, -1 };
  int rtcp[2] = { -1, -1 };
  std::string session;
  Publisher *source = nullptr;
  long frames = 0;
  long lost = 0;
  int last_seq = -1;
};

const char *kSdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=relay bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n"
    "m=audio 0 RTP/AVP 96\r\na=rtpmap:96 L16/48000/1\r\na=control:stream=1\r\n";

void
publish (Publisher & p)
{
  p.rtsp = meet_bench::rtsp_connect (p.target.port);
  std::string url = p.target.url ();
  request (p.rtsp, "ANNOUNCE " + url + " RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\n"
      "Content-Length: " + std::to_string (strlen (kSdp)) + "\r\n\r\n" + kSdp);
  for (int s = 0; s < 2; s++) {
    int rtp_port, rtcp_port;
    p.socket[s] = udp_socket (rtp_port);
    p.rtcp[s] = udp_socket (rtcp_port);
    std::string head = request (p.rtsp, "SETUP " + url + "/stream=" + std::to_string (s)
        + " RTSP/1.0\r\nCSeq: " + std::to_string (2 + s) + "\r\n"
        + (p.session.empty () ? "" : "Session: " + p.session + "\r\n")
        + "Transport: RTP/AVP;unicast;client_port=" + std::to_string (rtp_port) + "-"
        + std::to_string (rtcp_port) + ";mode=record\r\n\r\n");
    p.session = header_value (head, "Session");
    size_t at = head.find ("server_port=");
    if (at == std::string::npos) {
      fprintf (stderr, "no server_port in the SETUP answer:\n%s\n", head.c_str ());
      exit (1);
    }
    p.server[s].sin_family = AF_INET;
    p.server[s].sin_port = htons (atoi (head.c_str () + at + 12));
    p.server[s].sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    p.ssrc[s] = static_cast<uint32_t> (random ());
  }
  request (p.rtsp, "RECORD " + url + " RTSP/1.0\r\nCSeq: 4\r\nSession: " + p.session + "\r\n\r\n");
}

/* @timed: note the send time of this packet (the first of each frame: later ones of the same frame
 * wait behind it in the sender itself, which is not the relay's doing). */
void
send_packet (Publisher & p, int stream, int pt, bool marker, uint32_t rtptime, size_t payload,
    bool timed)
{
  unsigned char packet[12 + kPacketPayload] = {};
  packet[0] = 0x80;
  packet[1] = static_cast<unsigned char> ((marker ? 0x80 : 0) | pt);
  uint16_t seq = p.seq[stream]++;
  packet[2] = seq >> 8;
  packet[3] = seq & 0xff;
  for (int i = 0; i < 4; i++) {
    packet[4 + i] = static_cast<unsigned char> (rtptime >> (24 - 8 * i));
    packet[8 + i] = static_cast<unsigned char> (p.ssrc[stream] >> (24 - 8 * i));
  }
  p.sent[seq].store (timed ? now_ns () : 0, std::memory_order_relaxed);
  sendto (p.socket[stream], packet, 12 + payload, 0, reinterpret_cast<sockaddr *> (&p.server[stream]),
      sizeof (p.server[stream]));
}

/* Sends every publisher's frames and sound on time until @stop. Publisher i sends its frames i/P of a
 * frame time after publisher 0, as independent cameras would, rather than all in one burst. */
void
send_media (std::vector<Publisher> & publishers, size_t frame_bytes, const std::atomic<bool> & stop)
{
  if (publishers.empty ())
    return;
  const int64_t start = now_ns ();
  const int64_t frame_ns = 1000000000 / kFps, audio_ns = kAudioPeriodMs * 1000000;
  const size_t n = publishers.size ();
  std::vector<uint64_t> frame (n, 0), audio (n, 0);
  size_t packets = std::max<size_t> (1, (frame_bytes + kPacketPayload - 1) / kPacketPayload);
  auto frame_due = [&] (size_t i) {
    return start + static_cast<int64_t> (frame[i]) * frame_ns + frame_ns * static_cast<int64_t> (i) / static_cast<int64_t> (n);
  };
  auto audio_due = [&] (size_t i) {
    return start + static_cast<int64_t> (audio[i]) * audio_ns + audio_ns * static_cast<int64_t> (i) / static_cast<int64_t> (n);
  };
  while (!stop) {
    size_t who = 0;
    bool video = true;
    int64_t next = frame_due (0);
    for (size_t i = 0; i < n; i++) {
      if (frame_due (i) < next) {
        next = frame_due (i);
        who = i;
        video = true;
      }
      if (audio_due (i) < next) {
        next = audio_due (i);
        who = i;
        video = false;
      }
    }
    timespec ts { static_cast<time_t> (next / 1000000000), static_cast<long> (next % 1000000000) };
    clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    Publisher & p = publishers[who];
    if (video) {
      uint32_t rtptime = static_cast<uint32_t> (frame[who] * 90000 / kFps);
      for (size_t k = 0; k < packets; k++)
        send_packet (p, 0, 26, k + 1 == packets, rtptime, kPacketPayload, k == 0);
      frame[who]++;
    } else {
      send_packet (p, 1, 96, false, static_cast<uint32_t> (audio[who] * 480), kAudioPayload, false);
      audio[who]++;
    }
  }
}

void
play (Reader & r, const Target & target)
{
  r.rtsp = meet_bench::rtsp_connect (target.port);
  std::string url = target.url ();
  for (int s = 0; s < 2; s++) {
    int rtp_port, rtcp_port;
    r.socket[s] = udp_socket (rtp_port);
    r.rtcp[s] = udp_socket (rtcp_port);
    std::string head = request (r.rtsp, "SETUP " + url + "/stream=" + std::to_string (s)
        + " RTSP/1.0\r\nCSeq: " + std::to_string (1 + s) + "\r\n"
        + (r.session.empty () ? "" : "Session: " + r.session + "\r\n")
        + "Transport: RTP/AVP;unicast;client_port=" + std::to_string (rtp_port) + "-"
        + std::to_string (rtcp_port) + "\r\n\r\n");
    r.session = header_value (head, "Session");
  }
  request (r.rtsp, "PLAY " + url + " RTSP/1.0\r\nCSeq: 3\r\nSession: " + r.session + "\r\n\r\n");
}

}  // namespace

int
main (int argc, char **argv)
{
  if (argc != 7) {
    fprintf (stderr, "usage: %s PUBLISH READ READERS WARMUP_S WINDOW_S FRAME_BYTES\n", argv[0]);
    return 2;
  }
  std::vector<Target> publish_targets = parse_targets (argv[1]);
  std::vector<Target> read_targets = parse_targets (argv[2]);
  int readers_per_target = atoi (argv[3]);
  double warmup = atof (argv[4]);
  double window = atof (argv[5]);
  size_t frame_bytes = static_cast<size_t> (atol (argv[6]));

  std::vector<Publisher> publishers (publish_targets.size ());
  for (size_t i = 0; i < publishers.size (); i++) {
    publishers[i].target = publish_targets[i];
    publish (publishers[i]);
  }
  std::atomic<bool> stop { false };
  std::thread sender ([&] { send_media (publishers, frame_bytes, stop); });

  int ep = epoll_create1 (0);
  std::vector<Reader> readers (read_targets.size () * readers_per_target);
  for (size_t i = 0; i < readers.size (); i++) {
    size_t t = i / readers_per_target;
    Reader & r = readers[i];
    r.source = t < publishers.size () ? &publishers[t] : nullptr;
    play (r, read_targets[t]);
    for (int s = 0; s < 2; s++) {
      epoll_event ev {};
      ev.events = EPOLLIN;
      ev.data.u64 = (static_cast<uint64_t> (i) << 1) | s;
      epoll_ctl (ep, EPOLL_CTL_ADD, r.socket[s], &ev);
    }
  }

  constexpr int kBatch = 64;
  std::vector<std::vector<char>> bufs (kBatch, std::vector<char> (2048));
  mmsghdr msgs[kBatch];
  iovec iovs[kBatch];
  std::vector<int64_t> transit_ns;
  bool counting = false;
  auto start = std::chrono::steady_clock::now ();
  auto window_start = start;
  for (;;) {
    auto now = std::chrono::steady_clock::now ();
    double elapsed = std::chrono::duration<double> (now - start).count ();
    if (!counting && elapsed >= warmup) {
      counting = true;
      window_start = now;
      printf ("window-start\n");
      fflush (stdout);
    }
    if (counting && std::chrono::duration<double> (now - window_start).count () >= window)
      break;

    epoll_event events[64];
    int ready = epoll_wait (ep, events, 64, 50);
    for (int e = 0; e < ready; e++) {
      Reader & r = readers[events[e].data.u64 >> 1];
      int s = static_cast<int> (events[e].data.u64 & 1);
      for (;;) {
        for (int k = 0; k < kBatch; k++) {
          iovs[k] = { bufs[k].data (), bufs[k].size () };
          memset (&msgs[k], 0, sizeof (msgs[k]));
          msgs[k].msg_hdr.msg_iov = &iovs[k];
          msgs[k].msg_hdr.msg_iovlen = 1;
        }
        int got = recvmmsg (r.socket[s], msgs, kBatch, MSG_DONTWAIT, nullptr);
        if (got <= 0)
          break;
        int64_t arrived = now_ns ();
        if (!counting || s != 0)
          continue;
        for (int k = 0; k < got; k++) {
          const unsigned char *p = reinterpret_cast<unsigned char *> (bufs[k].data ());
          if (msgs[k].msg_len < 12)
            continue;
          int seq = (p[2] << 8) | p[3];
          if (r.last_seq >= 0)
            r.lost += (seq - r.last_seq - 1) & 0xffff;
          r.last_seq = seq;
          if (p[1] & 0x80)
            r.frames++;
          if (r.source) {
            int64_t sent = r.source->sent[seq].load (std::memory_order_relaxed);
            if (sent > 0 && arrived >= sent)
              transit_ns.push_back (arrived - sent);
          }
        }
      }
    }
  }
  printf ("window-end\n");
  fflush (stdout);
  stop = true;
  sender.join ();

  long fmin = readers.empty () ? 0 : readers[0].frames, ftotal = 0, lost = 0;
  for (const Reader & r : readers) {
    fmin = std::min (fmin, r.frames);
    ftotal += r.frames;
    lost += r.lost;
  }
  double median = -1, p90 = -1;
  if (!transit_ns.empty ()) {
    std::sort (transit_ns.begin (), transit_ns.end ());
    median = transit_ns[transit_ns.size () / 2] / 1000.0;
    p90 = transit_ns[transit_ns.size () * 9 / 10] / 1000.0;
  }
  printf ("readers=%zu frames_min=%ld frames_avg=%.1f lost=%ld transit_median_us=%.0f "
      "transit_p90_us=%.0f samples=%zu\n", readers.size (), fmin,
      readers.empty () ? 0.0 : static_cast<double> (ftotal) / readers.size (), lost, median, p90,
      transit_ns.size ());

  for (Reader & r : readers) {
    close (r.rtsp);
    for (int s = 0; s < 2; s++) {
      close (r.socket[s]);
      close (r.rtcp[s]);
    }
  }
  for (Publisher & p : publishers) {
    std::string teardown = "TEARDOWN " + p.target.url () + " RTSP/1.0\r\nCSeq: 5\r\nSession: "
        + p.session + "\r\n\r\n";
    if (write (p.rtsp, teardown.data (), teardown.size ()) < 0)
      perror ("write");
    close (p.rtsp);
    for (int s = 0; s < 2; s++) {
      close (p.socket[s]);
      close (p.rtcp[s]);
    }
  }
  return 0;
}
