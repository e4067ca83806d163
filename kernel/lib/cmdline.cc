#include "lib/cmdline.h"

#include "lib/string.h"

namespace silk::kernel {
namespace {

// The end of the raw word starting at {p} (not a space): the first space
// outside double quotes, or the NUL. An unterminated quote runs to the end.
const char* word_end(const char* p) {
  bool quoted = false;
  for (; *p != '\0'; ++p) {
    if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\')) {
      ++p;
    } else if (*p == '"') {
      quoted = !quoted;
    } else if (*p == ' ' && !quoted) {
      break;
    }
  }
  return p;
}

// Copies the raw word [{p}, {end}) without its quotes and escapes into
// {out} (truncated to {cap} - 1 bytes, NUL-terminated when {cap} > 0).
void unquote(const char* p, const char* end, char* out, size_t cap) {
  if (cap == 0) return;
  size_t n = 0;
  bool quoted = false;
  for (; p < end; ++p) {
    char c = *p;
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    if (quoted && c == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\')) c = *++p;
    if (n < cap - 1) out[n++] = c;
  }
  out[n] = '\0';
}

bool is_separator(const char* word, const char* end) { return end - word == 2 && word[0] == '-' && word[1] == '-'; }

}  // namespace

bool cmdline_value(const char* cmdline, const char* key, char* out, size_t cap) {
  size_t key_len = strlen(key);
  const char* p = cmdline;
  while (*p != '\0') {
    while (*p == ' ') ++p;
    if (*p == '\0') break;
    const char* word = p;
    p = word_end(word);
    if (is_separator(word, p)) break;  // the program's words are not the kernel's
    size_t word_len = static_cast<size_t>(p - word);
    if (word_len < key_len || strncmp(word, key, key_len) != 0) continue;
    if (word_len == key_len) {
      if (cap > 0) out[0] = '\0';
      return true;
    }
    if (word[key_len] != '=') continue;
    unquote(word + key_len + 1, p, out, cap);
    return true;
  }
  return false;
}

const char* cmdline_program_args(const char* cmdline) {
  const char* p = cmdline;
  while (*p != '\0') {
    while (*p == ' ') ++p;
    if (*p == '\0') break;
    const char* word = p;
    p = word_end(word);
    if (is_separator(word, p)) return p;
  }
  return nullptr;
}

bool cmdline_next_word(const char** p, char* out, size_t cap) {
  const char* s = *p;
  while (*s == ' ') ++s;
  if (*s == '\0') {
    *p = s;
    return false;
  }
  const char* end = word_end(s);
  unquote(s, end, out, cap);
  *p = end;
  return true;
}

const char* cmdline_program_args_end(const char* args) {
  static constexpr char kDeviceWord[] = "virtio_mmio.device=";
  const char* end = args;  // after the last word that is not a device word
  for (const char* p = args; *p != '\0';) {
    while (*p == ' ') ++p;
    if (*p == '\0') break;
    const char* word = p;
    while (*p != '\0' && *p != ' ') ++p;
    if (strncmp(word, kDeviceWord, sizeof kDeviceWord - 1) != 0) end = p;
  }
  return end;
}

}  // namespace silk::kernel
