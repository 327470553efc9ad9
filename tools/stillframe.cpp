/* meetstream: a still picture drawn once and repeated (see stillframe.h). */
#include "stillframe.h"

namespace meet {

GstBuffer *
render_still (GstElement * source, std::string * error)
{
  GstElement *pipeline = gst_pipeline_new (nullptr);
  GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
  if (!sink) {
    gst_object_unref (gst_object_ref_sink (source));
    gst_object_unref (pipeline);
    *error = "the still picture needs fakesink (GStreamer's core elements)";
    return nullptr;
  }
  g_object_set (sink, "enable-last-sample", TRUE, "sync", FALSE, nullptr);
  gst_bin_add_many (GST_BIN (pipeline), source, sink, nullptr);
  GstBuffer *frame = nullptr;
  /* A non-live source prerolls on its first frame, which the sink keeps as its last sample. */
  if (gst_element_link (source, sink) &&
      gst_element_set_state (pipeline, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE &&
      gst_element_get_state (pipeline, nullptr, nullptr, 10 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS) {
    GstSample *sample = nullptr;
    g_object_get (sink, "last-sample", &sample, nullptr);
    if (sample && gst_sample_get_buffer (sample))
      frame = gst_buffer_ref (gst_sample_get_buffer (sample));
    if (sample)
      gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  if (!frame)
    *error = "the still picture could not be drawn";
  return frame;
}

GstBuffer *
render_still (const std::string & description, std::string * error)
{
  GError *err = nullptr;
  GstElement *source = gst_parse_bin_from_description_full (description.c_str (), TRUE, nullptr,
      GST_PARSE_FLAG_FATAL_ERRORS, &err);
  if (!source) {
    *error = "cannot draw the still picture \"" + description + "\": " + (err ? err->message : "parse error");
    g_clear_error (&err);
    return nullptr;
  }
  return render_still (source, error);
}

namespace {

GstPadProbeReturn
replace_picture (GstPad *, GstPadProbeInfo * info, gpointer user_data)
{
  auto *frame = static_cast<GstBuffer *> (user_data);
  GstBuffer *in = GST_PAD_PROBE_INFO_BUFFER (info);
  if (gst_buffer_get_size (in) != gst_buffer_get_size (frame))
    return GST_PAD_PROBE_OK;    /* other caps: leave it as drawn */
  GstBuffer *out = gst_buffer_new ();
  gst_buffer_copy_into (out, in, static_cast<GstBufferCopyFlags> (GST_BUFFER_COPY_FLAGS |
          GST_BUFFER_COPY_TIMESTAMPS), 0, -1);
  gst_buffer_copy_into (out, frame, static_cast<GstBufferCopyFlags> (GST_BUFFER_COPY_MEMORY |
          GST_BUFFER_COPY_META), 0, -1);
  gst_buffer_unref (in);
  GST_PAD_PROBE_INFO_DATA (info) = out;
  return GST_PAD_PROBE_OK;
}

}  // namespace

void
repeat_still (GstPad * pad, GstBuffer * frame)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, replace_picture, gst_buffer_ref (frame),
      reinterpret_cast<GDestroyNotify> (gst_buffer_unref));
}

}  // namespace meet
