// The kernel command line: space-separated words, each "key" or "key=value"
// (values cannot contain spaces; no quoting yet).
#pragma once

#include <stddef.h>

namespace silk::kernel {

// Finds "{key}=VALUE" in {cmdline} and copies VALUE into {out} (NUL-terminated,
// truncated to {cap} - 1 bytes). Returns false when the key is absent. A bare
// "{key}" counts as present with an empty value.
bool cmdline_value(const char* cmdline, const char* key, char* out, size_t cap);

// The words after the word "--" (the program's argv), or nullptr when there
// is no "--".
const char* cmdline_program_args(const char* cmdline);

// Where the program's words {args} (cmdline_program_args) end: before a
// trailing run of `virtio_mmio.device=` words. QEMU's microvm (acpi=off)
// appends those to the end of the command line, so after "--" they still
// belong to the kernel.
const char* cmdline_program_args_end(const char* args);

}  // namespace silk::kernel
