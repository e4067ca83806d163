// Sandbox escapes. The driver lays out (run_wasi_test.py, setup "sandbox"):
//   ../outside.txt           a file next to the pre-opened directory
//   abs   -> /etc/hostname    an absolute symlink
//   up    -> ../outside.txt   a relative symlink leading out
//   sub/deep -> ../../outside.txt
//   loop1 -> loop2, loop2 -> loop1
//   sub/file.txt, inside -> sub/file.txt, via -> sub/../sub/file.txt
// Natively nothing stops these, so this test compares the wasm run with
// sandbox.expected instead of with the native run.
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_test.h"

static void try_open(const char* path) {
  errno = 0;
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    char buf[32] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = 0;
    printf("open %-22s allowed (%s)\n", path, buf);
    close(fd);
  } else {
    printf("open %-22s refused (%s)\n", path, errname(errno));
  }
}

static void report(const char* what, int r) {
  if (r == 0) printf("%-30s allowed\n", what);
  else printf("%-30s refused (%s)\n", what, errname(errno));
}

int main(void) {
  try_open("sub/file.txt");
  try_open("inside");
  try_open("via");
  try_open("sub/../sub/file.txt");
  try_open("../outside.txt");
  try_open("sub/../../outside.txt");
  try_open("./../outside.txt");
  try_open("abs");
  try_open("up");
  try_open("sub/deep");
  try_open("loop1");
  try_open("/etc/hostname");
  struct stat st;
  errno = 0;
  report("stat ..", stat("..", &st));
  errno = 0;
  report("stat sub/deep", stat("sub/deep", &st));
  errno = 0;
  report("lstat sub/deep", lstat("sub/deep", &st));
  errno = 0;
  report("opendir ..", opendir("..") ? 0 : -1);
  errno = 0;
  report("mkdir ../made", mkdir("../made", 0755));
  errno = 0;
  report("creat up (through link)", open("up", O_CREAT | O_WRONLY, 0644) >= 0 ? 0 : -1);
  errno = 0;
  report("symlink /etc/passwd", symlink("/etc/passwd", "new_abs"));
  errno = 0;
  report("symlink ../outside.txt", symlink("../outside.txt", "new_up"));
  errno = 0;
  report("symlink sub/../../x", symlink("sub/../../x", "new_up2"));
  errno = 0;
  report("symlink ../inside in sub", symlink("../inside", "sub/ok_link"));
  errno = 0;
  report("rename into ..", rename("inside", "../stolen"));
  errno = 0;
  report("link ../outside.txt", link("../outside.txt", "grab"));
  errno = 0;
  report("unlink ../outside.txt", unlink("../outside.txt"));
  return 0;
}
