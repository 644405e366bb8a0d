#include "scalinglaws/interrupt.hpp"

#include <chrono>

namespace scalinglaws {
namespace {

std::atomic<InterruptHook> hook{nullptr};
constexpr std::chrono::milliseconds kHookInterval{20};

}  // namespace

namespace detail {

std::atomic<bool> stop_requested{false};

void poll_slow() {
  const InterruptHook h = hook.load(std::memory_order_acquire);
  if (h == nullptr) return;
  thread_local std::chrono::steady_clock::time_point last{};
  const auto now = std::chrono::steady_clock::now();
  if (now - last < kHookInterval) return;
  last = now;
  if (h()) {
    stop_requested.store(true, std::memory_order_relaxed);
    throw Interrupted();
  }
}

}  // namespace detail

void set_interrupt_hook(InterruptHook h) { hook.store(h, std::memory_order_release); }

void clear_interrupt() { detail::stop_requested.store(false, std::memory_order_relaxed); }

}  // namespace scalinglaws
