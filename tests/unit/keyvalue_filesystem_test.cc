// keyvalue.filesystem: slight's layout ($TMPDIR/<name>/<key>), keys that would
// leave the store directory refused with invalid-key, durability by re-open.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "slight/keyvalue/keyvalue_backend.h"

namespace fs = std::filesystem;
using namespace silk::slight;

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class KeyValueFilesystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/silk-kv-fs-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    base_ = templ;
    env_.temp_dir = base_;
  }
  void TearDown() override { fs::remove_all(base_); }

  std::unique_ptr<KeyValueBackend> open(std::string_view name) {
    auto store = open_filesystem_store(name, env_);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }

  fs::path base_;
  KeyValueEnvironment env_;
};

TEST_F(KeyValueFilesystemTest, LayoutIsTempDirNameKey) {
  auto kv = open("my-container");
  ASSERT_TRUE(fs::is_directory(base_ / "my-container"));  // created at open
  ASSERT_TRUE(kv->set("hello", bytes("world")).ok());
  EXPECT_EQ(read_file(base_ / "my-container" / "hello"), "world");
  // A file put there by someone else is a key, with its raw bytes.
  std::ofstream(base_ / "my-container" / "outside", std::ios::binary) << "raw";
  auto got = kv->get("outside");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value(), bytes("raw"));
  // Nothing else is left in the directory (no temporary files).
  std::vector<std::string> entries;
  for (auto& e : fs::directory_iterator(base_ / "my-container")) entries.push_back(e.path().filename());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"hello", "outside"}));
}

TEST_F(KeyValueFilesystemTest, DefaultBaseIsTmpdir) {
  const char* old = getenv("TMPDIR");
  std::string saved = old ? old : "";
  setenv("TMPDIR", base_.c_str(), 1);
  auto store = open_filesystem_store("from-env");
  if (old) setenv("TMPDIR", saved.c_str(), 1); else unsetenv("TMPDIR");
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE(store.value()->set("k", bytes("v")).ok());
  EXPECT_EQ(read_file(base_ / "from-env" / "k"), "v");
}

TEST_F(KeyValueFilesystemTest, SetGetKeysDeleteAndMissingKeys) {
  auto kv = open("s");
  ASSERT_TRUE(kv->set("b", bytes("2")).ok());
  ASSERT_TRUE(kv->set("a", bytes("1")).ok());
  ASSERT_TRUE(kv->set(".hidden", bytes("h")).ok());  // a leading dot is an ordinary key
  auto keys = kv->keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value(), (std::vector<std::string>{".hidden", "a", "b"}));
  ASSERT_TRUE(kv->remove("a").ok());
  EXPECT_FALSE(fs::exists(base_ / "s" / "a"));
  auto missing = kv->get("a");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, KeyValueErrorKind::KeyNotFound);
  auto del = kv->remove("a");
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.error().kind, KeyValueErrorKind::KeyNotFound);
}

TEST_F(KeyValueFilesystemTest, BinaryAndEmptyValuesAndOverwrite) {
  auto kv = open("s");
  std::vector<uint8_t> value = {0, 'a', 0, 0, 255, 0};
  ASSERT_TRUE(kv->set("bin", value).ok());
  EXPECT_EQ(kv->get("bin").value(), value);
  ASSERT_TRUE(kv->set("bin", bytes("x")).ok());  // shorter: fully replaced
  EXPECT_EQ(kv->get("bin").value(), bytes("x"));
  ASSERT_TRUE(kv->set("empty", {}).ok());
  auto empty = kv->get("empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().empty());
  std::vector<uint8_t> big(3 << 20);
  for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(kv->set("big", big).ok());
  EXPECT_EQ(kv->get("big").value(), big);
}

TEST_F(KeyValueFilesystemTest, KeysThatLeaveTheStoreAreRefused) {
  auto kv = open("s");
  fs::create_directories(base_ / "s" / "sub");
  std::ofstream(base_ / "victim") << "secret";
  std::vector<std::string> refused = {
      "", ".", "..", "../victim", "/etc/passwd", "sub/x", "a/", "/", "..//victim",
      std::string("victim\0.txt", 11), std::string("\0", 1), std::string(256, 'k'),
  };
  for (const std::string& key : refused) {
    SCOPED_TRACE("key '" + key + "'");
    auto get = kv->get(key);
    ASSERT_FALSE(get.ok());
    EXPECT_EQ(get.error().kind, KeyValueErrorKind::InvalidKey) << get.error().message;
    auto set = kv->set(key, bytes("overwritten"));
    ASSERT_FALSE(set.ok());
    EXPECT_EQ(set.error().kind, KeyValueErrorKind::InvalidKey);
    auto del = kv->remove(key);
    ASSERT_FALSE(del.ok());
    EXPECT_EQ(del.error().kind, KeyValueErrorKind::InvalidKey);
  }
  EXPECT_EQ(read_file(base_ / "victim"), "secret");
  EXPECT_FALSE(fs::exists(base_ / "s" / "sub" / "x"));
  // 255 bytes is the longest file name: allowed. Backslashes, spaces, UTF-8: plain names.
  for (std::string key : {std::string(255, 'k'), std::string("a\\b"), std::string(" ..."),
                          std::string("..."), std::string("caf\xc3\xa9")}) {
    ASSERT_TRUE(kv->set(key, bytes("ok")).ok()) << key;
    EXPECT_TRUE(fs::exists(base_ / "s" / key));
  }
}

TEST_F(KeyValueFilesystemTest, StoreNamesThatLeaveTmpdirAreRefused) {
  for (std::string name : {std::string(""), std::string("."), std::string(".."), std::string("../x"),
                           std::string("/abs"), std::string("a/b"), std::string("a\0b", 3)}) {
    auto store = open_filesystem_store(name, env_);
    ASSERT_FALSE(store.ok()) << name;
    EXPECT_EQ(store.error().kind, KeyValueErrorKind::InvalidKey);
  }
  EXPECT_FALSE(fs::exists(base_.parent_path() / "x"));
  EXPECT_TRUE(open_filesystem_store("keyvalue.filesystem", env_).ok());  // §4.5's fallback name
}

TEST_F(KeyValueFilesystemTest, KeysSkipsTemporaryAndNonUtf8Names) {
  auto kv = open("s");
  ASSERT_TRUE(kv->set("real", bytes("1")).ok());
  std::ofstream(base_ / "s" / ".\xffsilk-tmp.1.2") << "left by a crash";
  std::ofstream(base_ / "s" / "bad\xfe") << "not UTF-8";
  fs::create_directories(base_ / "s" / "dir");
  auto keys = kv->keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value(), (std::vector<std::string>{"dir", "real"}));  // sub-directories listed, as slight
  auto dir = kv->get("dir");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().kind, KeyValueErrorKind::IoError);
  auto set_dir = kv->set("dir", bytes("x"));  // cannot replace a directory
  ASSERT_FALSE(set_dir.ok());
  EXPECT_EQ(set_dir.error().kind, KeyValueErrorKind::IoError);
  EXPECT_EQ(kv->keys().value(), (std::vector<std::string>{"dir", "real"}));  // no temporary left
}

TEST_F(KeyValueFilesystemTest, SameNameSharesDifferentNamesIsolated) {
  auto one = open("shared");
  auto two = open("shared");
  auto other = open("other");
  ASSERT_TRUE(one->set("k", bytes("v")).ok());
  EXPECT_EQ(two->get("k").value(), bytes("v"));
  EXPECT_EQ(other->get("k").error().kind, KeyValueErrorKind::KeyNotFound);
}

TEST_F(KeyValueFilesystemTest, DurableAcrossReopen) {
  {
    auto kv = open("durable");
    ASSERT_TRUE(kv->set("k1", bytes("v1")).ok());
    ASSERT_TRUE(kv->set("k2", bytes("v2")).ok());
    ASSERT_TRUE(kv->remove("k2").ok());
  }
  auto kv = open("durable");
  EXPECT_EQ(kv->get("k1").value(), bytes("v1"));
  EXPECT_EQ(kv->keys().value(), (std::vector<std::string>{"k1"}));
}

TEST_F(KeyValueFilesystemTest, StoreDirectoryRemovedMeanwhileIsRecreated) {
  auto kv = open("gone");
  fs::remove_all(base_ / "gone");
  EXPECT_EQ(kv->get("k").error().kind, KeyValueErrorKind::KeyNotFound);
  EXPECT_TRUE(kv->keys().value().empty());
  ASSERT_TRUE(kv->set("k", bytes("v")).ok());
  EXPECT_EQ(read_file(base_ / "gone" / "k"), "v");
}

TEST_F(KeyValueFilesystemTest, UnwritableStoreIsIoError) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  auto kv = open("ro");
  fs::permissions(base_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  auto set = kv->set("k", bytes("v"));
  fs::permissions(base_ / "ro", fs::perms::owner_all);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().kind, KeyValueErrorKind::IoError);
}

TEST_F(KeyValueFilesystemTest, ConcurrentWritersNeverTearAValue) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      auto kv = open("race");
      std::vector<uint8_t> value(4096, static_cast<uint8_t>('a' + t));
      for (int i = 0; i < 50; i++) {
        ASSERT_TRUE(kv->set("k", value).ok());
        auto got = kv->get("k");
        ASSERT_TRUE(got.ok());
        ASSERT_EQ(got.value().size(), 4096u);
        ASSERT_EQ(std::count(got.value().begin(), got.value().end(), got.value()[0]), 4096);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(open("race")->keys().value(), (std::vector<std::string>{"k"}));
}

TEST_F(KeyValueFilesystemTest, OpenFromSlightfile) {
  auto file = parse_slightfile(
      "specversion = \"0.2\"\n[[capability]]\nresource = \"keyvalue.filesystem\"\nname = \"*\"\n", "t.toml");
  ASSERT_TRUE(file.ok()) << file.error().message;
  const Capability* cap = file->find(CapabilityGroup::KeyValue, "anything");
  ASSERT_NE(cap, nullptr);
  auto kv = open_keyvalue(*file, *cap, "anything", env_);
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  ASSERT_TRUE(kv.value()->set("k", bytes("v")).ok());
  EXPECT_EQ(read_file(base_ / "anything" / "k"), "v");
}

}  // namespace
