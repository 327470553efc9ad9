/* meetstream tests: PrivacyFilter on synthetic frames. */
#include "privacyfilter.h"

#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

using meet::PrivacyFilter;
using meet::PrivacyMode;

namespace {

/* A detailed frame: random noise, whose Laplacian variance is high until it is blurred. */
cv::Mat
noise_frame (int width, int height, int type)
{
  cv::Mat frame (height, width, type);
  cv::RNG rng (42);
  rng.fill (frame, cv::RNG::UNIFORM, 0, 256);
  return frame;
}

double
sharpness (const cv::Mat &frame)
{
  cv::Mat gray, laplacian;
  cv::cvtColor (frame, gray, frame.channels () == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  cv::Laplacian (gray, laplacian, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev (laplacian, mean, stddev);
  return stddev[0] * stddev[0];
}

}  // namespace

TEST (PrivacyFilter, KeepsBoxesExactlyAndBlursTheRest)
{
  for (int type : { CV_8UC3, CV_8UC4 }) {
    const cv::Mat original = noise_frame (640, 360, type);
    cv::Mat frame = original.clone ();
    const std::vector<cv::Rect> keep = { { 100, 50, 120, 200 }, { 180, 100, 150, 150 } };
    PrivacyFilter filter;
    filter.apply (frame, keep);

    for (const cv::Rect &box : keep)
      EXPECT_EQ (cv::norm (frame (box), original (box), cv::NORM_INF), 0.0);
    const cv::Rect background (400, 0, 240, 360);
    EXPECT_LT (sharpness (frame (background)), sharpness (original (background)) / 20);
  }
}

TEST (PrivacyFilter, FeathersTheEdge)
{
  const cv::Mat original = noise_frame (640, 360, CV_8UC3);
  cv::Mat frame = original.clone ();
  PrivacyFilter filter;
  filter.mode = PrivacyMode::black;
  filter.apply (frame, { { 200, 100, 100, 100 } });
  const int feather = PrivacyFilter::feather_width (frame.size ());
  /* Halfway through the band the pixel is a mix: darker than the original, not black. */
  const cv::Vec3b mid = frame.at<cv::Vec3b> (150, 300 + feather / 2);
  const cv::Vec3b was = original.at<cv::Vec3b> (150, 300 + feather / 2);
  for (int c = 0; c < 3; c++)
    EXPECT_LE (mid[c], was[c]);
  EXPECT_EQ (frame.at<cv::Vec3b> (150, 300 + feather + 1), cv::Vec3b (0, 0, 0));
  EXPECT_EQ (frame.at<cv::Vec3b> (150, 299), original.at<cv::Vec3b> (150, 299));
}

TEST (PrivacyFilter, NoBoxesHidesTheWholeFrame)
{
  const cv::Mat original = noise_frame (320, 240, CV_8UC4);
  for (PrivacyMode mode : { PrivacyMode::blur, PrivacyMode::pixelate }) {
    cv::Mat frame = original.clone ();
    PrivacyFilter filter;
    filter.mode = mode;
    filter.apply (frame, {});
    EXPECT_LT (sharpness (frame), sharpness (original) / 10);
  }
  cv::Mat frame = original.clone ();
  PrivacyFilter filter;
  filter.mode = PrivacyMode::black;
  filter.apply (frame, {});
  EXPECT_EQ (cv::countNonZero (frame.reshape (1)), 0);
}

TEST (PrivacyFilter, BoxesOnlyDrawsAndHidesNothing)
{
  const cv::Mat original = noise_frame (320, 240, CV_8UC3);
  cv::Mat frame = original.clone ();
  PrivacyFilter filter;
  filter.mode = PrivacyMode::boxes_only;
  filter.apply (frame, { { 50, 50, 100, 100 }, { -20, -20, 10, 10 } });
  EXPECT_EQ (frame.at<cv::Vec3b> (50, 100), cv::Vec3b (0, 255, 0));
  EXPECT_EQ (cv::norm (frame (cv::Rect (60, 60, 80, 80)), original (cv::Rect (60, 60, 80, 80)),
          cv::NORM_INF), 0.0);
  EXPECT_EQ (cv::norm (frame (cv::Rect (200, 0, 120, 240)), original (cv::Rect (200, 0, 120,
                  240)), cv::NORM_INF), 0.0);
}

TEST (PrivacyFilter, ToleratesBoxesOutsideTheFrame)
{
  cv::Mat frame = noise_frame (64, 48, CV_8UC3);
  PrivacyFilter filter;
  filter.apply (frame, { { -100, -100, 50, 50 }, { 60, 40, 1000, 1000 }, { 0, 0, 0, 0 } });
  filter.strength = 256;
  filter.apply (frame, { { 10, 10, 5, 5 } });
  cv::Mat tiny = noise_frame (1, 1, CV_8UC4);
  filter.apply (tiny, {});
  SUCCEED ();
}
