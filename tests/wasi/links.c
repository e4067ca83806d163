// path_rename, path_link, path_symlink, path_readlink, path_unlink_file,
// and following symlinks in path_open / path_filestat_get.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_test.h"

static int write_file(const char* path, const char* text) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int read_file(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = 0;
  return 0;
}

int main(void) {
  char buf[64];
  struct stat st;
  CHECK(write_file("a.txt", "alpha") == 0);
  CHECK(mkdir("dir", 0755) == 0);

  CHECK(rename("a.txt", "b.txt") == 0);
  CHECK_ERR(stat("a.txt", &st), ENOENT);
  CHECK(read_file("b.txt", buf, sizeof buf) == 0 && strcmp(buf, "alpha") == 0);
  CHECK(rename("b.txt", "dir/c.txt") == 0);
  CHECK(write_file("d.txt", "delta") == 0);
  CHECK(rename("d.txt", "dir/c.txt") == 0);  // replaces
  CHECK(read_file("dir/c.txt", buf, sizeof buf) == 0 && strcmp(buf, "delta") == 0);
  CHECK_ERR(rename("missing", "x"), ENOENT);

  CHECK(link("dir/c.txt", "hard.txt") == 0);
  CHECK(stat("hard.txt", &st) == 0 && st.st_nlink == 2);
  CHECK_ERR(link("dir/c.txt", "hard.txt"), EEXIST);

  CHECK(symlink("dir/c.txt", "sym") == 0);
  ssize_t n = readlink("sym", buf, sizeof buf);
  CHECK(n == 9 && memcmp(buf, "dir/c.txt", 9) == 0);
  CHECK(readlink("sym", buf, 3) == 3 && memcmp(buf, "dir", 3) == 0);  // truncated
  CHECK_ERR(readlink("hard.txt", buf, sizeof buf), EINVAL);
  CHECK(lstat("sym", &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(stat("sym", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5);
  CHECK(read_file("sym", buf, sizeof buf) == 0 && strcmp(buf, "delta") == 0);
  CHECK_ERR(open("sym", O_RDONLY | O_NOFOLLOW), ELOOP);

  // A symlink to a directory, followed in the middle of a path.
  CHECK(symlink("dir", "dirlink") == 0);
  CHECK(read_file("dirlink/c.txt", buf, sizeof buf) == 0 && strcmp(buf, "delta") == 0);
  CHECK(symlink("../hard.txt", "dir/up") == 0);  // points up, still inside
  CHECK(read_file("dir/up", buf, sizeof buf) == 0 && strcmp(buf, "delta") == 0);
  CHECK(symlink("nowhere", "dangling") == 0);
  CHECK_ERR(stat("dangling", &st), ENOENT);
  CHECK(lstat("dangling", &st) == 0 && S_ISLNK(st.st_mode));

  CHECK(unlink("sym") == 0);
  CHECK(stat("dir/c.txt", &st) == 0 && st.st_nlink == 2);  // the target stays
  CHECK(unlink("hard.txt") == 0);
  CHECK(stat("dir/c.txt", &st) == 0 && st.st_nlink == 1);
  CHECK_ERR(unlink("hard.txt"), ENOENT);
  CHECK(unlink("dirlink") == 0 && unlink("dangling") == 0 && unlink("dir/up") == 0);
  CHECK(unlink("dir/c.txt") == 0);
  CHECK(rename("dir", "dir2") == 0);
  CHECK(rmdir("dir2") == 0);
  TEST_DONE();
}
