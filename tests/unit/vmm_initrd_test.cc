// The monitor's cpio newc writer (src/vmm/initrd/cpio_archive.h): the archive
// it writes is parsed back here field by field, as the kernel's unpacker reads it.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "vmm/initrd/app_image.h"
#include "vmm/initrd/cpio_archive.h"

namespace silk::vmm {
namespace {

struct Entry {
  uint32_t mode = 0;
  uint64_t data_offset = 0;
  std::string data;
};

uint32_t field(const std::string& a, size_t at, int index) {
  return static_cast<uint32_t>(std::stoul(a.substr(at + 6 + 8 * index, 8), nullptr, 16));
}

// Parses a newc archive; fails the test on a malformed one.
std::map<std::string, Entry> parse(const std::string& a) {
  std::map<std::string, Entry> out;
  size_t at = 0;
  for (;;) {
    EXPECT_LE(at + 110, a.size());
    if (at + 110 > a.size()) break;
    EXPECT_EQ(a.substr(at, 6), "070701");
    uint32_t mode = field(a, at, 1), size = field(a, at, 6), name_size = field(a, at, 11);
    std::string name = a.substr(at + 110, name_size);
    EXPECT_EQ(name.back(), '\0');
    name = name.c_str();  // up to the first NUL: padding NULs are allowed
    size_t data = (at + 110 + name_size + 3) & ~size_t{3};
    if (name == "TRAILER!!!") break;
    out[name] = Entry{mode, data, a.substr(data, size)};
    at = (data + size + 3) & ~size_t{3};
  }
  return out;
}

std::string write_to_string(const CpioArchive& cpio) {
  size_t len = (cpio.size() + 4095) & ~size_t{4095};
  void* mem = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EXPECT_NE(mem, MAP_FAILED);
  auto r = cpio.write_to(static_cast<uint8_t*>(mem), true);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  std::string out(static_cast<char*>(mem), cpio.size());
  munmap(mem, len);
  return out;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/silk-initrd-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(CpioArchive, WritesEntriesParentsAndTrailer) {
  CpioArchive cpio;
  cpio.add_file("etc/motd", "hello\n", 0640);
  cpio.add_symlink("lib64/ld.so", "/lib/ld.so");
  cpio.add_directory("tmp", 01777);
  cpio.finish();
  auto entries = parse(write_to_string(cpio));
  ASSERT_EQ(entries.count("etc"), 1u);
  EXPECT_TRUE(S_ISDIR(entries["etc"].mode));
  EXPECT_EQ(entries["etc/motd"].data, "hello\n");
  EXPECT_EQ(entries["etc/motd"].mode, S_IFREG | 0640u);
  EXPECT_TRUE(S_ISLNK(entries["lib64/ld.so"].mode));
  EXPECT_EQ(entries["lib64/ld.so"].data, "/lib/ld.so");
  EXPECT_EQ(entries["tmp"].mode, S_IFDIR | 01777u);
  EXPECT_EQ(cpio.size() % 4, 0u);
}

TEST(CpioArchive, PageAlignsAndMapsLargeHostFiles) {
  TempDir dir;
  std::string big(200000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::ofstream(dir.path() + "/big") << big;
  std::ofstream(dir.path() + "/small") << "tiny";
  CpioArchive cpio;
  cpio.add_file("first", "unaligned start");
  ASSERT_TRUE(cpio.add_host_file("data/big", dir.path() + "/big"));
  ASSERT_TRUE(cpio.add_host_file("data/small", dir.path() + "/small"));
  cpio.finish();
  EXPECT_EQ(cpio.mapped_bytes(), big.size());
  auto entries = parse(write_to_string(cpio));
  EXPECT_EQ(entries["data/big"].data_offset % 4096, 0u);
  EXPECT_EQ(entries["data/big"].data, big);
  EXPECT_EQ(entries["data/small"].data, "tiny");
  EXPECT_EQ(entries["first"].data, "unaligned start");
}

TEST(CpioArchive, CopiesHostTreesWithSymlinks) {
  TempDir dir;
  ASSERT_EQ(mkdir((dir.path() + "/sub").c_str(), 0755), 0);
  std::ofstream(dir.path() + "/sub/a.txt") << "A";
  ASSERT_EQ(symlink("sub/a.txt", (dir.path() + "/link").c_str()), 0);
  CpioArchive cpio;
  ASSERT_TRUE(cpio.add_host_tree("mnt/tree", dir.path()));
  cpio.finish();
  auto entries = parse(write_to_string(cpio));
  EXPECT_EQ(entries["mnt/tree/sub/a.txt"].data, "A");
  EXPECT_EQ(entries["mnt/tree/link"].data, "sub/a.txt");
  EXPECT_TRUE(S_ISLNK(entries["mnt/tree/link"].mode));
}

TEST(CpioArchive, NamesAMissingHostFile) {
  CpioArchive cpio;
  auto r = cpio.add_host_file("x", "/nonexistent/silk-test-file");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent/silk-test-file"), std::string::npos);
}

TEST(CpioArchive, ReportsAHostFileThatChangedSize) {
  TempDir dir;
  std::string path = dir.path() + "/grows";
  std::ofstream(path) << "12345";
  CpioArchive cpio;
  ASSERT_TRUE(cpio.add_host_file("grows", path));
  cpio.finish();
  std::ofstream(path, std::ios::app) << "678";
  std::vector<uint8_t> buffer(cpio.size() + 4096);
  auto r = cpio.write_to(buffer.data(), false);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("changed size"), std::string::npos);
}

TEST(AppImage, HoldsTheRuntimeItsLibrariesAndTheAppAtHostPaths) {
  TempDir dir;
  std::string app = dir.path() + "/app.wasm";
  std::ofstream(app) << std::string("\0asm\1\0\0\0", 8);
  AppSpec spec;
  spec.app = app;
  spec.args = {"one", "two words"};
  spec.env = {"K=V"};
  auto image = build_app_image(spec);
  ASSERT_TRUE(image) << image.error().message;
  auto entries = parse(write_to_string(image->initrd));
  EXPECT_EQ(entries.count("usr/bin/silk"), 1u);
  EXPECT_EQ(entries.count(app.substr(1)), 1u);
  bool libc = false;
  for (auto& [name, entry] : entries) libc = libc || name.find("libc.so.6") != std::string::npos;
  EXPECT_TRUE(libc) << "the C library the runtime was loaded with";
  std::vector<std::string> want = {kRuntimePath, "run", "--env", "K=V", app, "one", "two words"};
  EXPECT_EQ(image->argv, want);
  std::string cmdline = app_kernel_cmdline(*image, true);
  EXPECT_NE(cmdline.find("quiet cwd="), std::string::npos);
  EXPECT_NE(cmdline.find(" -- /usr/bin/silk run --env K=V " + app + " one \"two words\""), std::string::npos);
}

TEST(AppImage, NamesAMissingApp) {
  AppSpec spec;
  spec.app = "/nonexistent/app.wasm";
  auto image = build_app_image(spec);
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("/nonexistent/app.wasm"), std::string::npos);
}

}  // namespace
}  // namespace silk::vmm
