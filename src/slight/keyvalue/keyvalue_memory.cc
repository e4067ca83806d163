// keyvalue.memory (keyvalue_memory.h).
#include "slight/keyvalue/keyvalue_memory.h"

#include "slight/keyvalue/keyvalue_backend.h"

namespace silk::slight {

MemoryStores& MemoryStores::process() {
  static MemoryStores* stores = new MemoryStores;  // never destroyed: usable until exit
  return *stores;
}

std::shared_ptr<MemoryStores::Store> MemoryStores::store(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = stores_.find(name);
  if (it == stores_.end()) it = stores_.emplace(std::string(name), std::make_shared<Store>()).first;
  return it->second;
}

namespace {

class KeyValueMemory final : public KeyValueBackend {
 public:
  explicit KeyValueMemory(std::shared_ptr<MemoryStores::Store> store) : store_(std::move(store)) {}

  KvResult<std::vector<uint8_t>> get(std::string_view key) override {
    std::lock_guard lock(store_->mutex);
    auto it = store_->entries.find(key);
    if (it == store_->entries.end()) return not_found(key);
    return std::vector<uint8_t>(it->second.begin(), it->second.end());
  }

  KvStatus set(std::string_view key, std::span<const uint8_t> value) override {
    std::string bytes(reinterpret_cast<const char*>(value.data()), value.size());
    std::lock_guard lock(store_->mutex);
    auto it = store_->entries.find(key);
    if (it == store_->entries.end()) {
      store_->entries.emplace(std::string(key), std::move(bytes));
    } else {
      it->second = std::move(bytes);
    }
    return KvOk{};
  }

  KvResult<std::vector<std::string>> keys() override {
    std::lock_guard lock(store_->mutex);
    std::vector<std::string> out;
    out.reserve(store_->entries.size());
    for (const auto& [key, value] : store_->entries) out.push_back(key);
    return out;
  }

  KvStatus remove(std::string_view key) override {
    std::lock_guard lock(store_->mutex);
    auto it = store_->entries.find(key);
    if (it == store_->entries.end()) return not_found(key);
    store_->entries.erase(it);
    return KvOk{};
  }

 private:
  static KeyValueError not_found(std::string_view key) {
    return {KeyValueErrorKind::KeyNotFound, "key not found: " + std::string(key)};
  }

  std::shared_ptr<MemoryStores::Store> store_;
};

}  // namespace

KvResult<std::unique_ptr<KeyValueBackend>> open_memory_store(std::string_view name,
                                                             const KeyValueEnvironment& env) {
  MemoryStores& stores = env.memory ? *env.memory : MemoryStores::process();
  return std::unique_ptr<KeyValueBackend>(new KeyValueMemory(stores.store(name)));
}

}  // namespace silk::slight
