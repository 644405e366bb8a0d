// Translation of the core's exceptions to scalinglaws.errors (imported lazily, on first error):
// std::invalid_argument / std::domain_error -> ParameterError, scalinglaws::ConvergenceError ->
// ConvergenceError (with its residual), std::bad_alloc -> ResourceError; scalinglaws::Interrupted
// (a signal handler asked the core to stop, see interrupt.hpp) -> the exception that handler
// raised (KeyboardInterrupt for Ctrl-C).
#include <cmath>
#include <exception>
#include <new>
#include <stdexcept>

#include "bindings.hpp"
#include "scalinglaws/errors.hpp"
#include "scalinglaws/interrupt.hpp"

namespace scalinglaws::bindings {
namespace {

// Raises scalinglaws.errors.<name>(*args); falls back to `fallback` if the module is unavailable.
void raise(const char* name, PyObject* fallback, const char* message, py::object residual) {
  try {
    py::object cls = py::module_::import("scalinglaws.errors").attr(name);
    py::object exc = residual.is_none() ? cls(message) : cls(message, residual);
    PyErr_SetObject(cls.ptr(), exc.ptr());
  } catch (py::error_already_set&) {
    PyErr_SetString(fallback, message);
  }
}

// The core's interrupt hook. Python runs signal handlers only in the main thread, so only the
// main thread (when it is the one inside the core; the core's worker threads and other Python
// threads return at once, without touching the GIL) takes the GIL for a moment and runs the
// pending handlers. A handler that raises (KeyboardInterrupt for Ctrl-C) leaves its exception set
// on this thread: the core then unwinds with Interrupted and the translator below keeps it.
unsigned long main_thread_id = 0;

bool python_stop_requested() {
  if (PyThread_get_thread_ident() != main_thread_id || !Py_IsInitialized()) return false;
  py::gil_scoped_acquire gil;
  return PyErr_CheckSignals() != 0;
}

}  // namespace

void register_errors() {
  main_thread_id =
      py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
  set_interrupt_hook(&python_stop_requested);
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    // whichever error a parallel run reports first, the next call starts with no stop request;
    // a Ctrl-C seen by the poll has set KeyboardInterrupt already, and it wins
    clear_interrupt();
    if (PyErr_Occurred()) return;
    try {
      std::rethrow_exception(p);
    } catch (const Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const ConvergenceError& e) {
      const double r = e.residual();
      raise("ConvergenceError", PyExc_RuntimeError, e.what(),
            std::isnan(r) ? py::object(py::none()) : py::object(py::float_(r)));
    } catch (const std::invalid_argument& e) {
      raise("ParameterError", PyExc_ValueError, e.what(), py::none());
    } catch (const std::domain_error& e) {
      raise("ParameterError", PyExc_ValueError, e.what(), py::none());
    } catch (const std::bad_alloc&) {
      raise("ResourceError", PyExc_MemoryError, "out of memory in the C++ core", py::none());
    }
  });
}

}  // namespace scalinglaws::bindings
