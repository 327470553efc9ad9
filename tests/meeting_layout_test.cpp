/* meetstream: the meeting window's grid shape and speaker picking (tools/meetinglayout.h). */
#include <gtest/gtest.h>

#include "meetinglayout.h"

using meet::grid_cell;
using meet::grid_shape;
using meet::SpeakerPicker;

TEST (GridShape, SquareAsCanBeAndWiderThanTall)
{
  struct {
    size_t count;
    int columns, rows;
  } cases[] = {{0, 1, 1}, {1, 1, 1}, {2, 2, 1}, {3, 2, 2}, {4, 2, 2}, {5, 3, 2}, {6, 3, 2}, {7, 3, 3}, {9, 3, 3},
  {10, 4, 3}, {16, 4, 4}};
  for (auto &c : cases) {
    auto shape = grid_shape (c.count);
    EXPECT_EQ (shape.columns, c.columns) << c.count << " tiles";
    EXPECT_EQ (shape.rows, c.rows) << c.count << " tiles";
  }
}

TEST (GridCell, FullRowsLeftToRightTheLastRowCentred)
{
  /* 3 tiles: two on top, the third below in the middle (half-columns 1-2 of 0-3). */
  EXPECT_EQ (grid_cell (0, 3).half_column, 0);
  EXPECT_EQ (grid_cell (1, 3).half_column, 2);
  EXPECT_EQ (grid_cell (1, 3).row, 0);
  EXPECT_EQ (grid_cell (2, 3).half_column, 1);
  EXPECT_EQ (grid_cell (2, 3).row, 1);
  /* 4 and 9: full grids. */
  EXPECT_EQ (grid_cell (3, 4).half_column, 2);
  EXPECT_EQ (grid_cell (3, 4).row, 1);
  EXPECT_EQ (grid_cell (8, 9).half_column, 4);
  EXPECT_EQ (grid_cell (8, 9).row, 2);
  /* 7 in 3x3: the seventh alone in the middle of the last row. */
  EXPECT_EQ (grid_cell (6, 7).half_column, 2);
  EXPECT_EQ (grid_cell (6, 7).row, 2);
  /* 5 in 3x2: the last two centred. */
  EXPECT_EQ (grid_cell (3, 5).half_column, 1);
  EXPECT_EQ (grid_cell (4, 5).half_column, 3);
  EXPECT_EQ (grid_cell (0, 1).half_column, 0);
}

TEST (SpeakerPicker, NobodyBelowTheThreshold)
{
  SpeakerPicker picker (-35, 1000000, 500000);
  picker.set_level ("alice", -50, 0);
  picker.set_level ("bob", -40, 0);
  EXPECT_EQ (picker.speaker (0), "");
}

TEST (SpeakerPicker, TheLoudestAboveTheThreshold)
{
  SpeakerPicker picker (-35, 1000000, 500000);
  picker.set_level ("alice", -30, 0);
  picker.set_level ("bob", -12, 0);
  picker.set_level ("carol", -60, 0);
  EXPECT_EQ (picker.speaker (0), "bob");
}

TEST (SpeakerPicker, KeepsTheFloorWhileSpeakingAndDuringTheHold)
{
  SpeakerPicker picker (-35, 1000000, 500000);
  picker.set_level ("alice", -20, 0);
  EXPECT_EQ (picker.speaker (0), "alice");
  /* bob is louder, but alice is still talking: no flicker to bob. */
  picker.set_level ("bob", -10, 100000);
  picker.set_level ("alice", -25, 100000);
  EXPECT_EQ (picker.speaker (100000), "alice");
  /* alice pauses between words: she keeps it for the hold. */
  picker.set_level ("alice", -60, 200000);
  picker.set_level ("bob", -10, 200000);
  EXPECT_EQ (picker.speaker (900000), "alice");
  /* The hold ran out (a second after alice was last loud): bob, loud and recent, takes over. */
  picker.set_level ("bob", -10, 1150000);
  EXPECT_EQ (picker.speaker (1200000), "bob");
}

TEST (SpeakerPicker, SilenceAfterTheHoldClearsIt)
{
  SpeakerPicker picker (-35, 1000000, 500000);
  picker.set_level ("alice", -20, 0);
  EXPECT_EQ (picker.speaker (0), "alice");
  picker.set_level ("alice", -60, 100000);
  EXPECT_EQ (picker.speaker (500000), "alice");
  EXPECT_EQ (picker.speaker (1000001), "");
}

TEST (SpeakerPicker, LevelsThatStopArrivingCountAsSilence)
{
  SpeakerPicker picker (-35, 1000000, 500000);
  picker.set_level ("alice", -10, 0);
  /* alice's sound stops arriving while loud: after the hold she is not left speaking, and a stale loud level
   * does not make anyone else speaker either. */
  picker.set_level ("bob", -20, 0);
  EXPECT_EQ (picker.speaker (0), "alice");
  EXPECT_EQ (picker.speaker (1100000), "");
}

TEST (SpeakerPicker, RemovingTheSpeakerPassesTheFloor)
{
  SpeakerPicker picker (-35, 1000000, 500000);
  picker.set_level ("alice", -10, 0);
  picker.set_level ("bob", -20, 0);
  EXPECT_EQ (picker.speaker (0), "alice");
  picker.remove ("alice");
  EXPECT_EQ (picker.speaker (10000), "bob");
  picker.remove ("nobody");
  EXPECT_EQ (picker.speaker (10000), "bob");
}
