/* meetstream: meetcli --watch, the one-way player (watches the meeting at URL, publishes nothing). */
#pragma once

namespace meet {

/* Parses the player's own options from @argv (without --watch) and runs it; returns the exit code. */
int watch_main (int argc, char **argv);

}  // namespace meet
