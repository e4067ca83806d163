#include "proc/elf_loader.h"

#include "arch/paging.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "platform/platform.h"
#include "proc/memory.h"

extern "C" char __kernel_end[];

namespace silk::kernel::proc {
namespace {

constexpr uint64_t kPage = arch::kPageSize;

struct Ehdr {
  unsigned char ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(Ehdr) == 64 && sizeof(Phdr) == 56);

constexpr uint16_t kEtExec = 2, kEtDyn = 3, kEmX86_64 = 62;
constexpr uint32_t kPtLoad = 1, kPtInterp = 3, kPtPhdr = 6;
constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;

// The header and program headers, checked; nullptr when malformed.
const char* check(const uint8_t* data, uint64_t size, const Ehdr** ehdr, const Phdr** phdrs) {
  if (!is_elf(data, size)) return "not an ELF file";
  const auto* e = reinterpret_cast<const Ehdr*>(data);
  if (e->ident[4] != 2 || e->ident[5] != 1) return "not a 64-bit little-endian ELF";
  if (e->machine != kEmX86_64) return "not an x86-64 ELF";
  if (e->type != kEtExec && e->type != kEtDyn) return "neither ET_EXEC nor ET_DYN";
  if (e->phentsize != sizeof(Phdr) || e->phnum == 0) return "bad program header size";
  if (e->phoff > size || (size - e->phoff) / sizeof(Phdr) < e->phnum || e->phoff % 8 != 0) {
    return "program headers outside the file";
  }
  const auto* ph = reinterpret_cast<const Phdr*>(data + e->phoff);
  bool any = false;
  for (int i = 0; i < e->phnum; ++i) {
    const Phdr& p = ph[i];
    if (p.type == kPtInterp) return "dynamically linked (PT_INTERP): not supported yet";
    if (p.type != kPtLoad || p.memsz == 0) continue;
    any = true;
    if (p.filesz > p.memsz || p.offset > size || size - p.offset < p.filesz) return "PT_LOAD outside the file";
    if (p.vaddr % kPage != p.offset % kPage) return "PT_LOAD misaligned";
    if (p.vaddr + p.memsz < p.vaddr || p.vaddr + p.memsz > memory::kUserTop / 2) return "PT_LOAD out of range";
    if ((p.flags & kPfW) != 0 && (p.flags & kPfX) != 0) return "PT_LOAD writable and executable (W^X)";
  }
  if (!any) return "no PT_LOAD";
  *ehdr = e;
  *phdrs = ph;
  return nullptr;
}

void span(const Ehdr* e, const Phdr* ph, uint64_t* lo, uint64_t* hi) {
  *lo = ~uint64_t{0};
  *hi = 0;
  for (int i = 0; i < e->phnum; ++i) {
    if (ph[i].type != kPtLoad || ph[i].memsz == 0) continue;
    uint64_t a = align_down(ph[i].vaddr, kPage), b = align_up(ph[i].vaddr + ph[i].memsz, kPage);
    if (a < *lo) *lo = a;
    if (b > *hi) *hi = b;
  }
}

int prot_of(uint32_t flags) {
  return ((flags & kPfR) ? memory::kProtRead : 0) | ((flags & kPfW) ? memory::kProtWrite : 0) |
         ((flags & kPfX) ? memory::kProtExec : 0);
}

const char* load_segment(const uint8_t* data, const Phdr& p, uint64_t bias) {
  int prot = prot_of(p.flags);
  uint64_t start = bias + p.vaddr, file_end = start + p.filesz, end = start + p.memsz;
  uint64_t first = align_down(start, kPage), last = align_up(end, kPage);
  // A page shared with the previous segment keeps its frame; it gets both
  // segments' protection (refused if that breaks W^X).
  int shared_prot = 0;
  PhysAddr shared{};
  arch::PageFlags shared_flags;
  if (mm::kernel_space().translate(VirtAddr{first}, &shared, &shared_flags) && shared_flags.user) {
    shared_prot = memory::kProtRead | (shared_flags.writable ? memory::kProtWrite : 0) |
                  (shared_flags.executable ? memory::kProtExec : 0);
    if (((shared_prot | prot) & memory::kProtWrite) != 0 && ((shared_prot | prot) & memory::kProtExec) != 0) {
      return "segments share a page that would be writable and executable";
    }
  } else {
    shared = PhysAddr{};
  }
  // The shared page stays mapped (add_region would release it) and gets the
  // combined protection.
  uint64_t region_first = shared.is_null() ? first : first + kPage;
  if (region_first < last && !memory::add_region(region_first, last - region_first, prot)) {
    return "no room for a segment's region";
  }
  if (!shared.is_null() && memory::mprotect(first, kPage, prot | shared_prot) != 0) {
    return "no room for a segment's region";
  }
  for (uint64_t page = first; page < last; page += kPage) {
    PhysAddr frame = (page == first && !shared.is_null()) ? shared : mm::frames::allocate();
    if (frame.is_null()) return "out of memory loading a segment";
    auto* dst = phys_to_virt<uint8_t>(frame);
    // File bytes in this page: [copy_lo, copy_hi); zero the rest (a shared
    // page keeps the bytes the earlier segment put there).
    uint64_t copy_lo = page > start ? page : start;
    uint64_t copy_hi = page + kPage < file_end ? page + kPage : file_end;
    if (frame != shared) {
      uint64_t zero_hi = copy_lo < copy_hi ? copy_lo : page + kPage;
      if (zero_hi > page) memset(dst, 0, zero_hi - page);
      if (copy_lo < copy_hi && copy_hi < page + kPage) memset(dst + (copy_hi - page), 0, page + kPage - copy_hi);
    } else if (end > file_end) {
      uint64_t z_lo = file_end > page ? file_end : page, z_hi = end < page + kPage ? end : page + kPage;
      if (z_lo < z_hi) memset(dst + (z_lo - page), 0, z_hi - z_lo);
    }
    if (copy_lo < copy_hi) memcpy(dst + (copy_lo - page), data + p.offset + (copy_lo - start), copy_hi - copy_lo);
    if (!memory::map_page(page, frame, frame == shared ? (prot | shared_prot) : prot)) {
      return "out of memory for page tables";
    }
  }
  return nullptr;
}

}  // namespace

bool is_elf(const uint8_t* data, uint64_t size) {
  return size >= sizeof(Ehdr) && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
}

bool fixed_range(const uint8_t* data, uint64_t size, uint64_t* lo, uint64_t* hi) {
  const Ehdr* e;
  const Phdr* ph;
  if (check(data, size, &e, &ph) != nullptr || e->type != kEtExec) return false;
  span(e, ph, lo, hi);
  return true;
}

const char* load_elf(const uint8_t* data, uint64_t size, ElfImage* image) {
  const Ehdr* e;
  const Phdr* ph;
  if (const char* error = check(data, size, &e, &ph)) return error;
  uint64_t lo, hi;
  span(e, ph, &lo, &hi);
  uint64_t bias = 0;
  if (e->type == kEtDyn) {
    bias = kPieBase - lo;
  } else if (lo < memory::kUserMin) {
    platform::BootModule initrd = platform::initrd();
    if (lo < reinterpret_cast<uint64_t>(__kernel_end)) return "ET_EXEC linked below the end of the kernel image";
    if (lo < initrd.base + initrd.size && initrd.base < hi) return "ET_EXEC overlaps the initrd in RAM";
    memory::allow_low_range(lo, hi);  // main.cc kept these frames out of mm/frames
  }
  for (int i = 0; i < e->phnum; ++i) {
    if (ph[i].type != kPtLoad || ph[i].memsz == 0) continue;
    if (const char* error = load_segment(data, ph[i], bias)) return error;
  }
  image->entry = bias + e->entry;
  image->phnum = e->phnum;
  image->phent = sizeof(Phdr);
  image->bias = bias;
  image->end = bias + hi;
  image->pie = e->type == kEtDyn;
  image->phdr = 0;
  for (int i = 0; i < e->phnum; ++i) {
    const Phdr& p = ph[i];
    if (p.type == kPtPhdr) {
      image->phdr = bias + p.vaddr;
      break;
    }
    if (p.type == kPtLoad && e->phoff >= p.offset && e->phoff - p.offset < p.filesz) {
      image->phdr = bias + p.vaddr + (e->phoff - p.offset);
    }
  }
  return nullptr;
}

}  // namespace silk::kernel::proc
