/* meetstream: the 80 COCO class names YOLOv5 detects, and parsing of class lists. */
#pragma once

#include <set>
#include <string>

namespace meet {

/* Name of a COCO class id (0 = "person"), or "object" for an id outside 0..79. */
const char *coco_class_name (int class_id);

/* Parses a comma-separated list of COCO class names or ids ("person", "0, dog"). An empty list
 * means every class. On error, leaves `classes` untouched and says why in `error`. */
bool parse_class_list (const std::string &list, std::set<int> &classes, std::string &error);

}  // namespace meet
