#include "fs/file_data.h"

#include "lib/errno.h"
#include "lib/string.h"
#include "mm/frame_allocator.h"
#include "mm/heap.h"

namespace silk::kernel::fs::data {
namespace {

constexpr uint64_t kPage = mm::frames::kFrameSize;

uint64_t min(uint64_t a, uint64_t b) { return a < b ? a : b; }

// The owned frame of page {index}, or a null PhysAddr.
PhysAddr owned(const Node* file, uint64_t index) {
  return index < file->data.page_slots ? file->data.pages[index] : PhysAddr{};
}

// Makes the page table hold at least {slots} entries.
bool reserve(Node* file, uint64_t slots) {
  FileData& d = file->data;
  if (slots <= d.page_slots) return true;
  uint64_t n = d.page_slots < 16 ? 16 : d.page_slots;
  while (n < slots) n *= 2;
  auto* pages = static_cast<PhysAddr*>(mm::heap::allocate(n * sizeof(PhysAddr)));
  if (pages == nullptr) return false;
  if (d.page_slots != 0) memcpy(pages, d.pages, d.page_slots * sizeof(PhysAddr));
  memset(pages + d.page_slots, 0, (n - d.page_slots) * sizeof(PhysAddr));
  mm::heap::release(d.pages);
  d.pages = pages;
  d.page_slots = n;
  return true;
}

// Page {index}'s bytes as they read now, into {dst} (a whole page).
void fill_page(const Node* file, uint64_t index, uint8_t* dst) {
  uint64_t start = index * kPage;
  uint64_t in_place = file->data.base_len > start ? min(file->data.base_len - start, kPage) : 0;
  if (in_place != 0) memcpy(dst, file->data.base + start, in_place);
  if (in_place < kPage) memset(dst + in_place, 0, kPage - in_place);
}

// The owned frame of page {index}, copying the page into a new frame first
// when it has none yet; null when no frame is left.
PhysAddr own(Node* file, uint64_t index) {
  PhysAddr frame = owned(file, index);
  if (!frame.is_null()) return frame;
  if (!reserve(file, index + 1)) return PhysAddr{};
  frame = mm::frames::allocate();
  if (frame.is_null()) return frame;
  fill_page(file, index, phys_to_virt<uint8_t>(frame));
  file->data.pages[index] = frame;
  return frame;
}

}  // namespace

void set_in_place(Node* file, const uint8_t* base, uint64_t size) {
  file->data.base = base;
  file->data.base_len = size;
  file->size = size;
}

uint64_t read(const Node* file, uint64_t offset, void* dst, uint64_t n) {
  if (offset >= file->size) return 0;
  n = min(n, file->size - offset);
  auto* out = static_cast<uint8_t*>(dst);
  const FileData& d = file->data;
  for (uint64_t done = 0; done < n;) {
    uint64_t at = offset + done, index = at / kPage, in_page = at % kPage;
    uint64_t chunk = min(n - done, kPage - in_page);
    PhysAddr frame = owned(file, index);
    if (!frame.is_null()) {
      memcpy(out + done, phys_to_virt<uint8_t>(frame) + in_page, chunk);
    } else if (at < d.base_len) {
      // In-place bytes, and zeros after a truncation cut them short.
      uint64_t from_base = min(chunk, d.base_len - at);
      memcpy(out + done, d.base + at, from_base);
      if (from_base < chunk) memset(out + done + from_base, 0, chunk - from_base);
    } else {
      memset(out + done, 0, chunk);
    }
    done += chunk;
  }
  return n;
}

int64_t write(Node* file, uint64_t offset, const void* src, uint64_t n) {
  if (n == 0) return 0;
  if (offset >= kMaxFileSize || n > kMaxFileSize - offset) return -err::kFbig;
  const auto* in = static_cast<const uint8_t*>(src);
  uint64_t done = 0;
  while (done < n) {
    uint64_t at = offset + done, index = at / kPage, in_page = at % kPage;
    uint64_t chunk = min(n - done, kPage - in_page);
    PhysAddr frame = owned(file, index);
    if (frame.is_null() && chunk == kPage) {
      // A whole page: nothing of the old bytes survives, no need to copy them.
      if (!reserve(file, index + 1)) break;
      frame = mm::frames::allocate();
      if (!frame.is_null()) file->data.pages[index] = frame;
    } else if (frame.is_null()) {
      frame = own(file, index);
    }
    if (frame.is_null()) break;
    memcpy(phys_to_virt<uint8_t>(frame) + in_page, in + done, chunk);
    done += chunk;
    if (at + chunk > file->size) file->size = at + chunk;
  }
  if (done == 0) return -err::kNospc;
  return static_cast<int64_t>(done);
}

int truncate(Node* file, uint64_t size) {
  if (size > kMaxFileSize) return -err::kFbig;
  FileData& d = file->data;
  if (size < file->size) {
    uint64_t keep = (size + kPage - 1) / kPage;  // pages that still hold bytes
    for (uint64_t i = keep; i < d.page_slots; ++i) {
      if (!d.pages[i].is_null()) mm::frames::release(d.pages[i]);
      d.pages[i] = PhysAddr{};
    }
    if (size % kPage != 0) {
      PhysAddr frame = owned(file, size / kPage);
      if (!frame.is_null()) memset(phys_to_virt<uint8_t>(frame) + size % kPage, 0, kPage - size % kPage);
    }
    if (d.base_len > size) d.base_len = size;
  }
  file->size = size;
  return 0;
}

void release(Node* file) {
  FileData& d = file->data;
  for (uint64_t i = 0; i < d.page_slots; ++i) {
    if (!d.pages[i].is_null()) mm::frames::release(d.pages[i]);
  }
  mm::heap::release(d.pages);
  d = FileData{};
}

bool in_place_frame(const Node* file, uint64_t offset, PhysAddr* frame) {
  const FileData& d = file->data;
  if (!owned(file, offset / kPage).is_null()) return false;
  if (offset + kPage > d.base_len || offset + kPage > file->size) return false;
  PhysAddr p = virt_to_phys(d.base + offset);  // the initrd is identity-mapped RAM
  if (p.value % kPage != 0) return false;
  *frame = p;
  return true;
}

}  // namespace silk::kernel::fs::data
