/* meetstream: the RTSP KeyMgmt header (RFC 4567 section 5): a publisher's SRTP key in its SETUP.
 *
 * A publisher over rtsps:// announces RTP/SAVP streams and keys them with MIKEY (srtpmikey.h). The
 * key goes as a=key-mgmt in the ANNOUNCE SDP (what meetrtspsink reads) and again in each SETUP's
 * KeyMgmt header, `prot=mikey; uri="URL"; data="BASE64"`, which is where gst-rtsp-server's RECORD
 * mode reads it (and where GStreamer's rtspclientsink puts it). Plain string work, unit-tested.
 */
#pragma once

#include <string>

namespace meet {

/* The KeyMgmt header value for stream @uri from an a=key-mgmt value ("mikey BASE64"); empty when
 * @keymgmt is not "mikey" followed by data. */
std::string keymgmt_header_from_attribute (const std::string & uri, const std::string & keymgmt);

/* The a=key-mgmt form ("mikey BASE64") of the first prot=mikey entry of a KeyMgmt header
 * (entries separated by ',', parameters by ';', values optionally quoted). False with @error
 * when no entry is MIKEY or it has no data. */
bool keymgmt_header_to_attribute (const std::string & header, std::string * keymgmt,
    std::string * error);

}  // namespace meet
