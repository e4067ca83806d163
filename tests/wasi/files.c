// Files round trip: path_open (creat/excl/trunc/append/directory), fd_write,
// fd_read, fd_pread, fd_pwrite, fd_seek, fd_tell, fd_allocate, fd_advise,
// fd_sync, fd_datasync, fd_filestat_get, fd_filestat_set_size,
// fd_filestat_set_times, fd_close.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_test.h"

static long tell(int fd) {
#ifdef __wasi__
  __wasi_filesize_t pos;
  if (__wasi_fd_tell((__wasi_fd_t)fd, &pos) != 0) return -1;
  return (long)pos;
#else
  return (long)lseek(fd, 0, SEEK_CUR);
#endif
}

int main(void) {
  char data[100], back[100];
  for (int i = 0; i < 100; ++i) data[i] = (char)('a' + i % 26);

  int fd = open("f.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, data, 100) == 100);
  CHECK(tell(fd) == 100);
  CHECK(lseek(fd, 0, SEEK_CUR) == 100);
  CHECK(lseek(fd, 10, SEEK_SET) == 10);
  CHECK(read(fd, back, 5) == 5 && memcmp(back, data + 10, 5) == 0);
  CHECK(lseek(fd, -20, SEEK_END) == 80);
  CHECK(lseek(fd, 5, SEEK_CUR) == 85);
  CHECK(read(fd, back, 100) == 15 && memcmp(back, data + 85, 15) == 0);
  CHECK(read(fd, back, 100) == 0);  // end of file
  CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);

  // pread/pwrite leave the position alone.
  CHECK(lseek(fd, 3, SEEK_SET) == 3);
  CHECK(pwrite(fd, "XYZ", 3, 50) == 3);
  CHECK(pread(fd, back, 4, 49) == 4 && memcmp(back, "xXYZ", 4) == 0);
  CHECK(tell(fd) == 3);
  CHECK(pread(fd, back, 10, 200) == 0);

  // Scatter/gather.
  struct iovec iov[3] = {{(void*)"one ", 4}, {(void*)"", 0}, {(void*)"two", 3}};
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(writev(fd, iov, 3) == 7);
  char a[3], b[4];
  struct iovec riov[2] = {{a, 3}, {b, 4}};
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(readv(fd, riov, 2) == 7 && memcmp(a, "one", 3) == 0 && memcmp(b, " two", 4) == 0);

  // Size: allocate grows, truncate shrinks, both seen by fstat.
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 100 && S_ISREG(st.st_mode));
  CHECK(posix_fallocate(fd, 0, 4096) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 4096);
  CHECK(posix_fadvise(fd, 0, 4096, POSIX_FADV_SEQUENTIAL) == 0);
  CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0);
  CHECK(ftruncate(fd, 50) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 50);
  CHECK(fsync(fd) == 0);
  CHECK(fdatasync(fd) == 0);

  // Times: set both, then only mtime to a second value.
  struct timespec times[2] = {{1000000000, 123456789}, {1200000000, 5}};
  CHECK(futimens(fd, times) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
        st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 5);
  struct timespec only_m[2] = {{0, UTIME_OMIT}, {1300000000, 0}};
  CHECK(futimens(fd, only_m) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1300000000);
  CHECK(close(fd) == 0);
  CHECK_ERR(close(fd), EBADF);
  CHECK_ERR(write(fd, "x", 1), EBADF);

  // Open flags.
  CHECK_ERR(open("f.dat", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  CHECK_ERR(open("missing.dat", O_RDONLY), ENOENT);
  CHECK_ERR(open("f.dat", O_RDONLY | O_DIRECTORY), ENOTDIR);
  CHECK_ERR(open(".", O_WRONLY), EISDIR);
  fd = open("f.dat", O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  CHECK(write(fd, "END", 3) == 3);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 53);
  CHECK(close(fd) == 0);
  fd = open("f.dat", O_RDONLY);
  CHECK(fd >= 0);
  CHECK(pread(fd, back, 3, 50) == 3 && memcmp(back, "END", 3) == 0);
  CHECK(write(fd, "x", 1) == -1);  // read-only: EBADF natively, ENOTCAPABLE under WASI
  CHECK(close(fd) == 0);
  fd = open("f.dat", O_WRONLY | O_TRUNC);
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
  CHECK(read(fd, back, 1) == -1);
  CHECK(close(fd) == 0);

  // stdio through FILE*.
  FILE* f = fopen("g.txt", "w+");
  CHECK(f != NULL);
  CHECK(fprintf(f, "line %d\n", 42) == 8);
  rewind(f);
  char line[32] = {0};
  CHECK(fgets(line, sizeof line, f) && strcmp(line, "line 42\n") == 0);
  CHECK(fclose(f) == 0);
  TEST_DONE();
}
