/* meetstream: grid shape and speaker picking for the meeting window. */
#include "meetinglayout.h"

#include <cmath>

namespace meet {

GridShape
grid_shape (size_t count)
{
  if (count <= 1)
    return {1, 1};
  int columns = static_cast<int> (std::ceil (std::sqrt (static_cast<double> (count))));
  int rows = static_cast<int> ((count + columns - 1) / columns);
  return {columns, rows};
}

GridCell
grid_cell (size_t index, size_t count)
{
  GridShape shape = grid_shape (count);
  size_t columns = shape.columns;
  int row = static_cast<int> (index / columns);
  size_t column = index % columns;
  size_t in_last_row = count - (shape.rows - 1) * columns;
  /* Each missing tile of the last row leaves one half-column free on either side. */
  size_t offset = row == shape.rows - 1 ? columns - in_last_row : 0;
  return {static_cast<int> (2 * column + offset), row};
}

SpeakerPicker::SpeakerPicker (double threshold_db, int64_t hold_us, int64_t stale_us)
  : threshold_db_ (threshold_db), hold_us_ (hold_us), stale_us_ (stale_us)
{
}

void
SpeakerPicker::set_level (const std::string & name, double db, int64_t now_us)
{
  Level & level = levels_[name];
  level.db = db;
  level.at_us = now_us;
  if (db > threshold_db_)
    level.loud_at_us = now_us;
}

void
SpeakerPicker::remove (const std::string & name)
{
  levels_.erase (name);
  if (speaker_ == name)
    speaker_.clear ();
}

bool
SpeakerPicker::is_loud (const Level & level, int64_t now_us) const
{
  return level.db > threshold_db_ && now_us - level.at_us <= stale_us_;
}

const std::string &
SpeakerPicker::speaker (int64_t now_us)
{
  if (!speaker_.empty ()) {
    const Level & current = levels_.at (speaker_);
    if (current.loud_at_us >= 0 && now_us - current.loud_at_us <= hold_us_)
      return speaker_;
  }
  const std::string *loudest = nullptr;
  double loudest_db = 0;
  for (const auto &[name, level] : levels_) {
    if (is_loud (level, now_us) && (loudest == nullptr || level.db > loudest_db)) {
      loudest = &name;
      loudest_db = level.db;
    }
  }
  speaker_ = loudest ? *loudest : std::string ();
  return speaker_;
}

}  // namespace meet
