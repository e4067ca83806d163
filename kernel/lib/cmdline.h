// The kernel command line: space-separated words, each "key" or "key=value".
// A word may hold double-quoted parts, which keep their spaces; inside the
// quotes \" and \\ stand for " and \ (silk vm quotes paths that way:
// cwd="/a b"). Outside quotes a backslash is an ordinary character. The
// word "--" ends the kernel's words; the rest is the program's argv.
#pragma once

#include <stddef.h>

namespace silk::kernel {

// Finds "{key}=VALUE" among the kernel's words (before "--") in {cmdline}
// and copies VALUE, unquoted, into {out} (NUL-terminated, truncated to
// {cap} - 1 bytes). Returns false when the key is absent. A bare "{key}"
// counts as present with an empty value.
bool cmdline_value(const char* cmdline, const char* key, char* out, size_t cap);

// The text after the word "--" (the program's argv), or nullptr when there
// is no "--".
const char* cmdline_program_args(const char* cmdline);

// Reads the word at or after {*p} (leading spaces skipped), unquoted, into
// {out} (NUL-terminated, truncated to {cap} - 1 bytes) and moves {*p} past
// it. False when only spaces were left.
bool cmdline_next_word(const char** p, char* out, size_t cap);

// Where the program's words {args} (cmdline_program_args) end: before a
// trailing run of `virtio_mmio.device=` words. QEMU's microvm (acpi=off)
// appends those to the end of the command line, so after "--" they still
// belong to the kernel.
const char* cmdline_program_args_end(const char* args);

}  // namespace silk::kernel
