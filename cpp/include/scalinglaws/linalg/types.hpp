// Dense matrix and vector types of the core (column-major Eigen).
#pragma once

#include <Eigen/Dense>

namespace scalinglaws {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using Vector = Eigen::VectorXd;

}  // namespace scalinglaws
