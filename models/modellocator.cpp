/* meetstream: model search order shared by yoloblur and the launchers. */
#include "modellocator.h"

#include "config.h"

#include <cstdlib>
#include <fstream>

namespace meet {

static const char *const model_file_names[] = { "yolov5s.onnx", "yolov5n.onnx" };

std::vector<std::string>
model_search_paths ()
{
  std::vector<std::string> dirs;
  const char *env_dir = std::getenv ("MEET_MODEL_DIR");
  if (env_dir != nullptr && env_dir[0] != '\0')
    dirs.emplace_back (env_dir);
  dirs.emplace_back (MEET_MODELS_INSTALL_DIR);

  std::vector<std::string> paths;
  for (const std::string &dir : dirs)
    for (const char *name : model_file_names)
      paths.push_back (dir + "/" + name);
  return paths;
}

std::string
find_model ()
{
  for (const std::string &path : model_search_paths ()) {
    std::ifstream file (path, std::ios::binary);
    if (file.good ())
      return path;
  }
  return "";
}

std::string
model_not_found_message ()
{
  std::string message = "no model found; see models/README.md (tried";
  const char *separator = " ";
  for (const std::string &path : model_search_paths ()) {
    message += separator + path;
    separator = ", ";
  }
  return message + ")";
}

}  // namespace meet
