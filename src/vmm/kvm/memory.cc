#include "vmm/kvm/memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <string>
#include <utility>

namespace silk::vmm {

Result<GuestMemory> GuestMemory::create(uint64_t size) {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return make_error("cannot map " + std::to_string(size >> 20) + " MiB of guest memory: " + std::strerror(errno));
  return GuestMemory(static_cast<uint8_t*>(p), size);
}

GuestMemory::GuestMemory(GuestMemory&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)) {}

GuestMemory& GuestMemory::operator=(GuestMemory&& other) noexcept {
  if (this != &other) {
    if (base_ != nullptr) ::munmap(base_, size_);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

GuestMemory::~GuestMemory() {
  if (base_ != nullptr) ::munmap(base_, size_);
}

}  // namespace silk::vmm
