// keyvalue.memory: process-local stores shared by open name, thread-safe.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "slight/keyvalue/keyvalue_backend.h"
#include "slight/keyvalue/keyvalue_memory.h"

using namespace silk::slight;

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::unique_ptr<KeyValueBackend> open_store(MemoryStores& stores, std::string_view name) {
  KeyValueEnvironment env;
  env.memory = &stores;
  auto store = open_memory_store(name, env);
  EXPECT_TRUE(store.ok());
  return std::move(store).value();
}

TEST(KeyValueMemory, SetGetKeysDelete) {
  MemoryStores stores;
  auto kv = open_store(stores, "mem");
  ASSERT_TRUE(kv->set("b", bytes("2")).ok());
  ASSERT_TRUE(kv->set("a", bytes("1")).ok());
  ASSERT_TRUE(kv->set("a", bytes("one")).ok());
  auto a = kv->get("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value(), bytes("one"));
  auto keys = kv->keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value(), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(kv->remove("a").ok());
  auto missing = kv->get("a");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, KeyValueErrorKind::KeyNotFound);
  auto del = kv->remove("a");
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.error().kind, KeyValueErrorKind::KeyNotFound);
}

TEST(KeyValueMemory, AnyStringIsAKeyAndValuesAreBinary) {
  MemoryStores stores;
  auto kv = open_store(stores, "mem");
  std::vector<uint8_t> value = {0, 1, 0, 255, 0};
  for (std::string key : {std::string(""), std::string("../x"), std::string("a\0b", 3)}) {
    ASSERT_TRUE(kv->set(key, value).ok());
    auto got = kv->get(key);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got.value(), value);
  }
  ASSERT_TRUE(kv->set("empty", {}).ok());
  auto empty = kv->get("empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().empty());
}

TEST(KeyValueMemory, SameNameSharesDifferentNamesIsolated) {
  MemoryStores stores;
  auto one = open_store(stores, "shared");
  auto two = open_store(stores, "shared");
  auto other = open_store(stores, "other");
  ASSERT_TRUE(one->set("k", bytes("v")).ok());
  EXPECT_TRUE(two->get("k").ok());
  EXPECT_FALSE(other->get("k").ok());
  EXPECT_TRUE(other->keys().value().empty());
}

TEST(KeyValueMemory, ProcessWideStoresByDefault) {
  auto one = open_memory_store("silk-memory-test-process");
  auto two = open_memory_store("silk-memory-test-process");
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_TRUE(one.value()->set("k", bytes("v")).ok());
  EXPECT_TRUE(two.value()->get("k").ok());
}

TEST(KeyValueMemory, ConcurrentWritersAndReaders) {
  MemoryStores stores;
  constexpr int kThreads = 4, kOps = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      auto kv = open_store(stores, "busy");
      for (int i = 0; i < kOps; i++) {
        std::string key = "k" + std::to_string(i % 50);
        std::string value(100, static_cast<char>('a' + t));
        ASSERT_TRUE(kv->set(key, bytes(value)).ok());
        auto got = kv->get(key);
        if (got.ok()) {
          ASSERT_EQ(got.value().size(), 100u);  // never a torn value
        } else {
          ASSERT_EQ(got.error().kind, KeyValueErrorKind::KeyNotFound);  // another thread deleted it
        }
        ASSERT_TRUE(kv->keys().ok());
        if (i % 7 == 0) (void)kv->remove(key);
      }
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace
