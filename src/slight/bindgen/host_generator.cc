// The host-side C++ glue generator (see generators.h). Lifting and lowering
// are emitted inline, type by type, from the ABI model: lift_flat / lower_flat
// for core values, lift_mem / lower_mem for the memory layout.
#include <algorithm>
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

std::string ns_of(const wit::Interface& i) { return snake(i.name); }
std::string header_of(const wit::Interface& i) { return "slight/bindings/" + snake(i.name) + ".h"; }

const char* val_type(CoreType t) {
  switch (t) {
    case CoreType::I32: return "::silk::wasm::ValType::I32";
    case CoreType::I64: return "::silk::wasm::ValType::I64";
    case CoreType::F32: return "::silk::wasm::ValType::F32";
    case CoreType::F64: return "::silk::wasm::ValType::F64";
  }
  return "";
}

std::string func_type(const abi::CoreSignature& sig) {
  auto list = [](const std::vector<CoreType>& v) {
    std::string s = "{";
    for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::string(val_type(v[i]));
    return s + "}";
  };
  return "::silk::wasm::FuncType{" + list(sig.params) + ", " + list(sig.results) + "}";
}

const char* mem_int(uint32_t bytes) {
  return bytes == 1 ? "uint8_t" : bytes == 2 ? "uint16_t" : "uint32_t";
}

class HostGen {
 public:
  HostGen(Model& m, const wit::Interface& iface) : m_(m), iface_(iface) {}

  std::string error;  // set on an unsupported construct

  // C++ type names ------------------------------------------------------------

  std::string named(const Ty* t) {
    std::string n = pascal(t->def->name);
    if (t->iface != &iface_) return "::silk::slight::" + ns_of(*t->iface) + "::" + n;
    return n;
  }

  std::string cpp(const Ty* t) {
    if (const char* p = abi::primitive_c_type(t->kind)) return p;
    switch (t->kind) {
      case K::Char: return "char32_t";
      case K::String: return "std::string";
      case K::Unit: return "::silk::slight::abi::Unit";
      case K::List: return "std::vector<" + cpp(t->args[0]) + ">";
      case K::Option: return "std::optional<" + cpp(t->args[0]) + ">";
      case K::Expected: return "::silk::slight::abi::Expected<" + cpp(t->args[0]) + ", " + cpp(t->args[1]) + ">";
      case K::Tuple: {
        std::string s = "std::tuple<";
        for (size_t i = 0; i < t->args.size(); i++) s += (i ? ", " : "") + cpp(t->args[i]);
        return s + ">";
      }
      case K::Handle: return "std::shared_ptr<" + named(t) + ">";
      default: return named(t);
    }
  }

  bool is_scalar(const Ty* t) {
    switch (t->kind) {
      case K::Bool: case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32:
      case K::U64: case K::S64: case K::Float32: case K::Float64: case K::Char: case K::Enum:
        return true;
      default: return false;
    }
  }

  // How a host method takes a parameter.
  std::string param_type(const Ty* t) {
    if (t->kind == K::Handle) return named(t) + "&";
    if (is_scalar(t)) return cpp(t);
    return "const " + cpp(t) + "&";
  }

  std::string table_of(const Ty* t) {
    if (t->iface != &iface_) {
      error = "handle of resource '" + t->def->name + "' from another interface (" + t->iface->name +
              ") is not supported";
      return "/*unsupported*/";
    }
    if (!handles_ok_) {
      error = "handles in exported functions are not supported (" + t->def->name + ")";
      return "/*unsupported*/";
    }
    return "st." + snake(t->def->name) + "_handles";
  }

  // The value of a variant-like {t} built from a case payload.
  std::string make_case(const Ty* t, size_t i, const std::string& payload) {
    auto names = m_.case_names(t);
    switch (t->kind) {
      case K::Option: return i == 0 ? "std::nullopt" : payload;
      case K::Expected:
        return cpp(t) + (i == 0 ? "::ok(" : "::err(") + (payload.empty() ? "::silk::slight::abi::Unit{}" : payload) + ")";
      default: return named(t) + "::" + ident(names[i]) + "(" + payload + ")";
    }
  }

  // lift_flat: core values (FlatReader r) -> declared variable {dst} -----------

  void lift_flat(Code& c, const Ty* t, const std::string& dst) {
    switch (t->kind) {
      case K::Unit: return;
      case K::Bool: {
        std::string b = c.tmp("b");
        c.line("uint32_t " + b + " = r.i32();");
        c.line("if (" + b + " > 1) return g.trap(\"invalid bool \" + std::to_string(" + b + "));");
        c.line(dst + " = " + b + " != 0;");
        return;
      }
      case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32:
        c.line(dst + " = static_cast<" + cpp(t) + ">(r.i32());");
        return;
      case K::U64: case K::S64: c.line(dst + " = static_cast<" + cpp(t) + ">(r.i64());"); return;
      case K::Float32: c.line(dst + " = r.f32();"); return;
      case K::Float64: c.line(dst + " = r.f64();"); return;
      case K::Char: {
        std::string ch = c.tmp("ch");
        c.line("uint32_t " + ch + " = r.i32();");
        c.line("if (" + ch + " > 0x10ffff || (" + ch + " >= 0xd800 && " + ch + " < 0xe000)) return g.trap(\"invalid char\");");
        c.line(dst + " = char32_t(" + ch + ");");
        return;
      }
      case K::String: case K::List: {
        std::string p = c.tmp("p"), n = c.tmp("n");
        c.line("uint32_t " + p + " = r.i32(), " + n + " = r.i32();");
        lift_list(c, t, dst, p, n, false);
        return;
      }
      case K::Handle: {
        std::string h = c.tmp("h");
        c.line("uint32_t " + h + " = r.i32();");
        c.line(dst + " = " + table_of(t) + ".shared(" + h + ");");
        c.line("if (!" + dst + ") return g.bad_handle(" + quote(t->def->name) + ", " + h + ");");
        return;
      }
      case K::Enum: {
        std::string tag = c.tmp("tag");
        c.line("uint32_t " + tag + " = r.i32();");
        c.line("if (" + tag + " >= " + std::to_string(t->def->cases.size()) + ") return g.bad_discriminant(" +
               quote(t->def->name) + ", " + tag + ");");
        c.line(dst + " = static_cast<" + cpp(t) + ">(" + tag + ");");
        return;
      }
      case K::Flags: {
        size_t words = m_.flat(t).size();
        for (size_t w = 0; w < words; w++) c.line(dst + ".bits |= uint64_t(r.i32()) << " + std::to_string(32 * w) + ";");
        return;
      }
      case K::Record:
        for (size_t i = 0; i < t->args.size(); i++) lift_flat(c, t->args[i], dst + "." + ident(t->def->fields[i].name));
        return;
      case K::Tuple:
        for (size_t i = 0; i < t->args.size(); i++) lift_flat(c, t->args[i], "std::get<" + std::to_string(i) + ">(" + dst + ")");
        return;
      case K::Variant: case K::Union: case K::Option: case K::Expected: {
        std::string tag = c.tmp("tag"), base = c.tmp("base");
        c.line("uint32_t " + tag + " = r.i32();");
        c.line("size_t " + base + " = r.pos();");
        c.open("switch (" + tag + ") {");
        auto cs = m_.cases(t);
        for (size_t i = 0; i < cs.size(); i++) {
          c.open("case " + std::to_string(i) + ": {");
          std::string payload;
          if (cs[i]->kind != K::Unit) {
            payload = c.tmp("v");
            c.line(cpp(cs[i]) + " " + payload + "{};");
            lift_flat(c, cs[i], payload);
            payload = "std::move(" + payload + ")";
          }
          c.line(dst + " = " + make_case(t, i, payload) + ";");
          c.line("break;");
          c.close();
        }
        c.line("default: return g.bad_discriminant(" + quote(m_.type_name(t)) + ", " + tag + ");");
        c.close();
        c.line("r.seek(" + base + " + " + std::to_string(m_.flat(t).size() - 1) + ");");
        return;
      }
    }
  }

  // A string/list whose (ptr, len) are in variables {p}, {n} -> {dst}. With
  // {free}, the guest's buffers are released after copying (export results).
  void lift_list(Code& c, const Ty* t, const std::string& dst, const std::string& p, const std::string& n, bool free) {
    if (t->kind == K::String) {
      c.line(dst + " = SILK_TRY(g.load_string(" + p + ", " + n + "));");
      if (free) c.line("SILK_TRY(g.free(" + p + ", " + n + ", 1));");
      return;
    }
    const Ty* e = t->args[0];
    uint32_t es = m_.size(e), ea = m_.align(e);
    if (e->kind == K::U8 || e->kind == K::S8) {
      if (e->kind == K::U8) c.line(dst + " = SILK_TRY(g.load_bytes(" + p + ", " + n + "));");
      else {
        std::string bytes = c.tmp("bytes");
        c.line("auto " + bytes + " = SILK_TRY(g.load_bytes(" + p + ", " + n + "));");
        c.line(dst + ".assign(" + bytes + ".begin(), " + bytes + ".end());");
      }
    } else {
      std::string i = c.tmp("i");
      c.line("SILK_TRY(g.check_array(" + p + ", " + n + ", " + std::to_string(es) + "));");
      c.line(dst + ".resize(" + n + ");");
      c.open("for (uint32_t " + i + " = 0; " + i + " < " + n + "; " + i + "++) {");
      lift_mem(c, e, dst + "[" + i + "]", p + " + " + i + " * " + std::to_string(es), free);
      c.close();
    }
    if (free) c.line("SILK_TRY(g.free(" + p + ", " + n + " * " + std::to_string(es) + ", " + std::to_string(ea) + "));");
  }

  // lift_mem: guest memory at {addr} -> declared variable {dst} ----------------

  void lift_mem(Code& c, const Ty* t, const std::string& dst, const std::string& addr, bool free) {
    auto at = [&](uint32_t off) { return off ? "uint64_t(" + addr + ") + " + std::to_string(off) : addr; };
    switch (t->kind) {
      case K::Unit: return;
      case K::Bool: {
        std::string b = c.tmp("b");
        c.line("uint8_t " + b + " = SILK_TRY(g.load<uint8_t>(" + addr + "));");
        c.line("if (" + b + " > 1) return g.trap(\"invalid bool \" + std::to_string(" + b + "));");
        c.line(dst + " = " + b + " != 0;");
        return;
      }
      case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32: case K::U64: case K::S64:
      case K::Float32: case K::Float64:
        c.line(dst + " = SILK_TRY(g.load<" + cpp(t) + ">(" + addr + "));");
        return;
      case K::Char: {
        std::string ch = c.tmp("ch");
        c.line("uint32_t " + ch + " = SILK_TRY(g.load<uint32_t>(" + addr + "));");
        c.line("if (" + ch + " > 0x10ffff || (" + ch + " >= 0xd800 && " + ch + " < 0xe000)) return g.trap(\"invalid char\");");
        c.line(dst + " = char32_t(" + ch + ");");
        return;
      }
      case K::String: case K::List: {
        std::string p = c.tmp("p"), n = c.tmp("n");
        c.line("uint32_t " + p + " = SILK_TRY(g.load<uint32_t>(" + at(0) + "));");
        c.line("uint32_t " + n + " = SILK_TRY(g.load<uint32_t>(" + at(4) + "));");
        lift_list(c, t, dst, p, n, free);
        return;
      }
      case K::Handle: {
        std::string h = c.tmp("h");
        c.line("uint32_t " + h + " = SILK_TRY(g.load<uint32_t>(" + addr + "));");
        c.line(dst + " = " + table_of(t) + ".shared(" + h + ");");
        c.line("if (!" + dst + ") return g.bad_handle(" + quote(t->def->name) + ", " + h + ");");
        return;
      }
      case K::Enum: {
        std::string tag = c.tmp("tag");
        c.line("uint32_t " + tag + " = SILK_TRY(g.load<" + mem_int(m_.tag_size(t)) + ">(" + addr + "));");
        c.line("if (" + tag + " >= " + std::to_string(t->def->cases.size()) + ") return g.bad_discriminant(" +
               quote(t->def->name) + ", " + tag + ");");
        c.line(dst + " = static_cast<" + cpp(t) + ">(" + tag + ");");
        return;
      }
      case K::Flags: {
        uint32_t sz = m_.size(t);
        if (sz <= 4) c.line(dst + ".bits = SILK_TRY(g.load<" + mem_int(sz) + ">(" + addr + "));");
        else
          for (uint32_t w = 0; w < sz / 4; w++)
            c.line(dst + ".bits |= uint64_t(SILK_TRY(g.load<uint32_t>(" + at(4 * w) + "))) << " + std::to_string(32 * w) + ";");
        return;
      }
      case K::Record: case K::Tuple: {
        auto offs = m_.field_offsets(t);
        for (size_t i = 0; i < t->args.size(); i++) {
          std::string f = t->kind == K::Record ? dst + "." + ident(t->def->fields[i].name)
                                               : "std::get<" + std::to_string(i) + ">(" + dst + ")";
          lift_mem(c, t->args[i], f, at(offs[i]), free);
        }
        return;
      }
      case K::Variant: case K::Union: case K::Option: case K::Expected: {
        std::string tag = c.tmp("tag");
        c.line("uint32_t " + tag + " = SILK_TRY(g.load<" + mem_int(m_.tag_size(t)) + ">(" + addr + "));");
        c.open("switch (" + tag + ") {");
        auto cs = m_.cases(t);
        uint32_t po = m_.payload_offset(t);
        for (size_t i = 0; i < cs.size(); i++) {
          c.open("case " + std::to_string(i) + ": {");
          std::string payload;
          if (cs[i]->kind != K::Unit) {
            payload = c.tmp("v");
            c.line(cpp(cs[i]) + " " + payload + "{};");
            lift_mem(c, cs[i], payload, at(po), free);
            payload = "std::move(" + payload + ")";
          }
          c.line(dst + " = " + make_case(t, i, payload) + ";");
          c.line("break;");
          c.close();
        }
        c.line("default: return g.bad_discriminant(" + quote(m_.type_name(t)) + ", " + tag + ");");
        c.close();
        return;
      }
    }
  }

  // The payload of case {i} of variant-like {t} held in C++ value {v}.
  std::string case_value(const Ty* t, size_t i, const std::string& v) {
    switch (t->kind) {
      case K::Option: return "(*" + v + ")";
      case K::Expected: return i == 0 ? v + ".value()" : v + ".error()";
      default: return "std::get<" + std::to_string(i) + ">(" + v + ".payload)";
    }
  }
  // Emits `switch` over the active case of {v}; {body}(i) emits the case.
  void switch_cases(Code& c, const Ty* t, const std::string& v, const std::function<void(size_t)>& body) {
    auto cs = m_.cases(t);
    if (t->kind == K::Option || t->kind == K::Expected) {
      std::string cond = t->kind == K::Option ? "!" + v + ".has_value()" : v + ".has_value()";
      // case 0 = none / ok
      c.open("if (" + cond + ") {");
      body(0);
      c.close("} else {");
      c.depth++;
      body(1);
      c.close();
      return;
    }
    c.open("switch (" + v + ".tag) {");
    auto names = m_.case_names(t);
    for (size_t i = 0; i < cs.size(); i++) {
      c.open("case " + named(t) + "::Tag::" + pascal(names[i]) + ": {");
      body(i);
      c.line("break;");
      c.close();
    }
    c.close();
  }

  // lower_mem: C++ value {src} -> guest memory at {addr} ----------------------

  void lower_mem(Code& c, const Ty* t, const std::string& src, const std::string& addr) {
    auto at = [&](uint32_t off) { return off ? "uint64_t(" + addr + ") + " + std::to_string(off) : addr; };
    switch (t->kind) {
      case K::Unit: return;
      case K::Bool: c.line("SILK_TRY(g.store<uint8_t>(" + addr + ", " + src + " ? 1 : 0));"); return;
      case K::U8: case K::S8: case K::U16: case K::S16: case K::U32: case K::S32: case K::U64: case K::S64:
      case K::Float32: case K::Float64:
        c.line("SILK_TRY(g.store<" + cpp(t) + ">(" + addr + ", " + src + "));");
        return;
      case K::Char: c.line("SILK_TRY(g.store<uint32_t>(" + addr + ", uint32_t(" + src + ")));"); return;
      case K::String: case K::List: {
        std::string p = c.tmp("p"), n = c.tmp("n");
        c.open("{");
        lower_list(c, t, src, p, n);
        c.line("SILK_TRY(g.store<uint32_t>(" + at(0) + ", " + p + "));");
        c.line("SILK_TRY(g.store<uint32_t>(" + at(4) + ", " + n + "));");
        c.close();
        return;
      }
      case K::Handle: {
        c.open("{");
        std::string h = lower_handle(c, t, src);
        c.line("SILK_TRY(g.store<uint32_t>(" + addr + ", " + h + "));");
        c.close();
        return;
      }
      case K::Enum:
        c.line("SILK_TRY(g.store<" + std::string(mem_int(m_.tag_size(t))) + ">(" + addr + ", static_cast<" +
               mem_int(m_.tag_size(t)) + ">(" + src + ")));");
        return;
      case K::Flags: {
        uint32_t sz = m_.size(t);
        if (sz <= 4) c.line("SILK_TRY(g.store<" + std::string(mem_int(sz)) + ">(" + addr + ", static_cast<" + mem_int(sz) + ">(" + src + ".bits)));");
        else
          for (uint32_t w = 0; w < sz / 4; w++)
            c.line("SILK_TRY(g.store<uint32_t>(" + at(4 * w) + ", uint32_t(" + src + ".bits >> " + std::to_string(32 * w) + ")));");
        return;
      }
      case K::Record: case K::Tuple: {
        auto offs = m_.field_offsets(t);
        for (size_t i = 0; i < t->args.size(); i++) {
          std::string f = t->kind == K::Record ? src + "." + ident(t->def->fields[i].name)
                                               : "std::get<" + std::to_string(i) + ">(" + src + ")";
          lower_mem(c, t->args[i], f, at(offs[i]));
        }
        return;
      }
      case K::Variant: case K::Union: case K::Option: case K::Expected: {
        std::string v = c.tmp("v");
        c.open("{");
        c.line("const auto& " + v + " = " + src + ";");
        auto cs = m_.cases(t);
        uint32_t po = m_.payload_offset(t);
        std::string tt = mem_int(m_.tag_size(t));
        switch_cases(c, t, v, [&](size_t i) {
          c.line("SILK_TRY(g.store<" + tt + ">(" + addr + ", " + std::to_string(i) + "));");
          if (cs[i]->kind != K::Unit) lower_mem(c, cs[i], case_value(t, i, v), at(po));
        });
        c.close();
        return;
      }
    }
  }

  // Allocates a string/list {src} in guest memory; declares {p} and {n}.
  void lower_list(Code& c, const Ty* t, const std::string& src, const std::string& p, const std::string& n) {
    std::string v = c.tmp("v");
    c.line("const auto& " + v + " = " + src + ";");
    c.line("if (" + v + ".size() > 0x7fffffff) return g.trap(\"result too large for the guest\");");
    c.line("uint32_t " + n + " = uint32_t(" + v + ".size());");
    if (t->kind == K::String) {
      c.line("uint32_t " + p + " = SILK_TRY(g.store_string(" + v + "));");
      return;
    }
    const Ty* e = t->args[0];
    uint32_t es = m_.size(e), ea = m_.align(e);
    if (e->kind == K::U8 || e->kind == K::S8) {
      c.line("uint32_t " + p + " = SILK_TRY(g.store_bytes(" + v + ".data(), " + v + ".size(), 1));");
      return;
    }
    c.line("if (uint64_t(" + n + ") * " + std::to_string(es) + " > 0xffffffffu) return g.trap(\"result too large for the guest\");");
    c.line("uint32_t " + p + " = SILK_TRY(g.alloc(" + n + " * " + std::to_string(es) + ", " + std::to_string(ea) + "));");
    std::string i = c.tmp("i");
    c.open("for (uint32_t " + i + " = 0; " + i + " < " + n + "; " + i + "++) {");
    lower_mem(c, e, v + "[" + i + "]", p + " + " + i + " * " + std::to_string(es));
    c.close();
  }

  // Inserts a host object into its table; returns the variable with the handle.
  std::string lower_handle(Code& c, const Ty* t, const std::string& src) {
    std::string h = c.tmp("h");
    c.line("if (!" + src + ") return g.trap(\"the host returned a null " + t->def->name + "\");");
    c.line("uint32_t " + h + " = " + table_of(t) + ".insert(" + src + ");");
    return h;
  }

  // lower_flat: C++ value {src} -> core values (FlatWriter w) -----------------

  void lower_flat(Code& c, const Ty* t, const std::string& src) {
    switch (t->kind) {
      case K::Unit: return;
      case K::Bool: c.line("w.i32(" + src + " ? 1 : 0);"); return;
      case K::U8: case K::U16: case K::U32: case K::Char: c.line("w.i32(uint32_t(" + src + "));"); return;
      case K::S8: case K::S16: case K::S32: c.line("w.i32(uint32_t(int32_t(" + src + ")));"); return;
      case K::U64: case K::S64: c.line("w.i64(uint64_t(" + src + "));"); return;
      case K::Float32: c.line("w.f32(" + src + ");"); return;
      case K::Float64: c.line("w.f64(" + src + ");"); return;
      case K::Enum: c.line("w.i32(uint32_t(" + src + "));"); return;
      case K::Flags: {
        size_t words = m_.flat(t).size();
        for (size_t w = 0; w < words; w++) c.line("w.i32(uint32_t(" + src + ".bits >> " + std::to_string(32 * w) + "));");
        return;
      }
      case K::String: case K::List: {
        std::string p = c.tmp("p"), n = c.tmp("n");
        c.open("{");
        lower_list(c, t, src, p, n);
        c.line("w.i32(" + p + ");");
        c.line("w.i32(" + n + ");");
        c.close();
        return;
      }
      case K::Handle: {
        c.open("{");
        c.line("w.i32(" + lower_handle(c, t, src) + ");");
        c.close();
        return;
      }
      case K::Record: case K::Tuple:
        for (size_t i = 0; i < t->args.size(); i++)
          lower_flat(c, t->args[i], t->kind == K::Record ? src + "." + ident(t->def->fields[i].name)
                                                         : "std::get<" + std::to_string(i) + ">(" + src + ")");
        return;
      case K::Variant: case K::Union: case K::Option: case K::Expected: {
        std::string v = c.tmp("v"), start = c.tmp("start");
        c.open("{");
        c.line("const auto& " + v + " = " + src + ";");
        c.line("size_t " + start + " = w.size();");
        auto cs = m_.cases(t);
        switch_cases(c, t, v, [&](size_t i) {
          c.line("w.i32(" + std::to_string(i) + ");");
          if (cs[i]->kind != K::Unit) lower_flat(c, cs[i], case_value(t, i, v));
        });
        auto flat = m_.flat(t);
        std::string types;
        for (size_t i = 1; i < flat.size(); i++) types += (i > 1 ? ", " : "") + std::string(val_type(flat[i]));
        c.line("w.join(" + start + " + 1, {" + types + "});");
        c.close();
        return;
      }
    }
  }

  // Declarations ---------------------------------------------------------------

  // Named types of this interface in dependency order.
  std::vector<const Ty*> ordered_types() {
    std::vector<const Ty*> out;
    std::set<const Ty*> seen;
    std::function<void(const Ty*)> visit = [&](const Ty* t) {
      if (t->kind == K::Handle) return;  // resources are forward-declared
      if (t->def && (t->iface != &iface_ || seen.count(t))) return;
      if (t->def) seen.insert(t);
      for (auto* a : t->args) visit(a);
      if (t->def) out.push_back(t);
    };
    for (auto& d : iface_.types)
      if (d.kind != wit::DefKind::Alias && d.kind != wit::DefKind::Resource) visit(m_.type_of(iface_, d));
    return out;
  }

  void declare_type(Code& c, const Ty* t) {
    const wit::TypeDef& d = *t->def;
    std::string n = pascal(d.name);
    doc_comment(c, d.docs);
    switch (t->kind) {
      case K::Record: {
        c.open("struct " + n + " {");
        for (size_t i = 0; i < d.fields.size(); i++) {
          doc_comment(c, d.fields[i].docs);
          c.line(cpp(t->args[i]) + " " + ident(d.fields[i].name) + "{};");
        }
        c.line("bool operator==(const " + n + "&) const = default;");
        c.close("};");
        break;
      }
      case K::Enum: {
        c.open("enum class " + n + " : " + mem_int(m_.tag_size(t)) + " {");
        for (auto& cs : d.cases) c.line(pascal(cs.name) + ",");
        c.close("};");
        break;
      }
      case K::Flags: {
        if (d.cases.size() > 64) {
          error = d.loc.str() + ": flags with more than 64 members are not supported";
          return;
        }
        c.open("struct " + n + " {");
        c.line("uint64_t bits = 0;");
        for (size_t i = 0; i < d.cases.size(); i++)
          c.line("static constexpr uint64_t " + ident(d.cases[i].name) + " = uint64_t{1} << " + std::to_string(i) + ";");
        c.line("bool operator==(const " + n + "&) const = default;");
        c.close("};");
        break;
      }
      case K::Variant: case K::Union: {
        c.open("struct " + n + " {");
        c.open("enum class Tag : " + std::string(mem_int(m_.tag_size(t))) + " {");
        for (auto& cs : d.cases) c.line(pascal(cs.name) + ",");
        c.close("};");
        c.line("Tag tag{};");
        std::string alts;
        for (size_t i = 0; i < t->args.size(); i++)
          alts += (i ? ", " : "") + (t->args[i]->kind == K::Unit ? std::string("std::monostate") : cpp(t->args[i]));
        c.line("std::variant<" + alts + "> payload;");
        c.line("");
        for (size_t i = 0; i < d.cases.size(); i++) {
          std::string f = ident(d.cases[i].name), idx = std::to_string(i);
          doc_comment(c, d.cases[i].docs);
          if (t->args[i]->kind == K::Unit) {
            c.line("static " + n + " " + f + "() { return {Tag::" + pascal(d.cases[i].name) +
                   ", decltype(payload)(std::in_place_index<" + idx + ">)}; }");
          } else {
            std::string pt = cpp(t->args[i]);
            c.line("static " + n + " " + f + "(" + pt + " v) { return {Tag::" + pascal(d.cases[i].name) +
                   ", decltype(payload)(std::in_place_index<" + idx + ">, std::move(v))}; }");
            c.line("const " + pt + "& as_" + snake(d.cases[i].name) + "() const { return std::get<" + idx + ">(payload); }");
          }
        }
        c.line("bool operator==(const " + n + "&) const = default;");
        c.close("};");
        break;
      }
      default: break;
    }
    c.line("");
  }

  std::string method_decl(const wit::Function& f, const std::string& name) {
    std::string s = "virtual " + cpp(m_.type_of(iface_, f.result)) + " " + name + "(";
    for (size_t i = 0; i < f.params.size(); i++)
      s += (i ? ", " : "") + param_type(m_.type_of(iface_, f.params[i].type)) + " " + ident(f.params[i].name);
    return s + ") = 0;";
  }

  // The import function bodies -------------------------------------------------

  void import_function(Code& c, const wit::Function& f) {
    std::string iname = Model::import_name(f);
    auto sig = m_.signature(iface_, f, abi::Direction::Import);
    auto params = m_.params(iface_, f);
    const Ty* result = m_.type_of(iface_, f.result);
    c.line("// " + iface_.name + "." + iname + ": " + func_type(sig));
    c.open("::silk::wasm::Result<void> import_" + snake(f.resource.empty() ? f.name : f.resource + "_" + f.name) + "(" +
           pascal(iface_.name) + "State& st, ::silk::wasm::HostCall& call, std::span<const ::silk::wasm::Value> args, "
           "std::span<::silk::wasm::Value> results) {");
    c.line("::silk::slight::abi::Guest g(call, " + quote(iface_.name + "." + iname) + ");");
    c.line("::silk::slight::abi::FlatReader r(args);");
    std::vector<std::string> vars;
    if (sig.indirect_params) {
      c.line("uint32_t params_ptr = r.i32();");
      uint32_t off = 0;
      for (size_t i = 0; i < params.size(); i++) {
        off = abi::align_to(off, m_.align(params[i].second));
        std::string v = "arg" + std::to_string(i);
        c.line(cpp(params[i].second) + " " + v + "{};");
        lift_mem(c, params[i].second, v, "params_ptr + " + std::to_string(off), false);
        off += m_.size(params[i].second);
        vars.push_back(v);
      }
    } else {
      for (size_t i = 0; i < params.size(); i++) {
        std::string v = "arg" + std::to_string(i);
        c.line(cpp(params[i].second) + " " + v + "{};");
        lift_flat(c, params[i].second, v);
        vars.push_back(v);
      }
    }
    if (sig.retptr) c.line("uint32_t retptr = r.i32();");
    // The call.
    std::string call;
    size_t first = 0;
    if (f.is_method()) {
      call = vars[0] + "->" + ident(f.name) + "(";
      first = 1;
    } else if (f.is_static) {
      call = "st.host->" + ident(f.resource + "-" + f.name) + "(";
    } else {
      call = "st.host->" + ident(f.name) + "(";
    }
    for (size_t i = first; i < vars.size(); i++) {
      call += (i > first ? ", " : "");
      call += params[i].second->kind == K::Handle ? "*" + vars[i] : vars[i];
    }
    call += ")";
    if (result->kind == K::Unit && !sig.retptr) {
      c.line(call + ";");
    } else {
      c.line(cpp(result) + " ret = " + call + ";");
      if (sig.retptr) {
        lower_mem(c, result, "ret", "retptr");
      } else {
        c.line("::silk::slight::abi::FlatWriter w;");
        lower_flat(c, result, "ret");
        c.line("for (size_t i = 0; i < results.size() && i < w.values().size(); i++) results[i] = w.values()[i];");
      }
    }
    c.line("(void)results;");
    c.line("return {};");
    c.close();
    c.line("");
  }

  // Export callers ---------------------------------------------------------------

  std::string export_decl(const wit::Function& f, bool with_default) {
    std::string s = "::silk::wasm::Result<" + cpp(m_.type_of(iface_, f.result)) + "> call_" + snake(f.name) +
                    "(::silk::wasm::Store& store, ::silk::wasm::Instance& instance";
    for (auto& p : f.params) s += ", " + param_type(m_.type_of(iface_, p.type)) + " " + ident(p.name);
    s += std::string(", std::string_view export_name") + (with_default ? " = " + quote(f.name) : "") + ")";
    return s;
  }

  void export_function(Code& c, const wit::Function& f) {
    handles_ok_ = false;
    auto sig = m_.signature(iface_, f, abi::Direction::Export);
    const Ty* result = m_.type_of(iface_, f.result);
    c.open(export_decl(f, false) + " {");
    c.line("std::string name(export_name);");
    c.line("::silk::slight::abi::Guest g(store, instance, name);");
    c.line("::silk::wasm::Function* fn = instance.function(name);");
    c.line("if (!fn) return ::silk::wasm::make_error(::silk::wasm::ErrorKind::Unlinkable, \"the module does not export \" + name);");
    c.line("if (!(::silk::wasm::function_type(fn) == " + func_type(sig) + "))");
    c.line("  return ::silk::wasm::make_error(::silk::wasm::ErrorKind::Unlinkable, name + \": incompatible export type \" + ::silk::wasm::function_type(fn).to_string());");
    c.line("::silk::slight::abi::FlatWriter w;");
    if (sig.indirect_params) {
      c.line("uint32_t params_ptr = SILK_TRY(g.alloc(" + std::to_string(m_.params_size(iface_, f)) + ", 8));");
      uint32_t off = 0;
      for (auto& p : f.params) {
        const Ty* t = m_.type_of(iface_, p.type);
        off = abi::align_to(off, m_.align(t));
        lower_mem(c, t, ident(p.name), "params_ptr + " + std::to_string(off));
        off += m_.size(t);
      }
      c.line("w.i32(params_ptr);");
    } else {
      for (auto& p : f.params) lower_flat(c, m_.type_of(iface_, p.type), ident(p.name));
    }
    c.line("auto res = store.call(fn, w.values());");
    c.line("if (!res.ok()) return res.take_error();");
    c.line(cpp(result) + " ret{};");
    if (sig.retptr) {
      c.line("uint32_t retptr = res->empty() ? 0 : (*res)[0].as_i32();");
      lift_mem(c, result, "ret", "retptr", true);
    } else {
      c.line("::silk::slight::abi::FlatReader r(*res);");
      lift_flat(c, result, "ret");
    }
    c.line("return ret;");
    c.close();
    c.line("");
    handles_ok_ = true;
  }

  // Files -------------------------------------------------------------------------

  std::vector<const wit::TypeDef*> resources() {
    std::vector<const wit::TypeDef*> out;
    for (auto& d : iface_.types)
      if (d.kind == wit::DefKind::Resource) out.push_back(&d);
    return out;
  }

  bool has_imports() {
    if (!iface_.functions.empty()) return true;
    for (auto* r : resources())
      if (!r->functions.empty()) return true;
    return false;
  }

  GeneratedFile header(bool exported) {
    Code c;
    c.line("// Generated by silk bindgen from " + iface_.name + ".wit: do not edit.");
    c.line("// The host side of slight's `" + iface_.name + "` interface (canonical ABI of wit-bindgen 0.2).");
    c.line("#pragma once");
    c.line("");
    for (auto* inc : {"<cstdint>", "<memory>", "<optional>", "<span>", "<string>", "<string_view>", "<tuple>",
                      "<variant>", "<vector>"})
      c.line(std::string("#include ") + inc);
    c.line("");
    c.line("#include \"slight/abi/guest.h\"");
    std::set<std::string> deps;
    for (auto& u : iface_.uses) deps.insert(u.from);
    for (auto& d : deps) c.line("#include \"" + header_of(*m_.package().find(d)) + "\"");
    c.line("");
    c.open("namespace silk::slight::" + ns_of(iface_) + " {");
    c.depth--;
    c.line("");
    // Names used from other interfaces.
    for (auto& u : iface_.uses)
      for (auto& n : u.names) {
        auto r = m_.package().resolve(iface_, n.alias);
        const wit::Interface* from = m_.package().find(u.from);
        c.line("using " + pascal(n.alias) + " = ::silk::slight::" + ns_of(*from) + "::" + pascal(r->def->name) + ";");
      }
    if (!iface_.uses.empty()) c.line("");
    for (auto* r : resources()) c.line("class " + pascal(r->name) + ";");
    if (!resources().empty()) c.line("");
    for (const Ty* t : ordered_types()) declare_type(c, t);
    for (auto& d : iface_.types)
      if (d.kind == wit::DefKind::Alias) {
        doc_comment(c, d.docs);
        c.line("using " + pascal(d.name) + " = " + cpp(m_.type_of(iface_, d)) + ";");
        c.line("");
      }
    for (auto* r : resources()) {
      doc_comment(c, r->docs);
      c.line("// resource " + r->name + ": one object per guest handle; the handle is dropped by");
      c.line("// canonical_abi.resource_drop_" + r->name + " (the object lives while any handle or host reference does).");
      c.open("class " + pascal(r->name) + " {");
      c.depth--;
      c.line(" public:");
      c.depth++;
      c.line("virtual ~" + pascal(r->name) + "() = default;");
      for (auto& f : r->functions) {
        if (f.is_static) continue;
        c.line("");
        doc_comment(c, f.docs);
        c.line("// import " + iface_.name + "." + Model::import_name(f));
        c.line(method_decl(f, ident(f.name)));
      }
      c.close("};");
      c.line("");
    }
    std::string host = pascal(iface_.name) + "Host";
    if (has_imports() && !exported) {
      c.line("// What a backend implements for `" + iface_.name + "`: the static functions of its resources");
      c.line("// (constructors) and its free functions. Methods are on the resource classes above.");
      c.line("// Returning an error case is the WIT error; a host fault is not a trap, so never throw.");
      c.open("class " + host + " {");
      c.depth--;
      c.line(" public:");
      c.depth++;
      c.line("virtual ~" + host + "() = default;");
      for (auto* r : resources())
        for (auto& f : r->functions)
          if (f.is_static) {
            c.line("");
            doc_comment(c, f.docs);
            c.line("// import " + iface_.name + "." + Model::import_name(f));
            c.line(method_decl(f, ident(r->name + "-" + f.name)));
          }
      for (auto& f : iface_.functions) {
        c.line("");
        doc_comment(c, f.docs);
        c.line("// import " + iface_.name + "." + f.name);
        c.line(method_decl(f, ident(f.name)));
      }
      c.close("};");
      c.line("");
      c.line("// Per-instance state behind the host functions: the host and one handle table per resource.");
      c.open("struct " + pascal(iface_.name) + "State {");
      c.line("std::shared_ptr<" + host + "> host;");
      for (auto* r : resources()) c.line("::silk::slight::abi::HandleTable<" + pascal(r->name) + "> " + snake(r->name) + "_handles;");
      c.close("};");
      c.line("");
      c.line("// Binds every import of module \"" + iface_.name + "\" in {imports} (and canonical_abi.resource_drop_*/");
      c.line("// resource_clone_* of its resources) to host functions created in {store} that call {host}.");
      c.line("// Call once per instance: the handle tables live in the returned state. Unknown names in");
      c.line("// module \"" + iface_.name + "\" or wrong core types are an Unlinkable error.");
      c.line("::silk::wasm::Result<std::shared_ptr<" + pascal(iface_.name) + "State>> register_" + snake(iface_.name) +
             "_imports(::silk::wasm::Store& store, ::silk::slight::abi::ImportResolver& imports, std::shared_ptr<" +
             host + "> host);");
      c.line("");
    }
    if (exported) {
      for (auto& f : iface_.functions) {
        doc_comment(c, f.docs);
        c.line("// Calls the guest's export {export_name} (a `" + f.name + "` function): lowers the arguments");
        c.line("// (allocated with canonical_abi_realloc, owned by the guest), calls it, lifts the result and");
        c.line("// frees the guest's result buffers with canonical_abi_free. A trap is returned as the error.");
        c.line(export_decl(f, true) + ";");
        c.line("");
      }
    }
    c.line("}  // namespace silk::slight::" + ns_of(iface_));
    return {header_of(iface_), c.text};
  }

  GeneratedFile source(bool exported) {
    Code c;
    c.line("// Generated by silk bindgen from " + iface_.name + ".wit: do not edit.");
    c.line("#include \"" + header_of(iface_) + "\"");
    c.line("");
    c.line("namespace silk::slight::" + ns_of(iface_) + " {");
    std::string state = pascal(iface_.name) + "State";
    if (has_imports() && !exported) {
      c.line("namespace {");
      c.line("");
      for (auto* r : resources())
        for (auto& f : r->functions) import_function(c, f);
      for (auto& f : iface_.functions) import_function(c, f);
      for (auto* r : resources()) {
        std::string n = snake(r->name);
        c.open("::silk::wasm::Result<void> drop_" + n + "(" + state + "& st, ::silk::wasm::HostCall&, std::span<const ::silk::wasm::Value> args, std::span<::silk::wasm::Value>) {");
        c.line("uint32_t h = args[0].as_i32();");
        c.line("if (!st." + n + "_handles.remove(h))");
        c.line("  return ::silk::wasm::make_error(::silk::wasm::ErrorKind::Trap, \"canonical_abi.resource_drop_" + r->name +
               ": failed to remove handle: invalid handle index \" + std::to_string(h));");
        c.line("return {};");
        c.close();
        c.line("");
        c.open("::silk::wasm::Result<void> clone_" + n + "(" + state + "& st, ::silk::wasm::HostCall&, std::span<const ::silk::wasm::Value> args, std::span<::silk::wasm::Value> results) {");
        c.line("uint32_t h = args[0].as_i32();");
        c.line("auto obj = st." + n + "_handles.shared(h);");
        c.line("if (!obj) return ::silk::wasm::make_error(::silk::wasm::ErrorKind::Trap, \"canonical_abi.resource_clone_" + r->name +
               ": invalid handle index \" + std::to_string(h));");
        c.line("results[0] = ::silk::wasm::Value::i32(st." + n + "_handles.insert(std::move(obj)));");
        c.line("return {};");
        c.close();
        c.line("");
      }
      c.line("using ImportFn = ::silk::wasm::Result<void> (*)(" + state + "&, ::silk::wasm::HostCall&, std::span<const ::silk::wasm::Value>, std::span<::silk::wasm::Value>);");
      c.line("struct ImportEntry {");
      c.line("  const char* module;");
      c.line("  const char* name;");
      c.line("  ::silk::wasm::FuncType type;");
      c.line("  ImportFn fn;");
      c.line("};");
      c.line("");
      c.open("const std::vector<ImportEntry>& import_table() {");
      c.open("static const std::vector<ImportEntry> table = {");
      auto entry = [&](const wit::Function& f) {
        auto sig = m_.signature(iface_, f, abi::Direction::Import);
        c.line("{" + quote(iface_.name) + ", " + quote(Model::import_name(f)) + ", " + func_type(sig) + ", &import_" +
               snake(f.resource.empty() ? f.name : f.resource + "_" + f.name) + "},");
      };
      for (auto* r : resources())
        for (auto& f : r->functions) entry(f);
      for (auto& f : iface_.functions) entry(f);
      for (auto* r : resources()) {
        c.line("{\"canonical_abi\", " + quote("resource_drop_" + r->name) +
               ", ::silk::wasm::FuncType{{::silk::wasm::ValType::I32}, {}}, &drop_" + snake(r->name) + "},");
        c.line("{\"canonical_abi\", " + quote("resource_clone_" + r->name) +
               ", ::silk::wasm::FuncType{{::silk::wasm::ValType::I32}, {::silk::wasm::ValType::I32}}, &clone_" +
               snake(r->name) + "},");
      }
      c.close("};");
      c.line("return table;");
      c.close();
      c.line("");
      c.line("}  // namespace");
      c.line("");
      c.open("::silk::wasm::Result<std::shared_ptr<" + state + ">> register_" + snake(iface_.name) +
             "_imports(::silk::wasm::Store& store, ::silk::slight::abi::ImportResolver& imports, std::shared_ptr<" +
             pascal(iface_.name) + "Host> host) {");
      c.line("if (!host) return ::silk::wasm::make_error(::silk::wasm::ErrorKind::Usage, \"register_" + snake(iface_.name) + "_imports: no host\");");
      c.line("auto st = std::make_shared<" + state + ">();");
      c.line("st->host = std::move(host);");
      c.open("for (size_t i = 0; i < imports.imports().size(); i++) {");
      c.line("const ::silk::wasm::ImportInfo& imp = imports.imports()[i];");
      c.line("if (imports.is_bound(i)) continue;");
      c.line("const ImportEntry* found = nullptr;");
      c.line("for (auto& e : import_table())");
      c.line("  if (imp.module == e.module && imp.name == e.name) found = &e;");
      c.open("if (!found) {");
      c.line("if (imp.module == " + quote(iface_.name) + ")");
      c.line("  return ::silk::wasm::make_error(::silk::wasm::ErrorKind::Unlinkable, \"unknown import: \" + imp.module + \".\" + imp.name + \" is not a function of " + iface_.name + ".wit\");");
      c.line("continue;");
      c.close();
      c.line("SILK_TRY(::silk::slight::abi::check_import_type(imp, found->type));");
      c.line("ImportFn fn = found->fn;");
      c.line("::silk::wasm::Function* hf = store.create_host_function(");
      c.line("    found->type,");
      c.line("    [st, fn](::silk::wasm::HostCall& call, std::span<const ::silk::wasm::Value> args, std::span<::silk::wasm::Value> results) {");
      c.line("      return fn(*st, call, args, results);");
      c.line("    },");
      c.line("    imp.module + \".\" + imp.name);");
      c.line("imports.bind(i, ::silk::wasm::Extern::func(hf));");
      c.close();
      c.line("return st;");
      c.close();
      c.line("");
    }
    if (exported)
      for (auto& f : iface_.functions) export_function(c, f);
    c.line("}  // namespace silk::slight::" + ns_of(iface_));
    return {"slight/bindings/" + snake(iface_.name) + ".cc", c.text};
  }

 private:
  Model& m_;
  const wit::Interface& iface_;
  bool handles_ok_ = true;
};

}  // namespace

wasm::Result<std::vector<GeneratedFile>> generate_host_cpp(Model& model, const std::vector<InterfaceRole>& roles) {
  std::vector<GeneratedFile> out;
  std::set<const wit::Interface*> done;
  auto gen = [&](const wit::Interface& i, bool exported) -> wasm::Result<void> {
    if (!done.insert(&i).second) return {};
    HostGen g(model, i);
    out.push_back(g.header(exported));
    out.push_back(g.source(exported));
    if (!g.error.empty()) return wasm::make_error(wasm::ErrorKind::Invalid, i.path + ": " + g.error);
    return {};
  };
  // Dependencies (types-only interfaces such as http-types) get their files too.
  for (auto& r : roles) {
    for (auto& dep : model.package().interfaces()) {
      bool used = false;
      for (auto& u : r.iface->uses) used |= u.from == dep->name;
      if (used) SILK_TRY(gen(*dep, false));
    }
    SILK_TRY(gen(*r.iface, r.exported));
  }
  return out;
}

std::string describe_abi(Model& model, const std::vector<InterfaceRole>& roles) {
  std::string out;
  for (auto& r : roles) {
    out += r.exported ? "## guest EXPORT (" + r.iface->name + ")\n" : "## import module \"" + r.iface->name + "\"\n";
    auto dir = r.exported ? abi::Direction::Export : abi::Direction::Import;
    for (auto& d : r.iface->types)
      for (auto& f : d.functions) out += model.describe(*r.iface, f, dir);
    for (auto& f : r.iface->functions) out += model.describe(*r.iface, f, dir);
  }
  return out;
}

}  // namespace silk::slight::bindgen
