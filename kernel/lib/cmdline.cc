#include "lib/cmdline.h"

#include "lib/string.h"

namespace silk::kernel {

bool cmdline_value(const char* cmdline, const char* key, char* out, size_t cap) {
  size_t key_len = strlen(key);
  const char* p = cmdline;
  while (*p != '\0') {
    while (*p == ' ') ++p;
    const char* word = p;
    while (*p != '\0' && *p != ' ') ++p;
    size_t word_len = static_cast<size_t>(p - word);
    if (word_len < key_len || strncmp(word, key, key_len) != 0) continue;
    if (word_len == key_len) {
      if (cap > 0) out[0] = '\0';
      return true;
    }
    if (word[key_len] != '=') continue;
    size_t value_len = word_len - key_len - 1;
    if (cap > 0) {
      if (value_len > cap - 1) value_len = cap - 1;
      memcpy(out, word + key_len + 1, value_len);
      out[value_len] = '\0';
    }
    return true;
  }
  return false;
}

const char* cmdline_program_args(const char* cmdline) {
  for (const char* p = cmdline; *p != '\0'; ++p) {
    if (p[0] == '-' && p[1] == '-' && (p == cmdline || p[-1] == ' ') && (p[2] == ' ' || p[2] == '\0')) {
      return p + 2;
    }
  }
  return nullptr;
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
