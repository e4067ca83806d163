#include "lib/format.h"

#include <stdint.h>

#include "lib/string.h"
#include "platform/platform.h"

namespace silk::kernel {
namespace {

// Where formatted bytes go: a bounded buffer, optionally flushed to the
// console when full (kprintf) instead of truncating (format).
struct Sink {
  char* buf;
  size_t cap;       // usable bytes in buf
  size_t used = 0;  // bytes in buf now
  size_t total = 0; // bytes produced so far
  bool flush_to_console = false;

  void put(char c) {
    ++total;
    if (used == cap) {
      if (!flush_to_console) return;
      flush();
    }
    buf[used++] = c;
  }
  void flush() {
    if (flush_to_console && used > 0) platform::console_write(buf, used, platform::kConsoleStderr);
    used = 0;
  }
};

struct Spec {
  bool left = false, zero = false, plus = false, space = false, alt = false;
  int width = 0;
  int precision = -1;
};

void put_padding(Sink& sink, char c, int n) {
  for (; n > 0; --n) sink.put(c);
}

void put_string(Sink& sink, const Spec& spec, const char* s) {
  if (s == nullptr) s = "(null)";
  size_t len = spec.precision >= 0 ? strnlen(s, static_cast<size_t>(spec.precision)) : strlen(s);
  int pad = spec.width - static_cast<int>(len);
  if (!spec.left) put_padding(sink, ' ', pad);
  for (size_t i = 0; i < len; ++i) sink.put(s[i]);
  if (spec.left) put_padding(sink, ' ', pad);
}

void put_number(Sink& sink, Spec spec, uint64_t value, bool negative, unsigned base, bool upper,
                const char* prefix) {
  char digits[24];
  int n = 0;
  const char* alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = alphabet[value % base];
    value /= base;
  } while (value != 0);
  if (spec.precision == 0 && n == 1 && digits[0] == '0') n = 0;
  int zeros = spec.precision > n ? spec.precision - n : 0;
  char sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '\0';
  int prefix_len = static_cast<int>(strlen(prefix));
  int body = n + zeros + prefix_len + (sign != '\0' ? 1 : 0);
  int pad = spec.width - body;
  if (spec.zero && !spec.left && spec.precision < 0) {
    zeros += pad > 0 ? pad : 0;
    pad = 0;
  }
  if (!spec.left) put_padding(sink, ' ', pad);
  if (sign != '\0') sink.put(sign);
  for (int i = 0; i < prefix_len; ++i) sink.put(prefix[i]);
  put_padding(sink, '0', zeros);
  while (n > 0) sink.put(digits[--n]);
  if (spec.left) put_padding(sink, ' ', pad);
}

enum class Length { kInt, kChar, kShort, kLong, kLongLong, kSize };

uint64_t fetch_unsigned(va_list& args, Length length) {
  switch (length) {
    case Length::kChar: return static_cast<unsigned char>(va_arg(args, unsigned));
    case Length::kShort: return static_cast<unsigned short>(va_arg(args, unsigned));
    case Length::kLong: return va_arg(args, unsigned long);
    case Length::kLongLong: return va_arg(args, unsigned long long);
    case Length::kSize: return va_arg(args, size_t);
    case Length::kInt: break;
  }
  return va_arg(args, unsigned);
}

int64_t fetch_signed(va_list& args, Length length) {
  switch (length) {
    case Length::kChar: return static_cast<signed char>(va_arg(args, int));
    case Length::kShort: return static_cast<short>(va_arg(args, int));
    case Length::kLong: return va_arg(args, long);
    case Length::kLongLong: return va_arg(args, long long);
    case Length::kSize: return va_arg(args, int64_t);
    case Length::kInt: break;
  }
  return va_arg(args, int);
}

void format_to(Sink& sink, const char* fmt, va_list args_in) {
  va_list args;
  va_copy(args, args_in);
  for (const char* p = fmt; *p != '\0'; ++p) {
    if (*p != '%') {
      sink.put(*p);
      continue;
    }
    Spec spec;
    for (++p;; ++p) {
      if (*p == '-') spec.left = true;
      else if (*p == '0') spec.zero = true;
      else if (*p == '+') spec.plus = true;
      else if (*p == ' ') spec.space = true;
      else if (*p == '#') spec.alt = true;
      else break;
    }
    if (*p == '*') {
      spec.width = va_arg(args, int);
      if (spec.width < 0) spec.left = true, spec.width = -spec.width;
      ++p;
    } else {
      while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
    }
    if (*p == '.') {
      ++p;
      spec.precision = 0;
      if (*p == '*') {
        spec.precision = va_arg(args, int);
        ++p;
      } else {
        while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
      }
    }
    Length length = Length::kInt;
    if (*p == 'h') {
      length = p[1] == 'h' ? (++p, Length::kChar) : Length::kShort;
      ++p;
    } else if (*p == 'l') {
      length = p[1] == 'l' ? (++p, Length::kLongLong) : Length::kLong;
      ++p;
    } else if (*p == 'z' || *p == 't' || *p == 'j') {
      length = Length::kSize;
      ++p;
    }
    switch (*p) {
      case 'd':
      case 'i': {
        int64_t v = fetch_signed(args, length);
        uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        put_number(sink, spec, magnitude, v < 0, 10, false, "");
        break;
      }
      case 'u': put_number(sink, spec, fetch_unsigned(args, length), false, 10, false, ""); break;
      case 'o': put_number(sink, spec, fetch_unsigned(args, length), false, 8, false, spec.alt ? "0" : ""); break;
      case 'x': put_number(sink, spec, fetch_unsigned(args, length), false, 16, false, spec.alt ? "0x" : ""); break;
      case 'X': put_number(sink, spec, fetch_unsigned(args, length), false, 16, true, spec.alt ? "0X" : ""); break;
      case 'p':
        put_number(sink, spec, reinterpret_cast<uintptr_t>(va_arg(args, void*)), false, 16, false, "0x");
        break;
      case 'c': {
        char c = static_cast<char>(va_arg(args, int));
        put_padding(sink, ' ', spec.left ? 0 : spec.width - 1);
        sink.put(c);
        put_padding(sink, ' ', spec.left ? spec.width - 1 : 0);
        break;
      }
      case 's': put_string(sink, spec, va_arg(args, const char*)); break;
      case '%': sink.put('%'); break;
      case '\0': --p; break;  // a lone '%' at the end
      default:
        sink.put('%');
        sink.put(*p);
        break;
    }
  }
  va_end(args);
}

}  // namespace

size_t vformat(char* buf, size_t cap, const char* fmt, va_list args) {
  Sink sink{buf, cap > 0 ? cap - 1 : 0};
  format_to(sink, fmt, args);
  if (cap > 0) buf[sink.used] = '\0';
  return sink.total;
}

size_t format(char* buf, size_t cap, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t n = vformat(buf, cap, fmt, args);
  va_end(args);
  return n;
}

void vkprintf(const char* fmt, va_list args) {
  char buf[256];
  Sink sink{buf, sizeof buf};
  sink.flush_to_console = true;
  format_to(sink, fmt, args);
  sink.flush();
}

void kprintf(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vkprintf(fmt, args);
  va_end(args);
}

}  // namespace silk::kernel
