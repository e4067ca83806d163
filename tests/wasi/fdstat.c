// fd_fdstat_get, fd_fdstat_set_flags, fd_fdstat_set_rights, fd_renumber,
// fd_prestat_get, fd_prestat_dir_name.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_test.h"

// fd_renumber: {from} takes {to}'s number; {from} is closed.
static int renumber(int from, int to) {
#ifdef __wasi__
  return __wasi_fd_renumber((__wasi_fd_t)from, (__wasi_fd_t)to) == 0 ? 0 : -1;
#else
  if (fcntl(to, F_GETFD) < 0) return -1;  // WASI: {to} must be open
  if (dup2(from, to) < 0) return -1;
  return close(from);
#endif
}

int main(void) {
  int fd = open("s.txt", O_CREAT | O_WRONLY | O_APPEND, 0644);
  CHECK(fd >= 0);
  int fl = fcntl(fd, F_GETFL);
  CHECK(fl >= 0 && (fl & O_APPEND) && (fl & O_ACCMODE) == O_WRONLY);
  CHECK(fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
  fl = fcntl(fd, F_GETFL);
  CHECK((fl & O_NONBLOCK) && (fl & O_APPEND));
  CHECK(fcntl(fd, F_SETFL, 0) == 0);
  fl = fcntl(fd, F_GETFL);
  CHECK(!(fl & O_NONBLOCK) && !(fl & O_APPEND));
  CHECK(write(fd, "0123456789", 10) == 10);
  close(fd);

  fd = open("s.txt", O_RDONLY);
  CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
  int rw = open("s.txt", O_RDWR | O_DSYNC);
  CHECK((fcntl(rw, F_GETFL) & O_ACCMODE) == O_RDWR);
  CHECK(fcntl(rw, F_GETFL) & O_DSYNC);
  int sync_fd = open("s.txt", O_RDONLY | O_SYNC);
  CHECK((fcntl(sync_fd, F_GETFL) & O_SYNC) == O_SYNC);
  close(sync_fd);

  // Renumber rw onto fd: fd now reads from rw's position, rw is gone.
  CHECK(lseek(rw, 4, SEEK_SET) == 4);
  CHECK(renumber(rw, fd) == 0);
  char c;
  CHECK(read(fd, &c, 1) == 1 && c == '4');
  CHECK_ERR(read(rw, &c, 1), EBADF);
  CHECK(renumber(fd, 1000) == -1);  // no such target
  CHECK(close(fd) == 0);

  CHECK(isatty(1) == 0);  // the driver pipes stdout
  struct stat st;
  CHECK(fstat(1, &st) == 0);

#ifdef __wasi__
  // Rights: they can be dropped, not regained; a dropped right is enforced.
  fd = open("s.txt", O_RDWR);
  __wasi_fdstat_t fs;
  CHECK(__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fs) == 0 && fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  CHECK(__wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, fs.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE, 0) == 0);
  CHECK(write(fd, "x", 1) == -1);
  __wasi_ciovec_t iov = {(const uint8_t*)"x", 1};
  __wasi_size_t written;
  CHECK(__wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &written) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(read(fd, &c, 1) == 1);
  CHECK(__wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, fs.fs_rights_base, 0) == __WASI_ERRNO_NOTCAPABLE);
  close(fd);
  // The pre-opened directory (fd 3, named "."), and a plain file is not one.
  __wasi_prestat_t pre;
  char name[8] = {0};
  CHECK(__wasi_fd_prestat_get(3, &pre) == 0 && pre.tag == __WASI_PREOPENTYPE_DIR && pre.u.dir.pr_name_len == 1);
  CHECK(__wasi_fd_prestat_dir_name(3, (uint8_t*)name, 1) == 0 && strcmp(name, ".") == 0);
  CHECK(__wasi_fd_prestat_get(0, &pre) == __WASI_ERRNO_BADF);
  CHECK(__wasi_fd_fdstat_get(3, &fs) == 0 && fs.fs_filetype == __WASI_FILETYPE_DIRECTORY);
#else
  // The same checks' lines, for the comparison: these calls exist only in WASI.
  puts("ok   __wasi_fd_fdstat_get((__wasi_fd_t)fd, &fs) == 0 && fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE");
  puts("ok   fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE");
  puts("ok   __wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, fs.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE, 0) == 0");
  puts("ok   write(fd, \"x\", 1) == -1");
  puts("ok   __wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &written) == __WASI_ERRNO_NOTCAPABLE");
  puts("ok   read(fd, &c, 1) == 1");
  puts("ok   __wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, fs.fs_rights_base, 0) == __WASI_ERRNO_NOTCAPABLE");
  puts("ok   __wasi_fd_prestat_get(3, &pre) == 0 && pre.tag == __WASI_PREOPENTYPE_DIR && pre.u.dir.pr_name_len == 1");
  puts("ok   __wasi_fd_prestat_dir_name(3, (uint8_t*)name, 1) == 0 && strcmp(name, \".\") == 0");
  puts("ok   __wasi_fd_prestat_get(0, &pre) == __WASI_ERRNO_BADF");
  puts("ok   __wasi_fd_fdstat_get(3, &fs) == 0 && fs.fs_filetype == __WASI_FILETYPE_DIRECTORY");
#endif
  TEST_DONE();
}
