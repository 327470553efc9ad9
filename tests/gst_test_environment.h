/* meetstream tests: GStreamer initialised once before any GoogleTest test of the executable runs.
 * Include it in one file of a test executable. */
#pragma once

#include <gst/gst.h>
#include <gtest/gtest.h>

namespace meet_test {

class GstEnvironment : public ::testing::Environment {
public:
  void SetUp () override { gst_init (nullptr, nullptr); }
};

inline ::testing::Environment *const gst_environment =
    ::testing::AddGlobalTestEnvironment (new GstEnvironment ());

}  // namespace meet_test
