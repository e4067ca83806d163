// The kernel ELF loader: validate everything first, then copy each segment
// from the (mapped or embedded) file straight into guest memory.
#include "vmm/elf_loader.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "vmm/arch/boot.h"
#include "vmm/kvm/fd.h"

namespace silk::vmm {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

Result<void> check_header(const Elf64_Ehdr& eh, uint64_t file_size) {
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return make_error("not an ELF file (bad magic)");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64) return make_error("not a 64-bit ELF file (EI_CLASS)");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) return make_error("not a little-endian ELF file (EI_DATA)");
  if (eh.e_ident[EI_VERSION] != EV_CURRENT) return make_error("unknown ELF version");
  if (eh.e_machine != arch::kElfMachine)
    return make_error("wrong machine " + std::to_string(eh.e_machine) + " (e_machine), need x86-64");
  if (eh.e_type != ET_EXEC)
    return make_error("not a fixed-address executable (e_type " + std::to_string(eh.e_type) +
                      ", need ET_EXEC; position-independent kernels are not supported)");
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) return make_error("bad program header size (e_phentsize)");
  if (eh.e_phnum == 0 || eh.e_phnum == PN_XNUM) return make_error("no program headers (e_phnum)");
  uint64_t table = uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
  if (eh.e_phoff > file_size || table > file_size - eh.e_phoff)
    return make_error("program header table outside the file (e_phoff " + hex(eh.e_phoff) + ")");
  return {};
}

Result<void> check_segment(const Elf64_Phdr& ph, uint64_t file_size, const GuestMemory& memory) {
  if (ph.p_filesz > ph.p_memsz) return make_error("p_filesz " + hex(ph.p_filesz) + " > p_memsz " + hex(ph.p_memsz));
  if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)
    return make_error("file range [" + hex(ph.p_offset) + ", +" + hex(ph.p_filesz) + ") outside the file (" +
                      std::to_string(file_size) + " bytes)");
  if (ph.p_paddr < arch::kImageMin) return make_error("p_paddr " + hex(ph.p_paddr) + " below 1 MiB");
  if (!memory.contains(ph.p_paddr, ph.p_memsz))
    return make_error("[" + hex(ph.p_paddr) + ", +" + hex(ph.p_memsz) + ") outside guest RAM (" +
                      std::to_string(memory.size() >> 20) + " MiB)");
  if ((ph.p_flags & PF_W) && (ph.p_flags & PF_X)) return make_error("both writable and executable (W^X)");
  return {};
}

}  // namespace

Result<LoadedKernel> load_kernel_elf(const std::string& path, GuestMemory& memory) {
  auto fail = [&](const std::string& what) { return make_error(path + ": " + what); };
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return fail(std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return fail(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail("not a regular file");
  uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (file_size == 0) return fail("too short for an ELF header (0 bytes)");
  void* mapped = ::mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (mapped == MAP_FAILED) return fail(std::string("mmap: ") + std::strerror(errno));
  auto loaded = load_kernel_elf(std::span<const uint8_t>(static_cast<const uint8_t*>(mapped), file_size), path, memory);
  ::munmap(mapped, file_size);
  return loaded;
}

Result<LoadedKernel> load_kernel_elf(std::span<const uint8_t> file, const std::string& name, GuestMemory& memory) {
  auto fail = [&](const std::string& what) { return make_error(name + ": " + what); };
  uint64_t file_size = file.size();
  Elf64_Ehdr eh{};
  if (file_size < sizeof eh) return fail("too short for an ELF header (" + std::to_string(file_size) + " bytes)");
  std::memcpy(&eh, file.data(), sizeof eh);
  if (auto r = check_header(eh, file_size); !r) return fail(r.error().message);

  std::vector<Elf64_Phdr> phdrs(eh.e_phnum);
  std::memcpy(phdrs.data(), file.data() + eh.e_phoff, phdrs.size() * sizeof(Elf64_Phdr));

  // Validate every segment before touching guest memory.
  std::vector<const Elf64_Phdr*> loads;
  std::optional<GuestPhys> entry;
  GuestPhys end = 0;
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const Elf64_Phdr& ph = phdrs[i];
    std::string where = "program header " + std::to_string(i) + ": ";
    if (ph.p_type == PT_INTERP) return fail(where + "PT_INTERP: a dynamically linked kernel is not supported");
    if (ph.p_type == PT_DYNAMIC) return fail(where + "PT_DYNAMIC: a dynamically linked kernel is not supported");
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (auto r = check_segment(ph, file_size, memory); !r)
      return fail(where + "PT_LOAD: " + r.error().message);
    for (const Elf64_Phdr* other : loads)
      if (ph.p_paddr < other->p_paddr + other->p_memsz && other->p_paddr < ph.p_paddr + ph.p_memsz)
        return fail(where + "PT_LOAD at " + hex(ph.p_paddr) + " overlaps the segment at " + hex(other->p_paddr));
    // The entry point is virtual; with the identity map the vCPU starts at
    // its physical counterpart in the executable segment that holds it.
    if ((ph.p_flags & PF_X) && eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz)
      entry = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
    end = std::max(end, ph.p_paddr + ph.p_memsz);
    loads.push_back(&ph);
  }
  if (loads.empty()) return fail("no PT_LOAD segment");
  if (!entry) return fail("entry point " + hex(eh.e_entry) + " (e_entry) is not in an executable PT_LOAD segment");

  for (const Elf64_Phdr* ph : loads) {
    // SAFETY: check_segment() proved [p_paddr, +p_memsz) lies in guest RAM,
    // [p_offset, +p_filesz) lies in the file, and p_filesz <= p_memsz.
    std::memcpy(memory.checked(ph->p_paddr, ph->p_filesz), file.data() + ph->p_offset, ph->p_filesz);
  }
  GuestPhys aligned_end = (end + arch::kPageSize - 1) & ~(arch::kPageSize - 1);
  return LoadedKernel{*entry, aligned_end};
}

}  // namespace silk::vmm
