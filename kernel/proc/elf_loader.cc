#include "proc/elf_loader.h"

#include "arch/paging.h"
#include "fs/file_data.h"
#include "fs/node.h"
#include "lib/string.h"
#include "mm/heap.h"
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
constexpr uint16_t kMaxPhnum = 256;

uint64_t g_fixed_lo = 0, g_fixed_hi = 0;

const char* check_header(const Ehdr* e, uint64_t size) {
  if (e->ident[0] != 0x7f || e->ident[1] != 'E' || e->ident[2] != 'L' || e->ident[3] != 'F') {
    return "not an ELF file";
  }
  if (e->ident[4] != 2 || e->ident[5] != 1) return "not a 64-bit little-endian ELF";
  if (e->machine != kEmX86_64) return "not an x86-64 ELF";
  if (e->type != kEtExec && e->type != kEtDyn) return "neither ET_EXEC nor ET_DYN";
  if (e->phentsize != sizeof(Phdr) || e->phnum == 0 || e->phnum > kMaxPhnum) return "bad program header size";
  if (e->phoff > size || (size - e->phoff) / sizeof(Phdr) < e->phnum || e->phoff % 8 != 0) {
    return "program headers outside the file";
  }
  return nullptr;
}

// The program headers, checked against a file of {size} bytes.
const char* check_segments(const Phdr* ph, int phnum, uint64_t size) {
  bool any = false;
  for (int i = 0; i < phnum; ++i) {
    const Phdr& p = ph[i];
    if (p.type == kPtInterp && (p.offset > size || size - p.offset < p.filesz || p.filesz == 0)) {
      return "PT_INTERP outside the file";
    }
    if (p.type != kPtLoad || p.memsz == 0) continue;
    any = true;
    if (p.filesz > p.memsz || p.offset > size || size - p.offset < p.filesz) return "PT_LOAD outside the file";
    if (p.vaddr % kPage != p.offset % kPage) return "PT_LOAD misaligned";
    if (p.vaddr + p.memsz < p.vaddr || p.vaddr + p.memsz > memory::kUserTop / 2) return "PT_LOAD out of range";
    if ((p.flags & kPfW) != 0 && (p.flags & kPfX) != 0) return "PT_LOAD writable and executable (W^X)";
  }
  return any ? nullptr : "no PT_LOAD";
}

void span(const Phdr* ph, int phnum, uint64_t* lo, uint64_t* hi) {
  *lo = ~uint64_t{0};
  *hi = 0;
  for (int i = 0; i < phnum; ++i) {
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

// The file's pages as a private file region, the rest of memsz anonymous.
// A page shared with the previous segment takes this one's bytes and
// protection, as on Linux (linkers do not share pages across protections).
const char* map_segment(fs::Node* file, const Phdr& p, uint64_t bias) {
  int prot = prot_of(p.flags);
  uint64_t start = bias + p.vaddr, file_end = start + p.filesz, end = start + p.memsz;
  uint64_t first = align_down(start, kPage), file_last = align_up(file_end, kPage), last = align_up(end, kPage);
  if (p.filesz == 0) file_last = first;
  if (file_last > first &&
      !memory::add_file_region(first, file_last - first, prot, file, align_down(p.offset, kPage), file_end)) {
    return "no room for a segment's region";
  }
  if (last > file_last && !memory::add_region(file_last, last - file_last, prot)) return "no room for a segment's bss";
  return nullptr;
}

const char* load(fs::Node* file, const Ehdr& e, const Phdr* ph, uint64_t dyn_base, ElfImage* image, char* interp,
                 size_t interp_cap) {
  if (const char* error = check_segments(ph, e.phnum, file->size)) return error;
  uint64_t lo, hi;
  span(ph, e.phnum, &lo, &hi);
  uint64_t bias = 0;
  if (e.type == kEtDyn) {
    bias = dyn_base - lo;
    if (dyn_base + (hi - lo) > memory::kStackTop - memory::kStackSize) return "ET_DYN too large for its base";
  } else if (lo < memory::kUserMin) {
    platform::BootModule initrd = platform::initrd();
    if (lo < reinterpret_cast<uint64_t>(__kernel_end)) return "ET_EXEC linked below the end of the kernel image";
    if (lo < initrd.base + initrd.size && initrd.base < hi) return "ET_EXEC overlaps the initrd in RAM";
    if (lo < g_fixed_lo || hi > g_fixed_hi) return "ET_EXEC's addresses were not kept free at boot";
    memory::allow_low_range(lo, hi);
  }
  interp[0] = '\0';
  for (int i = 0; i < e.phnum; ++i) {
    const Phdr& p = ph[i];
    if (p.type == kPtInterp) {
      if (p.filesz >= interp_cap) return "PT_INTERP path too long";
      fs::data::read(file, p.offset, interp, p.filesz);
      interp[p.filesz] = '\0';
      if (strlen(interp) == 0) return "empty PT_INTERP";
    }
    if (p.type != kPtLoad || p.memsz == 0) continue;
    if (const char* error = map_segment(file, p, bias)) return error;
  }
  image->entry = bias + e.entry;
  image->phnum = e.phnum;
  image->phent = sizeof(Phdr);
  image->bias = bias;
  image->end = bias + hi;
  image->pie = e.type == kEtDyn;
  image->phdr = 0;
  for (int i = 0; i < e.phnum; ++i) {
    const Phdr& p = ph[i];
    if (p.type == kPtPhdr) {
      image->phdr = bias + p.vaddr;
      break;
    }
    if (p.type == kPtLoad && e.phoff >= p.offset && e.phoff - p.offset < p.filesz) {
      image->phdr = bias + p.vaddr + (e.phoff - p.offset);
    }
  }
  return nullptr;
}

}  // namespace

bool is_elf(const uint8_t* data, uint64_t size) {
  return size >= sizeof(Ehdr) && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
}

bool fixed_range(const uint8_t* data, uint64_t size, uint64_t* lo, uint64_t* hi) {
  if (data == nullptr || !is_elf(data, size)) return false;
  const auto* e = reinterpret_cast<const Ehdr*>(data);
  if (check_header(e, size) != nullptr || e->type != kEtExec) return false;
  const auto* ph = reinterpret_cast<const Phdr*>(data + e->phoff);
  if (check_segments(ph, e->phnum, size) != nullptr) return false;
  span(ph, e->phnum, lo, hi);
  return true;
}

void set_fixed_range(uint64_t lo, uint64_t hi) {
  g_fixed_lo = lo;
  g_fixed_hi = hi;
}

const char* load_elf(fs::Node* file, uint64_t dyn_base, ElfImage* image, char* interp, size_t interp_cap) {
  Ehdr e;
  if (fs::data::read(file, 0, &e, sizeof e) != sizeof e) return "not an ELF file (too short)";
  if (const char* error = check_header(&e, file->size)) return error;
  uint64_t bytes = uint64_t{e.phnum} * sizeof(Phdr);
  auto* ph = static_cast<Phdr*>(mm::heap::allocate(bytes));
  if (ph == nullptr) return "out of memory for the program headers";
  fs::data::read(file, e.phoff, ph, bytes);
  const char* error = load(file, e, ph, dyn_base, image, interp, interp_cap);
  mm::heap::release(ph);
  return error;
}

}  // namespace silk::kernel::proc
