// A static glibc program for the kernel's file system tests
// (kernel/CMakeLists.txt builds it with -static and packs it into a cpio
// initrd with make_cpio.py). It expects, in the initrd:
//   /files                    this program
//   /data/hello.txt           "hello, initrd\n" (small: its data is not page-aligned)
//   /data/big.bin             a copy of this program (page-aligned data)
//   /data/link -> hello.txt, /data/abs -> /data/hello.txt, /data/loop -> loop,
//   /data/dangling -> nowhere
// Each check prints one line ("ok ..." or "FAIL ..."); the last line is
// "files: N passed, M failed", and the exit status is 0 when nothing failed.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char kHello[] = "hello, initrd\n";

static int read_all(const char* path, char* buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, cap);
  close(fd);
  return (int)n;
}

static void test_initrd_files(void) {
  char buf[64] = {0};
  int fd = open("/data/hello.txt", O_RDONLY);
  check(fd >= 3, "open an initrd file (lowest free descriptor)");
  check(read(fd, buf, sizeof buf) == 14 && memcmp(buf, kHello, 14) == 0, "read its bytes");
  check(read(fd, buf, sizeof buf) == 0, "read at the end returns 0");
  struct stat st, st2;
  check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 14 && st.st_nlink == 1, "fstat");
  check(st.st_mtim.tv_sec > 1577836800 && st.st_blksize == 4096, "the archive's mtime, st_blksize");
  check(stat("/data/link", &st2) == 0 && st2.st_ino == st.st_ino, "stat follows a relative symlink");
  check(stat("/data/abs", &st2) == 0 && st2.st_ino == st.st_ino, "stat follows an absolute symlink");
  check(lstat("/data/link", &st2) == 0 && S_ISLNK(st2.st_mode) && st2.st_size == 9, "lstat sees the symlink");
  check(lseek(fd, 7, SEEK_SET) == 7 && read(fd, buf, 6) == 6 && memcmp(buf, "initrd", 6) == 0, "lseek SEEK_SET");
  check(lseek(fd, -2, SEEK_END) == 12 && lseek(fd, 1, SEEK_CUR) == 13, "lseek SEEK_END, SEEK_CUR");
  check_errno(lseek(fd, -100, SEEK_SET), EINVAL, "lseek before the start: EINVAL");
  check(lseek(fd, 3, SEEK_DATA) == 3 && lseek(fd, 3, SEEK_HOLE) == 14, "SEEK_DATA, SEEK_HOLE");
  check(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0 && lseek(fd, 0, SEEK_CUR) == 14,
        "pread leaves the position alone");
  check_errno(write(fd, "x", 1), EBADF, "write to an O_RDONLY descriptor: EBADF");
  check(close(fd) == 0, "close");
  check_errno(close(fd), EBADF, "close twice: EBADF");
  check_errno(read(fd, buf, 1), EBADF, "read a closed descriptor: EBADF");
}

static void test_open_errors(void) {
  char name[300];
  memset(name, 'a', sizeof name - 1);
  name[sizeof name - 1] = 0;
  check_errno(open("/data/missing", O_RDONLY), ENOENT, "open a missing file: ENOENT");
  check_errno(open("/data/hello.txt/x", O_RDONLY), ENOTDIR, "a file as a directory: ENOTDIR");
  check_errno(open("/data", O_WRONLY), EISDIR, "open a directory for writing: EISDIR");
  check_errno(open("/data/hello.txt", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_CREAT|O_EXCL: EEXIST");
  check_errno(open("/data/loop", O_RDONLY), ELOOP, "a symlink loop: ELOOP");
  check_errno(open("/data/link", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symlink: ELOOP");
  check_errno(open("/data/hello.txt", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file: ENOTDIR");
  check_errno(open(name, O_RDONLY), ENAMETOOLONG, "a 299-byte name: ENAMETOOLONG");
  check_errno(open("/data/dangling", O_RDONLY), ENOENT, "a dangling symlink: ENOENT");
  check_errno(open("/data/hello.txt/", O_RDONLY), ENOTDIR, "a trailing slash after a file: ENOTDIR");
  check_errno(open((const char*)1, O_RDONLY), EFAULT, "a bad path pointer: EFAULT");
  check_errno(open("", O_RDONLY), ENOENT, "an empty path: ENOENT");
  int fd = open("/data/../data/./hello.txt", O_RDONLY);
  check(fd >= 0, "'.' and '..' in a path");
  close(fd);
}

static void test_copy_on_write(void) {
  char buf[64] = {0};
  int fd = open("/data/hello.txt", O_RDWR);
  check(fd >= 0 && pwrite(fd, "HELLO", 5, 0) == 5, "write into an initrd file");
  check(pread(fd, buf, sizeof buf, 0) == 14 && memcmp(buf, "HELLO, initrd\n", 14) == 0, "read back the change");
  close(fd);
  memset(buf, 0, sizeof buf);
  check(read_all("/data/link", buf, sizeof buf) == 14 && memcmp(buf, "HELLO", 5) == 0, "seen through the symlink");
  fd = open("/data/hello.txt", O_RDWR);
  pwrite(fd, "hello", 5, 0);
  close(fd);
}

static int pattern_ok(const unsigned char* p, size_t n, size_t offset) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != (unsigned char)((offset + i) * 7)) return 0;
  }
  return 1;
}

static void test_tmp_files(void) {
  static unsigned char data[10000], back[10000];
  for (size_t i = 0; i < sizeof data; ++i) data[i] = (unsigned char)(i * 7);
  int fd = open("/tmp/a.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  check(fd >= 0 && write(fd, data, sizeof data) == sizeof data, "create and write a file in /tmp");
  struct stat st;
  check(fstat(fd, &st) == 0 && st.st_size == 10000 && (st.st_mode & 0777) == 0644, "its size and mode");
  check(lseek(fd, 0, SEEK_SET) == 0 && read(fd, back, sizeof back) == sizeof back &&
            memcmp(back, data, sizeof data) == 0,
        "read it back");
  check(pread(fd, back, 100, 5000) == 100 && pattern_ok(back, 100, 5000), "pread in the middle");
  check(pwrite(fd, "zz", 2, 4095) == 2 && pread(fd, back, 4, 4094) == 4 && back[1] == 'z' && back[2] == 'z' &&
            back[0] == (unsigned char)(4094 * 7) && back[3] == (unsigned char)(4097 * 7),
        "pwrite across a page boundary");
  close(fd);
  fd = open("/tmp/a.bin", O_WRONLY | O_APPEND);
  check(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && write(fd, "xyz", 3) == 3 && fstat(fd, &st) == 0 &&
            st.st_size == 10003,
        "O_APPEND writes at the end");
  check((fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND), "F_GETFL");
  check(pwrite(fd, "!", 1, 0) == 1 && fstat(fd, &st) == 0 && st.st_size == 10004, "pwrite under O_APPEND appends");
  close(fd);
  fd = open("/tmp/a.bin", O_RDWR);
  check(ftruncate(fd, 100) == 0 && fstat(fd, &st) == 0 && st.st_size == 100, "ftruncate shrinks");
  check(pread(fd, back, 10, 100) == 0, "nothing past the new end");
  check(ftruncate(fd, 8192) == 0 && pread(fd, back, 200, 0) == 200 && pattern_ok(back, 100, 0), "ftruncate grows");
  int zeros = 1;
  for (int i = 100; i < 200; ++i) zeros &= back[i] == 0;
  check(zeros, "the grown part reads as zeros");
  check(pwrite(fd, "end", 3, 20000) == 3 && fstat(fd, &st) == 0 && st.st_size == 20003 &&
            pread(fd, back, 4, 12000) == 4 && back[0] == 0 && back[3] == 0,
        "a write past the end leaves a hole of zeros");
  check_errno(ftruncate(fd, -1), EINVAL, "ftruncate to a negative size: EINVAL");
  close(fd);
  fd = open("/tmp/a.bin", O_RDONLY);
  check_errno(ftruncate(fd, 0), EINVAL, "ftruncate of a read-only descriptor: EINVAL");
  close(fd);
  check(truncate("/tmp/a.bin", 10) == 0 && stat("/tmp/a.bin", &st) == 0 && st.st_size == 10, "truncate by path");

  // Vectored I/O.
  fd = open("/tmp/v.txt", O_CREAT | O_RDWR | O_TRUNC, 0600);
  struct iovec out[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
  check(writev(fd, out, 3) == 13, "writev");
  char a[4], b[9];
  struct iovec in[2] = {{a, 4}, {b, 9}};
  check(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, in, 2) == 13 && memcmp(a, "one ", 4) == 0 &&
            memcmp(b, "two three", 9) == 0,
        "readv");
  struct iovec patch = {"TWO", 3};
  check(pwritev(fd, &patch, 1, 4) == 3 && preadv(fd, in, 2, 0) == 13 && memcmp(b, "TWO three", 9) == 0,
        "pwritev, preadv");
  check(lseek(fd, 0, SEEK_CUR) == 13, "preadv/pwritev leave the position alone");
  close(fd);
  check_errno(read(0 + 1000, a, 1), EBADF, "a descriptor that was never open: EBADF");
  fd = open("/tmp/v.txt", O_RDONLY);
  void* volatile bad = (void*)1;
  check_errno(read(fd, bad, 4), EFAULT, "read into a bad pointer: EFAULT");
  close(fd);
}

static int list_dir(const char* path, char* names, size_t cap) {
  DIR* d = opendir(path);
  if (d == NULL) return -1;
  int count = 0;
  names[0] = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    strncat(names, e->d_name, cap - strlen(names) - 1);
    strncat(names, e->d_type == DT_DIR ? "/ " : e->d_type == DT_LNK ? "@ " : " ", cap - strlen(names) - 1);
    ++count;
  }
  closedir(d);
  return count;
}

static void test_directories(void) {
  char names[512];
  check(mkdir("/tmp/d", 0755) == 0, "mkdir");
  check_errno(mkdir("/tmp/d", 0755), EEXIST, "mkdir again: EEXIST");
  check_errno(mkdir("/tmp/none/x", 0755), ENOENT, "mkdir under a missing directory: ENOENT");
  check_errno(mkdir("/", 0755), EEXIST, "mkdir /: EEXIST");
  close(open("/tmp/d/b", O_CREAT | O_WRONLY, 0644));
  close(open("/tmp/d/c", O_CREAT | O_WRONLY, 0644));
  check(mkdir("/tmp/d/sub", 0700) == 0, "mkdir a subdirectory");
  int n = list_dir("/tmp/d", names, sizeof names);
  check(n == 5 && strcmp(names, "./ ../ b c sub/ ") == 0, "getdents64 lists . .. b c sub/ in order");
  n = list_dir("/", names, sizeof names);
  check(strstr(names, "data/") && strstr(names, "tmp/") && strstr(names, "dev/") && strstr(names, "proc/") &&
            strstr(names, "files "),
        "the root holds data tmp dev proc files");
  struct stat st;
  check(stat("/tmp/d", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 3, "a directory's link count");
  check_errno(rmdir("/tmp/d"), ENOTEMPTY, "rmdir a non-empty directory: ENOTEMPTY");
  check_errno(rmdir("/tmp/d/b"), ENOTDIR, "rmdir a file: ENOTDIR");
  check_errno(unlink("/tmp/d/sub"), EISDIR, "unlink a directory: EISDIR");
  check_errno(rmdir("/tmp/d/."), EINVAL, "rmdir '.': EINVAL");
  check_errno(unlink("/tmp/d/missing"), ENOENT, "unlink a missing file: ENOENT");

  check(rename("/tmp/d/b", "/tmp/d/e") == 0 && access("/tmp/d/e", F_OK) == 0 && access("/tmp/d/b", F_OK) == -1,
        "rename");
  check_errno(syscall(SYS_renameat2, AT_FDCWD, "/tmp/d/c", AT_FDCWD, "/tmp/d/e", 1), EEXIST,
              "renameat2 RENAME_NOREPLACE onto a name: EEXIST");
  check_errno(rename("/tmp/d", "/tmp/d/sub/x"), EINVAL, "rename a directory into itself: EINVAL");
  check_errno(rename("/tmp/d/c", "/tmp/d/sub"), EISDIR, "rename a file over a directory: EISDIR");
  check_errno(rename("/tmp/d/sub", "/tmp/d/c"), ENOTDIR, "rename a directory over a file: ENOTDIR");
  check(mkdir("/tmp/full", 0755) == 0 && close(open("/tmp/full/x", O_CREAT | O_WRONLY, 0600)) == 0, "setup");
  check_errno(rename("/tmp/d/sub", "/tmp/full"), ENOTEMPTY, "rename over a non-empty directory: ENOTEMPTY");
  check(rename("/tmp/d/c", "/tmp/d/e") == 0 && access("/tmp/d/c", F_OK) == -1, "rename replaces a file");
  check(rename("/tmp/d/sub", "/tmp/sub2") == 0 && stat("/tmp/sub2", &st) == 0 && S_ISDIR(st.st_mode),
        "rename a directory to another parent");
  check(renameat(AT_FDCWD, "/tmp/sub2", AT_FDCWD, "/tmp/d/sub") == 0, "renameat back");

  check(link("/tmp/d/e", "/tmp/d/f") == 0 && stat("/tmp/d/f", &st) == 0 && st.st_nlink == 2, "link");
  check_errno(link("/tmp/d", "/tmp/d2"), EPERM, "link a directory: EPERM");
  check_errno(link("/tmp/d/e", "/tmp/d/f"), EEXIST, "link onto a name: EEXIST");
  check(unlink("/tmp/d/e") == 0 && stat("/tmp/d/f", &st) == 0 && st.st_nlink == 1, "unlink one of two links");

  char target[64] = {0};
  check(symlink("f", "/tmp/d/s") == 0 && readlink("/tmp/d/s", target, sizeof target) == 1 && target[0] == 'f',
        "symlink, readlink");
  check(readlink("/tmp/d/s", target, 0) == -1 && errno == EINVAL, "readlink with size 0: EINVAL");
  check_errno(readlink("/tmp/d/f", target, sizeof target), EINVAL, "readlink of a file: EINVAL");
  check_errno(symlink("x", "/tmp/d/s"), EEXIST, "symlink onto a name: EEXIST");
  check(symlink("/tmp/d", "/tmp/dl") == 0 && stat("/tmp/dl/f", &st) == 0, "a symlink to a directory mid-path");
  check_errno(rmdir("/tmp/dl"), ENOTDIR, "rmdir a symlink: ENOTDIR");
  check(unlink("/tmp/dl") == 0 && stat("/tmp/d", &st) == 0, "unlink removes the symlink, not the directory");

  char cwd[256];
  check(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "getcwd at start: /");
  check(chdir("/tmp/d") == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, "/tmp/d") == 0, "chdir, getcwd");
  check(access("f", F_OK) == 0 && access("sub/../f", F_OK) == 0, "relative paths from the cwd");
  check(chdir("..") == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, "/tmp") == 0, "chdir ..");
  check_errno(syscall(SYS_getcwd, cwd, 3), ERANGE, "getcwd into a small buffer: ERANGE");
  int dfd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
  check(dfd >= 0 && fchdir(dfd) == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, "/tmp/d") == 0, "fchdir");
  check_errno(chdir("/data/hello.txt"), ENOTDIR, "chdir to a file: ENOTDIR");
  int ffd = openat(dfd, "f", O_RDONLY);
  check(ffd >= 0, "openat relative to a directory descriptor");
  check_errno(openat(ffd, "x", O_RDONLY), ENOTDIR, "openat relative to a file: ENOTDIR");
  check(mkdirat(dfd, "m", 0700) == 0 && unlinkat(dfd, "m", AT_REMOVEDIR) == 0, "mkdirat, unlinkat AT_REMOVEDIR");
  check(symlinkat("f", dfd, "s2") == 0 && readlinkat(dfd, "s2", target, sizeof target) == 1, "symlinkat, readlinkat");
  check(linkat(dfd, "s2", dfd, "h", AT_SYMLINK_FOLLOW) == 0 && fstatat(dfd, "h", &st, 0) == 0 && st.st_nlink == 2,
        "linkat AT_SYMLINK_FOLLOW links the target");
  check(fstatat(dfd, "s2", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode), "fstatat AT_SYMLINK_NOFOLLOW");
  check(fstatat(ffd, "", &st, AT_EMPTY_PATH) == 0 && S_ISREG(st.st_mode), "fstatat AT_EMPTY_PATH");
  check_errno(fstatat(ffd, "", &st, 0), ENOENT, "fstatat with an empty path: ENOENT");
  close(ffd);
  close(dfd);
  chdir("/");
  check_errno(stat("/tmp/d/f", NULL), EFAULT, "stat into a bad pointer: EFAULT");

  // A removed file stays readable through its descriptor.
  int fd = open("/tmp/gone", O_CREAT | O_RDWR, 0600);
  write(fd, "still here", 10);
  check(unlink("/tmp/gone") == 0 && fstat(fd, &st) == 0 && st.st_nlink == 0 && pread(fd, cwd, 10, 0) == 10 &&
            memcmp(cwd, "still here", 10) == 0,
        "an unlinked open file keeps its data");
  close(fd);
}

static void test_descriptors(void) {
  int fd = open("/tmp/v.txt", O_RDONLY | O_CLOEXEC);
  check(fcntl(fd, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC sets FD_CLOEXEC");
  check(fcntl(fd, F_SETFD, 0) == 0 && fcntl(fd, F_GETFD) == 0, "F_SETFD clears it");
  check(fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, "F_SETFL O_NONBLOCK");
  int hi = fcntl(fd, F_DUPFD, 100);
  check(hi >= 100, "F_DUPFD from 100");
  int hi2 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
  check(hi2 > hi && fcntl(hi2, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC");
  int low = dup(fd);
  check(low == fd + 1, "dup takes the lowest free descriptor");
  check(dup2(fd, 50) == 50 && lseek(fd, 4, SEEK_SET) == 4 && lseek(50, 0, SEEK_CUR) == 4,
        "dup2 shares the file position");
  check(dup2(fd, fd) == fd, "dup2 onto itself");
  check_errno(dup3(fd, fd, 0), EINVAL, "dup3 onto itself: EINVAL");
  check(dup3(fd, 51, O_CLOEXEC) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC");
  check(dup2(fd, 1023) == 1023, "descriptor 1023");
  check_errno(dup2(fd, 1024), EBADF, "descriptor 1024: EBADF");
  check_errno(fcntl(fd, F_DUPFD, 1024), EINVAL, "F_DUPFD from 1024: EINVAL");
  check_errno(fcntl(fd, 12345), EINVAL, "an unknown fcntl: EINVAL");
  close(hi), close(hi2), close(low), close(50), close(51), close(1023);
  close(fd);
  check(open("/dev/null", O_RDONLY) == fd, "a closed descriptor is reused");
  close(fd);
}

static void test_mmap(void) {
  static unsigned char file[3 * 4096];
  int fd = open("/data/big.bin", O_RDONLY);
  struct stat st;
  fstat(fd, &st);
  check(fd >= 0 && st.st_size > 3 * 4096 && pread(fd, file, sizeof file, 4096) == sizeof file, "read big.bin");
  unsigned char* p = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
  check(p != MAP_FAILED && memcmp(p, file, sizeof file) == 0, "MAP_PRIVATE read-only at an offset");
  check(mprotect(p, 4096, PROT_READ | PROT_WRITE) == 0, "mprotect a file page writable");
  p[10] = p[10] ^ 0xff;
  unsigned char byte;
  check(pread(fd, &byte, 1, 4096 + 10) == 1 && byte == file[10] && p[10] == (file[10] ^ 0xff),
        "a write to the mapping is private");
  check(munmap(p + 4096, 4096) == 0 && memcmp(p + 8192, file + 8192, 4096) == 0 && memcmp(p + 1, file + 1, 9) == 0,
        "munmap in the middle keeps the other pages' offsets");
  munmap(p, 3 * 4096);
  unsigned char* s = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  check(s != MAP_FAILED && s[0] == 0x7f && s[1] == 'E', "MAP_SHARED read-only");
  munmap(s, 4096);
  check(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED && errno == EINVAL,
        "an unaligned offset: EINVAL");
  close(fd);

  fd = open("/data/hello.txt", O_RDONLY);
  char* h = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  check(h != MAP_FAILED && memcmp(h, kHello, 14) == 0, "MAP_PRIVATE writable of a small file");
  int zeros = 1;
  for (int i = 14; i < 4096; ++i) zeros &= h[i] == 0;
  check(zeros, "the bytes past the end of the file read as zeros");
  h[0] = 'J';
  char buf[16];
  check(pread(fd, buf, 1, 0) == 1 && buf[0] == 'h', "the file does not see the private write");
  munmap(h, 8192);
  close(fd);
  fd = open("/tmp/w.bin", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  check_errno((long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0), EACCES, "mmap of an O_WRONLY file: EACCES");
  close(fd);
  fd = open("/tmp", O_RDONLY);
  check_errno((long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV, "mmap of a directory: ENODEV");
  close(fd);
  check_errno((long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 77, 0), EBADF, "mmap of a closed descriptor: EBADF");
  // A file written in /tmp (kernel-owned pages), then mapped.
  fd = open("/tmp/m.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  write(fd, file, 5000);
  unsigned char* m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
  check(m != MAP_FAILED && memcmp(m, file, 5000) == 0 && m[5000] == 0 && m[8191] == 0, "mmap a /tmp file");
  munmap(m, 8192);
  close(fd);
  fd = open("/dev/zero", O_RDWR);
  m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  check(m != MAP_FAILED && m[100] == 0 && (m[100] = 1) == 1, "mmap of /dev/zero is anonymous memory");
  close(fd);
}

// File mappings under the memory calls: MADV_DONTNEED drops a private file
// mapping's copies (the file's bytes show again, as on Linux), mremap grows
// a file mapping (the file continues) and moves it with its private copies,
// MADV_FREE is for anonymous memory; poll over the fd table.
static void test_file_memory(void) {
  static unsigned char file[4 * 4096];
  int fd = open("/data/big.bin", O_RDONLY);
  check(fd >= 0 && pread(fd, file, sizeof file, 0) == sizeof file, "read big.bin's first pages");
  unsigned char* p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  check(p != MAP_FAILED && memcmp(p, file, 2 * 4096) == 0, "MAP_PRIVATE writable of initrd pages");
  p[5] ^= 0xff;
  p[4096 + 7] ^= 0xff;
  check(p[5] == (file[5] ^ 0xff) && madvise(p, 2 * 4096, MADV_DONTNEED) == 0 && memcmp(p, file, 2 * 4096) == 0,
        "MADV_DONTNEED on a private file mapping: the file's bytes again");
  unsigned char* q = mremap(p, 2 * 4096, 4 * 4096, MREMAP_MAYMOVE);
  check(q != MAP_FAILED && memcmp(q, file, 4 * 4096) == 0, "mremap grows a file mapping: the file continues");
  q[0] ^= 0xff;
  unsigned char* target = mmap(NULL, 8 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  unsigned char* r = mremap(q, 4 * 4096, 4 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, target + 4096);
  check(r == target + 4096 && r[0] == (file[0] ^ 0xff) && memcmp(r + 1, file + 1, 4 * 4096 - 1) == 0,
        "mremap moves a file mapping with its private copy");
  check_errno(madvise(r, 4096, MADV_FREE), EINVAL, "MADV_FREE on a file mapping: EINVAL");
  check(munmap(target, 8 * 4096) == 0, "munmap the moved mapping");
  struct pollfd pfd[2] = {{fd, POLLIN | POLLOUT, 0}, {2, POLLOUT, 0}};
  check(poll(pfd, 2, 0) == 2 && pfd[0].revents == (POLLIN | POLLOUT) && pfd[1].revents == POLLOUT,
        "poll: a regular file is ready, the console writable");
  close(fd);
  check(poll(pfd, 1, 0) == 1 && pfd[0].revents == POLLNVAL, "poll on a closed descriptor: POLLNVAL");
}

static void test_devices_and_proc(void) {
  char buf[64];
  int fd = open("/dev/null", O_RDWR);
  check(write(fd, "abc", 3) == 3 && read(fd, buf, sizeof buf) == 0, "/dev/null");
  close(fd);
  memset(buf, 1, sizeof buf);
  fd = open("/dev/zero", O_RDONLY);
  check(read(fd, buf, 32) == 32 && buf[0] == 0 && buf[31] == 0 && buf[32] == 1, "/dev/zero");
  close(fd);
  unsigned long r[2] = {0, 0};
  fd = open("/dev/urandom", O_RDONLY);
  check(read(fd, r, sizeof r) == sizeof r && (r[0] | r[1]) != 0, "/dev/urandom");
  close(fd);
  struct stat st;
  check(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3), "/dev/null is 1:3");
  check(fstat(1, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 1), "stdout is /dev/console 5:1");
  check(read(0, buf, 1) == 0, "reading stdin gives end of file");
  memset(buf, 0, sizeof buf);
  check(readlink("/proc/self/exe", buf, sizeof buf) == 6 && strcmp(buf, "/files") == 0, "/proc/self/exe");
  fd = open("/proc/self/exe", O_RDONLY);
  check(fd >= 0 && read(fd, buf, 4) == 4 && memcmp(buf, "\177ELF", 4) == 0, "open /proc/self/exe");
  close(fd);
  static char maps[16384];
  int n = read_all("/proc/self/maps", maps, sizeof maps - 1);
  maps[n > 0 ? n : 0] = 0;
  check(n > 0 && strstr(maps, "[stack]\n") && strstr(maps, " /files\n") && strstr(maps, "[heap]\n"),
        "/proc/self/maps names the stack, the heap and the program");
  check(sysconf(_SC_NPROCESSORS_ONLN) == 1 && sysconf(_SC_NPROCESSORS_CONF) == 1, "sysconf: one CPU (from /sys)");
  pthread_attr_t attr;
  void* stack;
  size_t size;
  int local;
  check(pthread_getattr_np(pthread_self(), &attr) == 0 && pthread_attr_getstack(&attr, &stack, &size) == 0 &&
            (char*)&local > (char*)stack && (char*)&local < (char*)stack + size,
        "pthread_getattr_np finds the main thread's stack");
}

static void test_metadata(void) {
  struct stat st;
  check(access("/files", X_OK) == 0, "access X_OK of the program");
  check_errno(access("/data/hello.txt", X_OK), EACCES, "access X_OK of a 0644 file: EACCES");
  check_errno(access("/nowhere", F_OK), ENOENT, "access of a missing file: ENOENT");
  check_errno(syscall(SYS_faccessat, AT_FDCWD, "/files", 8), EINVAL, "faccessat with a bad mode: EINVAL");
  struct timespec times[2] = {{1000, 5}, {2000, 6}};
  check(utimensat(AT_FDCWD, "/tmp/v.txt", times, 0) == 0 && stat("/tmp/v.txt", &st) == 0 &&
            st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 6,
        "utimensat sets both times");
  struct timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  check(utimensat(AT_FDCWD, "/tmp/v.txt", omit_now, 0) == 0 && stat("/tmp/v.txt", &st) == 0 &&
            st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec > 1577836800,
        "UTIME_OMIT and UTIME_NOW");
  struct timespec bad[2] = {{0, 2000000000}, {0, 0}};
  check_errno(utimensat(AT_FDCWD, "/tmp/v.txt", bad, 0), EINVAL, "utimensat with bad nanoseconds: EINVAL");
  int fd = open("/tmp/v.txt", O_RDONLY);
  check(fchmod(fd, 0600) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600, "fchmod");
  check(fchmodat(AT_FDCWD, "/tmp/v.txt", 0640, 0) == 0 && stat("/tmp/v.txt", &st) == 0 &&
            (st.st_mode & 07777) == 0640 && S_ISREG(st.st_mode),
        "fchmodat");
  close(fd);
  check(umask(077) == 022, "umask starts at 022");
  fd = open("/tmp/masked", O_CREAT | O_WRONLY, 0666);
  check(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600, "the umask applies to new files");
  close(fd);
  umask(022);
  struct statx sx;
  check(statx(AT_FDCWD, "/data/hello.txt", 0, STATX_BASIC_STATS, &sx) == 0 && sx.stx_size == 14 &&
            S_ISREG(sx.stx_mode) && (sx.stx_mask & STATX_SIZE) != 0,
        "statx");
  check(fsync(1) == 0 && fdatasync(1) == 0 && posix_fadvise(0, 0, 0, POSIX_FADV_SEQUENTIAL) == 0,
        "fsync, fdatasync, fadvise64");
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  time_t now = ts.tv_sec;
  check(stat("/tmp/masked", &st) == 0 && st.st_mtim.tv_sec <= now && st.st_mtim.tv_sec > now - 60,
        "new files get the current time");
}

struct linux_dirent64 {
  unsigned long d_ino;
  long d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

static void test_edge_cases(void) {
  char buf[256];
  struct stat st;
  // Removing entries between getdents64 calls (a small buffer: several calls)
  // must neither skip nor repeat the others.
  mkdir("/tmp/many", 0755);
  for (int i = 0; i < 20; ++i) {
    snprintf(buf, sizeof buf, "/tmp/many/entry-%02d", i);
    close(open(buf, O_CREAT | O_WRONLY, 0644));
  }
  int dfd = open("/tmp/many", O_RDONLY | O_DIRECTORY);
  int seen = 0, calls = 0;
  long n;
  char dents[96];
  while ((n = syscall(SYS_getdents64, dfd, dents, sizeof dents)) > 0) {
    ++calls;
    for (long at = 0; at < n;) {
      struct linux_dirent64* d = (struct linux_dirent64*)(dents + at);
      if (d->d_name[0] != '.') {
        ++seen;
        unlinkat(dfd, d->d_name, 0);
      }
      at += d->d_reclen;
    }
  }
  check(n == 0 && seen == 20 && calls > 5 && rmdir("/tmp/many") == 0,
        "getdents64 in small steps while unlinking: every entry once");
  check(lseek(dfd, 0, SEEK_SET) == 0, "rewind");
  check_errno(syscall(SYS_getdents64, dfd, dents, 8), EINVAL, "getdents64 into a too small buffer: EINVAL");
  close(dfd);
  dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
  n = syscall(SYS_getdents64, dfd, dents, sizeof dents);
  check(n > 0 && lseek(dfd, 0, SEEK_SET) == 0 && syscall(SYS_getdents64, dfd, dents, sizeof dents) == n,
        "lseek(0) rewinds a directory");
  close(dfd);

  check(symlink("/tmp/created-through-link", "/tmp/dangle") == 0, "setup");
  int fd = open("/tmp/dangle", O_CREAT | O_WRONLY, 0600);
  check(fd >= 0 && stat("/tmp/created-through-link", &st) == 0 && S_ISREG(st.st_mode),
        "O_CREAT through a dangling symlink creates its target");
  close(fd);
  check_errno(open("/tmp/dangle", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST, "O_EXCL does not follow: EEXIST");
  check(stat("//tmp///d/./f", &st) == 0 && stat("/tmp/d/", &st) == 0 && S_ISDIR(st.st_mode),
        "repeated slashes, '.', a trailing slash on a directory");
  check(symlink("d", "/tmp/dlink") == 0 && lstat("/tmp/dlink/", &st) == 0 && S_ISDIR(st.st_mode),
        "a trailing slash follows a final symlink");
  check_errno(open("/data/hello.txt", O_CREAT | O_WRONLY | O_DIRECTORY, 0600), ENOTDIR,
              "O_DIRECTORY on an existing file: ENOTDIR");

  int pfd = open("/tmp/d", O_PATH);
  check(pfd >= 0 && read(pfd, buf, 1) == -1 && errno == EBADF && fstat(pfd, &st) == 0 && S_ISDIR(st.st_mode),
        "O_PATH: no I/O, fstat works");
  check(fchdir(pfd) == 0 && access("f", F_OK) == 0 && chdir("/") == 0, "fchdir to an O_PATH directory");
  close(pfd);
  int lfd = open("/tmp/dlink", O_PATH | O_NOFOLLOW);
  memset(buf, 0, sizeof buf);
  check(lfd >= 0 && readlinkat(lfd, "", buf, sizeof buf) == 1 && buf[0] == 'd', "readlinkat of an O_PATH symlink");
  close(lfd);

  // Two names, one file; a write through one shows through the other.
  fd = open("/tmp/one", O_CREAT | O_RDWR, 0644);
  check(link("/tmp/one", "/tmp/two") == 0 && write(fd, "shared", 6) == 6 && read_all("/tmp/two", buf, 16) == 6 &&
            memcmp(buf, "shared", 6) == 0,
        "hard links share the data");
  // A mapping sees a file that grew after it was made.
  char* m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
  check(m != MAP_FAILED && ftruncate(fd, 6000) == 0 && pwrite(fd, "late", 4, 5000) == 4 && m[4096 + 904] == 'l',
        "a mapped file's second page after the file grew");
  munmap(m, 8192);
  close(fd);
  // Renaming a directory keeps its open descriptors working.
  mkdir("/tmp/r1", 0755);
  fd = open("/tmp/r1/x", O_CREAT | O_RDWR, 0644);
  check(rename("/tmp/r1", "/tmp/r2") == 0 && write(fd, "ok", 2) == 2 && read_all("/tmp/r2/x", buf, 4) == 2,
        "rename a directory with an open file in it");
  close(fd);
}

// `files sigbus`: a read past the mapped file's last page must kill the
// process with SIGBUS (the test expects status 135).
static int touch_past_the_end(void) {
  int fd = open("/data/hello.txt", O_RDONLY);
  volatile char* p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
  printf("first page: %c\n", p[0]);
  fflush(stdout);
  return p[4096];
}

// `files cat PATH...`: one line, "cat:" and each file's bytes (or its error)
// in brackets, newlines dropped: for tests of initrd formats.
static int cat(int argc, char** argv) {
  printf("cat:");
  for (int i = 2; i < argc; ++i) {
    static char buf[4096];
    int n = read_all(argv[i], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = 0;
    printf("[%s]", n >= 0 ? buf : strerror(errno));
  }
  printf("\n");
  return 0;
}

// `files args WORDS...`: one line with the working directory and the words in
// brackets: for the command line's cwd= and its double-quoted words.
static int args(int argc, char** argv) {
  char cwd[256];
  printf("args:cwd=%s", getcwd(cwd, sizeof cwd) != NULL ? cwd : strerror(errno));
  for (int i = 2; i < argc; ++i) printf("[%s]", argv[i]);
  printf("\n");
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "sigbus") == 0) return touch_past_the_end();
  if (argc > 1 && strcmp(argv[1], "cat") == 0) return cat(argc, argv);
  if (argc > 1 && strcmp(argv[1], "args") == 0) return args(argc, argv);
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_initrd_files();
  test_open_errors();
  test_copy_on_write();
  test_tmp_files();
  test_directories();
  test_descriptors();
  test_mmap();
  test_file_memory();
  test_devices_and_proc();
  test_metadata();
  test_edge_cases();
  printf("files: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
