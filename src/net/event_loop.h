// silk::net — a single-threaded epoll event loop (Linux) with timers, a
// thread-safe post() (eventfd wakeup) and SIGINT/SIGTERM delivery through a
// signalfd.
//
// Contract:
//  * Everything except post(), stop() and Poster runs on the loop's thread
//    (the one inside run()); callbacks run there too, one at a time.
//  * An fd callback is never called after remove(fd) returns, even for events
//    already collected in the same epoll batch; callbacks may add/remove fds
//    and timers freely (including their own).
//  * Timers are one-shot, ordered by deadline (monotonic clock, ms resolution);
//    cancel() of a fired or unknown id is a no-op.
//  * post() may be called from any thread, also after the loop is destroyed
//    (through a Poster kept by a worker): then the function is dropped.
//  * watch_signals() blocks the signals in the calling thread (call it before
//    starting other threads, which inherit the mask) and reports them to the
//    callback on the loop thread.
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace silk::net {

// The cross-thread half of a loop: a queue and the eventfd that wakes it.
class Poster {
 public:
  // False if the loop is gone (the function is dropped).
  bool post(std::function<void()> fn);

 private:
  friend class EventLoop;
  std::mutex mu_;
  std::vector<std::function<void()>> queue_;
  int wake_fd_ = -1;
  bool closed_ = false;
};

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using IoCallback = std::function<void(uint32_t events)>;  // EPOLLIN | EPOLLOUT | ...
  using TimerId = uint64_t;

  static Result<std::unique_ptr<EventLoop>> create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  Result<void> add(int fd, uint32_t events, IoCallback callback);
  Result<void> modify(int fd, uint32_t events);
  void remove(int fd);  // does not close fd

  TimerId add_timer(std::chrono::milliseconds delay, std::function<void()> callback);
  void cancel_timer(TimerId id);

  bool post(std::function<void()> fn) { return poster_->post(std::move(fn)); }
  std::shared_ptr<Poster> poster() const { return poster_; }

  Result<void> watch_signals(std::vector<int> signals, std::function<void(int)> callback);

  // Runs until stop(); returns at once if stop() came first.
  void run();
  void stop();  // any thread
  bool in_loop_thread() const { return std::this_thread::get_id() == thread_.load(); }

 private:
  EventLoop() = default;
  struct Watch {
    int fd;
    IoCallback callback;
  };
  void drain_posts();
  int next_timeout_ms() const;
  void run_timers();

  int epoll_fd_ = -1;
  int signal_fd_ = -1;
  std::shared_ptr<Poster> poster_;
  std::atomic<bool> stop_{false};
  std::atomic<std::thread::id> thread_{};
  uint64_t next_watch_id_ = 1;
  std::unordered_map<int, uint64_t> fd_watch_;          // fd -> watch id
  std::unordered_map<uint64_t, std::shared_ptr<Watch>> watches_;  // id -> watch
  TimerId next_timer_id_ = 1;
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, Clock::time_point> timer_deadlines_;
  std::function<void(int)> signal_callback_;
};

}  // namespace silk::net
