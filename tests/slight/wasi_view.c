// What a slight app sees of WASI (ABI.md §3): argv = the host program's own
// command line, an empty environment, the current directory pre-opened as ".".
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("argv[%d] %s\n", i, argv[i]);
  int n = 0;
  while (environ[n]) n++;
  printf("environ %d\n", n);
  FILE *f = fopen("probe.txt", "r");
  char line[128] = "";
  if (f && fgets(line, sizeof line, f)) printf("probe.txt: %s", line);
  else printf("probe.txt: cannot open\n");
  if (f) fclose(f);
  f = fopen("written.txt", "w");
  if (f) {
    fputs("written by the guest\n", f);
    fclose(f);
  }
  return 0;
}
