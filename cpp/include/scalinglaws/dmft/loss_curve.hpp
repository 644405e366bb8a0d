// DMFT test and train loss curves by 2-D inverse transform (Bordelon et al., eqs. 10, 132-141).
#pragma once

#include <vector>

#include "scalinglaws/dmft/contour.hpp"
#include "scalinglaws/dmft/spectrum.hpp"

namespace scalinglaws::dmft {

// Test loss C0(t,t) (no sigma^2 floor) and train loss C1(t,t) (with noise) at the given times by
// 2-D inverse transform of the 2x2 two-frequency system on a fixed-Talbot contour.
// With opt.inv_E, opt.inv_B != 1: the test loss of the averaged predictor
//   vbar0_k = (1/EB) sum_{e,b} v0_{k,e,b},
//   <vbar0_k vbar0_k'> = H H' [ w*^2 + (1/(N E)) ((1/B) C3 + (1 - 1/B) C3x)
//                               + (lambda_k/(P B)) R3 R3' ((1/E) C1 + (1 - 1/E) C1x) ],
// with the cross-system correlations (eq. 110): C0x (members e != e' on the same data set)
// = (Sa + gamma0 sigma^2/(q q'))/(1 - gamma0), C1x = R1 R1' (C0x + sigma^2/(q q')) (the label
// noise is shared within a data set), C2x (same projection, different data sets)
// = R1 R1' Sd/(1 - gamma2), C3x = R3 R3' C2x. The train output is then the training loss of the
// E-member average on the shared data set, (1/E) C1 + (1 - 1/E) C1x (meaningful for B = 1).
// times: gradient-flow time t > 0 for flow; the step count n >= nodes for GD.
void loss_curve(const Spectrum& sp, const std::vector<double>& times, const CurveOptions& opt,
                std::vector<double>& test, std::vector<double>& train);

}  // namespace scalinglaws::dmft
