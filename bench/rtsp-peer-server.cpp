/* rtsp-peer-server: the comparison peer of the latency benchmark. Serves the same marked test picture and
 * ticking test sound as `meetsrv --video test --audio test`, but with GStreamer's own gst-rtsp-server,
 * rtpjpegpay and rtpL16pay.
 *
 * Example: rtsp-peer-server --port 0 --width 1280 --height 720   (prints the URL to open)
 */
#include "launcher.h"

#include <glib-unix.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <string>

namespace {

gint fps = 30;

void
on_media_configure (GstRTSPMediaFactory *, GstRTSPMedia * media, gpointer)
{
  GstElement *bin = gst_rtsp_media_get_element (media);
  GstElement *encoder = gst_bin_get_by_name (GST_BIN (bin), "venc");
  meet::draw_marks_into_input (encoder, fps);
  gst_object_unref (encoder);
  gst_object_unref (bin);
}

gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (static_cast<GMainLoop *> (loop));
  return G_SOURCE_REMOVE;
}

}  // namespace

int
main (int argc, char **argv)
{
  gint port = 8554, width = 640, height = 480, quality = 50;
  gchar *ip = nullptr;
  GOptionEntry entries[] = {
    {"ip", 0, 0, G_OPTION_ARG_STRING, &ip, "Address to listen on (default 127.0.0.1)", "ADDR"},
    {"port", 0, 0, G_OPTION_ARG_INT, &port, "RTSP port (0 = any free port)", "PORT"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Picture width", "PIXELS"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Picture height", "PIXELS"},
    {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "Frames per second", "N"},
    {"quality", 0, 0, G_OPTION_ARG_INT, &quality, "JPEG quality", "Q"},
    {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}
  };
  GOptionContext *context = g_option_context_new ("- gst-rtsp-server peer for the latency benchmark");
  g_option_context_add_main_entries (context, entries, nullptr);
  g_option_context_add_group (context, gst_init_get_option_group ());
  GError *error = nullptr;
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("rtsp-peer-server: %s\n", error->message);
    return 2;
  }
  g_option_context_free (context);

  GMainLoop *loop = g_main_loop_new (nullptr, FALSE);
  GstRTSPServer *server = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (server, ip ? ip : "127.0.0.1");
  gst_rtsp_server_set_service (server, std::to_string (port).c_str ());
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new ();
  gchar *launch = g_strdup_printf ("( videotestsrc is-live=true pattern=smpte ! "
      "video/x-raw,width=%d,height=%d,framerate=%d/1 ! videoconvert ! video/x-raw,format=I420 ! "
      "jpegenc name=venc quality=%d ! rtpjpegpay name=pay0 pt=26 "
      "audiotestsrc is-live=true wave=ticks freq=1000 sine-periods-per-tick=50 volume=0.5 ! audioconvert ! "
      "audioresample ! audio/x-raw,format=S16BE,rate=48000,channels=1 ! rtpL16pay name=pay1 pt=96 )",
      width, height, fps, quality);
  gst_rtsp_media_factory_set_launch (factory, launch);
  g_free (launch);
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  g_signal_connect (factory, "media-configure", G_CALLBACK (on_media_configure), nullptr);
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points (server);
  gst_rtsp_mount_points_add_factory (mounts, "/meet", factory);
  g_object_unref (mounts);
  if (gst_rtsp_server_attach (server, nullptr) == 0) {
    g_printerr ("rtsp-peer-server: cannot listen on port %d (in use?)\n", port);
    return 1;
  }
  g_print ("rtsp-peer-server: serving at rtsp://%s:%d/meet\n", ip ? ip : "127.0.0.1",
      gst_rtsp_server_get_bound_port (server));
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);
  g_object_unref (server);
  g_main_loop_unref (loop);
  g_free (ip);
  return 0;
}
