/* meetstream: OpenCV DNN front end for YOLOv5 ONNX models. */
#include "yolodetector.h"

#include "onnxshape.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace meet {

/* Size used when the model declares a symbolic input size: what YOLOv5 is trained at. */
static const int default_input_size = 640;

static std::string
shape_string (const std::vector<int64_t> &dims)
{
  std::ostringstream text;
  for (size_t i = 0; i < dims.size (); i++)
    text << (i ? "x" : "") << (dims[i] < 0 ? std::string ("?") : std::to_string (dims[i]));
  return text.str ();
}

bool
YoloDetector::load (const std::string &path, std::string &error)
{
  net_ = cv::dnn::Net ();

  std::ifstream file (path, std::ios::binary);
  if (!file) {
    error = "cannot open model file \"" + path + "\": " + std::strerror (errno);
    return false;
  }
  std::vector<uchar> bytes ((std::istreambuf_iterator<char> (file)),
      std::istreambuf_iterator<char> ());
  if (bytes.empty ()) {
    error = "model file \"" + path + "\" is empty";
    return false;
  }

  OnnxInputShape shape;
  if (!parse_onnx_input_shape (bytes.data (), bytes.size (), shape)) {
    error = "model file \"" + path
        + "\" is not a valid ONNX model (corrupt, truncated or another format)";
    return false;
  }
  if (shape.dims.size () != 4 || (shape.dims[1] != 3 && shape.dims[1] != -1)
      || (shape.dims[0] != 1 && shape.dims[0] != -1)) {
    error = "model \"" + path + "\" takes a " + shape_string (shape.dims)
        + " input; a YOLOv5 export takes 1x3xHxW";
    return false;
  }
  input_height_ = shape.dims[2] > 0 ? static_cast<int> (shape.dims[2]) : default_input_size;
  input_width_ = shape.dims[3] > 0 ? static_cast<int> (shape.dims[3]) : default_input_size;
  if (input_width_ > 8192 || input_height_ > 8192) {
    error = "model \"" + path + "\" takes an implausibly large " + shape_string (shape.dims)
        + " input";
    return false;
  }

  cv::dnn::Net net;
  cv::Mat output;
  try {
    net = cv::dnn::readNetFromONNX (bytes);
    if (net.empty ()) {
      error = "OpenCV could not build a network from \"" + path + "\"";
      return false;
    }
    net.setPreferableBackend (cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget (cv::dnn::DNN_TARGET_CPU);
    const int blob_shape[] = { 1, 3, input_height_, input_width_ };
    cv::Mat blank (4, blob_shape, CV_32F, cv::Scalar (0));
    net.setInput (blank);
    output = net.forward ();
  } catch (const cv::Exception &e) {
    error = "OpenCV cannot run model \"" + path + "\" (it must be a float32 YOLOv5 ONNX export, "
        "opset 12): " + e.msg;
    return false;
  }

  if (output.dims != 3 || output.size[0] != 1 || output.size[2] < 6 || output.type () != CV_32F) {
    std::vector<int64_t> dims (output.size.p, output.size.p + output.dims);
    error = "model \"" + path + "\" outputs " + shape_string (dims)
        + "; a YOLOv5 export outputs float32 1xNx(5+classes), e.g. 1x25200x85";
    return false;
  }
  net_ = net;
  return true;
}

bool
YoloDetector::set_compute (cv::dnn::Backend backend, cv::dnn::Target target)
{
  std::vector<cv::dnn::Target> targets = cv::dnn::getAvailableTargets (backend);
  const bool available = std::find (targets.begin (), targets.end (), target) != targets.end ();
  if (!available) {
    backend = cv::dnn::DNN_BACKEND_OPENCV;
    target = cv::dnn::DNN_TARGET_CPU;
  }
  net_.setPreferableBackend (backend);
  net_.setPreferableTarget (target);
  return available;
}

InputGeometry
YoloDetector::prepare (const cv::Mat &frame, bool frame_is_rgb, const cv::Size &input_size,
    cv::Mat &input)
{
  InputGeometry geometry = InputGeometry::fit (frame.cols, frame.rows, input_size.width,
      input_size.height, false);
  const int scaled_width = std::clamp (cvRound (frame.cols * geometry.scale), 1,
      input_size.width);
  const int scaled_height = std::clamp (cvRound (frame.rows * geometry.scale), 1,
      input_size.height);

  /* Scale first, then convert colours on the smaller image. */
  cv::Mat scaled;
  cv::resize (frame, scaled, cv::Size (scaled_width, scaled_height), 0, 0, cv::INTER_AREA);

  input.create (input_size.height, input_size.width, CV_8UC3);
  input.setTo (cv::Scalar::all (0));
  cv::Mat target = input (cv::Rect (0, 0, scaled_width, scaled_height));
  if (scaled.channels () == 4)
    cv::cvtColor (scaled, target, frame_is_rgb ? cv::COLOR_RGBA2RGB : cv::COLOR_BGRA2RGB);
  else if (frame_is_rgb)
    scaled.copyTo (target);
  else
    cv::cvtColor (scaled, target, cv::COLOR_BGR2RGB);
  return geometry;
}

std::vector<Detection>
YoloDetector::detect (const cv::Mat &input, const InputGeometry &geometry,
    const YoloDecoder &decoder)
{
  cv::dnn::blobFromImage (input, blob_, 1.0 / 255, cv::Size (), cv::Scalar (), false, false);
  net_.setInput (blob_);
  cv::Mat output = net_.forward ();
  return decoder.decode (output.ptr<float> (), static_cast<size_t> (output.size[1]),
      static_cast<size_t> (output.size[2]), geometry);
}

}  // namespace meet
