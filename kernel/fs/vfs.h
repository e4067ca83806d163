// The file system's operations on paths, with Linux's errors (each function
// lists the ones that are not path resolution's, fs/path.h). Paths are
// kernel strings, relative ones resolved from {base} (the cwd or a dirfd's
// directory); modes are already masked with the umask. Everyone is root:
// permission bits are stored and reported, never enforced.
//
// The root file system is built once at boot (init): a writable tmpfs
// holding the initrd's files (a cpio archive, unpacked in place: file data
// stays in the initrd until written), /tmp, /dev (fs/devices.h) and /proc
// (fs/procfs.h).
#pragma once

#include <stdint.h>

#include "fs/node.h"

namespace silk::kernel::fs {

// st_dev of every node (an anonymous device, as tmpfs has).
inline constexpr uint32_t kDeviceMajor = 0, kDeviceMinor = 0x12;

// open(2) flags (include/uapi/asm-generic/fcntl.h).
inline constexpr uint32_t kOAccmode = 3, kORdonly = 0, kOWronly = 1, kORdwr = 2, kOCreat = 0100, kOExcl = 0200,
                          kONoctty = 0400, kOTrunc = 01000, kOAppend = 02000, kONonblock = 04000,
                          kODsync = 010000, kODirect = 040000, kOLargefile = 0100000, kODirectory = 0200000,
                          kONofollow = 0400000, kONoatime = 01000000, kOCloexec = 02000000,
                          kOPath = 010000000, kOTmpfile = 020000000;

// What the initrd holds.
enum class InitrdKind { kNone, kElf, kCpio };
InitrdKind classify_initrd(const uint8_t* data, uint64_t size);

// Builds the root file system from the initrd: a cpio archive is unpacked;
// a lone ELF file becomes the file {elf_path} (missing directories made);
// anything else is ignored. Then /tmp, /dev, /proc and
// /sys/devices/system/cpu/{online,possible} ("0": one CPU) are added where
// missing. Prints a line about what it found.
void init(const uint8_t* initrd, uint64_t size, const char* elf_path);

// Finds or creates what open(2) opens ({flags} as open's; O_CREAT uses
// {mode}): the node, for the caller's open file. -EEXIST (O_CREAT|O_EXCL),
// -EISDIR (a directory for writing or creating), -ENOTDIR (O_DIRECTORY),
// -ELOOP (O_NOFOLLOW on a symlink), -ENXIO (an unknown or block device),
// -EOPNOTSUPP (O_TMPFILE), -ENOMEM. O_TRUNC truncates a regular file.
int open(Node* base, const char* path, uint32_t flags, uint32_t mode, Node** out);

// -EEXIST (also for "/", "." and "..").
int mkdir(Node* base, const char* path, uint32_t mode);
// -EISDIR (a directory, or "."/".."), -ENOTDIR (a trailing slash after a file).
int unlink(Node* base, const char* path);
// -ENOTDIR, -ENOTEMPTY (also ".."), -EINVAL ("."), -EBUSY (the root).
int rmdir(Node* base, const char* path);
// renameat2 with {flags} 0 or RENAME_NOREPLACE (1): -EEXIST (NOREPLACE),
// -EISDIR (a file onto a directory), -ENOTDIR (a directory onto a file),
// -ENOTEMPTY, -EINVAL (a directory into itself, other flags), -EBUSY ("." or
// ".." as either name).
int rename(Node* old_base, const char* old_path, Node* new_base, const char* new_path, uint32_t flags);
// A hard link {new_path} to {node}. -EPERM (a directory), -EEXIST, -ENOENT
// ({node} was removed).
int link(Node* node, Node* new_base, const char* new_path);
// -EEXIST, -ENOENT (an empty target).
int symlink(const char* target, Node* base, const char* path);
// Copies the target of the symlink {path} (not NUL-terminated, truncated to
// {cap}); its length. -EINVAL (not a symlink).
int64_t readlink(Node* base, const char* path, char* buf, uint64_t cap);

}  // namespace silk::kernel::fs
