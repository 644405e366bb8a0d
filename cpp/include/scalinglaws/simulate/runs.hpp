// Options every finite-width simulator (full-batch GD and one-pass SGD) takes: the seeds of its
// independent runs, the thread count and the learning-rate schedule.
#pragma once

#include <cstdint>
#include <vector>

#include "scalinglaws/schedule.hpp"

namespace scalinglaws {

// Base of GdOptions and SgdOptions. Run i draws its projection from projection_seeds[i] and its
// data from data_seeds[i]; the results are a function of the seeds alone, whatever threads is.
struct RunOptions {
  std::vector<std::uint64_t> data_seeds;        // one per run
  std::vector<std::uint64_t> projection_seeds;  // one per run
  int threads = 0;                              // 0 = all cores
  Schedule schedule;  // step r = 0, 1, ... uses lr * schedule.at(r) (empty: constant lr); GD: only
                      // discrete GD without momentum
};

}  // namespace scalinglaws
