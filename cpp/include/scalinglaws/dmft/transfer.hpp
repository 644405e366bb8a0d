// DMFT mode transfer functions H_k(t) (Bordelon et al. eqs. 10, 132-136) by inverse transform.
#pragma once

#include <vector>

#include "scalinglaws/dmft/contour.hpp"
#include "scalinglaws/dmft/spectrum.hpp"
#include "scalinglaws/linalg/types.hpp"

namespace scalinglaws::dmft {

// Transfer functions H_k(t) (rows = times, cols = modes; modes are 0-based indices < M, or any
// index with a tail: lambda_k = (k + 1)^-tail_b beyond the head).
Matrix transfer(const Spectrum& sp, const std::vector<double>& times, const std::vector<int>& modes,
                const CurveOptions& opt);

}  // namespace scalinglaws::dmft
