// silk::slight::bindgen — identifiers for generated code, and a small code
// builder. WIT names are kebab-case; C++ gets PascalCase types and snake_case
// members, C gets snake_case with the interface prefix (wit-bindgen's C style).
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace silk::slight::bindgen {

inline std::string snake(std::string_view kebab) {
  std::string s(kebab);
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

inline std::string pascal(std::string_view kebab) {
  std::string s;
  bool up = true;
  for (char c : kebab) {
    if (c == '-' || c == '_') {
      up = true;
      continue;
    }
    s += up ? char(std::toupper(uint8_t(c))) : c;
    up = false;
  }
  if (!s.empty() && std::isdigit(uint8_t(s[0]))) s = "Case" + s;
  return s;
}

inline std::string upper(std::string_view kebab) {
  std::string s = snake(kebab);
  for (char& c : s) c = char(std::toupper(uint8_t(c)));
  return s;
}

// C and C++ keywords (and names the generated code itself uses) get a trailing '_'.
inline std::string escape(std::string name) {
  static const std::set<std::string, std::less<>> reserved = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "import", "inline", "int", "long", "module", "mutable", "namespace", "new",
      "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public",
      "register", "reinterpret_cast", "requires", "restrict", "return", "short", "signed", "sizeof", "static",
      "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true",
      "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile",
      "wchar_t", "while", "xor", "xor_eq", "tag", "payload", "val", "is_err", "is_some", "ptr", "len", "idx",
      "self", "ret", "errno", "main",
  };
  if (!name.empty() && std::isdigit(uint8_t(name[0]))) name = "case" + name;
  if (reserved.count(name)) name += "_";
  return name;
}

inline std::string ident(std::string_view kebab) { return escape(snake(kebab)); }

inline std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Lines with indentation, and unique temporaries.
struct Code {
  std::string text;
  int depth = 0;
  int counter = 0;
  void line(std::string_view s) {
    if (!s.empty()) text.append(size_t(depth) * 2, ' ');
    text += s;
    text += '\n';
  }
  void open(std::string_view s) {
    line(s);
    depth++;
  }
  void close(std::string_view s = "}") {
    depth--;
    line(s);
  }
  std::string tmp(std::string_view base) { return std::string(base) + std::to_string(counter++); }
};

// Doc comments ("///" lines) from WIT docs.
inline void doc_comment(Code& c, std::string_view docs) {
  size_t start = 0;
  while (start < docs.size()) {
    size_t end = docs.find('\n', start);
    if (end == std::string_view::npos) end = docs.size();
    c.line("/// " + std::string(docs.substr(start, end - start)));
    start = end + 1;
  }
}

}  // namespace silk::slight::bindgen
