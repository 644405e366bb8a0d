// The library's exception types. Conventions for every entry point of the core:
//
// * std::invalid_argument (or std::domain_error): a precondition on an argument failed; the
//   message starts with the parameter's name.
// * scalinglaws::ConvergenceError: an iterative solver did not converge or produced non-finite
//   values; carries the solver's last residual (NaN when not defined).
// * std::bad_alloc: out of memory.
//
// The Python bindings translate these to scalinglaws.errors.ParameterError, ConvergenceError and
// ResourceError. This header never includes pybind11.
#pragma once

#include <limits>
#include <stdexcept>
#include <string>

namespace scalinglaws {

class ConvergenceError : public std::runtime_error {
 public:
  explicit ConvergenceError(const std::string& what,
                            double residual = std::numeric_limits<double>::quiet_NaN())
      : std::runtime_error(what), residual_(residual) {}
  // The solver's last residual; NaN when the failure has none (e.g. a non-finite result).
  double residual() const noexcept { return residual_; }

 private:
  double residual_;
};

}  // namespace scalinglaws
