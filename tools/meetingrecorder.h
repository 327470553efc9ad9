/* meetstream: --record FILE in a meeting — every remote participant's video (the JPEG as received) and
 * sound (PCM) as tracks of one Matroska file.
 *
 * matroskamux cannot take new tracks once it has written its header, and participants come and go. So each
 * remote's stay is recorded into a Matroska file of its own in a temporary folder while the meeting runs
 * (timestamps in the meeting's running time), and at the end one pass (matroskademux of each -> one
 * matroskamux) puts them all into FILE as its tracks, lined up in time. */
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace meet {

class RemoteParticipant;

class MeetingRecorder {
public:
  explicit MeetingRecorder (const std::string & path);
  ~MeetingRecorder ();
  MeetingRecorder (const MeetingRecorder &) = delete;
  MeetingRecorder & operator= (const MeetingRecorder &) = delete;

  /* Makes the temporary folder; false with @error when it cannot. */
  bool start (GstBin * pipeline, std::string * error);
  /* Starts recording a remote (its bin made with RemoteConfig::record), before its bin starts. */
  void add (const std::string & name, RemoteParticipant * remote);
  /* Ends that recording (EOS into its muxer), before the remote's bin is stopped. */
  void remove (const std::string & name, RemoteParticipant * remote);
  /* The meeting ends: every recording gets its EOS. */
  void stop ();
  /* Waits (on the main context, at most 5 s) until every temporary file is complete. */
  void finalize (GstBin * pipeline);
  /* Puts the temporary files together into the file; prints what it wrote. */
  bool write_file ();

private:
  struct Part {
    GstElement *bin = nullptr;
    std::string name;
    std::string file;
    /* Which of its streams got data (bit 0 video, bit 1 audio), set from streaming threads: a participant
     * may publish only one (ffmpeg without sound), and the final pass takes only what is there. */
    std::shared_ptr<std::atomic<int>> streams = std::make_shared<std::atomic<int>> (0);
  };
  void end_part (Part & part, RemoteParticipant * remote);

  std::string path_;
  std::string folder_;
  GstBin *pipeline_ = nullptr;
  int count_ = 0;
  std::map<std::string, Part> active_;
  std::vector<Part> ended_;
};

}  // namespace meet
