#include "event/object_file.h"

#include "fs/file.h"
#include "fs/node.h"

namespace silk::kernel::event {
namespace {

fs::Node* g_anon = nullptr;  // never freed: it keeps one reference of its own

}  // namespace

fs::File* new_object_file(const fs::FileOps* ops, void* object, uint32_t flags) {
  if (g_anon == nullptr) {
    g_anon = fs::new_node(0600, fs::now());
    if (g_anon == nullptr) return nullptr;
    fs::ref(g_anon);
  }
  return fs::file_new_object(g_anon, flags, ops, object);
}

}  // namespace silk::kernel::event
