// Precondition checks for the entry points of the core. Each throws std::invalid_argument whose
// message starts with the parameter's name, so that no input can crash the process.
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>

#include "scalinglaws/errors.hpp"

namespace scalinglaws::checks {

// Throws std::invalid_argument("<name> <requirement>") unless ok.
inline void require(bool ok, const char* name, const char* requirement) {
  if (!ok) throw std::invalid_argument(std::string(name) + " " + requirement);
}

// "<name> = <value>" (the value with 6 significant digits).
inline std::string named(const char* name, double value) {
  std::ostringstream out;
  out << name << " = " << value;
  return out.str();
}

inline void count_at_least(long long value, long long minimum, const char* name) {
  if (value < minimum)
    throw std::invalid_argument(std::string(name) + " must be >= " + std::to_string(minimum) +
                                ", got " + std::to_string(value));
}

// threads: 0 means all cores, otherwise the number of threads.
inline void threads(int value) { count_at_least(value, 0, "threads"); }

// The message is built only on failure: these checks sit in per-element hot paths (gains).
inline void finite(double value, const char* name) {
  if (!std::isfinite(value))
    require(false, named(name, value).c_str(), "is invalid (valid: a finite number)");
}
inline void positive(double value, const char* name) {
  if (!(std::isfinite(value) && value > 0.0))
    require(false, named(name, value).c_str(), "is out of range (valid: a finite number > 0)");
}
inline void non_negative(double value, const char* name) {
  if (!(std::isfinite(value) && value >= 0.0))
    require(false, named(name, value).c_str(), "is out of range (valid: a finite number >= 0)");
}

inline void non_empty(std::size_t n, const char* name) {
  require(n > 0, name, "must not be empty");
}

inline void same_length(std::size_t n, std::size_t m, const char* name, const char* other) {
  if (n != m)
    throw std::invalid_argument(std::string(name) + " (length " + std::to_string(n) + ") and " +
                                other + " (length " + std::to_string(m) +
                                ") must have the same length");
}

// Every element of the array finite (and > 0 / >= 0 with the variants below).
// "<name>[i] = <value> <requirement>" for the first offending element.
inline void element(bool ok, const char* name, std::size_t i, double value, const char* what) {
  if (!ok) {
    std::ostringstream out;
    out << name << "[" << i << "] = " << value << " is out of range (valid: " << what
        << " everywhere)";
    throw std::invalid_argument(out.str());
  }
}
inline void all_finite(const double* x, std::size_t n, const char* name) {
  for (std::size_t i = 0; i < n; ++i) element(std::isfinite(x[i]), name, i, x[i], "finite");
}
inline void all_positive(const double* x, std::size_t n, const char* name) {
  for (std::size_t i = 0; i < n; ++i)
    element(std::isfinite(x[i]) && x[i] > 0.0, name, i, x[i], "finite and > 0");
}
inline void all_non_negative(const double* x, std::size_t n, const char* name) {
  for (std::size_t i = 0; i < n; ++i)
    element(std::isfinite(x[i]) && x[i] >= 0.0, name, i, x[i], "finite and >= 0");
}

// Non-decreasing (strictly increasing with strict = true), with every element >= lo.
template <class T>
void sorted_from(const T* x, std::size_t n, T lo, bool strict, const char* name) {
  for (std::size_t i = 0; i < n; ++i) {
    require(x[i] >= lo, name, "has an element below its minimum");
    if (i > 0) require(strict ? x[i] > x[i - 1] : x[i] >= x[i - 1], name, "must be sorted");
  }
}

}  // namespace scalinglaws::checks
