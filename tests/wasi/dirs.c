// Directories: path_create_directory, path_remove_directory, fd_readdir
// (many entries, so the buffer refills and entries get cut; telldir/seekdir
// cookies), path_filestat_get, path_filestat_set_times, path_unlink_file.
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_test.h"

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

// Reads the rest of {d} into {names}, skipping "." and ".."; returns the count.
static int read_rest(DIR* d, char** names, int max) {
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (n < max) names[n] = strdup(e->d_name);
    ++n;
  }
  return n;
}

enum { kFiles = 300 };

int main(void) {
  CHECK(mkdir("d", 0755) == 0);
  CHECK_ERR(mkdir("d", 0755), EEXIST);
  CHECK(mkdir("d/sub/", 0755) == 0);  // trailing slash
  CHECK_ERR(mkdir("nope/x", 0755), ENOENT);
  char name[128];
  for (int i = 0; i < kFiles; ++i) {
    // Names of varying length, some long, so dirents straddle buffer ends.
    snprintf(name, sizeof name, "d/file_%03d_%.*s", i, i % 61, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk");
    int fd = open(name, O_CREAT | O_WRONLY, 0644);
    if (fd < 0 || write(fd, name, (size_t)i % 10) != i % 10 || close(fd) != 0) {
      CHECK(!"create file");
      break;
    }
  }

  DIR* d = opendir("d");
  CHECK(d != NULL);
  static char* all[kFiles + 10];
  int n = read_rest(d, all, kFiles + 10);
  printf("entries %d\n", n);
  CHECK(n == kFiles + 1);
  qsort(all, (size_t)(n < kFiles + 10 ? n : kFiles + 10), sizeof(char*), cmp);
  printf("first %s last %s\n", all[0], all[n - 1]);

  // Cookies: remember the position after 100 entries, read on, come back.
  rewinddir(d);
  static char* tail1[kFiles + 10];
  static char* tail2[kFiles + 10];
  int skipped = 0;
  struct dirent* e;
  while (skipped < 100 && (e = readdir(d)) != NULL) ++skipped;
  long pos = telldir(d);
  int n1 = read_rest(d, tail1, kFiles + 10);
  seekdir(d, pos);
  int n2 = read_rest(d, tail2, kFiles + 10);
  CHECK(n1 == n2 && n1 > 0);
  int same = n1 == n2;
  for (int i = 0; same && i < n1; ++i) same = strcmp(tail1[i], tail2[i]) == 0;
  CHECK(same);
  CHECK(closedir(d) == 0);

  // Entry types through d_type.
  d = opendir("d");
  int dirs = 0, regs = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_type == DT_DIR) ++dirs;
    if (e->d_type == DT_REG) ++regs;
  }
  closedir(d);
  printf("d_type: %d dirs (with . and ..), %d files\n", dirs, regs);
  CHECK(dirs == 3 && regs == kFiles);

  struct stat st;
  CHECK(stat("d", &st) == 0 && S_ISDIR(st.st_mode));
  CHECK(stat("d/file_007_abcdefg", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 7);
  CHECK(stat("d/sub/..", &st) == 0 && S_ISDIR(st.st_mode));
  CHECK_ERR(stat("d/none", &st), ENOENT);
  CHECK_ERR(stat("d/file_007_abcdefg/x", &st), ENOTDIR);
  CHECK_ERR(opendir("d/file_007_abcdefg") == NULL ? -1 : 0, ENOTDIR);

  struct timespec times[2] = {{1500000000, 0}, {1600000000, 42}};
  CHECK(utimensat(AT_FDCWD, "d/sub", times, 0) == 0);
  CHECK(stat("d/sub", &st) == 0 && st.st_mtim.tv_sec == 1600000000 && st.st_mtim.tv_nsec == 42 &&
        st.st_atim.tv_sec == 1500000000);

  CHECK_ERR(rmdir("d"), ENOTEMPTY);
  CHECK_ERR(rmdir("d/file_000_"), ENOTDIR);
  CHECK(rmdir("d/sub") == 0);
  CHECK_ERR(rmdir("d/sub"), ENOENT);
  int unlinked = 0;
  d = opendir("d");
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    snprintf(name, sizeof name, "d/%s", e->d_name);
    if (unlink(name) == 0) ++unlinked;
  }
  closedir(d);
  printf("unlinked %d\n", unlinked);
  CHECK(unlinked == kFiles);
  CHECK_ERR(unlink("d"), EISDIR);
  CHECK(rmdir("d") == 0);
  CHECK_ERR(stat("d", &st), ENOENT);
  TEST_DONE();
}
