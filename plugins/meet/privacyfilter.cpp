/* meetstream: background hiding with feathered kept boxes. */
#include "privacyfilter.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>

namespace meet {

int
PrivacyFilter::feather_width (const cv::Size &frame_size)
{
  return std::max (2, std::min (frame_size.width, frame_size.height) / 40);
}

/* Shrinks `src` by `factor` with pixel averaging. Repeated halving keeps OpenCV on its vectorised
 * 2x2 path, several times faster at 1080p than one large INTER_AREA step. */
static void
downscale (const cv::Mat &src, cv::Mat &dst, cv::Mat &scratch, int factor)
{
  const cv::Size target ((src.cols + factor - 1) / factor, (src.rows + factor - 1) / factor);
  const cv::Mat *current = &src;
  cv::Mat *buffers[] = { &dst, &scratch };
  int next = 0;
  while (factor % 2 == 0 && current->cols % 2 == 0 && current->rows % 2 == 0) {
    cv::resize (*current, *buffers[next], cv::Size (current->cols / 2, current->rows / 2), 0, 0,
        cv::INTER_AREA);
    current = buffers[next];
    next ^= 1;
    factor /= 2;
  }
  if (current == &src || current->size () != target)
    cv::resize (*current, *buffers[next], target, 0, 0, cv::INTER_AREA);
  else
    next ^= 1;
  if (buffers[next] != &dst)
    buffers[next]->copyTo (dst);
}

void
PrivacyFilter::hide_background (cv::Mat &frame)
{
  const int s = std::max (1, strength);
  switch (mode) {
    case PrivacyMode::blur:{
      /* Blurring at 1/factor of the size keeps the kernel small (sigma 1.5 to 3 pixels there)
       * whatever the strength; scaling back up smooths what is left. */
      int factor = 1;
      while (factor * 2 <= std::min (s / 3, 16))
        factor *= 2;
      downscale (frame, small_, scratch_, factor);
      const double sigma = std::max (0.8, static_cast<double> (s) / factor / 2);
      cv::GaussianBlur (small_, small_, cv::Size (), sigma, sigma, cv::BORDER_REPLICATE);
      cv::resize (small_, frame, frame.size (), 0, 0, cv::INTER_LINEAR);
      break;
    }
    case PrivacyMode::pixelate:
      downscale (frame, small_, scratch_, std::max (2, s));
      cv::resize (small_, frame, frame.size (), 0, 0, cv::INTER_NEAREST);
      break;
    case PrivacyMode::black:
      frame.setTo (cv::Scalar::all (0));
      break;
    case PrivacyMode::boxes_only:
      break;
  }
}

void
PrivacyFilter::apply (cv::Mat &frame, const std::vector<cv::Rect> &keep)
{
  const cv::Rect whole (0, 0, frame.cols, frame.rows);
  std::vector<cv::Rect> boxes;
  for (const cv::Rect &box : keep) {
    const cv::Rect clipped = box & whole;
    if (!clipped.empty ())
      boxes.push_back (clipped);
  }

  if (mode == PrivacyMode::boxes_only) {
    const int thickness = std::max (2, frame.rows / 360);
    for (const cv::Rect &box : boxes)
      cv::rectangle (frame, box, cv::Scalar (0, 255, 0, 255), thickness);
    return;
  }

  const int feather = feather_width (frame.size ());
  std::vector<cv::Rect> areas;
  for (const cv::Rect &box : boxes)
    areas.push_back ((box + cv::Size (2 * feather, 2 * feather) - cv::Point (feather, feather))
        & whole);

  /* Keep the original and the hidden version of each box with its feather band, then blend the
   * two from these copies, so overlapping boxes give the same result in either order. */
  kept_pixels_.resize (areas.size ());
  hidden_pixels_.resize (areas.size ());
  for (size_t i = 0; i < areas.size (); i++)
    frame (areas[i]).copyTo (kept_pixels_[i]);
  hide_background (frame);
  for (size_t i = 0; i < areas.size (); i++)
    frame (areas[i]).copyTo (hidden_pixels_[i]);

  /* Alpha of box k at (x, y) is min(column ramp, row ramp): 255 inside the box, falling to 0 at
   * `feather` pixels outside it. The alpha of a pixel is the largest over all boxes. */
  const size_t count = boxes.size ();
  column_alpha_.assign (count * frame.cols, 0);
  row_alpha_.assign (count * frame.rows, 0);
  auto ramp = [feather] (int outside) -> uint8_t {
    return outside >= feather ? 0 : static_cast<uint8_t> (255 - outside * 255 / feather);
  };
  for (size_t k = 0; k < count; k++) {
    const cv::Rect &box = boxes[k];
    for (int x = 0; x < frame.cols; x++)
      column_alpha_[k * frame.cols + x] = ramp (std::max ({ box.x - x, x - (box.br ().x - 1), 0 }));
    for (int y = 0; y < frame.rows; y++)
      row_alpha_[k * frame.rows + y] = ramp (std::max ({ box.y - y, y - (box.br ().y - 1), 0 }));
  }

  /* Per row of each area: interiors of boxes are copied back whole; only the feather bands are
   * blended, from the copies, so a pixel shared by two areas comes out the same from both. */
  const int channels = frame.channels ();
  auto alpha_at = [&] (int x, int y) -> unsigned {
    unsigned alpha = 0;
    for (size_t k = 0; k < count && alpha < 255; k++)
      alpha = std::max<unsigned> (alpha, std::min (column_alpha_[k * frame.cols + x],
              row_alpha_[k * frame.rows + y]));
    return alpha;
  };
  for (size_t i = 0; i < areas.size (); i++) {
    const cv::Rect &area = areas[i];
    const int area_end = area.x + area.width;
    for (int row = 0; row < area.height; row++) {
      const int y = area.y + row;
      const uint8_t *kept = kept_pixels_[i].ptr<uint8_t> (row) - area.x * channels;
      const uint8_t *hidden = hidden_pixels_[i].ptr<uint8_t> (row) - area.x * channels;
      uint8_t *out = frame.ptr<uint8_t> (y);
      auto blend = [&] (int begin, int end) {
        for (int x = std::max (begin, area.x); x < std::min (end, area_end); x++) {
          const unsigned a = alpha_at (x, y);
          for (int c = x * channels; c < (x + 1) * channels; c++)
            out[c] = static_cast<uint8_t> ((kept[c] * a + hidden[c] * (255 - a) + 127) / 255);
        }
      };
      for (size_t k = 0; k < count; k++) {
        const uint8_t row_ramp = row_alpha_[k * frame.rows + y];
        const int left = boxes[k].x, right = boxes[k].br ().x;
        if (row_ramp == 0 || right + feather <= area.x || left - feather >= area_end)
          continue;
        if (row_ramp < 255) {
          blend (left - feather, right + feather);
          continue;
        }
        const int copy_begin = std::max (left, area.x), copy_end = std::min (right, area_end);
        if (copy_end > copy_begin)
          std::memcpy (out + copy_begin * channels, kept + copy_begin * channels,
              (copy_end - copy_begin) * channels);
        blend (left - feather, left);
        blend (right, right + feather);
      }
    }
  }
}

}  // namespace meet
