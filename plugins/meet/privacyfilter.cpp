/* meetstream: background hiding with feathered kept boxes. */
#include "privacyfilter.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace meet {

int
PrivacyFilter::feather_width (const cv::Size &frame_size)
{
  return std::max (2, std::min (frame_size.width, frame_size.height) / 40);
}

void
PrivacyFilter::hide_background (cv::Mat &frame)
{
  const int s = std::max (1, strength);
  switch (mode) {
    case PrivacyMode::blur:{
      /* Blurring at 1/factor of the size keeps the kernel small (sigma about 3 pixels there)
       * whatever the strength; scaling back up smooths what is left. */
      const int factor = std::clamp (s / 3, 1, 16);
      const cv::Size small_size ((frame.cols + factor - 1) / factor,
          (frame.rows + factor - 1) / factor);
      cv::resize (frame, small_, small_size, 0, 0, cv::INTER_AREA);
      const double sigma = std::max (0.8, static_cast<double> (s) / factor / 2);
      cv::GaussianBlur (small_, small_, cv::Size (), sigma, sigma, cv::BORDER_REPLICATE);
      cv::resize (small_, frame, frame.size (), 0, 0, cv::INTER_LINEAR);
      break;
    }
    case PrivacyMode::pixelate:{
      const int block = std::max (2, s);
      const cv::Size small_size ((frame.cols + block - 1) / block,
          (frame.rows + block - 1) / block);
      cv::resize (frame, small_, small_size, 0, 0, cv::INTER_AREA);
      cv::resize (small_, frame, frame.size (), 0, 0, cv::INTER_NEAREST);
      break;
    }
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

  const int channels = frame.channels ();
  for (size_t i = 0; i < areas.size (); i++) {
    const cv::Rect &area = areas[i];
    for (int row = 0; row < area.height; row++) {
      const int y = area.y + row;
      const uint8_t *kept = kept_pixels_[i].ptr<uint8_t> (row);
      const uint8_t *hidden = hidden_pixels_[i].ptr<uint8_t> (row);
      uint8_t *out = frame.ptr<uint8_t> (y) + area.x * channels;
      for (int column = 0; column < area.width; column++) {
        const int x = area.x + column;
        unsigned alpha = 0;
        for (size_t k = 0; k < count && alpha < 255; k++)
          alpha = std::max<unsigned> (alpha, std::min (column_alpha_[k * frame.cols + x],
                  row_alpha_[k * frame.rows + y]));
        const int offset = column * channels;
        if (alpha == 255) {
          for (int c = 0; c < channels; c++)
            out[offset + c] = kept[offset + c];
        } else if (alpha == 0) {
          for (int c = 0; c < channels; c++)
            out[offset + c] = hidden[offset + c];
        } else {
          for (int c = 0; c < channels; c++)
            out[offset + c] = static_cast<uint8_t> ((kept[offset + c] * alpha
                    + hidden[offset + c] * (255 - alpha) + 127) / 255);
        }
      }
    }
  }
}

}  // namespace meet
