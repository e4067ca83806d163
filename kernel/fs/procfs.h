// The few /proc files programs read: /proc/self/exe (a symlink to the
// running program's path) and /proc/self/maps (the process's regions in
// Linux's format; glibc's pthread_getattr_np finds the main thread's stack
// there by its "[stack]" line). /proc/self is a plain directory: there is one
// process.
#pragma once

#include "fs/node.h"

namespace silk::kernel::fs::procfs {

// Creates /proc/self/{exe,maps} under {root} where missing.
void init(Node* root, Time now);

void set_exe_path(const char* path);
const char* exe_path();

// Opening a generated file ({node}->special is kProcSelfMaps): a new,
// unlinked regular node with the contents as of now (refs 0: the caller's
// open file takes the first). -ENOMEM.
int open(Node* node, Node** out);

}  // namespace silk::kernel::fs::procfs
