/* Light RTSP/UDP clients for the fan-out benchmark: N clients SETUP and PLAY stream 0 of an
 * RTSP server by hand, then one thread counts, per client, the RTP packets, the frames (packets
 * with the marker bit) and the sequence gaps, using recvmmsg over epoll. No decoding.
 *
 * Usage: rtsp_fanout_client PORT PATH N WARMUP_S WINDOW_S [STREAM]   (STREAM: N of stream=N, 0)
 * Prints "window-start" when counting begins and "window-end" when it ends (the driver samples
 * the server's CPU time at those two lines), then one line of results:
 *   clients=N frames_min=.. frames_avg=.. frames_max=.. lost=.. bytes=..
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

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

int
udp_socket (int &port)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int size = 8 * 1024 * 1024;
  /* Root may exceed rmem_max: the counter must not be what loses packets. */
  if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof (size)) < 0)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof (size));
  sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, reinterpret_cast<sockaddr *> (&addr), sizeof (addr)) < 0) {
    perror ("bind");
    exit (1);
  }
  socklen_t len = sizeof (addr);
  getsockname (fd, reinterpret_cast<sockaddr *> (&addr), &len);
  port = ntohs (addr.sin_port);
  return fd;
}

/* Sends one request and returns the response head (bodies are not expected). */
std::string
request (int fd, const std::string & text)
{
  if (write (fd, text.data (), text.size ()) != static_cast<ssize_t> (text.size ())) {
    perror ("write");
    exit (1);
  }
  std::string head;
  char c;
  while (head.size () < 65536 && read (fd, &c, 1) == 1) {
    head += c;
    if (head.size () >= 4 && head.compare (head.size () - 4, 4, "\r\n\r\n") == 0)
      break;
  }
  if (head.compare (0, 12, "RTSP/1.0 200") != 0) {
    fprintf (stderr, "request failed:\n%s\nanswer:\n%s\n", text.c_str (), head.c_str ());
    exit (1);
  }
  return head;
}

std::string
header_value (const std::string & head, const char *name)
{
  std::string key = std::string ("\r\n") + name + ":";
  size_t pos = head.find (key);
  if (pos == std::string::npos)
    return std::string ();
  pos += key.size ();
  while (head[pos] == ' ')
    pos++;
  return head.substr (pos, head.find_first_of (";\r", pos) - pos);
}

}  // namespace

int
main (int argc, char **argv)
{
  if (argc != 6 && argc != 7) {
    fprintf (stderr, "usage: %s PORT PATH N WARMUP_S WINDOW_S [STREAM]\n", argv[0]);
    return 2;
  }
  int port = atoi (argv[1]);
  std::string url = std::string ("rtsp://127.0.0.1:") + argv[1] + argv[2];
  int n = atoi (argv[3]);
  double warmup = atof (argv[4]);
  double window = atof (argv[5]);
  /* Which stream=N to play (a relayed participant's video need not be the first). */
  std::string stream = argc == 7 ? argv[6] : "0";

  int ep = epoll_create1 (0);
  std::vector<Client> clients (n);
  for (int i = 0; i < n; i++) {
    Client & c = clients[i];
    int rtcp_port;
    c.rtp = udp_socket (c.rtp_port);
    c.rtcp = udp_socket (rtcp_port);
    c.rtsp = socket (AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons (port);
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (connect (c.rtsp, reinterpret_cast<sockaddr *> (&addr), sizeof (addr)) < 0) {
      perror ("connect");
      return 1;
    }
    std::string head = request (c.rtsp, "SETUP " + url + "/stream=" + stream + " RTSP/1.0\r\nCSeq: 1\r\n"
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
