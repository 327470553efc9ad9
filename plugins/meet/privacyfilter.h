/* meetstream: hides everything in a frame except a set of boxes (blur, pixelate or black out).
 *
 * Plain C++ on OpenCV, no GObject. Works in place on 3- or 4-channel 8-bit frames. The background
 * is processed on a downscaled copy and scaled back up, which keeps the cost low at 1080p; the edge
 * of each kept box fades into the background over a feather band outside the box, so the pixels
 * inside the boxes stay exactly as they were.
 */
#pragma once

#include <opencv2/core.hpp>

#include <vector>

namespace meet {

enum class PrivacyMode
{
  blur,
  pixelate,
  black,
  boxes_only,
};

class PrivacyFilter
{
public:
  PrivacyMode mode = PrivacyMode::blur;
  /* Blur radius (mode blur) or block size (mode pixelate), in frame pixels. */
  int strength = 24;

  /* Hides the frame outside `keep` (frame pixels; clipped here). With mode boxes_only it only
   * draws the boxes. An empty `keep` hides the whole frame. */
  void apply (cv::Mat &frame, const std::vector<cv::Rect> &keep);

  /* Width of the fade between a kept box and the background for a frame of this size. */
  static int feather_width (const cv::Size &frame_size);

private:
  /* Writes the hidden version of `frame` (may be the same Mat) to `hidden`. */
  void hide (const cv::Mat &frame, cv::Mat &hidden);

  cv::Mat small_, scratch_, hidden_;
  std::vector<uint8_t> column_alpha_, row_alpha_;
};

}  // namespace meet
