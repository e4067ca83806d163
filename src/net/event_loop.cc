#include "net/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace silk::net {
namespace {

constexpr uint64_t kWakeWatch = 0;  // epoll data of the eventfd
constexpr uint64_t kSignalWatch = ~uint64_t{0};

Error errno_error(const char* what) { return make_error(std::string(what) + ": " + std::strerror(errno)); }

}  // namespace

bool Poster::post(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  bool was_empty = queue_.empty();
  queue_.push_back(std::move(fn));
  if (was_empty) {
    uint64_t one = 1;
    ssize_t n = ::write(wake_fd_, &one, sizeof one);
    (void)n;  // EAGAIN: the counter is already non-zero, the loop will wake
  }
  return true;
}

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  std::unique_ptr<EventLoop> loop(new EventLoop());
  loop->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (loop->epoll_fd_ < 0) return errno_error("epoll_create1");
  loop->poster_ = std::make_shared<Poster>();
  loop->poster_->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (loop->poster_->wake_fd_ < 0) return errno_error("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeWatch;
  if (::epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, loop->poster_->wake_fd_, &ev) < 0)
    return errno_error("epoll_ctl(eventfd)");
  loop->thread_ = std::this_thread::get_id();
  return loop;
}

EventLoop::~EventLoop() {
  if (poster_) {
    std::lock_guard<std::mutex> lock(poster_->mu_);
    poster_->closed_ = true;
    poster_->queue_.clear();
    if (poster_->wake_fd_ >= 0) ::close(poster_->wake_fd_);
    poster_->wake_fd_ = -1;
  }
  if (signal_fd_ >= 0) ::close(signal_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Result<void> EventLoop::add(int fd, uint32_t events, IoCallback callback) {
  uint64_t id = next_watch_id_++;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) return errno_error("epoll_ctl(add)");
  fd_watch_[fd] = id;
  watches_[id] = std::make_shared<Watch>(Watch{fd, std::move(callback)});
  return {};
}

Result<void> EventLoop::modify(int fd, uint32_t events) {
  auto it = fd_watch_.find(fd);
  if (it == fd_watch_.end()) return make_error("epoll_ctl(mod): fd not watched");
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = it->second;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) < 0) return errno_error("epoll_ctl(mod)");
  return {};
}

void EventLoop::remove(int fd) {
  auto it = fd_watch_.find(fd);
  if (it == fd_watch_.end()) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  watches_.erase(it->second);
  fd_watch_.erase(it);
}

EventLoop::TimerId EventLoop::add_timer(std::chrono::milliseconds delay, std::function<void()> callback) {
  TimerId id = next_timer_id_++;
  Clock::time_point when = Clock::now() + delay;
  timers_.emplace(std::make_pair(when, id), std::move(callback));
  timer_deadlines_.emplace(id, when);
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  auto it = timer_deadlines_.find(id);
  if (it == timer_deadlines_.end()) return;
  timers_.erase({it->second, id});
  timer_deadlines_.erase(it);
}

Result<void> EventLoop::watch_signals(std::vector<int> signals, std::function<void(int)> callback) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return make_error("pthread_sigmask failed");
  int fd = ::signalfd(signal_fd_, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return errno_error("signalfd");
  if (signal_fd_ < 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kSignalWatch;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      ::close(fd);
      return errno_error("epoll_ctl(signalfd)");
    }
  }
  signal_fd_ = fd;
  signal_callback_ = std::move(callback);
  return {};
}

void EventLoop::stop() {
  stop_ = true;
  poster_->post([] {});  // wake epoll_wait
}

void EventLoop::drain_posts() {
  uint64_t count;
  ssize_t n = ::read(poster_->wake_fd_, &count, sizeof count);
  (void)n;
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(poster_->mu_);
    batch.swap(poster_->queue_);
  }
  for (auto& fn : batch) fn();
}

int EventLoop::next_timeout_ms() const {
  if (timers_.empty()) return -1;
  auto delta = timers_.begin()->first.first - Clock::now();
  if (delta <= Clock::duration::zero()) return 0;
  // Round up: waking a little late is fine, spinning until the deadline is not.
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delta + std::chrono::microseconds(999));
  return int(std::min<int64_t>(ms.count(), 60 * 60 * 1000));
}

void EventLoop::run_timers() {
  Clock::time_point now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now && !stop_) {
    auto it = timers_.begin();
    TimerId id = it->first.second;
    std::function<void()> fn = std::move(it->second);
    timers_.erase(it);
    timer_deadlines_.erase(id);
    fn();
  }
}

void EventLoop::run() {
  thread_ = std::this_thread::get_id();
  constexpr int kBatch = 128;
  epoll_event events[kBatch];
  while (!stop_) {
    int n = ::epoll_wait(epoll_fd_, events, kBatch, next_timeout_ms());
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n && !stop_; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kWakeWatch) {
        drain_posts();
      } else if (id == kSignalWatch) {
        signalfd_siginfo info;
        while (::read(signal_fd_, &info, sizeof info) == ssize_t(sizeof info))
          if (signal_callback_) signal_callback_(int(info.ssi_signo));
      } else {
        auto it = watches_.find(id);
        if (it == watches_.end()) continue;  // removed earlier in this batch
        std::shared_ptr<Watch> watch = it->second;  // alive while its callback runs
        watch->callback(events[i].events);
      }
    }
    run_timers();
  }
  stop_ = false;
}

}  // namespace silk::net
