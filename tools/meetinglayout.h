/* meetstream: the plain logic behind the meeting window (no GTK): the grid's shape for N participants and who
 * is speaking now. */
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace meet {

/* Columns and rows of a grid of @count tiles, as square as can be and wider than tall: 1 -> 1x1, 2 -> 2x1,
 * 3-4 -> 2x2, 5-6 -> 3x2, 7-9 -> 3x3, 10-12 -> 4x3. */
struct GridShape {
  int columns;
  int rows;
};
GridShape grid_shape (size_t count);

/* Where tile @index (0-based) of @count sits, in half-columns: a tile spans two, and the last row, when it is
 * not full, is centred (3 tiles: two on top, one in the middle below). */
struct GridCell {
  int half_column;
  int row;
};
GridCell grid_cell (size_t index, size_t count);

/* The one speaking now: the loudest participant above a threshold. Whoever holds the floor keeps it while
 * they are above the threshold and for @hold_us after, so two people talking at once or the pauses between
 * words do not make the highlight flicker. A level older than @stale_us counts as silence (a participant
 * whose sound stopped arriving is not left speaking). Times are monotonic microseconds. */
class SpeakerPicker {
public:
  SpeakerPicker (double threshold_db = -35.0, int64_t hold_us = 1000000, int64_t stale_us = 500000);

  void set_level (const std::string & name, double db, int64_t now_us);
  void remove (const std::string & name);
  /* Re-evaluates at @now_us and returns the speaker, empty when nobody is. */
  const std::string & speaker (int64_t now_us);

private:
  struct Level {
    double db = -1000.0;
    int64_t at_us = 0;
    int64_t loud_at_us = -1;       /* last time above the threshold; -1 never */
  };
  bool is_loud (const Level & level, int64_t now_us) const;

  double threshold_db_;
  int64_t hold_us_;
  int64_t stale_us_;
  std::map<std::string, Level> levels_;
  std::string speaker_;
};

}  // namespace meet
