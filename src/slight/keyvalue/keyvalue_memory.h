// silk::slight — keyvalue.memory (a silk extension): process-local stores,
// one per open name, shared by every backend opened with that name and kept
// until the MemoryStores object dies (for the process-wide one: process exit).
// Thread-safe. Any string is a key (including ""); get or delete of a missing
// key is key-not-found, as on keyvalue.filesystem.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace silk::slight {

class MemoryStores {
 public:
  struct Store {
    std::mutex mutex;
    std::map<std::string, std::string, std::less<>> entries;  // key -> value bytes
  };

  // The process-wide stores (KeyValueEnvironment::memory == nullptr).
  static MemoryStores& process();

  // The store named {name}, created empty on first use.
  std::shared_ptr<Store> store(std::string_view name);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Store>, std::less<>> stores_;
};

}  // namespace silk::slight
