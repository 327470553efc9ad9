/* meetstream: runs a YOLOv5 ONNX export with OpenCV DNN.
 *
 * Plain C++ (no GObject): loads and validates the model, fits frames into the network input while
 * keeping their aspect ratio, and decodes the output with YoloDecoder.
 */
#pragma once

#include "yolodecoder.h"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <string>
#include <vector>

namespace meet {

class YoloDetector
{
public:
  /* Reads and checks the model: an ONNX file whose first input is 1x3xHxW and whose output is
   * 1xNx(5+classes). Runs one forward pass on a blank input, which also warms the network up.
   * On failure returns false and `error` says what is wrong with the file. */
  bool load (const std::string &path, std::string &error);
  bool loaded () const { return !net_.empty (); }

  /* Selects where inference runs. Unavailable combinations fall back to OpenCV on the CPU;
   * returns false in that case. */
  bool set_compute (cv::dnn::Backend backend, cv::dnn::Target target);

  int input_width () const { return input_width_; }
  int input_height () const { return input_height_; }

  /* Scales a 3- or 4-channel 8-bit frame into a black input_size RGB image, at the top-left,
   * keeping its aspect ratio. `frame_is_rgb` tells the channel order of `frame`. Static so the
   * streaming thread can prepare a frame while another thread runs the network. */
  static InputGeometry prepare (const cv::Mat &frame, bool frame_is_rgb,
      const cv::Size &input_size, cv::Mat &input);

  /* Runs the network on an image made by prepare() for this model's input size and decodes the
   * result. */
  std::vector<Detection> detect (const cv::Mat &input, const InputGeometry &geometry,
      const YoloDecoder &decoder);

private:
  cv::dnn::Net net_;
  int input_width_ = 0, input_height_ = 0;
  cv::Mat blob_;
};

}  // namespace meet
