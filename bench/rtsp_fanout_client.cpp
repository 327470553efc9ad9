/* Light RTSP/UDP clients for the fan-out benchmark: N clients SETUP and PLAY stream 0 of an
 * RTSP server by hand, then one thread counts, per client, the RTP packets, the frames (packets
 * with the marker bit) and the sequence gaps, using recvmmsg over epoll. No decoding.
 *
 * Usage: rtsp_fanout_client PORT PATH N WARMUP_S WINDOW_S [HOST [unicast|multicast]]
 * Prints "window-start" when counting begins and "window-end" when it ends (the driver samples
 * the server's CPU time at those two lines), then one line of results:
 *   clients=N frames_min=.. frames_avg=.. frames_max=.. lost=.. bytes=.. frames=F1,F2,..,FN
 * HOST (default 127.0.0.1) is the server's address; away from loopback the RTP sockets listen on
 * every interface (the benchmarks run it inside a test namespace, bench/multicast_fanout.py).
 * WARMUP_S given as @EPOCH (seconds since 1970, CLOCK_REALTIME) starts counting at that instant,
 * so that clients in several namespaces count over one window.
 * multicast: SETUP asks for RTP/AVP;multicast; every client joins the group the server answers
 * with (on the interface of its RTSP connection) on a socket of its own, as separate viewers do.
 * multicast-nojoin: the same sessions, but the group is never joined (frames stay 0).
 *
 * Or: rtsp_fanout_client --fds=FD1,FD2,... WARMUP_S WINDOW_S
 * counts on RTP sockets a driver set up and passed down (one per client; no RTSP here), e.g. the
 * SRTP sessions bench/srtp_fanout.py makes over TLS: the SRTP header is clear, so marker bits and
 * sequence numbers count as they do for RTP.
 */
#include "rtsp_bench_client.h"

#include <netdb.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <time.h>

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

/* A TCP connection to @host:@port (rtsp_bench_client.h's connects to loopback only). */
int
connect_to (const std::string & host, int port)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  if (inet_pton (AF_INET, host.c_str (), &addr.sin_addr) != 1
      || connect (fd, reinterpret_cast<sockaddr *> (&addr), sizeof (addr)) < 0) {
    perror ("connect");
    exit (1);
  }
  return fd;
}

/* A non-blocking UDP socket with a large receive buffer bound to @group:@port (@port 0: any free
 * one, returned in @port); @reuse lets several viewers' sockets share a multicast port. */
int
udp_bind (uint32_t group, int &port, bool reuse)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int size = 8 * 1024 * 1024;
  if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof (size)) < 0)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof (size));
  int one = 1;
  if (reuse)
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
  sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  addr.sin_addr.s_addr = group;
  if (bind (fd, reinterpret_cast<sockaddr *> (&addr), sizeof (addr)) < 0) {
    perror ("bind");
    exit (1);
  }
  socklen_t len = sizeof (addr);
  getsockname (fd, reinterpret_cast<sockaddr *> (&addr), &len);
  port = ntohs (addr.sin_port);
  return fd;
}

/* The whole value of header @name (header_value stops at the first ';'). */
std::string
full_header (const std::string & head, const char *name)
{
  std::string key = std::string ("\r\n") + name + ":";
  size_t pos = head.find (key);
  if (pos == std::string::npos)
    return std::string ();
  pos += key.size ();
  while (head[pos] == ' ')
    pos++;
  return head.substr (pos, head.find ('\r', pos) - pos);
}

/* Parameter @key= of a Transport header, up to the next ';' or ','. */
std::string
transport_param (const std::string & transport, const std::string & key)
{
  size_t pos = transport.find (";" + key + "=");
  if (pos == std::string::npos)
    return std::string ();
  pos += key.size () + 2;
  return transport.substr (pos, transport.find_first_of (";,", pos) - pos);
}

double
realtime_now ()
{
  timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

}  // namespace

int
main (int argc, char **argv)
{
  std::vector<int> given_fds;
  if (argc == 4 && strncmp (argv[1], "--fds=", 6) == 0) {
    for (const char *p = argv[1] + 6; *p;) {
      char *end;
      long fd = strtol (p, &end, 10);
      if (end == p)
        return 2;
      given_fds.push_back (static_cast<int> (fd));
      p = *end == ',' ? end + 1 : end;
    }
  }
  if (!given_fds.empty ()) {
    /* Shift to the usual layout: PORT PATH N WARMUP WINDOW (PORT and PATH unused). */
    static std::string n_text = std::to_string (given_fds.size ());
    static char *shifted[6] = { argv[0], const_cast<char *> ("0"), const_cast<char *> ("/"),
      n_text.data (), argv[2], argv[3] };
    argv = shifted;
    argc = 6;
  }
  if (argc < 6 || argc > 8) {
    fprintf (stderr, "usage: %s PORT PATH N WARMUP_S|@EPOCH WINDOW_S [HOST [unicast|multicast]]\n",
        argv[0]);
    return 2;
  }
  int port = atoi (argv[1]);
  std::string host = argc > 6 ? argv[6] : "127.0.0.1";
  std::string mode = argc > 7 ? argv[7] : "unicast";
  /* multicast-nojoin: SETUP and PLAY for the group but never join it (nothing is delivered): what the
   * server spends on its own, without the viewers' kernels (which on veth run in its softirq). */
  bool multicast = mode == "multicast" || mode == "multicast-nojoin";
  bool join = mode == "multicast";
  bool loopback = host == "127.0.0.1";
  std::string url = "rtsp://" + host + ":" + argv[1] + argv[2];
  int n = atoi (argv[3]);
  double warmup = argv[4][0] == '@' ? -1.0 : atof (argv[4]);
  double start_at = argv[4][0] == '@' ? atof (argv[4] + 1) : 0.0;
  double window = atof (argv[5]);

  int ep = epoll_create1 (0);
  std::vector<Client> clients (n);
  for (int i = 0; i < n; i++) {
    Client & c = clients[i];
    if (!given_fds.empty ()) {
      c.rtp = given_fds[i];
      fcntl (c.rtp, F_SETFL, fcntl (c.rtp, F_GETFL) | O_NONBLOCK);
      epoll_event ev {};
      ev.events = EPOLLIN;
      ev.data.u32 = i;
      epoll_ctl (ep, EPOLL_CTL_ADD, c.rtp, &ev);
      continue;
    }
    c.rtsp = loopback ? meet_bench::rtsp_connect (port) : connect_to (host, port);
    std::string head;
    if (multicast) {
      head = request (c.rtsp, "SETUP " + url + "/stream=0 RTSP/1.0\r\nCSeq: 1\r\n"
          "Transport: RTP/AVP;multicast\r\n\r\n");
      std::string transport = full_header (head, "Transport");
      std::string group = transport_param (transport, "destination");
      in_addr group_addr {};
      if (transport.find ("multicast") == std::string::npos
          || inet_pton (AF_INET, group.c_str (), &group_addr) != 1) {
        fprintf (stderr, "no multicast group in the answer: %s\n", transport.c_str ());
        return 1;
      }
      c.rtp_port = atoi (transport_param (transport, "port").c_str ());
      int rtcp_port = c.rtp_port + 1;
      c.rtp = udp_bind (group_addr.s_addr, c.rtp_port, true);
      c.rtcp = udp_bind (group_addr.s_addr, rtcp_port, true);
      /* Join on the interface the RTSP connection goes out of, as meetrtspsrc does. */
      sockaddr_in local {};
      socklen_t len = sizeof (local);
      getsockname (c.rtsp, reinterpret_cast<sockaddr *> (&local), &len);
      ip_mreq mreq {};
      mreq.imr_multiaddr = group_addr;
      mreq.imr_interface = local.sin_addr;
      if (join && setsockopt (c.rtp, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof (mreq)) < 0) {
        perror ("IP_ADD_MEMBERSHIP");
        return 1;
      }
    } else {
      int rtcp_port = 0;
      if (loopback) {
        c.rtp = udp_socket (c.rtp_port);
        c.rtcp = udp_socket (rtcp_port);
      } else {
        c.rtp = udp_bind (htonl (INADDR_ANY), c.rtp_port, false);
        c.rtcp = udp_bind (htonl (INADDR_ANY), rtcp_port, false);
      }
      head = request (c.rtsp, "SETUP " + url + "/stream=0 RTSP/1.0\r\nCSeq: 1\r\n"
          "Transport: RTP/AVP;unicast;client_port=" + std::to_string (c.rtp_port) + "-"
          + std::to_string (rtcp_port) + "\r\n\r\n");
    }
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
    if (!counting && (warmup >= 0 ? elapsed >= warmup : realtime_now () >= start_at)) {
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
  printf ("clients=%d frames_min=%ld frames_avg=%.1f frames_max=%ld lost=%ld bytes=%ld frames=", n,
      fmin, static_cast<double> (ftotal) / n, fmax, lost, bytes);
  for (int i = 0; i < n; i++)
    printf ("%s%ld", i ? "," : "", clients[i].frames);
  printf ("\n");
  for (Client & c : clients) {
    if (!given_fds.empty ()) {
      close (c.rtp);
      continue;
    }
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
