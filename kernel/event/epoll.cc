#include "event/epoll.h"

#include "event/object_file.h"
#include "event/poll_bits.h"
#include "event/wait.h"
#include "fs/file.h"
#include "fs/node.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/signal.h"

namespace silk::kernel::event {

struct Epoll;

// One entry (Linux's epitem). Linked three ways: in its file's list of
// watchers, in its epoll's list of entries, and (while queued) in its
// epoll's ready list.
struct Watch {
  Epoll* ep;
  fs::File* file;
  int32_t fd;
  uint32_t events;  // asked for, with EPOLLERR|EPOLLHUP and the flags; only the flags once a ONESHOT fired
  uint64_t data;
  Watch* file_prev;
  Watch* file_next;
  Watch* ep_prev;
  Watch* ep_next;
  Watch* ready_prev;
  Watch* ready_next;
  bool queued;  // on the ready list
};

struct Epoll {
  fs::File* self;
  Watch* entries;
  Watch* ready_head;
  Watch* ready_tail;
  uint32_t epoll_entries;  // entries whose file is an epoll (nesting)
};

namespace epoll {
namespace {

constexpr uint32_t kFlags = kEpollExclusive | kEpollWakeup | kEpollOneshot | kEpollEt;

Epoll* of(fs::File* file) { return static_cast<Epoll*>(file->object); }

void enqueue(Watch* w) {
  if (w->queued) return;
  Epoll* ep = w->ep;
  bool was_empty = ep->ready_head == nullptr;
  w->queued = true;
  w->ready_next = nullptr;
  w->ready_prev = ep->ready_tail;
  if (ep->ready_tail != nullptr) {
    ep->ready_tail->ready_next = w;
  } else {
    ep->ready_head = w;
  }
  ep->ready_tail = w;
  // An epoll inside another: its readiness changed.
  if (was_empty && ep->self->watches != nullptr) wake(ep->self, kPollIn);
}

void dequeue(Watch* w) {
  if (!w->queued) return;
  Epoll* ep = w->ep;
  (w->ready_prev != nullptr ? w->ready_prev->ready_next : ep->ready_head) = w->ready_next;
  (w->ready_next != nullptr ? w->ready_next->ready_prev : ep->ready_tail) = w->ready_prev;
  w->ready_prev = w->ready_next = nullptr;
  w->queued = false;
}

// Unlinks {w} everywhere and frees it.
void remove(Watch* w) {
  dequeue(w);
  Epoll* ep = w->ep;
  (w->ep_prev != nullptr ? w->ep_prev->ep_next : ep->entries) = w->ep_next;
  if (w->ep_next != nullptr) w->ep_next->ep_prev = w->ep_prev;
  (w->file_prev != nullptr ? w->file_prev->file_next : w->file->watches) = w->file_next;
  if (w->file_next != nullptr) w->file_next->file_prev = w->file_prev;
  if (is_epoll(w->file)) --ep->epoll_entries;
  mm::heap::release(w);
}

Watch* find(Epoll* ep, fs::File* file, int32_t fd) {
  for (Watch* w = file->watches; w != nullptr; w = w->file_next) {
    if (w->ep == ep && w->fd == fd) return w;
  }
  return nullptr;
}

// What {w} would report now.
uint32_t ready_mask(Watch* w) { return fs::poll_mask(w->file) & (w->events & ~kFlags); }

uint32_t epoll_poll(fs::File* file) {
  for (Watch* w = of(file)->ready_head; w != nullptr; w = w->ready_next) {
    if (ready_mask(w) != 0) return kPollIn | kPollRdNorm;
  }
  return 0;
}

void epoll_release(fs::File* file) {
  Epoll* ep = of(file);
  while (ep->entries != nullptr) remove(ep->entries);
  mm::heap::release(ep);
}

int64_t no_io(fs::File*, const fs::IoVec*, uint64_t) { return -err::kInval; }

const fs::FileOps kOps = {no_io, no_io, epoll_poll, nullptr, epoll_release};

// Moves ready entries to {out}; the number written.
int harvest(Epoll* ep, uint8_t* out, int max) {
  Watch* list = ep->ready_head;
  ep->ready_head = ep->ready_tail = nullptr;
  Watch* again_head = nullptr;  // level-triggered entries still ready: back at the end
  Watch* again_tail = nullptr;
  int n = 0;
  while (list != nullptr) {
    Watch* w = list;
    list = w->ready_next;
    w->queued = false;
    w->ready_prev = w->ready_next = nullptr;
    if (n == max) {
      enqueue(w);
      continue;
    }
    uint32_t mask = ready_mask(w);
    if (mask == 0) continue;
    uint64_t data = w->data;
    memcpy(out + n * kEventSize, &mask, 4);
    memcpy(out + n * kEventSize + 4, &data, 8);
    ++n;
    if ((w->events & kEpollOneshot) != 0) {
      w->events &= kFlags;  // disarmed until EPOLL_CTL_MOD
    } else if ((w->events & kEpollEt) == 0) {
      w->queued = true;
      w->ready_prev = again_tail;
      (again_tail != nullptr ? again_tail->ready_next : again_head) = w;
      again_tail = w;
    }
  }
  if (again_head != nullptr) {
    again_head->ready_prev = ep->ready_tail;
    (ep->ready_tail != nullptr ? ep->ready_tail->ready_next : ep->ready_head) = again_head;
    ep->ready_tail = again_tail;
  }
  return n;
}

}  // namespace

fs::File* create() {
  auto* ep = static_cast<Epoll*>(mm::heap::allocate(sizeof(Epoll)));
  if (ep == nullptr) return nullptr;
  *ep = Epoll{};
  fs::File* file = new_object_file(&kOps, ep, fs::kORdwr);
  if (file == nullptr) {
    mm::heap::release(ep);
    return nullptr;
  }
  ep->self = file;
  return file;
}

bool is_epoll(const fs::File* file) { return file->ops == &kOps; }

int64_t ctl(fs::File* ep_file, int op, int32_t fd, fs::File* target, uint32_t events, uint64_t data) {
  Epoll* ep = of(ep_file);
  if (target == ep_file) return -err::kInval;
  if (target->ops == nullptr && (target->node->is_regular() || target->node->is_dir())) return -err::kPerm;
  Watch* w = find(ep, target, fd);
  events |= kAlwaysReported;
  switch (op) {
    case kCtlAdd: {
      if (w != nullptr) return -err::kExist;
      if (is_epoll(target)) {
        // One level of nesting: {target} holds no epoll and {ep} is in none.
        if (of(target)->epoll_entries != 0 || ep_file->watches != nullptr) return -err::kLoop;
      }
      w = static_cast<Watch*>(mm::heap::allocate(sizeof(Watch)));
      if (w == nullptr) return -err::kNomem;
      *w = Watch{};
      w->ep = ep;
      w->file = target;
      w->fd = fd;
      w->events = events;
      w->data = data;
      w->file_next = target->watches;
      if (target->watches != nullptr) target->watches->file_prev = w;
      target->watches = w;
      w->ep_next = ep->entries;
      if (ep->entries != nullptr) ep->entries->ep_prev = w;
      ep->entries = w;
      if (is_epoll(target)) ++ep->epoll_entries;
      break;
    }
    case kCtlMod:
      if (w == nullptr) return -err::kNoent;
      if ((events & kEpollExclusive) != 0 || (w->events & kEpollExclusive) != 0) return -err::kInval;
      w->events = events;
      w->data = data;
      break;
    case kCtlDel:
      if (w == nullptr) return -err::kNoent;
      remove(w);
      return 0;
    default:
      return -err::kInval;
  }
  // As Linux: an entry that is ready when added or changed is queued at once.
  if (ready_mask(w) != 0) enqueue(w);
  return 0;
}

int64_t wait(fs::File* ep_file, uint64_t out, int max, uint64_t deadline) {
  Epoll* ep = of(ep_file);
  // SAFETY: the caller prepared [out, out + max * kEventSize) for writing.
  auto* events = reinterpret_cast<uint8_t*>(out);
  poll_now();  // frames that arrived since the last look, lwIP's timers
  for (;;) {
    int n = harvest(ep, events, max);
    if (n != 0) return n;
    if (proc::signal::deliverable()) return -err::kIntr;
    if (!wait_step(deadline)) return 0;
  }
}

void forget(fs::File* file) {
  while (file->watches != nullptr) remove(file->watches);
}

void wake(fs::File* file, uint32_t events) {
  for (Watch* w = file->watches; w != nullptr; w = w->file_next) {
    uint32_t interest = w->events & ~kFlags;
    if (interest == 0) continue;  // a ONESHOT that fired
    if (events != 0 && (events & interest) == 0) continue;
    enqueue(w);
  }
}

}  // namespace epoll
}  // namespace silk::kernel::event
