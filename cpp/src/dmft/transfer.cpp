#include "scalinglaws/dmft/transfer.hpp"

#include <cmath>
#include <string>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/parallel.hpp"

namespace scalinglaws::dmft {
Matrix transfer(const Spectrum& sp, const std::vector<double>& times, const std::vector<int>& modes,
                const CurveOptions& opt) {
  check_spectrum(sp);
  check_curve(times, opt);
  checks::non_empty(modes.size(), "modes");
  for (int k : modes)
    checks::require(k >= 0 && (sp.has_tail() || static_cast<std::size_t>(k) < sp.lam.size()),
                    "modes", "must be 0-based mode indices below len(lam) (any with a tail)");
  const std::ptrdiff_t T = static_cast<std::ptrdiff_t>(times.size());
  const std::ptrdiff_t nm = static_cast<std::ptrdiff_t>(modes.size());
  Matrix out(T, nm);
  parallel_for(T, opt.threads, [&](std::ptrdiff_t it) {
    const Contour c = make_contour(times[it], opt);
    const std::vector<cplx> S = solve_contour(sp, c);
    const int K = static_cast<int>(c.q.size());
    for (std::ptrdiff_t m = 0; m < nm; ++m) {
      const std::size_t k = static_cast<std::size_t>(modes[m]);
      // a tail mode k >= len(lam) (0-based): lambda = (k + 1)^-tail_b
      const double l =
          k < sp.lam.size() ? sp.lam[k] : std::pow(static_cast<double>(k + 1), -sp.tail_b);
      double acc = 0.0;
      for (int j = 0; j < K; ++j) {
        const cplx x = (1.0 - S[j] * sp.inv_P) * (1.0 - S[j] * sp.inv_N);
        const cplx h = 1.0 / (c.q[j] + l * x);
        acc += (c.is_real(j) ? 1.0 : 2.0) * (c.w[j] * h).real();
      }
      out(it, m) = acc;
    }
  });
  return out;
}

}  // namespace scalinglaws::dmft
