#include "slight/abi/canonical_abi.h"

#include <algorithm>
#include <cassert>

namespace silk::slight::abi {

using K = Ty::Kind;

const char* to_string(CoreType t) {
  switch (t) {
    case CoreType::I32: return "i32";
    case CoreType::I64: return "i64";
    case CoreType::F32: return "f32";
    case CoreType::F64: return "f64";
  }
  return "?";
}

uint32_t align_to(uint32_t v, uint32_t align) { return (v + align - 1) / align * align; }

Ty* Model::make(K kind) {
  types_.emplace_back();
  types_.back().kind = kind;
  return &types_.back();
}

const Ty* Model::primitive(K kind) {
  auto it = primitives_.find(kind);
  if (it != primitives_.end()) return it->second;
  return primitives_[kind] = make(kind);
}

const Ty* Model::handle_of(const wit::Interface& iface, const std::string& resource) {
  auto r = pkg_.resolve(iface, resource);
  assert(r && r->def->kind == wit::DefKind::Resource);
  return type_of(*r->iface, *r->def);
}

const Ty* Model::type_of(const wit::Interface& iface, const wit::TypeDef& def) {
  if (auto it = named_.find(&def); it != named_.end()) return it->second;
  if (def.kind == wit::DefKind::Alias) return named_[&def] = type_of(iface, def.alias);
  K kind = K::Unit;
  switch (def.kind) {
    case wit::DefKind::Record: kind = K::Record; break;
    case wit::DefKind::Variant: kind = K::Variant; break;
    case wit::DefKind::Enum: kind = K::Enum; break;
    case wit::DefKind::Flags: kind = K::Flags; break;
    case wit::DefKind::Union: kind = K::Union; break;
    case wit::DefKind::Resource: kind = K::Handle; break;
    case wit::DefKind::Alias: break;
  }
  Ty* t = make(kind);
  t->def = &def;
  t->iface = &iface;
  named_[&def] = t;
  for (auto& f : def.fields) t->args.push_back(type_of(iface, f.type));
  if (kind == K::Variant || kind == K::Union)
    for (auto& c : def.cases) t->args.push_back(c.type ? type_of(iface, *c.type) : primitive(K::Unit));
  return t;
}

const Ty* Model::type_of(const wit::Interface& iface, const wit::TypeRef& r) {
  switch (r.kind) {
    case wit::TypeKind::Bool: return primitive(K::Bool);
    case wit::TypeKind::U8: return primitive(K::U8);
    case wit::TypeKind::S8: return primitive(K::S8);
    case wit::TypeKind::U16: return primitive(K::U16);
    case wit::TypeKind::S16: return primitive(K::S16);
    case wit::TypeKind::U32: return primitive(K::U32);
    case wit::TypeKind::S32: return primitive(K::S32);
    case wit::TypeKind::U64: return primitive(K::U64);
    case wit::TypeKind::S64: return primitive(K::S64);
    case wit::TypeKind::Float32: return primitive(K::Float32);
    case wit::TypeKind::Float64: return primitive(K::Float64);
    case wit::TypeKind::Char: return primitive(K::Char);
    case wit::TypeKind::String: return primitive(K::String);
    case wit::TypeKind::Unit: return primitive(K::Unit);
    case wit::TypeKind::Named: {
      auto res = pkg_.resolve(iface, r.name);
      assert(res);
      return type_of(*res->iface, *res->def);
    }
    case wit::TypeKind::List:
    case wit::TypeKind::Option:
    case wit::TypeKind::Expected:
    case wit::TypeKind::Tuple: {
      K kind = r.kind == wit::TypeKind::List     ? K::List
               : r.kind == wit::TypeKind::Option ? K::Option
               : r.kind == wit::TypeKind::Expected ? K::Expected
                                                   : K::Tuple;
      std::vector<const Ty*> args;
      for (auto& a : r.args) args.push_back(type_of(iface, a));
      // Structural types are interned so that equal types are one node.
      for (auto& existing : types_)
        if (existing.kind == kind && !existing.def && existing.args == args) return &existing;
      Ty* t = make(kind);
      t->args = std::move(args);
      return t;
    }
  }
  return primitive(K::Unit);
}

namespace {
uint32_t tag_bytes(size_t n_cases) { return n_cases <= 256 ? 1 : n_cases <= 65536 ? 2 : 4; }
uint32_t flags_words(size_t n) { return uint32_t((n + 31) / 32); }
}  // namespace

std::vector<const Ty*> Model::cases(const Ty* t) {
  switch (t->kind) {
    case K::Option: return {primitive(K::Unit), t->args[0]};
    case K::Expected: return {t->args[0], t->args[1]};
    case K::Variant:
    case K::Union: return t->args;
    case K::Enum: return std::vector<const Ty*>(t->def->cases.size(), primitive(K::Unit));
    default: return {};
  }
}

std::vector<std::string> Model::case_names(const Ty* t) const {
  switch (t->kind) {
    case K::Option: return {"none", "some"};
    case K::Expected: return {"ok", "err"};
    default: {
      std::vector<std::string> out;
      if (t->def)
        for (auto& c : t->def->cases) out.push_back(c.name);
      return out;
    }
  }
}

uint32_t Model::tag_size(const Ty* t) const {
  switch (t->kind) {
    case K::Option:
    case K::Expected: return 1;
    default: return tag_bytes(t->def->cases.size());
  }
}

uint32_t Model::size(const Ty* t) const {
  switch (t->kind) {
    case K::Bool: case K::U8: case K::S8: return 1;
    case K::U16: case K::S16: return 2;
    case K::U32: case K::S32: case K::Float32: case K::Char: case K::Handle: return 4;
    case K::U64: case K::S64: case K::Float64: return 8;
    case K::String: case K::List: return 8;
    case K::Unit: return 0;
    case K::Record: case K::Tuple: {
      uint32_t s = 0, a = 1;
      for (auto* f : t->args) {
        s = align_to(s, align(f)) + size(f);
        a = std::max(a, align(f));
      }
      return align_to(s, a);
    }
    case K::Flags: {
      size_t n = t->def->cases.size();
      return n <= 8 ? 1 : n <= 16 ? 2 : 4 * flags_words(n);
    }
    case K::Enum: return tag_size(t);
    case K::Variant: case K::Union: case K::Option: case K::Expected: {
      uint32_t tag = tag_size(t);
      uint32_t s = tag;
      auto cs = const_cast<Model*>(this)->cases(t);
      for (auto* c : cs) s = std::max(s, align_to(tag, align(c)) + size(c));
      return s;
    }
  }
  return 0;
}

uint32_t Model::align(const Ty* t) const {
  switch (t->kind) {
    case K::Bool: case K::U8: case K::S8: case K::Unit: return 1;
    case K::U16: case K::S16: return 2;
    case K::U32: case K::S32: case K::Float32: case K::Char: case K::Handle: return 4;
    case K::U64: case K::S64: case K::Float64: return 8;
    case K::String: case K::List: return 4;
    case K::Record: case K::Tuple: {
      uint32_t a = 1;
      for (auto* f : t->args) a = std::max(a, align(f));
      return a;
    }
    case K::Flags: {
      size_t n = t->def->cases.size();
      return n <= 8 ? 1 : n <= 16 ? 2 : 4;
    }
    case K::Enum: return tag_size(t);
    case K::Variant: case K::Union: case K::Option: case K::Expected: {
      uint32_t a = tag_size(t);
      for (auto* c : const_cast<Model*>(this)->cases(t)) a = std::max(a, align(c));
      return a;
    }
  }
  return 1;
}

uint32_t Model::payload_offset(const Ty* t) const {
  uint32_t max_align = 1;
  for (auto* c : const_cast<Model*>(this)->cases(t)) max_align = std::max(max_align, align(c));
  return align_to(tag_size(t), max_align);
}

std::vector<uint32_t> Model::field_offsets(const Ty* t) const {
  std::vector<uint32_t> out;
  uint32_t s = 0;
  for (auto* f : t->args) {
    s = align_to(s, align(f));
    out.push_back(s);
    s += size(f);
  }
  return out;
}

namespace {
CoreType join(CoreType a, CoreType b) {
  if (a == b) return a;
  if ((a == CoreType::I32 && b == CoreType::F32) || (a == CoreType::F32 && b == CoreType::I32)) return CoreType::I32;
  return CoreType::I64;
}
}  // namespace

std::vector<CoreType> Model::flat(const Ty* t) const {
  switch (t->kind) {
    case K::Bool: case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32:
    case K::Char: case K::Handle: case K::Enum:
      return {CoreType::I32};
    case K::U64: case K::S64: return {CoreType::I64};
    case K::Float32: return {CoreType::F32};
    case K::Float64: return {CoreType::F64};
    case K::String: case K::List: return {CoreType::I32, CoreType::I32};
    case K::Unit: return {};
    case K::Flags: return std::vector<CoreType>(flags_words(t->def->cases.size()), CoreType::I32);
    case K::Record: case K::Tuple: {
      std::vector<CoreType> out;
      for (auto* f : t->args) {
        auto ff = flat(f);
        out.insert(out.end(), ff.begin(), ff.end());
      }
      return out;
    }
    case K::Variant: case K::Union: case K::Option: case K::Expected: {
      std::vector<CoreType> payload;
      for (auto* c : const_cast<Model*>(this)->cases(t)) {
        auto cf = flat(c);
        for (size_t i = 0; i < cf.size(); i++) {
          if (i < payload.size()) payload[i] = join(payload[i], cf[i]);
          else payload.push_back(cf[i]);
        }
      }
      std::vector<CoreType> out{CoreType::I32};
      out.insert(out.end(), payload.begin(), payload.end());
      return out;
    }
  }
  return {};
}

std::vector<std::pair<std::string, const Ty*>> Model::params(const wit::Interface& iface, const wit::Function& f) {
  std::vector<std::pair<std::string, const Ty*>> out;
  if (f.is_method()) out.emplace_back("self", handle_of(iface, f.resource));
  for (auto& p : f.params) out.emplace_back(p.name, type_of(iface, p.type));
  return out;
}

uint32_t Model::params_size(const wit::Interface& iface, const wit::Function& f) {
  uint32_t s = 0, a = 1;
  for (auto& [n, t] : params(iface, f)) {
    s = align_to(s, align(t)) + size(t);
    a = std::max(a, align(t));
  }
  return align_to(s, a);
}

CoreSignature Model::signature(const wit::Interface& iface, const wit::Function& f, Direction dir) {
  CoreSignature sig;
  for (auto& [n, t] : params(iface, f)) {
    auto ft = flat(t);
    sig.params.insert(sig.params.end(), ft.begin(), ft.end());
  }
  if (sig.params.size() > kMaxFlatParams) {
    sig.params = {CoreType::I32};
    sig.indirect_params = true;
  }
  sig.results = flat(type_of(iface, f.result));
  if (sig.results.size() > kMaxFlatResults) {
    sig.retptr = true;
    sig.results.clear();
    if (dir == Direction::Import) sig.params.push_back(CoreType::I32);
    else sig.results.push_back(CoreType::I32);
  }
  return sig;
}

std::string Model::import_name(const wit::Function& f) {
  return f.resource.empty() ? f.name : f.resource + "::" + f.name;
}

const char* primitive_wit_name(Ty::Kind k) {
  switch (k) {
    case K::Bool: return "bool";
    case K::U8: return "u8";
    case K::S8: return "s8";
    case K::U16: return "u16";
    case K::S16: return "s16";
    case K::U32: return "u32";
    case K::S32: return "s32";
    case K::U64: return "u64";
    case K::S64: return "s64";
    case K::Float32: return "float32";
    case K::Float64: return "float64";
    case K::Char: return "char";
    case K::String: return "string";
    case K::Unit: return "unit";
    default: return nullptr;
  }
}

const char* primitive_c_type(Ty::Kind k) {
  switch (k) {
    case K::Bool: return "bool";
    case K::U8: return "uint8_t";
    case K::S8: return "int8_t";
    case K::U16: return "uint16_t";
    case K::S16: return "int16_t";
    case K::U32: return "uint32_t";
    case K::S32: return "int32_t";
    case K::U64: return "uint64_t";
    case K::S64: return "int64_t";
    case K::Float32: return "float";
    case K::Float64: return "double";
    default: return nullptr;
  }
}

std::string Model::type_name(const Ty* t) const {
  auto args = [&](const char* head) {
    std::string s = std::string(head) + "<";
    for (size_t i = 0; i < t->args.size(); i++) s += (i ? "," : "") + type_name(t->args[i]);
    return s + ">";
  };
  if (const char* p = primitive_wit_name(t->kind)) return p;
  switch (t->kind) {
    case K::List: return args("list");
    case K::Option: return args("option");
    case K::Expected: return args("expected");
    case K::Tuple: return args("tuple");
    case K::Handle: return "handle<" + t->def->name + ">";
    default: return t->def->name;
  }
}

std::string Model::describe_layout(const Ty* t, uint32_t off, const std::string& path, int indent) {
  std::string pad(indent, ' ');
  std::string at = pad + "+" + std::to_string(off) + ": ";
  auto sub = [&](const std::string& name) { return path.empty() ? name : path + "." + name; };
  switch (t->kind) {
    case K::Unit: return "";
    case K::String: return at + path + " string ptr(i32) ; +" + std::to_string(off + 4) + ": len(i32)\n";
    case K::List:
      return at + path + " " + type_name(t) + " ptr(i32) ; +" + std::to_string(off + 4) + ": len(i32) [elem size " +
             std::to_string(size(t->args[0])) + " align " + std::to_string(align(t->args[0])) + "]\n";
    case K::Record:
    case K::Tuple: {
      std::string out;
      auto offs = field_offsets(t);
      for (size_t i = 0; i < t->args.size(); i++) {
        std::string name = t->kind == K::Record ? t->def->fields[i].name : std::to_string(i);
        out += describe_layout(t->args[i], off + offs[i], sub(name), indent);
      }
      return out;
    }
    case K::Enum:
    case K::Variant:
    case K::Union:
    case K::Option:
    case K::Expected: {
      auto names = case_names(t);
      std::string out = at + path + " tag u" + std::to_string(tag_size(t) * 8) + " (";
      for (size_t i = 0; i < names.size(); i++) out += (i ? ", " : "") + std::to_string(i) + "=" + names[i];
      out += ")\n";
      auto cs = cases(t);
      uint32_t payload = off + payload_offset(t);
      // Cases with the same payload type are listed once: "path[a|b] string ...".
      std::vector<bool> done(cs.size(), false);
      for (size_t i = 0; i < cs.size(); i++) {
        if (done[i] || cs[i]->kind == K::Unit) continue;
        std::string group = names[i];
        for (size_t j = i + 1; j < cs.size(); j++)
          if (!done[j] && cs[j] == cs[i]) group += "|" + names[j], done[j] = true;
        out += describe_layout(cs[i], payload, path + "[" + group + "]", indent + 2);
      }
      return out;
    }
    case K::Handle: return at + path + " " + type_name(t) + " (4B)\n";
    case K::Flags: return at + path + " flags (" + std::to_string(size(t)) + "B)\n";
    default: return at + path + " " + type_name(t) + " (" + std::to_string(size(t)) + "B)\n";
  }
}

std::string Model::describe(const wit::Interface& iface, const wit::Function& f, Direction dir) {
  CoreSignature sig = signature(iface, f, dir);
  auto list = [](const std::vector<CoreType>& v) {
    std::string s = "(";
    for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::string(to_string(v[i]));
    return s + ")";
  };
  const Ty* result = type_of(iface, f.result);
  std::string out = "- \"" + (dir == Direction::Import ? import_name(f) : f.name) + "\": " + list(sig.params) + " -> " +
                    list(sig.results);
  if (dir == Direction::Import) {
    out += "   params: ";
    bool first = true;
    for (auto& [n, t] : params(iface, f)) {
      out += (first ? "" : ", ") + n + ":" + type_name(t);
      first = false;
    }
    out += "; result " + type_name(result) + " size=" + std::to_string(size(result)) +
           " align=" + std::to_string(align(result)) + " retptr=" + (sig.retptr ? "True" : "False") + "\n";
  } else {
    out += std::string(" indirect=") + (sig.indirect_params ? "True" : "False") +
           " ; result size=" + std::to_string(size(result)) + " align=" + std::to_string(align(result)) + "\n";
  }
  if (sig.retptr) out += describe_layout(result, 0, "ret", 4);
  return out;
}

}  // namespace silk::slight::abi
