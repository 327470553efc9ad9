/* meetstream: COCO class names and parsing of the yoloblur `classes` property. */
#include "cococlasses.h"

#include <cctype>
#include <cstdlib>

namespace meet {

/* The 80 COCO classes in the order YOLOv5 scores them, with Ultralytics' spelling. */
static const char *const coco_names[] = {
  "person",
  "bicycle",
  "car",
  "motorcycle",
  "airplane",
  "bus",
  "train",
  "truck",
  "boat",
  "traffic light",
  "fire hydrant",
  "stop sign",
  "parking meter",
  "bench",
  "bird",
  "cat",
  "dog",
  "horse",
  "sheep",
  "cow",
  "elephant",
  "bear",
  "zebra",
  "giraffe",
  "backpack",
  "umbrella",
  "handbag",
  "tie",
  "suitcase",
  "frisbee",
  "skis",
  "snowboard",
  "sports ball",
  "kite",
  "baseball bat",
  "baseball glove",
  "skateboard",
  "surfboard",
  "tennis racket",
  "bottle",
  "wine glass",
  "cup",
  "fork",
  "knife",
  "spoon",
  "bowl",
  "banana",
  "apple",
  "sandwich",
  "orange",
  "broccoli",
  "carrot",
  "hot dog",
  "pizza",
  "donut",
  "cake",
  "chair",
  "couch",
  "potted plant",
  "bed",
  "dining table",
  "toilet",
  "tv",
  "laptop",
  "mouse",
  "remote",
  "keyboard",
  "cell phone",
  "microwave",
  "oven",
  "toaster",
  "sink",
  "refrigerator",
  "book",
  "clock",
  "vase",
  "scissors",
  "teddy bear",
  "hair drier",
  "toothbrush"
};

const char *
coco_class_name (int class_id)
{
  if (class_id < 0 || class_id >= static_cast<int> (sizeof (coco_names) / sizeof (coco_names[0])))
    return "object";
  return coco_names[class_id];
}

static std::string
trim (const std::string &text)
{
  size_t begin = 0, end = text.size ();
  while (begin < end && std::isspace (static_cast<unsigned char> (text[begin])))
    begin++;
  while (end > begin && std::isspace (static_cast<unsigned char> (text[end - 1])))
    end--;
  return text.substr (begin, end - begin);
}

bool
parse_class_list (const std::string &list, std::set<int> &classes, std::string &error)
{
  std::set<int> parsed;
  size_t start = 0;
  while (start <= list.size ()) {
    size_t comma = list.find (',', start);
    if (comma == std::string::npos)
      comma = list.size ();
    const std::string item = trim (list.substr (start, comma - start));
    start = comma + 1;
    if (item.empty ())
      continue;

    char *end = nullptr;
    const long id = std::strtol (item.c_str (), &end, 10);
    if (end != nullptr && *end == '\0') {
      if (id < 0 || id >= 80) {
        error = "class id " + item + " is outside 0..79";
        return false;
      }
      parsed.insert (static_cast<int> (id));
      continue;
    }
    int found = -1;
    for (int c = 0; c < 80; c++)
      if (item == coco_names[c])
        found = c;
    if (found < 0) {
      error = "\"" + item + "\" is not a COCO class name (see models/coco.names) or id";
      return false;
    }
    parsed.insert (found);
  }
  classes = parsed;
  return true;
}

}  // namespace meet
