// The C guest-bindings generator (see generators.h), in wit-bindgen 0.2's C
// style (ABI.md §8): `<iface>_<type>_t` types, `<iface>_<func>` import
// wrappers over `__attribute__((import_module, import_name))` declarations, a
// static return area, weak canonical_abi_realloc/free exports, string helpers
// and `_free` functions for owned values. Lists are shared with the host in
// place, so a C list element has the canonical memory layout (true for every
// type in slight's WIT); return areas are read and written field by field.
#include <functional>
#include <set>

#include "slight/bindgen/generators.h"
#include "slight/bindgen/names.h"

namespace silk::slight::bindgen {
namespace {

using abi::CoreType;
using abi::Model;
using abi::Ty;
using K = Ty::Kind;

const char* c_core(CoreType t) {
  switch (t) {
    case CoreType::I32: return "int32_t";
    case CoreType::I64: return "int64_t";
    case CoreType::F32: return "float";
    case CoreType::F64: return "double";
  }
  return "";
}

struct Slot {
  std::string expr;
  CoreType type;
};

class CGen {
 public:
  CGen(Model& m, const wit::Interface& iface, bool exported)
      : m_(m), iface_(iface), exported_(exported), prefix_(snake(iface.name)) {}

  std::string error;

  std::string mangle(const Ty* t) {
    if (const char* p = abi::primitive_wit_name(t->kind)) return p;
    switch (t->kind) {
      case K::List: return "list_" + mangle(t->args[0]);
      case K::Option: return "option_" + mangle(t->args[0]);
      case K::Expected: return "expected_" + mangle(t->args[0]) + "_" + mangle(t->args[1]);
      case K::Tuple: {
        std::string s = "tuple" + std::to_string(t->args.size());
        for (auto* a : t->args) s += "_" + mangle(a);
        return s;
      }
      default: return snake(t->def->name);
    }
  }

  std::string ctype(const Ty* t) {
    if (const char* p = abi::primitive_c_type(t->kind)) return p;
    switch (t->kind) {
      case K::Char: return "uint32_t";
      case K::Unit: return "void";
      default: return prefix_ + "_" + mangle(t) + "_t";
    }
  }

  bool by_value(const Ty* t) {
    switch (t->kind) {
      case K::String: case K::List: case K::Record: case K::Tuple: case K::Variant: case K::Union:
      case K::Option: case K::Expected:
        return false;
      default: return true;
    }
  }

  bool needs_free(const Ty* t) {
    switch (t->kind) {
      case K::String: case K::List: case K::Handle: return true;
      case K::Record: case K::Tuple: case K::Variant: case K::Union: case K::Option: case K::Expected:
        for (auto* a : m_.cases(t)) if (needs_free(a)) return true;
        for (auto* a : t->args) if (needs_free(a)) return true;
        return false;
      default: return false;
    }
  }

  // Types ------------------------------------------------------------------------

  // Every non-primitive type reachable from this interface, dependencies first.
  void collect(const Ty* t) {
    if (seen_.count(t)) return;
    switch (t->kind) {
      case K::Bool: case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32: case K::U64:
      case K::S64: case K::Float32: case K::Float64: case K::Char: case K::Unit:
        return;
      default: break;
    }
    seen_.insert(t);
    if (t->kind == K::List) {
      // A list's element may be declared after the list's typedef only if it is a struct we can forward-declare;
      // keep it simple and declare the element first.
      collect(t->args[0]);
    } else {
      for (auto* a : t->args) collect(a);
    }
    if (t->kind == K::Handle && t->iface != &iface_) {
      error = "handle of resource '" + t->def->name + "' from another interface is not supported";
    }
    order_.push_back(t);
  }

  void declare(Code& h, const Ty* t) {
    std::string n = ctype(t);
    auto field = [&](const Ty* f, const std::string& name) {
      if (f->kind != K::Unit) h.line(ctype(f) + " " + name + ";");
    };
    switch (t->kind) {
      case K::String:
        h.line("typedef struct {");
        h.line("  char *ptr;");
        h.line("  size_t len;");
        h.line("} " + n + ";");
        h.line("// Points {ret} at the C string {s} (borrowed, not copied).");
        h.line("void " + prefix_ + "_string_set(" + n + " *ret, const char *s);");
        h.line("// Copies {s} into memory from canonical_abi_realloc.");
        h.line("void " + prefix_ + "_string_dup(" + n + " *ret, const char *s);");
        h.line("void " + prefix_ + "_string_free(" + n + " *ret);");
        break;
      case K::List:
        h.line("typedef struct {");
        h.line("  " + (t->args[0]->kind == K::Unit ? std::string("uint8_t") : ctype(t->args[0])) + " *ptr;");
        h.line("  size_t len;");
        h.line("} " + n + ";");
        break;
      case K::Handle:
        h.line("// resource " + t->def->name + ": a handle owned by this module.");
        h.line("typedef struct {");
        h.line("  uint32_t idx;");
        h.line("} " + n + ";");
        h.line("// Drops the handle (canonical_abi.resource_drop_" + t->def->name + ").");
        h.line("void " + prefix_ + "_" + snake(t->def->name) + "_free(" + n + " *ptr);");
        h.line("// A second handle to the same object (canonical_abi.resource_clone_" + t->def->name +
               "; not provided by slight itself).");
        h.line(n + " " + prefix_ + "_" + snake(t->def->name) + "_clone(" + n + " *ptr);");
        return;
      case K::Record:
        doc(h, t->def->docs);
        h.line("typedef struct {");
        h.depth++;
        for (size_t i = 0; i < t->args.size(); i++) field(t->args[i], ident(t->def->fields[i].name));
        h.depth--;
        h.line("} " + n + ";");
        break;
      case K::Tuple:
        h.line("typedef struct {");
        h.depth++;
        for (size_t i = 0; i < t->args.size(); i++) field(t->args[i], "f" + std::to_string(i));
        h.depth--;
        h.line("} " + n + ";");
        break;
      case K::Enum:
      case K::Flags: {
        doc(h, t->def->docs);
        uint32_t sz = m_.size(t);
        std::string base = sz == 1 ? "uint8_t" : sz == 2 ? "uint16_t" : sz == 4 ? "uint32_t" : "uint64_t";
        if (sz > 8) {
          error = "flags with more than 64 members are not supported";
          return;
        }
        h.line("typedef " + base + " " + n + ";");
        for (size_t i = 0; i < t->def->cases.size(); i++)
          h.line("#define " + upper(iface_.name + "-" + t->def->name + "-" + t->def->cases[i].name) + " " +
                 (t->kind == K::Enum ? std::to_string(i) : "(((" + base + ")1) << " + std::to_string(i) + ")"));
        return;
      }
      case K::Variant:
      case K::Union: {
        doc(h, t->def->docs);
        uint32_t ts = m_.tag_size(t);
        h.line("typedef struct {");
        h.line(std::string("  ") + (ts == 1 ? "uint8_t" : ts == 2 ? "uint16_t" : "uint32_t") + " tag;");
        h.line("  union {");
        h.depth += 2;
        auto names = m_.case_names(t);
        for (size_t i = 0; i < t->args.size(); i++) field(t->args[i], ident(names[i]));
        h.depth -= 2;
        h.line("  } val;");
        h.line("} " + n + ";");
        for (size_t i = 0; i < names.size(); i++)
          h.line("#define " + upper(iface_.name + "-" + t->def->name + "-" + names[i]) + " " + std::to_string(i));
        break;
      }
      case K::Option:
        h.line("typedef struct {");
        h.line("  bool is_some;");
        if (t->args[0]->kind != K::Unit) h.line("  " + ctype(t->args[0]) + " val;");
        h.line("} " + n + ";");
        break;
      case K::Expected:
        h.line("typedef struct {");
        h.line("  bool is_err;");
        h.line("  union {");
        if (t->args[0]->kind != K::Unit) h.line("    " + ctype(t->args[0]) + " ok;");
        if (t->args[1]->kind != K::Unit) h.line("    " + ctype(t->args[1]) + " err;");
        if (t->args[0]->kind == K::Unit && t->args[1]->kind == K::Unit) h.line("    uint8_t unused;");
        h.line("  } val;");
        h.line("} " + n + ";");
        break;
      default: break;
    }
    if (needs_free(t) && t->kind != K::String) h.line("void " + free_fn(t) + "(" + n + " *ptr);");
  }

  std::string free_fn(const Ty* t) {
    if (t->kind == K::Handle) return prefix_ + "_" + snake(t->def->name) + "_free";
    return prefix_ + "_" + mangle(t) + "_free";
  }

  void define_free(Code& c, const Ty* t) {
    if (!needs_free(t) || t->kind == K::String || t->kind == K::Handle) return;
    std::string n = ctype(t);
    c.open("void " + free_fn(t) + "(" + n + " *ptr) {");
    auto free_field = [&](const Ty* f, const std::string& expr) {
      if (needs_free(f)) c.line(free_fn(f) + "(&" + expr + ");");
    };
    switch (t->kind) {
      case K::List: {
        const Ty* e = t->args[0];
        if (needs_free(e)) {
          c.open("for (size_t i = 0; i < ptr->len; i++) {");
          free_field(e, "ptr->ptr[i]");
          c.close();
        }
        c.line("if (ptr->len > 0) canonical_abi_free(ptr->ptr, ptr->len * " + std::to_string(m_.size(e)) + ", " +
               std::to_string(m_.align(e)) + ");");
        break;
      }
      case K::Record:
        for (size_t i = 0; i < t->args.size(); i++) free_field(t->args[i], "ptr->" + ident(t->def->fields[i].name));
        break;
      case K::Tuple:
        for (size_t i = 0; i < t->args.size(); i++) free_field(t->args[i], "ptr->f" + std::to_string(i));
        break;
      case K::Variant:
      case K::Union: {
        auto names = m_.case_names(t);
        c.open("switch (ptr->tag) {");
        for (size_t i = 0; i < t->args.size(); i++) {
          if (!needs_free(t->args[i])) continue;
          c.open("case " + std::to_string(i) + ": {");
          free_field(t->args[i], "ptr->val." + ident(names[i]));
          c.line("break;");
          c.close();
        }
        c.close();
        break;
      }
      case K::Option:
        c.open("if (ptr->is_some) {");
        free_field(t->args[0], "ptr->val");
        c.close();
        break;
      case K::Expected:
        c.open("if (!ptr->is_err) {");
        free_field(t->args[0], "ptr->val.ok");
        c.close("} else {");
        c.depth++;
        free_field(t->args[1], "ptr->val.err");
        c.close();
        break;
      default: break;
    }
    c.close();
    c.line("");
  }

  static void doc(Code& c, const std::string& docs) {
    size_t start = 0;
    while (start < docs.size()) {
      size_t end = docs.find('\n', start);
      if (end == std::string::npos) end = docs.size();
      c.line("// " + docs.substr(start, end - start));
      start = end + 1;
    }
  }

  // Flat lowering (C value -> core values) ----------------------------------------

  std::string convert(const std::string& e, CoreType from, CoreType to) {
    if (from == to) return e;
    if (to == CoreType::I64) {
      if (from == CoreType::I32) return "(int64_t)(uint32_t)(" + e + ")";
      if (from == CoreType::F32) return "(int64_t)(uint32_t)__bindgen_f32_to_i32(" + e + ")";
      if (from == CoreType::F64) return "__bindgen_f64_to_i64(" + e + ")";
    }
    if (to == CoreType::I32 && from == CoreType::F32) return "__bindgen_f32_to_i32(" + e + ")";
    return e;
  }
  std::string unconvert(const std::string& e, CoreType slot, CoreType want) {
    if (slot == want) return e;
    if (slot == CoreType::I64) {
      if (want == CoreType::I32) return "(int32_t)(" + e + ")";
      if (want == CoreType::F32) return "__bindgen_i32_to_f32((int32_t)(" + e + "))";
      if (want == CoreType::F64) return "__bindgen_i64_to_f64(" + e + ")";
    }
    if (slot == CoreType::I32 && want == CoreType::F32) return "__bindgen_i32_to_f32(" + e + ")";
    return e;
  }

  void lower_flat(Code& c, const Ty* t, const std::string& src, std::vector<Slot>& out) {
    switch (t->kind) {
      case K::Unit: return;
      case K::Bool: case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32: case K::Char:
      case K::Enum:
        out.push_back({"(int32_t)(" + src + ")", CoreType::I32});
        return;
      case K::U64: case K::S64: out.push_back({"(int64_t)(" + src + ")", CoreType::I64}); return;
      case K::Float32: out.push_back({"(float)(" + src + ")", CoreType::F32}); return;
      case K::Float64: out.push_back({"(double)(" + src + ")", CoreType::F64}); return;
      case K::Flags: {
        if (m_.size(t) <= 4) out.push_back({"(int32_t)(" + src + ")", CoreType::I32});
        else {
          out.push_back({"(int32_t)(" + src + ")", CoreType::I32});
          out.push_back({"(int32_t)((" + src + ") >> 32)", CoreType::I32});
        }
        return;
      }
      case K::String: case K::List:
        out.push_back({"(int32_t)(uintptr_t)(" + src + ").ptr", CoreType::I32});
        out.push_back({"(int32_t)(" + src + ").len", CoreType::I32});
        return;
      case K::Handle: out.push_back({"(int32_t)(" + src + ").idx", CoreType::I32}); return;
      case K::Record:
        for (size_t i = 0; i < t->args.size(); i++) lower_flat(c, t->args[i], "(" + src + ")." + ident(t->def->fields[i].name), out);
        return;
      case K::Tuple:
        for (size_t i = 0; i < t->args.size(); i++) lower_flat(c, t->args[i], "(" + src + ").f" + std::to_string(i), out);
        return;
      case K::Variant: case K::Union: case K::Option: case K::Expected: {
        auto flat = m_.flat(t);
        std::vector<std::string> vars;
        for (auto ft : flat) {
          vars.push_back(c.tmp("v"));
          c.line(std::string(c_core(ft)) + " " + vars.back() + " = 0;");
        }
        auto cs = m_.cases(t);
        auto names = m_.case_names(t);
        auto arm = [&](size_t i, const std::string& payload) {
          c.line(vars[0] + " = " + std::to_string(i) + ";");
          if (cs[i]->kind == K::Unit) return;
          std::vector<Slot> sub;
          lower_flat(c, cs[i], payload, sub);
          for (size_t k = 0; k < sub.size(); k++)
            c.line(vars[k + 1] + " = " + convert(sub[k].expr, sub[k].type, flat[k + 1]) + ";");
        };
        if (t->kind == K::Option) {
          c.open("if ((" + src + ").is_some) {");
          arm(1, "(" + src + ").val");
          c.close();
        } else if (t->kind == K::Expected) {
          c.open("if (!(" + src + ").is_err) {");
          arm(0, "(" + src + ").val.ok");
          c.close("} else {");
          c.depth++;
          arm(1, "(" + src + ").val.err");
          c.close();
        } else {
          c.open("switch ((" + src + ").tag) {");
          for (size_t i = 0; i < cs.size(); i++) {
            c.open("case " + std::to_string(i) + ": {");
            arm(i, "(" + src + ").val." + ident(names[i]));
            c.line("break;");
            c.close();
          }
          c.close();
        }
        for (size_t k = 0; k < flat.size(); k++) out.push_back({vars[k], flat[k]});
        return;
      }
    }
  }

  // Flat lifting (core values -> C value), for export params -----------------------

  void lift_flat(Code& c, const Ty* t, const std::string& dst, const std::vector<Slot>& in, size_t& pos) {
    auto next = [&](CoreType want) {
      const Slot& s = in[pos++];
      return unconvert(s.expr, s.type, want);
    };
    switch (t->kind) {
      case K::Unit: return;
      case K::Bool: c.line(dst + " = " + next(CoreType::I32) + " != 0;"); return;
      case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32: case K::Char: case K::Enum:
        c.line(dst + " = (" + ctype(t) + ")" + next(CoreType::I32) + ";");
        return;
      case K::U64: case K::S64: c.line(dst + " = (" + ctype(t) + ")" + next(CoreType::I64) + ";"); return;
      case K::Float32: c.line(dst + " = " + next(CoreType::F32) + ";"); return;
      case K::Float64: c.line(dst + " = " + next(CoreType::F64) + ";"); return;
      case K::Flags: {
        c.line(dst + " = (" + ctype(t) + ")(uint32_t)" + next(CoreType::I32) + ";");
        if (m_.size(t) > 4) c.line(dst + " |= ((" + ctype(t) + ")(uint32_t)" + next(CoreType::I32) + ") << 32;");
        return;
      }
      case K::String: case K::List: {
        std::string elem = t->kind == K::String ? "char" : t->args[0]->kind == K::Unit ? "uint8_t" : ctype(t->args[0]);
        c.line(dst + ".ptr = (" + elem + " *)(uintptr_t)" + next(CoreType::I32) + ";");
        c.line(dst + ".len = (size_t)" + next(CoreType::I32) + ";");
        return;
      }
      case K::Handle: c.line(dst + ".idx = (uint32_t)" + next(CoreType::I32) + ";"); return;
      case K::Record:
        for (size_t i = 0; i < t->args.size(); i++) lift_flat(c, t->args[i], dst + "." + ident(t->def->fields[i].name), in, pos);
        return;
      case K::Tuple:
        for (size_t i = 0; i < t->args.size(); i++) lift_flat(c, t->args[i], dst + ".f" + std::to_string(i), in, pos);
        return;
      case K::Variant: case K::Union: case K::Option: case K::Expected: {
        size_t n = m_.flat(t).size();
        std::string tag = next(CoreType::I32);
        size_t base = pos;
        auto cs = m_.cases(t);
        auto names = m_.case_names(t);
        c.open("switch (" + tag + ") {");
        for (size_t i = 0; i < cs.size(); i++) {
          c.open("case " + std::to_string(i) + ": {");
          std::string target;
          if (t->kind == K::Option) {
            c.line(dst + ".is_some = " + std::string(i ? "true" : "false") + ";");
            target = dst + ".val";
          } else if (t->kind == K::Expected) {
            c.line(dst + ".is_err = " + std::string(i ? "true" : "false") + ";");
            target = dst + (i ? ".val.err" : ".val.ok");
          } else {
            c.line(dst + ".tag = " + std::to_string(i) + ";");
            target = dst + ".val." + ident(names[i]);
          }
          size_t p = base;
          lift_flat(c, cs[i], target, in, p);
          c.line("break;");
          c.close();
        }
        c.line("default: __builtin_trap();");
        c.close();
        pos = base + (n - 1);
        return;
      }
    }
  }

  // Memory (return areas) -------------------------------------------------------------

  void lift_mem(Code& c, const Ty* t, const std::string& dst, const std::string& addr) {
    auto at = [&](uint32_t off) { return "(" + addr + " + " + std::to_string(off) + ")"; };
    auto load = [&](const std::string& ty, uint32_t off) { return "*((" + ty + " *)" + at(off) + ")"; };
    switch (t->kind) {
      case K::Unit: return;
      case K::Bool: c.line(dst + " = " + load("uint8_t", 0) + " != 0;"); return;
      case K::Enum: case K::Flags: case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32:
      case K::U64: case K::S64: case K::Float32: case K::Float64: case K::Char:
        c.line(dst + " = " + load(ctype(t), 0) + ";");
        return;
      case K::String: case K::List: {
        std::string elem = t->kind == K::String ? "char" : ctype(t->args[0]);
        c.line(dst + ".ptr = (" + elem + " *)(uintptr_t)" + load("int32_t", 0) + ";");
        c.line(dst + ".len = (size_t)" + load("int32_t", 4) + ";");
        return;
      }
      case K::Handle: c.line(dst + ".idx = " + load("uint32_t", 0) + ";"); return;
      case K::Record: case K::Tuple: {
        auto offs = m_.field_offsets(t);
        for (size_t i = 0; i < t->args.size(); i++)
          lift_mem(c, t->args[i], dst + (t->kind == K::Record ? "." + ident(t->def->fields[i].name) : ".f" + std::to_string(i)),
                   at(offs[i]));
        return;
      }
      case K::Variant: case K::Union: case K::Option: case K::Expected: {
        uint32_t ts = m_.tag_size(t), po = m_.payload_offset(t);
        auto cs = m_.cases(t);
        auto names = m_.case_names(t);
        c.open("switch ((int32_t)" + load(ts == 1 ? "uint8_t" : ts == 2 ? "uint16_t" : "uint32_t", 0) + ") {");
        for (size_t i = 0; i < cs.size(); i++) {
          c.open("case " + std::to_string(i) + ": {");
          std::string target;
          if (t->kind == K::Option) {
            c.line(dst + ".is_some = " + std::string(i ? "true" : "false") + ";");
            target = dst + ".val";
          } else if (t->kind == K::Expected) {
            c.line(dst + ".is_err = " + std::string(i ? "true" : "false") + ";");
            target = dst + (i ? ".val.err" : ".val.ok");
          } else {
            c.line(dst + ".tag = " + std::to_string(i) + ";");
            target = dst + ".val." + ident(names[i]);
          }
          lift_mem(c, cs[i], target, at(po));
          c.line("break;");
          c.close();
        }
        c.line("default: __builtin_trap();");
        c.close();
        return;
      }
    }
  }

  void lower_mem(Code& c, const Ty* t, const std::string& src, const std::string& addr) {
    auto at = [&](uint32_t off) { return "(" + addr + " + " + std::to_string(off) + ")"; };
    auto store = [&](const std::string& ty, uint32_t off, const std::string& v) {
      c.line("*((" + ty + " *)" + at(off) + ") = (" + ty + ")(" + v + ");");
    };
    switch (t->kind) {
      case K::Unit: return;
      case K::Bool: store("uint8_t", 0, src); return;
      case K::Enum: case K::Flags: case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32:
      case K::U64: case K::S64: case K::Float32: case K::Float64: case K::Char:
        store(ctype(t), 0, src);
        return;
      case K::String: case K::List:
        store("int32_t", 0, "(int32_t)(uintptr_t)(" + src + ").ptr");
        store("int32_t", 4, "(int32_t)(" + src + ").len");
        return;
      case K::Handle: store("uint32_t", 0, "(" + src + ").idx"); return;
      case K::Record: case K::Tuple: {
        auto offs = m_.field_offsets(t);
        for (size_t i = 0; i < t->args.size(); i++)
          lower_mem(c, t->args[i], "(" + src + ")" + (t->kind == K::Record ? "." + ident(t->def->fields[i].name) : ".f" + std::to_string(i)),
                    at(offs[i]));
        return;
      }
      case K::Variant: case K::Union: case K::Option: case K::Expected: {
        uint32_t ts = m_.tag_size(t), po = m_.payload_offset(t);
        std::string tt = ts == 1 ? "uint8_t" : ts == 2 ? "uint16_t" : "uint32_t";
        auto cs = m_.cases(t);
        auto names = m_.case_names(t);
        if (t->kind == K::Option || t->kind == K::Expected) {
          std::string flag = t->kind == K::Option ? "(" + src + ").is_some" : "(" + src + ").is_err";
          // Option: case 1 = some when flag; Expected: case 1 = err when flag.
          c.open("if (" + flag + ") {");
          store(tt, 0, "1");
          lower_mem(c, cs[1], "(" + src + ")" + (t->kind == K::Option ? ".val" : ".val.err"), at(po));
          c.close("} else {");
          c.depth++;
          store(tt, 0, "0");
          if (t->kind == K::Expected) lower_mem(c, cs[0], "(" + src + ").val.ok", at(po));
          c.close();
          return;
        }
        c.open("switch ((" + src + ").tag) {");
        for (size_t i = 0; i < cs.size(); i++) {
          c.open("case " + std::to_string(i) + ": {");
          store(tt, 0, std::to_string(i));
          lower_mem(c, cs[i], "(" + src + ").val." + ident(names[i]), at(po));
          c.line("break;");
          c.close();
        }
        c.close();
        return;
      }
    }
  }

  // Functions ---------------------------------------------------------------------------

  std::string c_name(const wit::Function& f) {
    return prefix_ + "_" + snake(f.resource.empty() ? f.name : f.resource + "-" + f.name);
  }

  // The C prototype of an import wrapper / an exported function the user writes.
  std::string prototype(const wit::Function& f, const std::string& name) {
    auto params = m_.params(iface_, f);
    const Ty* result = m_.type_of(iface_, f.result);
    auto sig = m_.signature(iface_, f, exported_ ? abi::Direction::Export : abi::Direction::Import);
    bool ret_by_ptr = sig.retptr;
    std::string ret = (result->kind == K::Unit || ret_by_ptr) ? "void" : ctype(result);
    std::string s = ret + " " + name + "(";
    bool first = true;
    for (auto& [pn, pt] : params) {
      s += (first ? "" : ", ") + ctype(pt) + (by_value(pt) ? " " : " *") + ident(pn);
      first = false;
    }
    if (ret_by_ptr) s += std::string(first ? "" : ", ") + ctype(result) + " *ret0", first = false;
    if (first) s += "void";
    return s + ")";
  }

  void import_wrapper(Code& c, const wit::Function& f) {
    auto sig = m_.signature(iface_, f, abi::Direction::Import);
    auto params = m_.params(iface_, f);
    const Ty* result = m_.type_of(iface_, f.result);
    std::string raw = "__wasm_import_" + c_name(f);
    std::string decl = "__attribute__((import_module(" + quote(iface_.name) + "), import_name(" +
                       quote(Model::import_name(f)) + ")))\n" +
                       (sig.results.empty() ? std::string("void") : c_core(sig.results[0])) + " " + raw + "(";
    for (size_t i = 0; i < sig.params.size(); i++) decl += (i ? ", " : "") + std::string(c_core(sig.params[i]));
    if (sig.params.empty()) decl += "void";
    c.line(decl + ");");
    c.open(prototype(f, c_name(f)) + " {");
    std::vector<Slot> slots;
    if (sig.indirect_params) {
      uint32_t size = m_.params_size(iface_, f);
      c.line("static __attribute__((aligned(8))) uint8_t params_area[" + std::to_string(size) + "];");
      uint32_t off = 0;
      for (auto& [pn, pt] : params) {
        off = abi::align_to(off, m_.align(pt));
        lower_mem(c, pt, by_value(pt) ? ident(pn) : "(*" + ident(pn) + ")", "params_area + " + std::to_string(off));
        off += m_.size(pt);
      }
      slots.push_back({"(int32_t)(uintptr_t)params_area", CoreType::I32});
    } else {
      for (auto& [pn, pt] : params) lower_flat(c, pt, by_value(pt) ? ident(pn) : "(*" + ident(pn) + ")", slots);
    }
    if (sig.retptr) slots.push_back({"(int32_t)(uintptr_t)RET_AREA", CoreType::I32});
    std::string call = raw + "(";
    for (size_t i = 0; i < slots.size(); i++) call += (i ? ", " : "") + slots[i].expr;
    call += ")";
    if (sig.retptr) {
      c.line(call + ";");
      c.line("uint8_t *ret = RET_AREA;");
      lift_mem(c, result, "(*ret0)", "ret");
    } else if (result->kind == K::Unit) {
      c.line(call + ";");
    } else {
      c.line(std::string(c_core(sig.results[0])) + " r0 = " + call + ";");
      c.line(ctype(result) + " out;");
      std::vector<Slot> in{{"r0", sig.results[0]}};
      size_t pos = 0;
      lift_flat(c, result, "out", in, pos);
      c.line("return out;");
    }
    c.close();
    c.line("");
  }

  // Exports: the user writes `prototype(f, anything)`; the macro exports it under a name.
  void export_adapter(Code& c, Code& h, const wit::Function& f) {
    auto sig = m_.signature(iface_, f, abi::Direction::Export);
    const Ty* result = m_.type_of(iface_, f.result);
    std::string fn_type = c_name(f) + "_fn";
    std::string proto = prototype(f, "(*" + fn_type + ")");
    h.line("// The type of a C function implementing `" + f.name + "`. It owns its arguments (free them with the");
    h.line("// _free functions); what it returns is read and then freed by the host with canonical_abi_free.");
    h.line("typedef " + proto + ";");
    std::string params, args;
    for (size_t i = 0; i < sig.params.size(); i++) {
      params += (i ? ", " : "") + std::string(c_core(sig.params[i])) + " a" + std::to_string(i);
      args += ", a" + std::to_string(i);
    }
    std::string ret = sig.results.empty() ? "void" : c_core(sig.results[0]);
    std::string adapter = c_name(f) + "_adapter";
    h.line(ret + " " + adapter + "(" + fn_type + " fn" + (params.empty() ? "" : ", " + params) + ");");
    h.line("// Exports C function FN as the wasm export NAME (e.g. \"" + f.name + "\", or one name per HTTP route).");
    h.line("#define " + upper(iface_.name + "-export-" + f.name) + "(NAME, FN) \\");
    h.line("  __attribute__((export_name(NAME))) " + ret + " __BINDGEN_CAT(__wasm_export_##FN##_, __LINE__)(" +
           (params.empty() ? "void" : params) +
           ") { return " + adapter + "(FN" + args + "); }");
    h.line("");

    c.open(ret + " " + adapter + "(" + fn_type + " fn" + (params.empty() ? "" : ", " + params) + ") {");
    std::vector<Slot> in;
    for (size_t i = 0; i < sig.params.size(); i++) in.push_back({"a" + std::to_string(i), sig.params[i]});
    std::vector<std::string> vars;
    size_t pos = 0;
    auto params_t = m_.params(iface_, f);
    for (auto& [pn, pt] : params_t) {
      std::string v = c.tmp("arg");
      c.line(ctype(pt) + " " + v + ";");
      if (sig.indirect_params) {
        error = "exports with more than 16 flat params are not supported";
      } else {
        lift_flat(c, pt, v, in, pos);
      }
      vars.push_back(by_value(pt) ? v : "&" + v);
    }
    std::string call = "fn(";
    for (size_t i = 0; i < vars.size(); i++) call += (i ? ", " : "") + vars[i];
    if (sig.retptr) {
      c.line(ctype(result) + " ret;");
      call += std::string(vars.empty() ? "" : ", ") + "&ret)";
      c.line(call + ";");
      c.line("uint8_t *area = RET_AREA;");
      lower_mem(c, result, "ret", "area");
      c.line("return (int32_t)(uintptr_t)area;");
    } else if (result->kind == K::Unit) {
      c.line(call + ");");
    } else {
      c.line(ctype(result) + " ret = " + call + ");");
      std::vector<Slot> out;
      lower_flat(c, result, "ret", out);
      c.line("return " + out[0].expr + ";");
    }
    c.close();
    c.line("");
  }

  std::vector<const wit::Function*> functions() {
    std::vector<const wit::Function*> out;
    for (auto& d : iface_.types)
      for (auto& f : d.functions) out.push_back(&f);
    for (auto& f : iface_.functions) out.push_back(&f);
    return out;
  }

  uint32_t ret_area_size() {
    uint32_t s = 8;
    for (auto* f : functions()) s = std::max(s, m_.size(m_.type_of(iface_, f->result)));
    return abi::align_to(s, 8);
  }

  std::vector<GeneratedFile> files() {
    for (auto& d : iface_.types) {
      if (d.kind == wit::DefKind::Alias) continue;
      collect(m_.type_of(iface_, d));
    }
    for (auto* f : functions()) {
      for (auto& [n, t] : m_.params(iface_, *f)) collect(t);
      collect(m_.type_of(iface_, f->result));
    }
    bool has_string = false;
    for (auto* t : order_) has_string |= t->kind == K::String;
    if (!has_string) {
      order_.insert(order_.begin(), m_.primitive(K::String));
    }
    std::string guard = "__BINDINGS_" + upper(iface_.name) + "_H";
    Code h;
    h.line("// Generated by silk bindgen --c from " + iface_.name + ".wit: do not edit.");
    h.line("// C " + std::string(exported_ ? "export" : "import") + " bindings for slight's `" + iface_.name +
           "` interface (wit-bindgen 0.2 canonical ABI).");
    h.line("#ifndef " + guard);
    h.line("#define " + guard);
    h.line("#ifdef __cplusplus");
    h.line("extern \"C\" {");
    h.line("#endif");
    h.line("");
    h.line("#include <stdbool.h>");
    h.line("#include <stddef.h>");
    h.line("#include <stdint.h>");
    h.line("");
    h.line("// The module's allocator, exported for the host (weak: defined by every binding file).");
    h.line("void *canonical_abi_realloc(void *ptr, size_t orig_size, size_t align, size_t new_size);");
    h.line("void canonical_abi_free(void *ptr, size_t size, size_t align);");
    h.line("");
    h.line("#ifndef __BINDGEN_CAT");
    h.line("#define __BINDGEN_CAT2(a, b) a##b");
    h.line("#define __BINDGEN_CAT(a, b) __BINDGEN_CAT2(a, b)");
    h.line("#endif");
    h.line("");
    for (auto* t : order_) {
      declare(h, t);
      h.line("");
    }
    for (auto& d : iface_.types)
      if (d.kind == wit::DefKind::Alias) {
        const Ty* t = m_.type_of(iface_, d);
        if (t->kind == K::Unit) continue;
        h.line("typedef " + ctype(t) + " " + prefix_ + "_" + snake(d.name) + "_t;");
      }
    h.line("");
    Code c;
    c.line("// Generated by silk bindgen --c from " + iface_.name + ".wit: do not edit.");
    c.line("#include <stdlib.h>");
    c.line("#include <string.h>");
    c.line("#include \"" + iface_.name + ".h\"");
    c.line("");
    c.line("// Memory the host allocates for results (and the guest for export arguments): the module's");
    c.line("// allocator. Weak, so that one binding file per interface can be linked together.");
    c.line("__attribute__((weak, export_name(\"canonical_abi_realloc\")))");
    c.open("void *canonical_abi_realloc(void *ptr, size_t orig_size, size_t align, size_t new_size) {");
    c.line("if (new_size == 0) return (void *)align;");
    c.line("void *ret = realloc(orig_size == 0 ? NULL : ptr, new_size);");
    c.line("if (!ret) abort();");
    c.line("return ret;");
    c.close();
    c.line("");
    c.line("__attribute__((weak, export_name(\"canonical_abi_free\")))");
    c.open("void canonical_abi_free(void *ptr, size_t size, size_t align) {");
    c.line("(void)align;");
    c.line("if (size == 0) return;");
    c.line("free(ptr);");
    c.close();
    c.line("");
    c.line("static inline __attribute__((unused)) int32_t __bindgen_f32_to_i32(float f) { union { float f; int32_t i; } u; u.f = f; return u.i; }");
    c.line("static inline __attribute__((unused)) float __bindgen_i32_to_f32(int32_t i) { union { float f; int32_t i; } u; u.i = i; return u.f; }");
    c.line("static inline __attribute__((unused)) int64_t __bindgen_f64_to_i64(double f) { union { double f; int64_t i; } u; u.f = f; return u.i; }");
    c.line("static inline __attribute__((unused)) double __bindgen_i64_to_f64(int64_t i) { union { double f; int64_t i; } u; u.i = i; return u.f; }");
    c.line("");
    c.line("static __attribute__((aligned(8))) uint8_t RET_AREA[" + std::to_string(ret_area_size()) + "];");
    c.line("");
    std::string st = prefix_ + "_string_t";
    c.line("void " + prefix_ + "_string_set(" + st + " *ret, const char *s) {");
    c.line("  ret->ptr = (char *)s;");
    c.line("  ret->len = strlen(s);");
    c.line("}");
    c.line("");
    c.line("void " + prefix_ + "_string_dup(" + st + " *ret, const char *s) {");
    c.line("  ret->len = strlen(s);");
    c.line("  ret->ptr = (char *)canonical_abi_realloc(NULL, 0, 1, ret->len);");
    c.line("  memcpy(ret->ptr, s, ret->len);");
    c.line("}");
    c.line("");
    c.line("void " + prefix_ + "_string_free(" + st + " *ret) {");
    c.line("  if (ret->len > 0) canonical_abi_free(ret->ptr, ret->len, 1);");
    c.line("  ret->ptr = NULL;");
    c.line("  ret->len = 0;");
    c.line("}");
    c.line("");
    for (auto* t : order_) {
      if (t->kind != K::Handle) continue;
      std::string n = snake(t->def->name), ct = ctype(t);
      c.line("__attribute__((import_module(\"canonical_abi\"), import_name(" + quote("resource_drop_" + t->def->name) + ")))");
      c.line("void __resource_" + prefix_ + "_" + n + "_drop(uint32_t idx);");
      c.line("void " + prefix_ + "_" + n + "_free(" + ct + " *ptr) { __resource_" + prefix_ + "_" + n + "_drop(ptr->idx); }");
      c.line("__attribute__((import_module(\"canonical_abi\"), import_name(" + quote("resource_clone_" + t->def->name) + ")))");
      c.line("uint32_t __resource_" + prefix_ + "_" + n + "_clone(uint32_t idx);");
      c.line(ct + " " + prefix_ + "_" + n + "_clone(" + ct + " *ptr) { return (" + ct + "){__resource_" + prefix_ + "_" + n +
             "_clone(ptr->idx)}; }");
      c.line("");
    }
    for (auto* t : order_) define_free(c, t);
    for (auto* f : functions()) {
      if (exported_) {
        doc(h, f->docs);
        export_adapter(c, h, *f);
      } else {
        doc(h, f->docs);
        h.line("// import " + iface_.name + "." + Model::import_name(*f));
        h.line(prototype(*f, c_name(*f)) + ";");
        h.line("");
        import_wrapper(c, *f);
      }
    }
    h.line("#ifdef __cplusplus");
    h.line("}");
    h.line("#endif");
    h.line("#endif");
    return {{iface_.name + ".h", h.text}, {iface_.name + ".c", c.text}};
  }

 private:
  Model& m_;
  const wit::Interface& iface_;
  bool exported_;
  std::string prefix_;
  std::set<const Ty*> seen_;
  std::vector<const Ty*> order_;
};

}  // namespace

wasm::Result<std::vector<GeneratedFile>> generate_c(Model& model, const std::vector<InterfaceRole>& roles) {
  std::vector<GeneratedFile> out;
  for (auto& r : roles) {
    CGen g(model, *r.iface, r.exported);
    auto files = g.files();
    if (!g.error.empty()) return wasm::make_error(wasm::ErrorKind::Invalid, r.iface->path + ": " + g.error);
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

}  // namespace silk::slight::bindgen
