// Shared declarations for the thin pybind11 binding files (one per area).
#pragma once

#include <pybind11/pybind11.h>

namespace scalinglaws::bindings {
void register_linalg(pybind11::module_& m);
void register_simulate(pybind11::module_& m);
void register_dmft(pybind11::module_& m);
void register_plrf(pybind11::module_& m);
void register_kernels(pybind11::module_& m);
}  // namespace scalinglaws::bindings
