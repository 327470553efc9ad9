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
PrivacyFilter::hide (const cv::Mat &frame, cv::Mat &hidden)
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
      cv::resize (small_, hidden, frame.size (), 0, 0, cv::INTER_LINEAR);
      break;
    }
    case PrivacyMode::pixelate:
      downscale (frame, small_, scratch_, std::max (2, s));
      cv::resize (small_, hidden, frame.size (), 0, 0, cv::INTER_NEAREST);
      break;
    case PrivacyMode::black:
    case PrivacyMode::boxes_only:
      hidden.create (frame.size (), frame.type ());
      hidden.setTo (cv::Scalar::all (0));
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
  if (boxes.empty ()) {
    hide (frame, frame);
    return;
  }

  /* The hidden frame goes to a buffer of its own; the frame itself keeps the original pixels,
   * and each row is then written once: hidden where no box reaches, untouched inside boxes,
   * blended across the feather band. */
  hide (frame, hidden_);

  /* Alpha of box k at (x, y) is min(column ramp, row ramp): 255 inside the box, falling to 0 at
   * `feather` pixels outside it. The alpha of a pixel is the largest over all boxes. */
  const int feather = feather_width (frame.size ());
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
  std::vector<size_t> active;
  std::vector<std::pair<int, int>> reach;  /* [begin, end) where some box has alpha > 0 */
  for (int y = 0; y < frame.rows; y++) {
    uint8_t *out = frame.ptr<uint8_t> (y);
    const uint8_t *hidden = hidden_.ptr<uint8_t> (y);

    active.clear ();
    reach.clear ();
    for (size_t k = 0; k < count; k++) {
      if (row_alpha_[k * frame.rows + y] > 0) {
        active.push_back (k);
        reach.emplace_back (std::max (0, boxes[k].x - feather),
            std::min (frame.cols, boxes[k].br ().x + feather));
      }
    }
    std::sort (reach.begin (), reach.end ());

    int x = 0;
    for (size_t r = 0; r <= reach.size (); r++) {
      const int begin = r < reach.size ()? std::max (reach[r].first, x) : frame.cols;
      if (begin > x)
        std::memcpy (out + x * channels, hidden + x * channels, (begin - x) * channels);
      x = std::max (x, begin);
      if (r == reach.size ())
        break;
      for (; x < reach[r].second; x++) {
        unsigned alpha = 0;
        int opaque_end = x;
        for (size_t k : active) {
          const uint8_t row_ramp = row_alpha_[k * frame.rows + y];
          if (row_ramp == 255 && x >= boxes[k].x && x < boxes[k].br ().x)
            opaque_end = std::max (opaque_end, boxes[k].br ().x);
          alpha = std::max<unsigned> (alpha, std::min (column_alpha_[k * frame.cols + x],
                  row_ramp));
        }
        if (opaque_end > x) {
          /* Inside a box: the original stays; skip to the box's right edge. */
          x = opaque_end - 1;
          continue;
        }
        for (int c = x * channels; c < (x + 1) * channels; c++)
          out[c] = static_cast<uint8_t> ((out[c] * alpha + hidden[c] * (255 - alpha) + 127) / 255);
      }
    }
  }
}

}  // namespace meet
