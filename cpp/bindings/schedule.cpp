// _core.schedule: learning-rate schedules (pieces of simple shapes) shared by all areas.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <vector>

#include "bindings.hpp"
#include "scalinglaws/schedule.hpp"

namespace scalinglaws::bindings {

void register_schedule(py::module_& parent) {
  py::module_ m = parent.def_submodule("schedule", "Learning-rate schedules (multipliers of lr)");
  py::class_<Schedule> cls(m, "Schedule",
                           "Pieces [starts[i], starts[i+1]) of shapes 0 constant a, 1 linear "
                           "a + b x, 2 cosine a + b (1 + cos(pi x / c)) / 2, 3 sqrt "
                           "a + b (1 - sqrt(x / c)), 4 power a + b (1 + x / c)^-d; empty = 1.");
  cls.def(py::init([](std::vector<std::int64_t> starts, std::vector<int> shapes,
                      std::vector<double> a, std::vector<double> b, std::vector<double> c,
                      std::vector<double> d) {
            Schedule s{std::move(starts), std::move(shapes), std::move(a),
                       std::move(b),      std::move(c),      std::move(d)};
            check_schedule(s);
            return s;
          }),
          py::kw_only(), py::arg("starts") = std::vector<std::int64_t>{},
          py::arg("shapes") = std::vector<int>{}, py::arg("a") = std::vector<double>{},
          py::arg("b") = std::vector<double>{}, py::arg("c") = std::vector<double>{},
          py::arg("d") = std::vector<double>{})
      .def_readwrite("starts", &Schedule::starts)
      .def_readwrite("shapes", &Schedule::shapes)
      .def_readwrite("a", &Schedule::a)
      .def_readwrite("b", &Schedule::b)
      .def_readwrite("c", &Schedule::c)
      .def_readwrite("d", &Schedule::d);
  add_repr(cls, {"starts", "shapes", "a", "b", "c", "d"});
  m.def(
      "evaluate",
      [](const Schedule& s, const std::vector<std::int64_t>& steps) {
        check_schedule(s);
        Vector out(static_cast<Eigen::Index>(steps.size()));
        for (std::size_t i = 0; i < steps.size(); ++i)
          out[static_cast<Eigen::Index>(i)] = s.at(steps[i]);
        return out;
      },
      py::arg("schedule"), py::arg("steps"), "Multipliers f(r) at the given steps.");
  m.def(
      "max_over",
      [](const Schedule& s, std::int64_t steps) {
        check_schedule(s);
        return s.max_over(steps);
      },
      py::arg("schedule"), py::arg("steps"), "Largest multiplier over steps [0, steps).");
}

}  // namespace scalinglaws::bindings
