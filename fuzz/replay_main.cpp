/* Runs a fuzz target's LLVMFuzzerTestOneInput once on every file given (or found in the directories given),
 * without libFuzzer: the seeds and crash regressions then run in the gcc and ASan/UBSan builds as plain
 * tests. Exits 1 when a path cannot be read; a crash in the target aborts the test. */
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static bool
replay_file (const std::filesystem::path & path)
{
  std::ifstream in (path, std::ios::binary);
  if (!in) {
    std::fprintf (stderr, "cannot read %s\n", path.c_str ());
    return false;
  }
  std::vector<uint8_t> bytes ((std::istreambuf_iterator<char> (in)), std::istreambuf_iterator<char> ());
  std::printf ("replaying %s (%zu bytes)\n", path.c_str (), bytes.size ());
  std::fflush (stdout);
  /* A copy of exactly the input's size, so ASan sees any read past its end. */
  std::vector<uint8_t> exact (bytes);
  LLVMFuzzerTestOneInput (exact.empty () ? nullptr : exact.data (), exact.size ());
  return true;
}

int
main (int argc, char **argv)
{
  size_t replayed = 0;
  bool ok = true;
  for (int i = 1; i < argc; i++) {
    std::filesystem::path path (argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory (path, error)) {
      for (const auto & entry : std::filesystem::directory_iterator (path)) {
        if (entry.is_regular_file () && entry.path ().filename ().string ()[0] != '.') {
          ok = replay_file (entry.path ()) && ok;
          replayed++;
        }
      }
    } else if (std::filesystem::exists (path, error)) {
      ok = replay_file (path) && ok;
      replayed++;
    }
    /* A missing regressions/ directory only means that target never crashed. */
  }
  std::printf ("%zu inputs replayed\n", replayed);
  return ok ? 0 : 1;
}
