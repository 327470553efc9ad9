/* The few pieces of RTSP and UDP that the benchmark clients (rtsp_fanout_client, rtsp_relay_client)
 * do by hand: they measure servers, so they must cost next to nothing themselves and depend on no
 * library whose own overhead would blur the figures. */
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace meet_bench {

/* A non-blocking UDP socket on loopback with a large receive buffer; @port gets its port. */
inline int
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

/* A TCP connection to the server on loopback. */
inline int
rtsp_connect (int port)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, reinterpret_cast<sockaddr *> (&addr), sizeof (addr)) < 0) {
    perror ("connect");
    exit (1);
  }
  return fd;
}

/* Sends one request and returns the response head; exits unless it is 200 OK. Bodies are not
 * expected in the answers (no DESCRIBE). */
inline std::string
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

/* The value of header @name in @head, up to its first ';'. */
inline std::string
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

}  // namespace meet_bench
