/* Fuzz target: MIKEY key management as a client receives it (plugins/meet/rtsp/common/srtpmikey.h).
 * The input goes three ways: as the raw bytes of a MIKEY message (meet::mikey_keys_from_data), as
 * an a=key-mgmt value ("mikey BASE64", meet::mikey_keys_from_keymgmt), and as an SDP whose media
 * sections' key-mgmt is read (meet::mikey_keys_from_sdp_media, the path of DESCRIBE and
 * ANNOUNCE). Seeds: fuzz/corpus/mikey (our messages for every suite, gst-rtsp-server's, SDPs). */
#include "srtpmikey.h"

#include <gst/gst.h>

#include <cstdlib>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static const bool initialized = gst_init_check (nullptr, nullptr, nullptr);
  (void) initialized;
  if (size > 65536)
    return 0;

  meet::MikeyKeys keys;
  std::string error;
  if (meet::mikey_keys_from_data (data, size, &keys, &error)) {
    /* What a successful parse hands srtpdec must fit its suite. */
    if (!meet::srtp_key_valid (keys.key_for (0)))
      abort ();
  }

  std::string text (reinterpret_cast<const char *> (data), size);
  if (meet::mikey_keys_from_keymgmt (text, &keys, &error) && !meet::srtp_key_valid (keys.key_for (0)))
    abort ();

  GstSDPMessage *sdp = nullptr;
  gst_sdp_message_new (&sdp);
  if (gst_sdp_message_parse_buffer (data, static_cast<guint> (size), sdp) == GST_SDP_OK) {
    guint n = gst_sdp_message_medias_len (sdp);
    for (guint i = 0; i < n && i < 16; i++) {
      if (meet::mikey_keys_from_sdp_media (sdp, gst_sdp_message_get_media (sdp, i), &keys, &error)
          && !meet::srtp_key_valid (keys.key_for (0)))
        abort ();
    }
  }
  gst_sdp_message_free (sdp);
  return 0;
}
