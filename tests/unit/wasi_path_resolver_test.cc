// The WASI sandbox rules (src/wasi/path_resolver.h), on a real directory tree:
//   root/            <- the "pre-opened" directory
//     a/b/file       a/up -> ..     a/out -> ../..     abs -> /etc
//     loop1 -> loop2 -> loop1       inside -> a/b/file
//   ../secret        (next to root)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "wasi/path_resolver.h"

namespace silk::wasi {
namespace {

class PathResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/silk_resolver_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    const std::string root = base_ + "/root";
    ASSERT_EQ(mkdir(root.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root + "/a").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root + "/a/b").c_str(), 0755), 0);
    close(open((root + "/a/b/file").c_str(), O_CREAT | O_WRONLY, 0644));
    close(open((base_ + "/secret").c_str(), O_CREAT | O_WRONLY, 0644));
    ASSERT_EQ(symlink("..", (root + "/a/up").c_str()), 0);
    ASSERT_EQ(symlink("../..", (root + "/a/out").c_str()), 0);
    ASSERT_EQ(symlink("/etc", (root + "/abs").c_str()), 0);
    ASSERT_EQ(symlink("loop2", (root + "/loop1").c_str()), 0);
    ASSERT_EQ(symlink("loop1", (root + "/loop2").c_str()), 0);
    ASSERT_EQ(symlink("a/b/file", (root + "/inside").c_str()), 0);
    root_fd_ = open(root.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(root_fd_, 0);
  }
  void TearDown() override {
    close(root_fd_);
    std::system(("rm -rf '" + base_ + "'").c_str());
  }

  Errno resolve(const char* path, bool follow = true) {
    out_ = ResolvedPath{};
    return resolve_path(root_fd_, path, follow, out_);
  }
  // The resolved path's file type, via the parent fd and name (as the calls do).
  mode_t type_of_result() {
    struct stat st;
    if (fstatat(out_.parent.get(), out_.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
    return st.st_mode & S_IFMT;
  }

  std::string base_;
  int root_fd_ = -1;
  ResolvedPath out_;
};

TEST_F(PathResolverTest, PlainPathsResolveToParentAndName) {
  ASSERT_EQ(resolve("a/b/file"), Errno::kSUCCESS);
  EXPECT_EQ(out_.name, "file");
  EXPECT_EQ(out_.depth, 2u);
  EXPECT_EQ(type_of_result(), S_IFREG);
  ASSERT_EQ(resolve("a/./b//file"), Errno::kSUCCESS);
  EXPECT_EQ(out_.name, "file");
  ASSERT_EQ(resolve("."), Errno::kSUCCESS);
  EXPECT_EQ(out_.name, ".");
  EXPECT_EQ(out_.depth, 0u);
  ASSERT_EQ(resolve("a/b/.."), Errno::kSUCCESS);
  EXPECT_EQ(out_.name, ".");
  EXPECT_EQ(out_.depth, 1u);
  EXPECT_EQ(type_of_result(), S_IFDIR);
}

TEST_F(PathResolverTest, NonexistentFinalComponentIsAllowedForCreation) {
  ASSERT_EQ(resolve("a/new"), Errno::kSUCCESS);
  EXPECT_EQ(out_.name, "new");
  EXPECT_EQ(resolve("nope/new"), Errno::kNOENT);
  ASSERT_EQ(resolve("a/newdir/"), Errno::kSUCCESS);
  EXPECT_EQ(out_.name, "newdir/");  // the trailing slash is kept for the *at() call
  EXPECT_EQ(resolve("a/b/file/x"), Errno::kNOTDIR);
  EXPECT_EQ(resolve(""), Errno::kNOENT);
}

TEST_F(PathResolverTest, DotDotAboveTheRootIsRefused) {
  EXPECT_EQ(resolve(".."), Errno::kNOTCAPABLE);
  EXPECT_EQ(resolve("../secret"), Errno::kNOTCAPABLE);
  EXPECT_EQ(resolve("a/../../secret"), Errno::kNOTCAPABLE);
  EXPECT_EQ(resolve("a/b/../../.."), Errno::kNOTCAPABLE);
  EXPECT_EQ(resolve("a/b/../../a"), Errno::kSUCCESS);  // climbs, but stays inside
}

TEST_F(PathResolverTest, AbsolutePathsAndAbsoluteSymlinksAreRefused) {
  EXPECT_EQ(resolve("/etc/passwd"), Errno::kNOTCAPABLE);
  EXPECT_EQ(resolve("abs/passwd"), Errno::kNOTCAPABLE);  // in the middle: always followed
  EXPECT_EQ(resolve("abs", true), Errno::kNOTCAPABLE);
  ASSERT_EQ(resolve("abs", false), Errno::kSUCCESS);  // not followed: the link itself
  EXPECT_EQ(type_of_result(), S_IFLNK);
}

TEST_F(PathResolverTest, RelativeSymlinksMayNotLeadOut) {
  ASSERT_EQ(resolve("a/up/a"), Errno::kSUCCESS);  // a/up -> .. is the root: fine
  EXPECT_EQ(out_.depth, 0u);
  EXPECT_EQ(out_.name, "a");
  EXPECT_EQ(resolve("a/out"), Errno::kNOTCAPABLE);
  EXPECT_EQ(resolve("a/out/secret"), Errno::kNOTCAPABLE);
  EXPECT_EQ(resolve("a/up/../secret"), Errno::kNOTCAPABLE);
  ASSERT_EQ(resolve("a/up/inside"), Errno::kSUCCESS);  // two links, both inside
  EXPECT_EQ(out_.name, "file");
  EXPECT_EQ(out_.depth, 2u);
  EXPECT_EQ(type_of_result(), S_IFREG);
}

TEST_F(PathResolverTest, SymlinkLoopsAreELOOP) {
  EXPECT_EQ(resolve("loop1"), Errno::kLOOP);
  EXPECT_EQ(resolve("loop1/x"), Errno::kLOOP);
  ASSERT_EQ(resolve("loop1", false), Errno::kSUCCESS);
  EXPECT_EQ(type_of_result(), S_IFLNK);
}

TEST_F(PathResolverTest, EmbeddedNulIsInvalid) {
  EXPECT_EQ(resolve_path(root_fd_, std::string_view("a\0b", 3), true, out_), Errno::kINVAL);
}

TEST(SymlinkTargetTest, StaysInsideIsLexical) {
  EXPECT_TRUE(symlink_target_stays_inside("file", 0));
  EXPECT_TRUE(symlink_target_stays_inside("a/../b", 0));
  EXPECT_TRUE(symlink_target_stays_inside("../x", 1));
  EXPECT_FALSE(symlink_target_stays_inside("../x", 0));
  EXPECT_FALSE(symlink_target_stays_inside("a/../../x", 0));
  EXPECT_FALSE(symlink_target_stays_inside("../../x", 1));
  EXPECT_FALSE(symlink_target_stays_inside("/etc/passwd", 3));
  EXPECT_FALSE(symlink_target_stays_inside("", 0));
}

}  // namespace
}  // namespace silk::wasi
