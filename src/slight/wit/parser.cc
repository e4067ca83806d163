// WIT lexer + recursive-descent parser, and the Package loader that follows
// `use` between files and checks names.
#include "slight/wit/parser.h"

#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace silk::slight::wit {
namespace {

using wasm::ErrorKind;
using wasm::Result;

enum class Tok : uint8_t { End, Ident, LBrace, RBrace, LParen, RParen, Lt, Gt, Comma, Colon, Equals, Arrow, Star, Semi };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // identifier (with a leading % removed)
  bool escaped = false;
  SourceLoc loc;
  std::string docs;  // /// comments right before this token
};

std::string stem_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.size() > 4 && base.ends_with(".wit")) base.resize(base.size() - 4);
  return base;
}

wasm::Error syntax_error(const SourceLoc& loc, const std::string& message) {
  return wasm::make_error(ErrorKind::Invalid, loc.str() + ": " + message);
}

class Lexer {
 public:
  Lexer(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    std::string docs;
    while (true) {
      // whitespace and comments
      while (pos_ < text_.size()) {
        char c = text_[pos_];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          advance();
        } else if (text_.substr(pos_, 2) == "//") {
          bool doc = text_.substr(pos_, 3) == "///" && text_.substr(pos_, 4) != "////";
          size_t start = pos_ + (doc ? 3 : 2);
          while (pos_ < text_.size() && text_[pos_] != '\n') advance();
          if (doc) {
            std::string line(text_.substr(start, pos_ - start));
            if (!line.empty() && line[0] == ' ') line.erase(0, 1);
            docs += line + "\n";
          }
        } else if (text_.substr(pos_, 2) == "/*") {
          SourceLoc at = here();
          int depth = 0;
          do {
            if (pos_ >= text_.size()) return syntax_error(at, "unterminated block comment");
            if (text_.substr(pos_, 2) == "/*") {
              depth++;
              advance(), advance();
            } else if (text_.substr(pos_, 2) == "*/") {
              depth--;
              advance(), advance();
            } else {
              advance();
            }
          } while (depth > 0);
        } else {
          break;
        }
      }
      Token t;
      t.loc = here();
      t.docs = std::move(docs);
      docs.clear();
      if (pos_ >= text_.size()) {
        t.kind = Tok::End;
        out.push_back(std::move(t));
        return out;
      }
      char c = text_[pos_];
      if (c == '%' || std::isalpha(uint8_t(c)) || c == '_') {
        if (c == '%') t.escaped = true, advance();
        size_t start = pos_;
        while (pos_ < text_.size() &&
               (std::isalnum(uint8_t(text_[pos_])) || text_[pos_] == '-' || text_[pos_] == '_'))
          advance();
        if (pos_ == start) return syntax_error(t.loc, "expected a name after '%'");
        t.kind = Tok::Ident;
        t.text = std::string(text_.substr(start, pos_ - start));
        out.push_back(std::move(t));
        continue;
      }
      if (text_.substr(pos_, 2) == "->") {
        advance(), advance();
        t.kind = Tok::Arrow;
        out.push_back(std::move(t));
        continue;
      }
      switch (c) {
        case '{': t.kind = Tok::LBrace; break;
        case '}': t.kind = Tok::RBrace; break;
        case '(': t.kind = Tok::LParen; break;
        case ')': t.kind = Tok::RParen; break;
        case '<': t.kind = Tok::Lt; break;
        case '>': t.kind = Tok::Gt; break;
        case ',': t.kind = Tok::Comma; break;
        case ':': t.kind = Tok::Colon; break;
        case '=': t.kind = Tok::Equals; break;
        case '*': t.kind = Tok::Star; break;
        case ';': t.kind = Tok::Semi; break;
        default: {
          std::string shown = std::isprint(uint8_t(c)) ? std::string(1, c) : "\\x" + std::to_string(uint8_t(c));
          return syntax_error(t.loc, "unexpected character '" + shown + "'");
        }
      }
      advance();
      out.push_back(std::move(t));
    }
  }

 private:
  SourceLoc here() const { return SourceLoc{file_, line_, col_}; }
  void advance() {
    if (text_[pos_] == '\n') line_++, col_ = 1;
    else col_++;
    pos_++;
  }

  std::string_view text_;
  std::string file_;
  size_t pos_ = 0;
  uint32_t line_ = 1, col_ = 1;
};

const std::map<std::string, TypeKind, std::less<>>& primitive_types() {
  static const std::map<std::string, TypeKind, std::less<>> m = {
      {"bool", TypeKind::Bool},       {"u8", TypeKind::U8},       {"s8", TypeKind::S8},
      {"u16", TypeKind::U16},         {"s16", TypeKind::S16},     {"u32", TypeKind::U32},
      {"s32", TypeKind::S32},         {"u64", TypeKind::U64},     {"s64", TypeKind::S64},
      {"float32", TypeKind::Float32}, {"float64", TypeKind::Float64}, {"char", TypeKind::Char},
      {"string", TypeKind::String},   {"unit", TypeKind::Unit},   {"_", TypeKind::Unit},
  };
  return m;
}

const char* tok_name(Tok t) {
  switch (t) {
    case Tok::End: return "end of file";
    case Tok::Ident: return "a name";
    case Tok::LBrace: return "'{'";
    case Tok::RBrace: return "'}'";
    case Tok::LParen: return "'('";
    case Tok::RParen: return "')'";
    case Tok::Lt: return "'<'";
    case Tok::Gt: return "'>'";
    case Tok::Comma: return "','";
    case Tok::Colon: return "':'";
    case Tok::Equals: return "'='";
    case Tok::Arrow: return "'->'";
    case Tok::Star: return "'*'";
    case Tok::Semi: return "';'";
  }
  return "?";
}

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  Result<void> parse(Interface& out) {
    while (peek().kind != Tok::End) {
      if (peek().kind == Tok::Semi) {
        pos_++;
        continue;
      }
      SILK_TRY(item(out));
    }
    return {};
  }

 private:
  const Token& peek(size_t ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  bool is_keyword(std::string_view kw, size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return t.kind == Tok::Ident && !t.escaped && t.text == kw;
  }
  wasm::Error unexpected(const std::string& wanted) const {
    const Token& t = peek();
    std::string got = t.kind == Tok::Ident ? "'" + t.text + "'" : tok_name(t.kind);
    return syntax_error(t.loc, "expected " + wanted + ", found " + got);
  }
  Result<Token> expect(Tok kind) {
    if (peek().kind != kind) return unexpected(tok_name(kind));
    return toks_[pos_++];
  }
  bool accept(Tok kind) {
    if (peek().kind != kind) return false;
    pos_++;
    return true;
  }
  Result<Token> name() {
    if (peek().kind != Tok::Ident) return unexpected("a name");
    return toks_[pos_++];
  }

  Result<void> item(Interface& out) {
    const Token& t = peek();
    if (t.kind != Tok::Ident) return unexpected("an item (resource, record, variant, enum, flags, union, type, use or a function)");
    if (!t.escaped) {
      if (t.text == "use") return use(out);
      if (t.text == "resource") return resource(out);
      if (t.text == "record") return record(out);
      if (t.text == "variant" || t.text == "union") return variant(out, t.text == "union" ? DefKind::Union : DefKind::Variant);
      if (t.text == "enum" || t.text == "flags") return enum_like(out, t.text == "flags" ? DefKind::Flags : DefKind::Enum);
      if (t.text == "type") return alias(out);
    }
    auto f = SILK_TRY(function(""));
    out.functions.push_back(std::move(f));
    return {};
  }

  Result<void> use(Interface& out) {
    Use u;
    u.loc = toks_[pos_++].loc;
    if (accept(Tok::Star)) {
      u.all = true;
    } else {
      SILK_TRY(expect(Tok::LBrace));
      while (!accept(Tok::RBrace)) {
        auto n = SILK_TRY(name());
        UseName un{n.text, n.text, n.loc};
        if (is_keyword("as")) {
          pos_++;
          un.alias = SILK_TRY(name()).text;
        }
        u.names.push_back(std::move(un));
        if (!accept(Tok::Comma)) {
          SILK_TRY(expect(Tok::RBrace));
          break;
        }
      }
    }
    if (!is_keyword("from")) return unexpected("'from'");
    pos_++;
    u.from = SILK_TRY(name()).text;
    out.uses.push_back(std::move(u));
    return {};
  }

  TypeDef start_def(DefKind kind) {
    TypeDef d;
    d.kind = kind;
    d.docs = peek().docs;
    d.loc = peek().loc;
    pos_++;  // keyword
    return d;
  }

  Result<void> resource(Interface& out) {
    TypeDef d = start_def(DefKind::Resource);
    d.name = SILK_TRY(name()).text;
    if (accept(Tok::LBrace)) {
      while (!accept(Tok::RBrace)) {
        if (accept(Tok::Semi)) continue;
        bool is_static = false;
        std::string docs = peek().docs;
        if (is_keyword("static") && peek(1).kind == Tok::Ident) {
          pos_++;
          is_static = true;
        }
        auto f = SILK_TRY(function(d.name));
        f.is_static = is_static;
        if (f.docs.empty()) f.docs = docs;
        d.functions.push_back(std::move(f));
      }
    }
    out.types.push_back(std::move(d));
    return {};
  }

  Result<Function> function(const std::string& resource) {
    Function f;
    f.docs = peek().docs;
    auto n = SILK_TRY(name());
    f.name = n.text;
    f.loc = n.loc;
    f.resource = resource;
    SILK_TRY(expect(Tok::Colon));
    if (is_keyword("async")) return syntax_error(peek().loc, "async functions are not supported");
    if (!is_keyword("func")) return unexpected("'func'");
    pos_++;
    SILK_TRY(expect(Tok::LParen));
    f.params = SILK_TRY(fields_until(Tok::RParen));
    f.result.kind = TypeKind::Unit;
    f.result.loc = f.loc;
    if (accept(Tok::Arrow)) f.result = SILK_TRY(type());
    return f;
  }

  // `name: type` entries separated by commas (a trailing comma allowed), up to
  // and including {close}: function parameters and record fields.
  Result<std::vector<Field>> fields_until(Tok close) {
    std::vector<Field> out;
    while (!accept(close)) {
      Field fl;
      fl.docs = peek().docs;
      auto fn = SILK_TRY(name());
      fl.name = fn.text;
      fl.loc = fn.loc;
      SILK_TRY(expect(Tok::Colon));
      fl.type = SILK_TRY(type());
      out.push_back(std::move(fl));
      if (!accept(Tok::Comma)) {
        SILK_TRY(expect(close));
        break;
      }
    }
    return out;
  }

  Result<void> record(Interface& out) {
    TypeDef d = start_def(DefKind::Record);
    d.name = SILK_TRY(name()).text;
    SILK_TRY(expect(Tok::LBrace));
    d.fields = SILK_TRY(fields_until(Tok::RBrace));
    out.types.push_back(std::move(d));
    return {};
  }

  Result<void> variant(Interface& out, DefKind kind) {
    TypeDef d = start_def(kind);
    d.name = SILK_TRY(name()).text;
    SILK_TRY(expect(Tok::LBrace));
    while (!accept(Tok::RBrace)) {
      Case c;
      c.docs = peek().docs;
      c.loc = peek().loc;
      if (kind == DefKind::Union) {
        c.name = std::to_string(d.cases.size());
        c.type = SILK_TRY(type());
      } else {
        c.name = SILK_TRY(name()).text;
        if (accept(Tok::LParen)) {
          c.type = SILK_TRY(type());
          SILK_TRY(expect(Tok::RParen));
        }
      }
      d.cases.push_back(std::move(c));
      if (!accept(Tok::Comma)) {
        SILK_TRY(expect(Tok::RBrace));
        break;
      }
    }
    if (d.cases.empty()) return syntax_error(d.loc, d.name + " has no cases");
    out.types.push_back(std::move(d));
    return {};
  }

  Result<void> enum_like(Interface& out, DefKind kind) {
    TypeDef d = start_def(kind);
    d.name = SILK_TRY(name()).text;
    SILK_TRY(expect(Tok::LBrace));
    while (!accept(Tok::RBrace)) {
      Case c;
      c.docs = peek().docs;
      c.loc = peek().loc;
      c.name = SILK_TRY(name()).text;
      d.cases.push_back(std::move(c));
      if (!accept(Tok::Comma)) {
        SILK_TRY(expect(Tok::RBrace));
        break;
      }
    }
    if (kind == DefKind::Enum && d.cases.empty()) return syntax_error(d.loc, d.name + " has no cases");
    out.types.push_back(std::move(d));
    return {};
  }

  Result<void> alias(Interface& out) {
    TypeDef d = start_def(DefKind::Alias);
    d.name = SILK_TRY(name()).text;
    SILK_TRY(expect(Tok::Equals));
    d.alias = SILK_TRY(type());
    out.types.push_back(std::move(d));
    return {};
  }

  Result<TypeRef> type() {
    TypeRef t;
    t.loc = peek().loc;
    auto n = SILK_TRY(name());
    if (!n.escaped) {
      auto& prims = primitive_types();
      if (auto it = prims.find(n.text); it != prims.end()) {
        t.kind = it->second;
        return t;
      }
      auto generic = [&](TypeKind kind, size_t min_args, size_t max_args) -> Result<TypeRef> {
        t.kind = kind;
        SILK_TRY(expect(Tok::Lt));
        while (!accept(Tok::Gt)) {
          t.args.push_back(SILK_TRY(type()));
          if (!accept(Tok::Comma)) {
            SILK_TRY(expect(Tok::Gt));
            break;
          }
        }
        if (t.args.size() < min_args || t.args.size() > max_args)
          return syntax_error(t.loc, n.text + " takes " +
                                         (min_args == max_args ? std::to_string(min_args)
                                                               : "at least " + std::to_string(min_args)) +
                                         " type argument(s), found " + std::to_string(t.args.size()));
        return t;
      };
      if (n.text == "list") return generic(TypeKind::List, 1, 1);
      if (n.text == "option") return generic(TypeKind::Option, 1, 1);
      if (n.text == "expected") return generic(TypeKind::Expected, 2, 2);
      if (n.text == "tuple") return generic(TypeKind::Tuple, 0, 1u << 16);
      if (n.text == "handle") {
        t.kind = TypeKind::Named;
        t.name = SILK_TRY(name()).text;
        return t;
      }
      if (n.text == "future" || n.text == "stream")
        return syntax_error(t.loc, n.text + " types are not supported");
    }
    t.kind = TypeKind::Named;
    t.name = n.text;
    return t;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return wasm::make_error(ErrorKind::Io, path + ": cannot read file");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Checks that every Named type in {t} resolves.
Result<void> check_type(const Package& pkg, const Interface& iface, const TypeRef& t) {
  if (t.kind == TypeKind::Named && !pkg.resolve(iface, t.name))
    return syntax_error(t.loc, "unknown type '" + t.name + "'");
  for (auto& a : t.args) SILK_TRY(check_type(pkg, iface, a));
  return {};
}

Result<void> check_function(const Package& pkg, const Interface& iface, const Function& f) {
  std::set<std::string> seen;
  for (auto& p : f.params) {
    if (!seen.insert(p.name).second) return syntax_error(p.loc, "duplicate parameter '" + p.name + "'");
    SILK_TRY(check_type(pkg, iface, p.type));
  }
  return check_type(pkg, iface, f.result);
}

Result<void> check_interface(const Package& pkg, const Interface& iface) {
  std::set<std::string> names;
  for (auto& u : iface.uses) {
    const Interface* from = pkg.find(u.from);
    for (auto& n : u.names) {
      if (!from->find_local(n.name))
        return syntax_error(n.loc, "'" + n.name + "' is not defined in " + u.from);
      if (!names.insert(n.alias).second) return syntax_error(n.loc, "duplicate name '" + n.alias + "'");
    }
  }
  std::set<std::string> free_names;
  for (auto& d : iface.types) {
    if (!names.insert(d.name).second) return syntax_error(d.loc, "duplicate name '" + d.name + "'");
    for (auto& fl : d.fields) SILK_TRY(check_type(pkg, iface, fl.type));
    std::set<std::string> case_names;
    for (auto& c : d.cases) {
      if (!case_names.insert(c.name).second) return syntax_error(c.loc, "duplicate case '" + c.name + "'");
      if (c.type) SILK_TRY(check_type(pkg, iface, *c.type));
    }
    if (d.kind == DefKind::Alias) SILK_TRY(check_type(pkg, iface, d.alias));
    std::set<std::string> fn_names;
    for (auto& f : d.functions) {
      if (!fn_names.insert(f.name).second) return syntax_error(f.loc, "duplicate function '" + f.name + "'");
      SILK_TRY(check_function(pkg, iface, f));
    }
  }
  for (auto& f : iface.functions) {
    if (!free_names.insert(f.name).second) return syntax_error(f.loc, "duplicate function '" + f.name + "'");
    SILK_TRY(check_function(pkg, iface, f));
  }
  return {};
}

}  // namespace

Result<Interface> parse_interface(std::string_view text, const std::string& path) {
  Interface iface;
  iface.name = stem_of(path);
  iface.path = path;
  auto toks = SILK_TRY(Lexer(text, path).run());
  SILK_TRY(Parser(std::move(toks)).parse(iface));
  return iface;
}

const Interface* Package::find(std::string_view name) const {
  for (auto& i : interfaces_)
    if (i->name == name) return i.get();
  return nullptr;
}

std::optional<Package::Resolved> Package::resolve(const Interface& iface, std::string_view name) const {
  if (const TypeDef* d = iface.find_local(name)) return Resolved{&iface, d};
  for (auto& u : iface.uses) {
    const Interface* from = find(u.from);
    if (!from) continue;
    if (u.all) {
      if (const TypeDef* d = from->find_local(name)) return Resolved{from, d};
      continue;
    }
    for (auto& n : u.names)
      if (n.alias == name) {
        if (const TypeDef* d = from->find_local(n.name)) return Resolved{from, d};
      }
  }
  return std::nullopt;
}

namespace {

// Loads interfaces depth-first so that dependencies come first; {fetch} reads
// the text of "<dir>/<stem>.wit" or a named in-memory entry.
struct Loader {
  std::function<Result<std::pair<std::string, std::string>>(const std::string& user_path, const std::string& stem)> fetch;
  std::vector<std::unique_ptr<Interface>> done;
  std::vector<std::string> in_progress;

  const Interface* find(const std::string& stem) {
    for (auto& i : done)
      if (i->name == stem) return i.get();
    return nullptr;
  }

  Result<const Interface*> load(const std::string& path, const std::string& text, const SourceLoc* used_at) {
    std::string stem = stem_of(path);
    if (const Interface* i = find(stem)) return i;
    for (auto& p : in_progress)
      if (p == stem) return syntax_error(*used_at, "circular use of " + stem);
    in_progress.push_back(stem);
    auto iface = std::make_unique<Interface>(SILK_TRY(parse_interface(text, path)));
    for (auto& u : iface->uses) {
      if (find(u.from)) continue;
      auto fetched = fetch(path, u.from);
      if (!fetched.ok())
        return syntax_error(u.loc, "cannot load '" + u.from + "' used here: " + fetched.error().message);
      SILK_TRY(load(fetched->first, fetched->second, &u.loc));
    }
    in_progress.pop_back();
    done.push_back(std::move(iface));
    return done.back().get();
  }
};

}  // namespace

Result<std::unique_ptr<Package>> Package::load(const std::vector<std::string>& paths) {
  Loader loader;
  loader.fetch = [](const std::string& user, const std::string& stem) -> Result<std::pair<std::string, std::string>> {
    size_t slash = user.find_last_of('/');
    std::string path = (slash == std::string::npos ? "" : user.substr(0, slash + 1)) + stem + ".wit";
    auto text = SILK_TRY(read_file(path));
    return std::make_pair(path, std::move(text));
  };
  auto pkg = std::make_unique<Package>();
  std::vector<std::string> root_names;
  for (auto& p : paths) {
    auto text = SILK_TRY(read_file(p));
    root_names.push_back(SILK_TRY(loader.load(p, text, nullptr))->name);
  }
  pkg->interfaces_ = std::move(loader.done);
  for (auto& n : root_names) pkg->roots_.push_back(pkg->find(n));
  for (auto& i : pkg->interfaces_) SILK_TRY(check_interface(*pkg, *i));
  return pkg;
}

Result<std::unique_ptr<Package>> Package::load_texts(const std::vector<std::pair<std::string, std::string>>& files,
                                                     const std::vector<std::string>& roots) {
  Loader loader;
  loader.fetch = [&](const std::string&, const std::string& stem) -> Result<std::pair<std::string, std::string>> {
    for (auto& [name, text] : files)
      if (stem_of(name) == stem) return std::make_pair(name, text);
    return wasm::make_error(ErrorKind::Io, stem + ".wit: no such file");
  };
  auto pkg = std::make_unique<Package>();
  std::vector<std::string> root_names;
  for (auto& r : roots) {
    auto fetched = SILK_TRY(loader.fetch("", stem_of(r)));
    root_names.push_back(SILK_TRY(loader.load(fetched.first, fetched.second, nullptr))->name);
  }
  pkg->interfaces_ = std::move(loader.done);
  for (auto& n : root_names) pkg->roots_.push_back(pkg->find(n));
  for (auto& i : pkg->interfaces_) SILK_TRY(check_interface(*pkg, *i));
  return pkg;
}

}  // namespace silk::slight::wit
