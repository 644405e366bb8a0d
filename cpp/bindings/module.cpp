#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "scalinglaws private C++ core (use the public Python API in scalinglaws.*)";
#ifdef SCALINGLAWS_VERSION
  m.attr("__version__") = SCALINGLAWS_VERSION;
#endif
  scalinglaws::bindings::register_errors();
  scalinglaws::bindings::register_linalg(m);
  scalinglaws::bindings::register_schedule(m);
  scalinglaws::bindings::register_simulate(m);
  scalinglaws::bindings::register_dmft(m);
  scalinglaws::bindings::register_plrf(m);
  scalinglaws::bindings::register_kernels(m);
}
