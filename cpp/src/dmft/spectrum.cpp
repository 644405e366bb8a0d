#include "scalinglaws/dmft/spectrum.hpp"

#include "scalinglaws/checks.hpp"

namespace scalinglaws::dmft {

void check_spectrum(const Spectrum& sp) {
  checks::non_empty(sp.lam.size(), "lam");
  checks::same_length(sp.wstar2.size(), sp.lam.size(), "wstar2", "lam");
  checks::all_positive(sp.lam.data(), sp.lam.size(), "lam");
  checks::all_non_negative(sp.wstar2.data(), sp.wstar2.size(), "wstar2");
  checks::non_negative(sp.inv_N, "inv_N");
  checks::non_negative(sp.inv_P, "inv_P");
  checks::non_negative(sp.sigma2, "sigma2");
}

}  // namespace scalinglaws::dmft
