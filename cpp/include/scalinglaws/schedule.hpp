// Learning-rate schedules shared by the simulators and the theories: a list of pieces, each a
// simple shape, evaluated as a multiplier of the run's peak learning rate lr (lr_r = lr f(r)).
#pragma once

#include <cstdint>
#include <vector>

namespace scalinglaws {

// Piece i covers the steps [starts[i], starts[i+1]) (the last piece runs to infinity); with
// x = r - starts[i] its multiplier is
//   shape 0 (constant): a
//   shape 1 (linear):   a + b x
//   shape 2 (cosine):   a + b (1 + cos(pi x / c)) / 2
//   shape 3 (sqrt):     a + b (1 - sqrt(x / c))
//   shape 4 (power):    a + b (1 + x / c)^(-d)
// An empty schedule (no pieces) is the constant multiplier 1. starts[0] must be 0.
struct Schedule {
  std::vector<std::int64_t> starts;
  std::vector<int> shapes;
  std::vector<double> a, b, c, d;

  bool empty() const { return starts.empty(); }
  std::size_t pieces() const { return starts.size(); }
  // first step after piece i (INT64_MAX for the last piece)
  std::int64_t end(std::size_t i) const;
  // multiplier of piece i at the (possibly fractional) offset x >= 0 inside the piece
  double value(std::size_t i, double x) const;
  // multiplier at step r (binary search over the pieces)
  double at(std::int64_t r) const;
  // index of the piece holding step r
  std::size_t piece_of(std::int64_t r) const;
  // largest multiplier over steps [0, steps) (shapes are monotone: piece ends suffice)
  double max_over(std::int64_t steps) const;
};

// Throws std::invalid_argument (one line) for an inconsistent schedule.
void check_schedule(const Schedule& s);

}  // namespace scalinglaws
