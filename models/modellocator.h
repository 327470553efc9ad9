/* meetstream: finds the YOLOv5 ONNX model used by the yoloblur element and the launchers.
 *
 * Plain C++ (no GObject) so the element, meetsrv/meetcli and the tests share one search order.
 */
#pragma once

#include <string>
#include <vector>

namespace meet {

/* Where meetstream looks for a model, in order:
 *   1. $MEET_MODEL_DIR/yolov5s.onnx
 *   2. $MEET_MODEL_DIR/yolov5n.onnx
 *   3. <installed models folder>/yolov5s.onnx
 *   4. <installed models folder>/yolov5n.onnx
 * Entries for an unset or empty $MEET_MODEL_DIR are left out. */
std::vector<std::string> model_search_paths ();

/* The first readable file of model_search_paths(), or "" when there is none. */
std::string find_model ();

/* One sentence for users when find_model() found nothing, listing the paths that were tried. */
std::string model_not_found_message ();

}  // namespace meet
