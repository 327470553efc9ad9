/* meetstream: helpers shared by the meetsrv and meetcli launchers. */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include <cstdint>
#include <string>

#include "marks.h"

namespace meet {

/* True when the registry has an element factory of this name. */
bool have_element (const char *factory_name);

/* True when a desktop sound server (PulseAudio or PipeWire's pulse socket) is running for this user. */
bool have_sound_server ();

/* True when ALSA has a PCM device for playback (@direction 'p') or capture ('c'). */
bool have_alsa_device (char direction);

/* Sets a property from its string form when the element has it; returns false (with a warning naming the
 * element and property) when it does not, so a renamed property is noticed instead of silently ignored. */
bool set_property (GstElement * element, const char *name, const std::string & value);

/* Reads an integer property of any integer type as uint64; 0 when the element has no such property. */
uint64_t get_uint64_property (GstElement * element, const char *name);

/* The address to print in a URL for a server bound to @bind_address: the first non-loopback IPv4 address of
 * this machine when bound to all addresses (or loopback when there is none), otherwise @bind_address. */
std::string address_for_url (const std::string & bind_address);

/* The wall-clock time (microseconds since the epoch) at which a buffer of running time @running_time was, or
 * will be, at the clock of @element's pipeline; 0 when the element has no clock yet. */
int64_t wall_time_of_running_time (GstElement * element, GstClockTime running_time);

/* A luma view of a mapped video frame of a format whose first plane holds luma (planar/semi-planar YUV, GRAY8)
 * or of a packed 4-byte RGB format (green stands in for luma). Returns false for other formats. */
bool luma_view_of (GstVideoFrame * frame, LumaView * view);
bool luma_view_of (GstVideoFrame * frame, ConstLumaView * view);

/* Draws the picture marks of marks.h (capture-time barcode, flash on every whole second of running time) into
 * every frame entering @element's sink pad, a raw video pad of @fps frames per second. */
void draw_marks_into_input (GstElement * element, int fps);

/* Writes the test sound's ticks (marks.h, TickWriter: a @hz tone for 50 ms from every whole second of running
 * time) into every buffer leaving @source's src pad, raw 16 or 32-bit signed integer or float audio (other
 * formats pass silent, with a warning). @source is a silent test source (audiotestsrc wave=silence). */
void draw_ticks_into_output (GstElement * source, int hz);

/* Installs SIGINT/SIGTERM handlers on the default main context calling @on_signal; the second signal calls
 * @on_second_signal so a stuck shutdown can always be cut short. */
void watch_unix_signals (void (*on_signal) (gpointer), void (*on_second_signal) (gpointer), gpointer data);

/* Links a new pad of an RTSP source (application/x-rtp with a media field) to the sink pad of @video_head
 * or @audio_head by its media; a stream it cannot play is said in one line, "meetcli: " + @who + ...
 * (@who: "" or "NAME: "). True when linked. */
bool link_stream_by_media (GstPad * pad, GstElement * video_head, GstElement * audio_head,
    const std::string & who);

/* How a meetrtspsrc's first stream arrives, for a status line: "multicast", "multicast (SRTP)" (the
 * stream's RTP/SAVP;multicast group of a secure meeting), "unicast SRTP", or "" (plain unicast, TCP,
 * nothing set up yet, or an element without meetrtspsrc's stats). */
std::string reception_words (GstElement * rtsp_source);

}  // namespace meet
