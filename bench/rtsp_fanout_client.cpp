/* Light RTSP/UDP clients for the fan-out benchmark: N clients SETUP and PLAY stream 0 of an
 * RTSP server by hand, then one thread counts, per client, the RTP packets, the frames (packets
 * with the marker bit) and the sequence gaps, using recvmmsg over epoll. No decoding.
 *
 * Usage: rtsp_fanout_client PORT PATH N WARMUP_S WINDOW_S
 * Prints "window-start" when counting begins and "window-end" when it ends (the driver samples
 * the server's CPU time at those two lines), then one line of results:
 *   clients=N frames_min=.. frames_avg=.. frames_max=.. lost=.. bytes=..
 */
#include "rtsp_bench_client.h"

#include <sys/epoll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using meet_bench::header_value;
using meet_bench::request;
using meet_bench::udp_socket;

namespace {

struct Client {
  int rtsp = -1;
  int rtp = -1;
  int rtcp = -1;
  int rtp_port = 0;
  std::string session;
  long packets = 0;
  long frames = 0;
  long lost = 0;
  long bytes = 0;
  int last_seq = -1;
};

}  // namespace

int
main (int argc, char **argv)
{
  if (argc != 6) {
    fprintf (stderr, "usage: %s PORT PATH N WARMUP_S WINDOW_S\n", argv[0]);
    return 2;
  }
  int port = atoi (argv[1]);
  std::string url = std::string ("rtsp://127.0.0.1:") + argv[1] + argv[2];
  int n = atoi (argv[3]);
  double warmup = atof (argv[4]);
  double window = atof (argv[5]);

  int ep = epoll_create1 (0);
  std::vector<Client> clients (n);
  for (int i = 0; i < n; i++) {
    Client & c = clients[i];
    int rtcp_port;
    c.rtp = udp_socket (c.rtp_port);
    c.rtcp = udp_socket (rtcp_port);
    c.rtsp = meet_bench::rtsp_connect (port);
    std::string head = request (c.rtsp, "SETUP " + url + "/stream=0 RTSP/1.0\r\nCSeq: 1\r\n"
        "Transport: RTP/AVP;unicast;client_port=" + std::to_string (c.rtp_port) + "-"
        + std::to_string (rtcp_port) + "\r\n\r\n");
    c.session = header_value (head, "Session");
    request (c.rtsp, "PLAY " + url + " RTSP/1.0\r\nCSeq: 2\r\nSession: " + c.session
        + "\r\n\r\n");
    epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.u32 = i;
    epoll_ctl (ep, EPOLL_CTL_ADD, c.rtp, &ev);
  }

  constexpr int kBatch = 64;
  std::vector<std::vector<char>> bufs (kBatch, std::vector<char> (2048));
  mmsghdr msgs[kBatch];
  iovec iovs[kBatch];
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
      Client & c = clients[events[e].data.u32];
      for (;;) {
        for (int k = 0; k < kBatch; k++) {
          iovs[k] = { bufs[k].data (), bufs[k].size () };
          memset (&msgs[k], 0, sizeof (msgs[k]));
          msgs[k].msg_hdr.msg_iov = &iovs[k];
          msgs[k].msg_hdr.msg_iovlen = 1;
        }
        int got = recvmmsg (c.rtp, msgs, kBatch, MSG_DONTWAIT, nullptr);
        if (got <= 0)
          break;
        if (!counting)
          continue;
        for (int k = 0; k < got; k++) {
          const unsigned char *p = reinterpret_cast<unsigned char *> (bufs[k].data ());
          if (msgs[k].msg_len < 12)
            continue;
          int seq = (p[2] << 8) | p[3];
          if (c.last_seq >= 0)
            c.lost += (seq - c.last_seq - 1) & 0xffff;
          c.last_seq = seq;
          c.packets++;
          c.bytes += msgs[k].msg_len;
          if (p[1] & 0x80)
            c.frames++;
        }
      }
    }
  }
  printf ("window-end\n");
  fflush (stdout);

  long fmin = clients[0].frames, fmax = 0, ftotal = 0, lost = 0, bytes = 0;
  for (const Client & c : clients) {
    fmin = std::min (fmin, c.frames);
    fmax = std::max (fmax, c.frames);
    ftotal += c.frames;
    lost += c.lost;
    bytes += c.bytes;
  }
  printf ("clients=%d frames_min=%ld frames_avg=%.1f frames_max=%ld lost=%ld bytes=%ld\n", n,
      fmin, static_cast<double> (ftotal) / n, fmax, lost, bytes);
  for (Client & c : clients) {
    std::string teardown = "TEARDOWN " + url + " RTSP/1.0\r\nCSeq: 3\r\nSession: " + c.session
        + "\r\n\r\n";
    if (write (c.rtsp, teardown.data (), teardown.size ()) < 0)
      perror ("write");
    close (c.rtsp);
    close (c.rtp);
    close (c.rtcp);
  }
  return 0;
}
