// Shared declarations and helpers for the thin pybind11 binding files (one submodule per area).
#pragma once

#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>

#include <string>
#include <utility>
#include <vector>

#include "scalinglaws/linalg/types.hpp"

namespace scalinglaws::bindings {

namespace py = pybind11;

void register_errors();
void register_linalg(py::module_& parent);
void register_schedule(py::module_& parent);
void register_simulate(py::module_& parent);
void register_dmft(py::module_& parent);
void register_plrf(py::module_& parent);
void register_kernels(py::module_& parent);

// __repr__ of an options class, boost-histogram style: Name(field=repr(value), ...).
template <class Class>
void add_repr(Class& cls, std::vector<std::string> names) {
  cls.def("__repr__", [names = std::move(names)](const py::object& self) {
    std::string out = py::str(py::type::of(self).attr("__name__"));
    out += "(";
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out += ", ";
      out += names[i] + "=" + std::string(py::repr(self.attr(names[i].c_str())));
    }
    return out + ")";
  });
}

// A std::vector<double> field exposed as a float64 NumPy array (copied on get and set).
template <class T>
void add_array_field(py::class_<T>& cls, const char* name, std::vector<double> T::* member) {
  cls.def_property(
      name,
      [member](const T& self) {
        const std::vector<double>& v = self.*member;
        return Vector(Eigen::Map<const Vector>(v.data(), static_cast<Eigen::Index>(v.size())));
      },
      [member](T& self, const Vector& value) {
        (self.*member).assign(value.data(), value.data() + value.size());
      });
}

inline std::vector<double> to_std(const Vector& v) { return {v.data(), v.data() + v.size()}; }

}  // namespace scalinglaws::bindings
