/* Fuzz target: meetrtspsink's SRTP sender (plugins/meet/rtsp/common/srtpprotector.h), which takes
 * whatever a relayed publisher sends. The input's first byte picks the suite; the rest is a run of
 * packets, each a flag byte (bit 0: RTCP), a 16-bit length and its bytes, protected in order by two
 * protectors under one key, one into a separate buffer and one in place: both must agree, keep the
 * clear header and add exactly the suite's overhead. Seeds: fuzz/corpus/srtp_protect. */
#include "srtpprotector.h"

#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  if (size < 1 || size > 262144)
    return 0;
  static const meet::SrtpSuite suites[] = { meet::SrtpSuite::AES_128_CM_HMAC_SHA1_80,
    meet::SrtpSuite::AES_256_CM_HMAC_SHA1_80, meet::SrtpSuite::AEAD_AES_128_GCM,
    meet::SrtpSuite::AEAD_AES_256_GCM };
  meet::SrtpKey key;
  key.suite = suites[data[0] & 3];
  const meet::SrtpSuiteInfo & info = meet::srtp_suite_info (key.suite);
  for (size_t i = 0; i < info.key_len + info.salt_len; i++)
    key.key_salt.push_back (static_cast<uint8_t> (i * 37 + 1));
  meet::SrtpProtector apart, in_place;
  if (!apart.init (key) || !in_place.init (key))
    abort ();

  size_t pos = 1;
  std::vector<uint8_t> out, same;
  while (pos + 3 <= size) {
    bool rtcp = data[pos] & 1;
    size_t len = (size_t (data[pos + 1]) << 8) | data[pos + 2];
    pos += 3;
    if (len > size - pos)
      len = size - pos;
    const uint8_t *packet = data + pos;
    pos += len;
    size_t overhead = rtcp ? apart.rtcp_overhead () : apart.rtp_overhead ();
    out.assign (len + overhead, 0);
    same.assign (packet, packet + len);
    same.resize (len + overhead);
    size_t out_len = 0, same_len = 0;
    meet::SrtpStatus a = rtcp ? apart.protect_rtcp (packet, len, out.data (), out.size (), &out_len)
        : apart.protect_rtp (packet, len, out.data (), out.size (), &out_len);
    meet::SrtpStatus b = rtcp
        ? in_place.protect_rtcp (same.data (), len, same.data (), same.size (), &same_len)
        : in_place.protect_rtp (same.data (), len, same.data (), same.size (), &same_len);
    if (a != b)
      abort ();
    if (a != meet::SrtpStatus::OK)
      continue;
    if (out_len != len + overhead || same_len != out_len
        || memcmp (out.data (), same.data (), out_len) != 0
        || memcmp (out.data (), packet, rtcp ? 8 : 12) != 0)
      abort ();
  }
  return 0;
}
