// libFuzzer target for the canonical-ABI lifting in the GENERATED host glue
// (slight/bindings/*.cc over src/slight/abi/guest.h): bounds-checked guest
// memory reads, UTF-8 checks, string/list/variant lifting, handle tables,
// and the lowering of results through the guest's canonical_abi_realloc.
//
// A tiny wasm guest (assembled below, no toolchain needed) imports every
// function of keyvalue.wit, http-client.wit and sql.wit plus their
// canonical_abi.resource_drop_*/clone_* and re-exports each one as "c<i>" with
// the same core signature, so the fuzzer calls the real generated import path
// with arguments of its choosing, from a real wasm caller whose memory it has
// filled. The guest also exports handle-http (http-handler.wit) and
// on-server-init (http-server-export.wit), whose result pointer the fuzzer
// picks, so the generated export callers lift fuzzer-made results. The
// guest's canonical_abi_realloc is a host bump allocator that can grow memory
// on every call and hand out one fuzzer-chosen (bad) pointer.
//
// Input:
//   u16 image length L, L bytes copied to guest memory at 0 (1 page, max 4);
//   u8 flags (bit 0: realloc grows memory by a page each call);
//   u8 bad_alloc (the realloc call that returns bad_ptr; 255 = none), u32 bad_ptr;
//   then up to 16 commands: u8 op, and one u32 per core parameter of that
//   function (missing bytes read as 0). op picks an import re-export, or
//   handle-http / on-server-init (then one u32: the result pointer).
// Checked:
//  * no crash, sanitizer report or hang on any input;
//  * every failure is a Trap (never another kind, never a host exception);
//  * keyvalue::open reaches the host exactly when its name is inside memory
//    and well-formed UTF-8 (by a reference validator written from Unicode's
//    Table 3-7), and then with exactly those bytes; is_valid_utf8 agrees with
//    the reference on every string the fuzzer points at.
//
// Build: cmake -DSILK_FUZZ=ON (build-fuzz/), ninja fuzz_guest_abi; run:
//   scripts/fuzz guest_abi [seconds]   (seeds: fuzz/guest_abi_seeds.py; SILK_FUZZ_TRACE=1 traces calls)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "slight/abi/guest.h"
#include "slight/bindings/http_client.h"
#include "slight/bindings/http_handler.h"
#include "slight/bindings/http_server_export.h"
#include "slight/bindings/keyvalue.h"
#include "slight/bindings/sql.h"
#include "wasm/engine.h"

namespace {

using namespace silk;
using namespace silk::slight;
using wasm::Value;
using Bytes = std::vector<uint8_t>;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_guest_abi: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Well-formed UTF-8 by Unicode 15 Table 3-7 (independent of abi::is_valid_utf8).
bool reference_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  auto in = [&](size_t k, uint8_t lo, uint8_t hi) { return i + k < n && s[i + k] >= lo && s[i + k] <= hi; };
  while (i < n) {
    uint8_t b = s[i];
    if (b <= 0x7f) {
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (!in(1, 0x80, 0xbf)) return false;
      i += 2;
    } else if (b == 0xe0 || b == 0xed || (b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef) {
      uint8_t lo = b == 0xe0 ? 0xa0 : 0x80, hi = b == 0xed ? 0x9f : 0xbf;
      if (!in(1, lo, hi) || !in(2, 0x80, 0xbf)) return false;
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      uint8_t lo = b == 0xf0 ? 0x90 : 0x80, hi = b == 0xf4 ? 0x8f : 0xbf;
      if (!in(1, lo, hi) || !in(2, 0x80, 0xbf) || !in(3, 0x80, 0xbf)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

// --- The fake capability backends (echo what they were given, so the lowering
// of results carries fuzzer-made strings and lists back into the guest).

struct Seen {
  bool open_called = false;
  std::string open_name;
};

class FakeKeyvalue : public keyvalue::Keyvalue {
 public:
  explicit FakeKeyvalue(std::shared_ptr<std::map<std::string, Bytes>> data) : data_(std::move(data)) {}
  abi::Expected<Bytes, keyvalue::KeyvalueError> get(const std::string& key) override {
    auto it = data_->find(key);
    if (it == data_->end()) return abi::unexpected(keyvalue::KeyvalueError::key_not_found(key));
    return it->second;
  }
  abi::Expected<abi::Unit, keyvalue::KeyvalueError> set(const std::string& key, const Bytes& value) override {
    if (key.empty()) return abi::unexpected(keyvalue::KeyvalueError::invalid_key("empty key"));
    if (data_->size() < 64) (*data_)[key] = value;
    return abi::Unit{};
  }
  abi::Expected<std::vector<std::string>, keyvalue::KeyvalueError> keys() override {
    std::vector<std::string> out;
    for (auto& [k, v] : *data_) out.push_back(k);
    return out;
  }
  abi::Expected<abi::Unit, keyvalue::KeyvalueError> delete_(const std::string& key) override {
    if (!data_->erase(key)) return abi::unexpected(keyvalue::KeyvalueError::io_error(key));
    return abi::Unit{};
  }

 private:
  std::shared_ptr<std::map<std::string, Bytes>> data_;
};

class FakeKeyvalueHost : public keyvalue::KeyvalueHost {
 public:
  explicit FakeKeyvalueHost(Seen& seen) : seen_(seen) {}
  abi::Expected<std::shared_ptr<keyvalue::Keyvalue>, keyvalue::KeyvalueError> keyvalue_open(
      const std::string& name) override {
    seen_.open_called = true;
    seen_.open_name = name;
    if (!name.empty() && name[0] == '!') return abi::unexpected(keyvalue::KeyvalueError::connection_error(name));
    return std::shared_ptr<keyvalue::Keyvalue>(std::make_shared<FakeKeyvalue>(data_));
  }

 private:
  Seen& seen_;
  std::shared_ptr<std::map<std::string, Bytes>> data_ = std::make_shared<std::map<std::string, Bytes>>();
};

class FakeHttpClient : public http_client::HttpClientHost {
 public:
  abi::Expected<http_types::Response, http_types::HttpError> request(const http_types::Request& req) override {
    using http_types::HttpError;
    if (req.method == http_types::Method::Delete) {
      switch (req.uri.size() % 5) {
        case 0: return abi::unexpected(HttpError::invalid_url(req.uri));
        case 1: return abi::unexpected(HttpError::timeout_error(req.uri));
        case 2: return abi::unexpected(HttpError::protocol_error(req.uri));
        case 3: return abi::unexpected(HttpError::status_error(uint16_t(req.headers.size())));
        default: return abi::unexpected(HttpError::unexpected_error(req.uri));
      }
    }
    http_types::Response r;
    r.status = uint16_t(req.uri.size());
    if (!req.params.empty()) r.headers = req.headers;
    r.body = req.body;
    return r;
  }
};

class FakeStatement : public sql::Statement {
 public:
  FakeStatement(std::string q, std::vector<std::string> p) : query(std::move(q)), params(std::move(p)) {}
  std::string query;
  std::vector<std::string> params;
};

class FakeSql : public sql::Sql {
 public:
  abi::Expected<std::vector<sql::RowItem>, sql::SqlError> query(sql::Statement& q) override {
    auto& st = static_cast<FakeStatement&>(q);
    if (st.query.empty()) return abi::unexpected(sql::SqlError::syntax_error("empty query"));
    std::vector<sql::RowItem> rows;
    for (size_t i = 0; i < st.params.size() && i < 32; i++) {
      const std::string& p = st.params[i];
      sql::DataType v;
      switch ((p.size() + i) % 13) {
        case 0: v = sql::DataType::int32(-int32_t(p.size())); break;
        case 1: v = sql::DataType::int64(-int64_t(p.size()) << 40); break;
        case 2: v = sql::DataType::uint32(uint32_t(p.size())); break;
        case 3: v = sql::DataType::uint64(uint64_t(p.size()) << 40); break;
        case 4: v = sql::DataType::float_(double(p.size()) / 3); break;
        case 5: v = sql::DataType::double_(-double(p.size()) / 7); break;
        case 6: v = sql::DataType::str(p); break;
        case 7: v = sql::DataType::boolean(p.size() & 1); break;
        case 8: v = sql::DataType::date(p); break;
        case 9: v = sql::DataType::time(p); break;
        case 10: v = sql::DataType::timestamp(p); break;
        case 11: v = sql::DataType::binary(Bytes(p.begin(), p.end())); break;
        default: v = sql::DataType::null(); break;
      }
      rows.push_back({p, std::move(v)});
    }
    return rows;
  }
  abi::Expected<abi::Unit, sql::SqlError> exec(sql::Statement& q) override {
    auto& st = static_cast<FakeStatement&>(q);
    if (st.params.size() % 2) return abi::unexpected(sql::SqlError::constraint_violation(st.query));
    return abi::Unit{};
  }
};

class FakeSqlHost : public sql::SqlHost {
 public:
  abi::Expected<std::shared_ptr<sql::Sql>, sql::SqlError> sql_open(const std::string& name) override {
    if (name.empty()) return abi::unexpected(sql::SqlError::access_violation("no name"));
    return std::shared_ptr<sql::Sql>(std::make_shared<FakeSql>());
  }
  std::shared_ptr<sql::Statement> statement_prepare(const std::string& query,
                                                    const std::vector<std::string>& params) override {
    return std::make_shared<FakeStatement>(query, params);
  }
};

// --- The guest module.

struct ImportDecl {
  const char* module;
  const char* name;
  uint8_t params, results;  // all i32
};
// The imports of keyvalue.wit, http-client.wit and sql.wit (core signatures as
// the generated glue checks them: register_*_imports refuses a mismatch).
constexpr ImportDecl kImports[] = {
    {"keyvalue", "keyvalue::open", 3, 0},
    {"keyvalue", "keyvalue::get", 4, 0},
    {"keyvalue", "keyvalue::set", 6, 0},
    {"keyvalue", "keyvalue::keys", 2, 0},
    {"keyvalue", "keyvalue::delete", 4, 0},
    {"canonical_abi", "resource_drop_keyvalue", 1, 0},
    {"canonical_abi", "resource_clone_keyvalue", 1, 1},
    {"http-client", "request", 11, 0},
    {"sql", "sql::open", 3, 0},
    {"sql", "sql::query", 3, 0},
    {"sql", "sql::exec", 3, 0},
    {"sql", "statement::prepare", 4, 1},
    {"canonical_abi", "resource_drop_sql", 1, 0},
    {"canonical_abi", "resource_clone_sql", 1, 1},
    {"canonical_abi", "resource_drop_statement", 1, 0},
    {"canonical_abi", "resource_clone_statement", 1, 1},
};
constexpr size_t kNumImports = std::size(kImports);
constexpr size_t kKeyvalueOpen = 0;
constexpr size_t kOpHandleHttp = kNumImports, kOpServerInit = kNumImports + 1, kNumOps = kNumImports + 2;
constexpr uint32_t kMaxPages = 4;

void leb(std::vector<uint8_t>& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? b | 0x80 : b);
  } while (v);
}
void name(std::vector<uint8_t>& out, std::string_view s) {
  leb(out, uint32_t(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}
void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& body) {
  out.push_back(id);
  leb(out, uint32_t(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

// Types: one per import (i), then fuzz.realloc = (i32 x4)->i32 (K), fuzz.ret =
// ()->i32 (K+1), canonical_abi_free = (i32 x3)->() (K+2), handle-http =
// (i32 x10)->i32 (K+3). Functions: imports 0..K+1, then K forwarders "c<i>",
// canonical_abi_realloc, canonical_abi_free, handle-http, on-server-init.
std::vector<uint8_t> build_guest() {
  const uint32_t K = kNumImports;
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  auto functype = [](std::vector<uint8_t>& out, uint32_t params, uint32_t results) {
    out.push_back(0x60);
    leb(out, params);
    for (uint32_t i = 0; i < params; i++) out.push_back(0x7f);
    leb(out, results);
    for (uint32_t i = 0; i < results; i++) out.push_back(0x7f);
  };
  std::vector<uint8_t> types;
  leb(types, K + 4);
  for (auto& d : kImports) functype(types, d.params, d.results);
  functype(types, 4, 1);
  functype(types, 0, 1);
  functype(types, 3, 0);
  functype(types, 10, 1);
  section(m, 1, types);

  std::vector<uint8_t> imports;
  leb(imports, K + 2);
  for (uint32_t i = 0; i < K; i++) {
    name(imports, kImports[i].module);
    name(imports, kImports[i].name);
    imports.push_back(0x00);
    leb(imports, i);
  }
  name(imports, "fuzz"), name(imports, "realloc"), imports.push_back(0x00), leb(imports, K);
  name(imports, "fuzz"), name(imports, "ret"), imports.push_back(0x00), leb(imports, K + 1);
  section(m, 2, imports);

  std::vector<uint8_t> funcs;
  leb(funcs, K + 4);
  for (uint32_t i = 0; i < K; i++) leb(funcs, i);
  leb(funcs, K), leb(funcs, K + 2), leb(funcs, K + 3), leb(funcs, K + 1);
  section(m, 3, funcs);

  section(m, 5, {0x01, 0x01, 0x01, uint8_t(kMaxPages)});  // one memory: min 1, max kMaxPages

  const uint32_t first = K + 2;  // index of the first defined function
  std::vector<uint8_t> exports;
  leb(exports, K + 5);
  for (uint32_t i = 0; i < K; i++) {
    name(exports, "c" + std::to_string(i));
    exports.push_back(0x00);
    leb(exports, first + i);
  }
  name(exports, "canonical_abi_realloc"), exports.push_back(0x00), leb(exports, first + K);
  name(exports, "canonical_abi_free"), exports.push_back(0x00), leb(exports, first + K + 1);
  name(exports, "handle-http"), exports.push_back(0x00), leb(exports, first + K + 2);
  name(exports, "on-server-init"), exports.push_back(0x00), leb(exports, first + K + 3);
  name(exports, "memory"), exports.push_back(0x02), leb(exports, 0);
  section(m, 7, exports);

  auto body = [](std::vector<uint8_t>& out, uint32_t nargs, int call) {
    std::vector<uint8_t> b = {0x00};  // no locals
    for (uint32_t a = 0; a < nargs; a++) b.push_back(0x20), leb(b, a);  // local.get a
    if (call >= 0) b.push_back(0x10), leb(b, uint32_t(call));            // call
    b.push_back(0x0b);
    leb(out, uint32_t(b.size()));
    out.insert(out.end(), b.begin(), b.end());
  };
  std::vector<uint8_t> code;
  leb(code, K + 4);
  for (uint32_t i = 0; i < K; i++) body(code, kImports[i].params, int(i));
  body(code, 4, int(K));      // canonical_abi_realloc -> fuzz.realloc
  body(code, 0, -1);          // canonical_abi_free: nothing
  body(code, 0, int(K + 1));  // handle-http -> fuzz.ret
  body(code, 0, int(K + 1));  // on-server-init -> fuzz.ret
  section(m, 10, code);
  return m;
}

std::shared_ptr<const wasm::Module> g_module;

class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  uint8_t u8() { return p_ < end_ ? *p_++ : 0; }
  uint16_t u16() { return uint16_t(u8() | (u8() << 8)); }
  uint32_t u32() { return uint32_t(u16()) | (uint32_t(u16()) << 16); }
  std::span<const uint8_t> take(size_t n) {
    n = std::min<size_t>(n, size_t(end_ - p_));
    std::span<const uint8_t> s(p_, n);
    p_ += n;
    return s;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// SILK_FUZZ_TRACE=1: print every call's outcome (to check what seeds reach).
const bool g_trace = std::getenv("SILK_FUZZ_TRACE") != nullptr;

void expect_trap(const wasm::Error& e, const char* what) {
  if (e.kind != wasm::ErrorKind::Trap) fail(what, "not a trap: " + e.describe());
}

template <typename R>
void outcome(const R& r, const char* what) {
  if (!r.ok()) expect_trap(r.error(), what);
  if (g_trace) std::fprintf(stderr, "  %s: %s\n", what, r.ok() ? "ok" : r.error().message.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto m = wasm::load_module(build_guest());
  if (!m.ok()) fail("the guest module does not load", m.error().describe());
  g_module = m.value();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  std::span<const uint8_t> image = in.take(in.u16());
  uint8_t flags = in.u8();
  uint8_t bad_alloc = in.u8();
  uint32_t bad_ptr = in.u32();

  wasm::StoreOptions opts;
  opts.max_memory_pages = kMaxPages;
  wasm::Store store(opts);
  Seen seen;
  abi::ImportResolver resolver(wasm::module_imports(*g_module));
  auto kv = keyvalue::register_keyvalue_imports(store, resolver, std::make_shared<FakeKeyvalueHost>(seen));
  auto hc = http_client::register_http_client_imports(store, resolver, std::make_shared<FakeHttpClient>());
  auto sq = sql::register_sql_imports(store, resolver, std::make_shared<FakeSqlHost>());
  if (!kv.ok() || !hc.ok() || !sq.ok()) fail("register", "the generated glue refuses the guest");

  // fuzz.realloc: a bump allocator from 0x8000 (memory 0 of the caller).
  uint32_t next = 0x8000, calls = 0;
  uint32_t ret_ptr = 0;
  for (size_t i = 0; i < resolver.imports().size(); i++) {
    const auto& imp = resolver.imports()[i];
    if (resolver.is_bound(i)) continue;
    if (imp.name == "realloc") {
      resolver.bind(i, wasm::Extern::func(store.create_host_function(
                           imp.func,
                           [&](wasm::HostCall& call, std::span<const Value> args, std::span<Value> results) -> wasm::Result<void> {
                             uint32_t align = args[2].as_i32(), want = args[3].as_i32();
                             if (flags & 1) (void)wasm::memory_grow(call.memory, 1);
                             if (calls++ == bad_alloc) {
                               results[0] = Value::i32(bad_ptr);
                               return {};
                             }
                             if (align == 0 || align > 8 || (align & (align - 1))) align = 1;
                             uint64_t p = (uint64_t(next) + align - 1) & ~uint64_t(align - 1);
                             next = uint32_t(std::min<uint64_t>(p + want, 0xffffffffu));
                             results[0] = Value::i32(uint32_t(p));  // may be past the end: the glue must check
                             return {};
                           },
                           "fuzz.realloc")));
    } else if (imp.name == "ret") {
      resolver.bind(i, wasm::Extern::func(store.create_host_function(
                           imp.func,
                           [&](wasm::HostCall&, std::span<const Value>, std::span<Value> results) -> wasm::Result<void> {
                             results[0] = Value::i32(ret_ptr);
                             return {};
                           },
                           "fuzz.ret")));
    }
  }
  auto externs = resolver.externs();
  if (!externs.ok()) fail("unbound import", externs.error().describe());
  auto inst = store.instantiate(g_module, *externs);
  if (!inst.ok()) fail("instantiate", inst.error().describe());
  wasm::Instance& instance = **inst;
  wasm::Memory* memory = instance.default_memory();
  std::memcpy(wasm::memory_data(memory), image.data(), image.size());

  for (int n = 0; n < 16 && !in.empty(); n++) {
    size_t op = in.u8() % kNumOps;
    if (op == kOpHandleHttp) {
      ret_ptr = in.u32();
      http_types::Request req;
      req.method = http_types::Method(n % 7);
      req.uri = "/fuzz";
      req.headers = {{"a", "b"}};
      if (n & 1) req.body = Bytes{1, 2, 3};
      auto r = http_handler::call_handle_http(store, instance, req, "handle-http");
      outcome(r, "handle-http");
      if (g_trace && r.ok() && r->has_value())
        std::fprintf(stderr, "    status %u, body %zu bytes\n", r->value().status,
                     r->value().body ? r->value().body->size() : 0);
      continue;
    }
    if (op == kOpServerInit) {
      ret_ptr = in.u32();
      auto r = http_server_export::call_on_server_init(store, instance, "on-server-init");
      outcome(r, "on-server-init");
      continue;
    }
    std::vector<Value> args;
    for (uint32_t a = 0; a < kImports[op].params; a++) args.push_back(Value::i32(in.u32()));

    // The oracle for keyvalue::open(ptr, len, retptr): reached with exactly the
    // bytes in memory iff they are in bounds and well-formed UTF-8.
    std::string expected;
    bool should_reach = false;
    if (op == kKeyvalueOpen) {
      uint64_t ptr = args[0].as_i32(), len = args[1].as_i32(), mem = wasm::memory_size_bytes(memory);
      if (ptr + len <= mem) {
        const uint8_t* s = wasm::memory_data(memory) + ptr;
        should_reach = reference_utf8(s, len);
        if (should_reach != abi::is_valid_utf8({reinterpret_cast<const char*>(s), size_t(len)}))
          fail("is_valid_utf8 disagrees with the reference", std::to_string(ptr) + "+" + std::to_string(len));
        expected.assign(reinterpret_cast<const char*>(s), len);
      }
      seen.open_called = false;
    }
    auto r = store.call(instance.function("c" + std::to_string(op)), args);
    outcome(r, kImports[op].name);
    if (op == kKeyvalueOpen) {
      if (seen.open_called != should_reach)
        fail("keyvalue::open", should_reach ? "valid name refused" : "bad name reached the host");
      if (should_reach && seen.open_name != expected) fail("keyvalue::open", "the host saw other bytes");
    }
  }
  return 0;
}
