/* Fuzz target: meetrtspsrc's handling of what a server answers: RTSP responses and the SDP inside them
 * (meet::RtspClientLogic). The input is the sequence of responses to the client's requests, separated by
 * the 4 bytes "\0RSP", so a run can get through a 401 challenge, DESCRIBE, SETUP and PLAY with a different
 * answer to each. */
#include "rtspclientlogic.h"

#include <gst/gst.h>

#include <cstring>

static const uint8_t kSeparator[] = { 0, 'R', 'S', 'P' };

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* Caps are built from the SDP: GStreamer's type system must be up. */
  static const bool initialized = gst_init_check (nullptr, nullptr, nullptr);
  if (!initialized)
    return 0;

  meet::RtspClientResponse parsed;
  std::string error;
  meet::parse_rtsp_response (data, size, parsed, error);

  meet::RtspClientLogic logic;
  logic.set_location ("rtsp://user:pass@127.0.0.1:8554/meet");
  logic.set_target (meet::RtspClientLogic::State::Playing);
  const uint8_t *end = data + size;
  const uint8_t *piece = data;
  for (int step = 0; step < 16 && piece <= end; step++) {
    if (!logic.next_request ())
      break;
    const uint8_t *next = static_cast<const uint8_t *> (
        memmem (piece, end - piece, kSeparator, sizeof (kSeparator)));
    const uint8_t *piece_end = next ? next : end;
    auto event = logic.handle_raw_response (piece, piece_end - piece);
    if (event == meet::RtspClientLogic::Event::Failed || event == meet::RtspClientLogic::Event::Playing)
      break;
    if (event == meet::RtspClientLogic::Event::Described) {
      for (size_t i = 0; i < logic.streams ().size (); i++)
        logic.set_client_ports (i, 5000 + 2 * i, 5001 + 2 * i);
    }
    if (!next)
      break;
    piece = next + sizeof (kSeparator);
  }
  return 0;
}
