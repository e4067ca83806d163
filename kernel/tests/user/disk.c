// A static glibc program for the durable store's tests (kernel/tests/disk_test.sh
// boots it several times on one disk image; /tmp is the disk). Modes:
//   disk write          builds the tree below under /tmp, checks the errors
//                       of changes across the mount (EXDEV, EBUSY)
//   disk verify         checks that /tmp holds exactly that tree
//   disk extra          one more change: unlinks /tmp/a.txt (one record)
//   disk verify-extra   the tree without /tmp/a.txt
//   disk extra2         one more change: 2000 bytes appended to
//                       /tmp/renamed.txt (one record of five sectors)
//   disk ro             on a read-only disk: verify, then every change under
//                       /tmp fails with EROFS, and the rest of / is writable
//   disk churn          rewrites a few files until the journal has been
//                       compacted several times (a 1 MiB disk), and fills it
//                       up to ENOSPC once
//   disk verify-churn   checks what churn left
//   disk plain          /tmp is an empty in-memory directory (no disk mounted)
//   disk bench [N]      times small-file writes on the disk and in memory
// Failures print "FAIL ..."; the last line is "disk MODE: N passed, M failed"
// and the exit status is 0 when nothing failed.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CHECK_QUIET
#include "check.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// ---- Contents -----------------------------------------------------------

#define BIG_SIZE (1024 * 1024 + 123)
#define OVER_SIZE 4502
#define SPARSE_SIZE 200000

static uint8_t big_byte(size_t i) { return (uint8_t)(i * 7 + i / 4096); }

static char* over_expected(void) {
  // 5000 'A', "BBBB" at 4094, cut to 4500, then "CC" appended.
  static char buf[OVER_SIZE];
  memset(buf, 'A', sizeof buf);
  memcpy(buf + 4094, "BBBB", 4);
  memcpy(buf + 4500, "CC", 2);
  return buf;
}

static char* sparse_expected(void) {
  static char buf[SPARSE_SIZE];
  memset(buf, 0, sizeof buf);
  memcpy(buf + 150000, "middle", 6);
  return buf;
}

static int write_file(const char* path, const void* data, size_t n, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0666);
  if (fd < 0) return -1;
  ssize_t w = write(fd, data, n);
  int r = close(fd);
  return w == (ssize_t)n && r == 0 ? 0 : -1;
}

// Reads all of {path} (at most {cap} bytes) into a malloc'ed buffer.
static char* read_file(const char* path, size_t cap, ssize_t* len) {
  char* buf = malloc(cap + 1);
  int fd = open(path, O_RDONLY);
  *len = -1;
  if (fd < 0 || buf == NULL) {
    free(buf);
    if (fd >= 0) close(fd);
    return NULL;
  }
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, cap + 1 - n);
    if (r <= 0) break;
    n += (size_t)r;
    if (n == cap + 1) break;
  }
  close(fd);
  *len = (ssize_t)n;
  return buf;
}

static int file_is(const char* path, const void* want, size_t n) {
  ssize_t len;
  char* got = read_file(path, n + 16, &len);
  int ok = got != NULL && len == (ssize_t)n && memcmp(got, want, n) == 0;
  free(got);
  return ok;
}

// ---- The tree -------------------------------------------------------------

static void make_tree(void) {
  umask(022);
  check(write_file("/tmp/a.txt", "hello, disk\n", 12, O_TRUNC) == 0, "write /tmp/a.txt");
  // 1 MiB + 123 bytes in unaligned 100000-byte writes.
  uint8_t* big = malloc(BIG_SIZE);
  for (size_t i = 0; i < BIG_SIZE; ++i) big[i] = big_byte(i);
  int fd = open("/tmp/big.bin", O_WRONLY | O_CREAT | O_EXCL, 0666);
  check(fd >= 0, "create /tmp/big.bin");
  size_t done = 0;
  while (done < BIG_SIZE) {
    size_t n = BIG_SIZE - done < 100000 ? BIG_SIZE - done : 100000;
    if (write(fd, big + done, n) != (ssize_t)n) break;
    done += n;
  }
  check(done == BIG_SIZE, "write 1 MiB to /tmp/big.bin");
  check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync on the disk");
  close(fd);
  free(big);

  check(mkdir("/tmp/dir1", 0777) == 0 && mkdir("/tmp/dir1/dir2", 0777) == 0, "nested mkdir");
  check(mkdir("/tmp/dir1/empty", 0700) == 0, "mkdir an empty directory (0700)");
  check(write_file("/tmp/dir1/dir2/nested.txt", "nested", 6, 0) == 0, "write a nested file");
  check(link("/tmp/dir1/dir2/nested.txt", "/tmp/hard.txt") == 0, "hard link");
  check(write_file("/tmp/hard.txt", " and linked", 11, O_APPEND) == 0, "append through the hard link");

  check(write_file("/tmp/tmpname.txt", "renamed", 7, 0) == 0 && rename("/tmp/tmpname.txt", "/tmp/renamed.txt") == 0,
        "rename a file");
  check(write_file("/tmp/trunc.txt", "a longer old content", 20, 0) == 0 &&
            write_file("/tmp/trunc.txt", "short", 5, O_TRUNC) == 0,
        "O_TRUNC an existing file");
  check(write_file("/tmp/replaced.txt", "old", 3, 0) == 0, "write a file to replace");
  check(write_file("/tmp/new.txt", "new content", 11, 0) == 0 && rename("/tmp/new.txt", "/tmp/replaced.txt") == 0,
        "rename over an existing file");

  // Overwrites: a page-crossing pwrite, truncate, append.
  char* a = malloc(5000);
  memset(a, 'A', 5000);
  fd = open("/tmp/over.txt", O_RDWR | O_CREAT, 0666);
  check(fd >= 0 && write(fd, a, 5000) == 5000, "write /tmp/over.txt");
  check(pwrite(fd, "BBBB", 4, 4094) == 4, "pwrite across a page boundary");
  check(ftruncate(fd, 4500) == 0, "ftruncate");
  close(fd);
  free(a);
  check(write_file("/tmp/over.txt", "CC", 2, O_APPEND) == 0, "append");

  fd = open("/tmp/sparse.bin", O_RDWR | O_CREAT, 0666);
  check(fd >= 0 && ftruncate(fd, SPARSE_SIZE) == 0 && pwrite(fd, "middle", 6, 150000) == 6, "a sparse file");
  close(fd);

  check(write_file("/tmp/gone.txt", "gone", 4, 0) == 0 && unlink("/tmp/gone.txt") == 0, "unlink");
  check(mkdir("/tmp/gonedir", 0777) == 0 && rmdir("/tmp/gonedir") == 0, "rmdir");
  check(mkdir("/tmp/d_old", 0777) == 0 && write_file("/tmp/d_old/x.txt", "x", 1, 0) == 0 &&
            rename("/tmp/d_old", "/tmp/dir1/moved") == 0,
        "rename a directory into another");
  check(symlink("a.txt", "/tmp/link") == 0, "symlink");
  check(chmod("/tmp/a.txt", 0600) == 0, "chmod");
  struct timespec times[2] = {{1000000000, 0}, {1234567890, 500000000}};
  check(utimensat(AT_FDCWD, "/tmp/a.txt", times, 0) == 0, "utimensat");
  // An unlinked file that is still open: its writes need not be kept.
  fd = open("/tmp/ghost.txt", O_RDWR | O_CREAT, 0666);
  check(fd >= 0 && unlink("/tmp/ghost.txt") == 0 && write(fd, "boo", 3) == 3, "write to an unlinked open file");
  close(fd);

  // Across the mount, and the mount point itself.
  check(mkdir("/scratch", 0777) == 0 && write_file("/scratch/f", "f", 1, 0) == 0, "write outside the disk");
  check_errno(rename("/tmp/a.txt", "/scratch/a.txt"), EXDEV, "rename out of the disk: EXDEV");
  check_errno(rename("/scratch/f", "/tmp/f"), EXDEV, "rename into the disk: EXDEV");
  check_errno(link("/scratch/f", "/tmp/f"), EXDEV, "link into the disk: EXDEV");
  check_errno(link("/tmp/a.txt", "/scratch/a"), EXDEV, "link out of the disk: EXDEV");
  check_errno(rmdir("/tmp"), EBUSY, "rmdir the mount point: EBUSY");
  check_errno(rename("/tmp", "/tmp2"), EBUSY, "rename the mount point: EBUSY");
}

struct Entry {
  const char* path;  // below /tmp
  char type;         // f, d, l
  unsigned mode;
  const void* data;  // file contents or symlink target
  size_t size;
};

static int g_without_a;  // verify-extra: a.txt was unlinked

static void verify_entry(const struct Entry* e) {
  char path[256], what[320];
  snprintf(path, sizeof path, "/tmp/%s", e->path);
  struct stat st;
  snprintf(what, sizeof what, "lstat %s", path);
  int r = lstat(path, &st);
  check(r == 0, what);
  if (r != 0) return;
  snprintf(what, sizeof what, "%s: type and mode %o", path, st.st_mode);
  unsigned type = e->type == 'f' ? S_IFREG : e->type == 'd' ? S_IFDIR : S_IFLNK;
  check((st.st_mode & S_IFMT) == type && (e->type == 'l' || (st.st_mode & 07777) == e->mode), what);
  if (e->type == 'f') {
    snprintf(what, sizeof what, "%s: size %lld and contents", path, (long long)st.st_size);
    check(st.st_size == (off_t)e->size && file_is(path, e->data, e->size), what);
  } else if (e->type == 'l') {
    char target[256];
    ssize_t n = readlink(path, target, sizeof target);
    snprintf(what, sizeof what, "%s: symlink target", path);
    check(n == (ssize_t)e->size && memcmp(target, e->data, e->size) == 0, what);
  }
}

// Every name under {dir} must be in the expected list: counts them.
static int count_tree(const char* dir) {
  DIR* d = opendir(dir);
  if (d == NULL) return -1000;
  int count = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    ++count;
    if (e->d_type == DT_DIR) {
      char sub[512];
      snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
      count += count_tree(sub);
    }
  }
  closedir(d);
  return count;
}

static void verify_tree(void) {
  uint8_t* big = malloc(BIG_SIZE);
  for (size_t i = 0; i < BIG_SIZE; ++i) big[i] = big_byte(i);
  static const char kNested[] = "nested and linked";
  const struct Entry entries[] = {
      {"a.txt", 'f', 0600, "hello, disk\n", 12},
      {"big.bin", 'f', 0644, big, BIG_SIZE},
      {"dir1", 'd', 0755, NULL, 0},
      {"dir1/dir2", 'd', 0755, NULL, 0},
      {"dir1/dir2/nested.txt", 'f', 0644, kNested, 17},
      {"dir1/empty", 'd', 0700, NULL, 0},
      {"dir1/moved", 'd', 0755, NULL, 0},
      {"dir1/moved/x.txt", 'f', 0644, "x", 1},
      {"hard.txt", 'f', 0644, kNested, 17},
      {"link", 'l', 0777, "a.txt", 5},
      {"over.txt", 'f', 0644, over_expected(), OVER_SIZE},
      {"renamed.txt", 'f', 0644, "renamed", 7},
      {"replaced.txt", 'f', 0644, "new content", 11},
      {"sparse.bin", 'f', 0644, sparse_expected(), SPARSE_SIZE},
      {"trunc.txt", 'f', 0644, "short", 5},
  };
  size_t n = sizeof entries / sizeof entries[0];
  for (size_t i = 0; i < n; ++i) {
    if (g_without_a && strcmp(entries[i].path, "a.txt") == 0) continue;
    verify_entry(&entries[i]);
  }
  int want = (int)n - (g_without_a ? 1 : 0);
  int got = count_tree("/tmp");
  char what[96];
  snprintf(what, sizeof what, "/tmp holds %d names (want %d)", got, want);
  check(got == want, what);
  struct stat a, b;
  check(stat("/tmp/hard.txt", &a) == 0 && stat("/tmp/dir1/dir2/nested.txt", &b) == 0 && a.st_ino == b.st_ino &&
            a.st_nlink == 2,
        "the hard link is one file with two names");
  if (!g_without_a) {
    check(stat("/tmp/a.txt", &a) == 0 && a.st_mtim.tv_sec == 1234567890 && a.st_mtim.tv_nsec == 500000000,
          "mtime kept");
  }
  check(access("/tmp/ghost.txt", F_OK) != 0 && access("/tmp/gone.txt", F_OK) != 0 &&
            access("/tmp/tmpname.txt", F_OK) != 0 && access("/tmp/d_old", F_OK) != 0,
        "removed names stay removed");
  free(big);
}

static void read_only_checks(void) {
  check_errno(open("/tmp/new.txt", O_WRONLY | O_CREAT, 0666), EROFS, "create: EROFS");
  check_errno(open("/tmp/a.txt", O_WRONLY), EROFS, "open for writing: EROFS");
  check_errno(open("/tmp/a.txt", O_RDONLY | O_TRUNC), EROFS, "O_TRUNC: EROFS");
  check_errno(unlink("/tmp/a.txt"), EROFS, "unlink: EROFS");
  check_errno(mkdir("/tmp/d", 0777), EROFS, "mkdir: EROFS");
  check_errno(rmdir("/tmp/dir1/empty"), EROFS, "rmdir: EROFS");
  check_errno(rename("/tmp/a.txt", "/tmp/b.txt"), EROFS, "rename: EROFS");
  check_errno(symlink("x", "/tmp/s"), EROFS, "symlink: EROFS");
  check_errno(link("/tmp/a.txt", "/tmp/l"), EROFS, "link: EROFS");
  check_errno(chmod("/tmp/a.txt", 0644), EROFS, "chmod: EROFS");
  check_errno(truncate("/tmp/a.txt", 0), EROFS, "truncate: EROFS");
  check_errno(utimensat(AT_FDCWD, "/tmp/a.txt", NULL, 0), EROFS, "utimensat: EROFS");
  int fd = open("/tmp/a.txt", O_RDONLY | O_CREAT, 0666);
  check(fd >= 0, "O_CREAT of an existing file, read-only: allowed");
  if (fd >= 0) close(fd);
  check(write_file("/outside.txt", "ok", 2, 0) == 0 && file_is("/outside.txt", "ok", 2), "the rest of / is writable");
}

// ---- Compaction ---------------------------------------------------------------

#define CHURN_FILES 4
#define CHURN_ROUNDS 64
#define CHURN_SIZE (40 * 1024)

static void churn_contents(int file, int round, uint8_t* buf) {
  for (size_t i = 0; i < CHURN_SIZE; ++i) buf[i] = (uint8_t)(i * 13 + round * 101 + file);
}

#define SPARSE1_SIZE 300000
#define SPARSE2_SIZE 200000

static void churn(void) {
  uint8_t* buf = malloc(CHURN_SIZE);
  umask(022);
  check(mkdir("/tmp/c", 0777) == 0, "mkdir /tmp/c");
  // What the compactions' snapshots must carry besides plain files: a hard
  // link, a symlink, an empty directory with its mode, a file's times, holes
  // (sparse1 ends in data, sparse2 in a hole).
  check(write_file("/tmp/c/hl1", "hard", 4, 0) == 0 && link("/tmp/c/hl1", "/tmp/c/hl2") == 0, "hard link");
  check(symlink("f0", "/tmp/c/sl") == 0, "symlink");
  check(mkdir("/tmp/c/empty", 0700) == 0, "mkdir 0700");
  struct timespec times[2] = {{1000000000, 0}, {1234567890, 250000000}};
  check(utimensat(AT_FDCWD, "/tmp/c/hl2", times, 0) == 0, "utimensat");
  int sfd = open("/tmp/c/sparse1", O_RDWR | O_CREAT, 0666);
  check(sfd >= 0 && ftruncate(sfd, SPARSE1_SIZE) == 0 && pwrite(sfd, "end", 3, SPARSE1_SIZE - 3) == 3, "sparse1");
  close(sfd);
  sfd = open("/tmp/c/sparse2", O_RDWR | O_CREAT, 0666);
  check(sfd >= 0 && write(sfd, "start", 5) == 5 && ftruncate(sfd, SPARSE2_SIZE) == 0, "sparse2");
  close(sfd);
  for (int round = 0; round < CHURN_ROUNDS; ++round) {
    int file = round % CHURN_FILES;
    char path[64];
    snprintf(path, sizeof path, "/tmp/c/f%d", file);
    churn_contents(file, round, buf);
    // Written to a temporary name, then renamed over the old one.
    if (write_file("/tmp/c/tmp", buf, CHURN_SIZE, O_TRUNC) != 0 || rename("/tmp/c/tmp", path) != 0) {
      check(0, "rewrite a file");
      break;
    }
  }
  // Fill the disk: writes fail with ENOSPC before 700 KiB (a region is ~508 KiB).
  int fd = open("/tmp/c/filler", O_WRONLY | O_CREAT, 0666);
  long total = 0;
  ssize_t w = 0;
  memset(buf, 0x5a, CHURN_SIZE);
  while (total < 700 * 1024 && (w = write(fd, buf, CHURN_SIZE)) > 0) total += w;
  check(w == -1 && errno == ENOSPC, "filling the disk ends in ENOSPC");
  printf("disk: ENOSPC after %ld KiB of filler\n", total / 1024);
  close(fd);
  check(unlink("/tmp/c/filler") == 0, "unlink the filler");
  check(write_file("/tmp/c/after", "after", 5, 0) == 0, "write after ENOSPC");
  free(buf);
}

static void verify_churn(void) {
  uint8_t* buf = malloc(CHURN_SIZE);
  for (int file = 0; file < CHURN_FILES; ++file) {
    int last = CHURN_ROUNDS - CHURN_FILES + file;  // the last round that wrote it
    churn_contents(file, last, buf);
    char path[64], what[96];
    snprintf(path, sizeof path, "/tmp/c/f%d", file);
    snprintf(what, sizeof what, "%s holds round %d", path, last);
    check(file_is(path, buf, CHURN_SIZE), what);
  }
  check(file_is("/tmp/c/after", "after", 5), "/tmp/c/after");
  struct stat a, b;
  check(stat("/tmp/c/hl1", &a) == 0 && stat("/tmp/c/hl2", &b) == 0 && a.st_ino == b.st_ino && a.st_nlink == 2 &&
            file_is("/tmp/c/hl2", "hard", 4),
        "the hard link is one file with two names");
  check(a.st_mtim.tv_sec == 1234567890 && a.st_mtim.tv_nsec == 250000000, "its mtime");
  char target[16];
  check(readlink("/tmp/c/sl", target, sizeof target) == 2 && memcmp(target, "f0", 2) == 0, "the symlink");
  check(stat("/tmp/c/empty", &a) == 0 && S_ISDIR(a.st_mode) && (a.st_mode & 07777) == 0700, "the empty directory");
  char* sparse = calloc(1, SPARSE1_SIZE);
  memcpy(sparse + SPARSE1_SIZE - 3, "end", 3);
  check(file_is("/tmp/c/sparse1", sparse, SPARSE1_SIZE), "sparse1 (ends in data)");
  memset(sparse, 0, SPARSE1_SIZE);
  memcpy(sparse, "start", 5);
  check(file_is("/tmp/c/sparse2", sparse, SPARSE2_SIZE), "sparse2 (ends in a hole)");
  free(sparse);
  check(count_tree("/tmp") == CHURN_FILES + 8, "/tmp holds c and its 11 names");
  free(buf);
}

// ---- Bench ------------------------------------------------------------------------

static void bench(int n) {
  char data[100], path[64];
  memset(data, 'v', sizeof data);
  const char* dirs[2] = {"/tmp/kv", "/mem"};
  for (int d = 0; d < 2; ++d) {
    mkdir(dirs[d], 0777);
    double t0 = now_ms();
    for (int i = 0; i < n; ++i) {
      snprintf(path, sizeof path, "%s/key%d", dirs[d], i);
      if (write_file(path, data, sizeof data, O_TRUNC) != 0) check(0, "bench: create");
    }
    double t1 = now_ms();
    int fd = open(path, O_WRONLY);
    for (int i = 0; i < n; ++i) {
      if (pwrite(fd, data, sizeof data, 0) != sizeof data) check(0, "bench: pwrite");
    }
    double t2 = now_ms();
    for (int i = 0; i < n; ++i) {
      char tmp[64];
      snprintf(tmp, sizeof tmp, "%s/tmp", dirs[d]);
      if (write_file(tmp, data, sizeof data, O_TRUNC) != 0 || rename(tmp, path) != 0) check(0, "bench: replace");
    }
    double t3 = now_ms();
    close(fd);
    size_t big = 1 << 20;
    char* b = malloc(big);
    memset(b, 7, big);
    snprintf(path, sizeof path, "%s/big", dirs[d]);
    double t4 = now_ms();
    check(write_file(path, b, big, O_TRUNC) == 0, "bench: 1 MiB");
    double t5 = now_ms();
    free(b);
    printf("bench %s: create+write+close %.2f ms, pwrite 100 B %.2f ms, write tmp+rename %.2f ms, 1 MiB file %.0f ms\n",
           d == 0 ? "disk  " : "memory", (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n, t5 - t4);
  }
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "verify";
  if (strcmp(mode, "write") == 0) {
    make_tree();
    verify_tree();  // the same tree, before any reboot
  } else if (strcmp(mode, "verify") == 0) {
    verify_tree();
  } else if (strcmp(mode, "extra") == 0) {
    check(unlink("/tmp/a.txt") == 0, "unlink /tmp/a.txt");
  } else if (strcmp(mode, "extra2") == 0) {
    char z[2000];
    memset(z, 'Z', sizeof z);
    check(write_file("/tmp/renamed.txt", z, sizeof z, O_APPEND) == 0, "append 2000 bytes to /tmp/renamed.txt");
  } else if (strcmp(mode, "verify-extra") == 0) {
    g_without_a = 1;
    verify_tree();
  } else if (strcmp(mode, "ro") == 0) {
    verify_tree();
    read_only_checks();
    verify_tree();
  } else if (strcmp(mode, "churn") == 0) {
    churn();
    verify_churn();
  } else if (strcmp(mode, "verify-churn") == 0) {
    verify_churn();
  } else if (strcmp(mode, "plain") == 0) {
    check(count_tree("/tmp") == 0, "/tmp is empty");
    check(write_file("/tmp/x", "x", 1, 0) == 0 && file_is("/tmp/x", "x", 1), "/tmp is writable (in memory)");
  } else if (strcmp(mode, "bench") == 0) {
    bench(argc > 2 ? atoi(argv[2]) : 20);
  } else {
    printf("disk: unknown mode %s\n", mode);
    return 2;
  }
  printf("disk %s: %d passed, %d failed\n", mode, passed, failed);
  return failed == 0 ? 0 : 1;
}
