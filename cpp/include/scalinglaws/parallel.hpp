// Minimal deterministic parallel loops over std::thread.
//
// Work items are indexed; each item writes only its own outputs and draws only from streams keyed
// by its index, so the result does not depend on how many threads run or how items are scheduled.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "scalinglaws/interrupt.hpp"

namespace scalinglaws {

inline int default_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

// Calls fn(i) for i in [0, n) on up to `threads` threads with dynamic scheduling. The first
// exception thrown by any call is rethrown on the calling thread after all threads have joined.
// Every item starts with poll_interrupt() (Ctrl-C; see interrupt.hpp).
template <class Fn>
void parallel_for(std::ptrdiff_t n, int threads, Fn&& fn) {
  if (n <= 0) return;
  if (threads <= 0) threads = default_threads();
  const int nt = static_cast<int>(std::min<std::ptrdiff_t>(threads, n));
  if (nt <= 1) {
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      poll_interrupt();
      fn(i);
    }
    return;
  }
  std::atomic<std::ptrdiff_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&]() {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      const std::ptrdiff_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        poll_interrupt();
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(nt - 1);
  for (int t = 1; t < nt; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace scalinglaws
