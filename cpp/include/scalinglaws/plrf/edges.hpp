// Limits and edges of the power-law random-feature spectrum (Paquette et al. 2024): the
// infinite-time loss F_0 and the left spectral edge.
#pragma once

#include "scalinglaws/plrf/sums.hpp"

namespace scalinglaws::plrf {

// c > 0 with (1/d) sum_j c / (c + j^2alpha) = 1 (requires v > d).
double limit_c(const PowerLawSums& S, int d);
// F_0 = sum_j j^-(2alpha+2beta) / (1 + c j^-2alpha); ip indexes the power 2alpha+2beta.
double limit_loss(const PowerLawSums& S, int ip_target, int d);
// Left spectral edge (ip4 indexes 4alpha, ip2 indexes 2alpha).
double lambda_min(const PowerLawSums& S, int ip2, int ip4, int d);

}  // namespace scalinglaws::plrf
