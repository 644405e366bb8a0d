// Cooperative interruption of the core's long loops (Ctrl-C in Python), without any Python here.
//
// Long loops call poll_interrupt() every iteration (the simulators' step loops, the Volterra
// recursion, every item of parallel_for). It is cheap: a relaxed atomic load, and every 16th call
// a clock read; at most every ~20 ms per thread it calls the hook installed by the caller (the
// Python bindings install one that briefly takes the GIL and runs the interpreter's pending signal
// handlers). When the hook says stop, a process-wide flag is raised so that every worker thread
// stops at its next poll, and poll_interrupt throws scalinglaws::Interrupted; parallel_for
// rethrows it on the calling thread once all workers have joined. The binding layer clears the
// flag when it translates the exception (clear_interrupt()).
#pragma once

#include <atomic>
#include <exception>

namespace scalinglaws {

// Thrown by poll_interrupt(): not a std::runtime_error, so that no solver mistakes it for a
// numerical failure.
class Interrupted : public std::exception {
 public:
  const char* what() const noexcept override { return "interrupted"; }
};

// The hook returns true to stop. It is called from any thread that polls (it must be thread-safe
// and decide itself whether the calling thread can check for a stop request). nullptr: none.
using InterruptHook = bool (*)();
void set_interrupt_hook(InterruptHook hook);

namespace detail {
extern std::atomic<bool> stop_requested;
void poll_slow();
inline thread_local unsigned poll_count = 0;
}  // namespace detail

// Throws Interrupted if a stop was requested (see the file comment).
inline void poll_interrupt() {
  if (detail::stop_requested.load(std::memory_order_relaxed)) throw Interrupted();
  if ((++detail::poll_count & 15u) == 0u) detail::poll_slow();
}

// Clears a stop request (after it has been reported to the caller).
void clear_interrupt();

}  // namespace scalinglaws
