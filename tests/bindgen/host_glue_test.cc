// End to end through the GENERATED host glue: a C guest built with clang-19 and
// `silk bindgen --c` keyvalue bindings calls keyvalue open/set/get/keys/delete
// against an in-memory fake KeyvalueHost, in the silk engine. Strings and lists
// cross both ways, WIT errors come back as the expected's err case, and bad
// handles, bad UTF-8, out-of-bounds pointers and double drops trap with a
// message naming the function. Also: the generated export caller for
// http-handler (lower a request, lift the response, free guest buffers).
#include <gtest/gtest.h>

#include <map>

#include "guest_build.h"
#include "slight/bindings/http_handler.h"
#include "slight/bindings/keyvalue.h"
#include "wasm/engine.h"

namespace silk::slight::test {
namespace {

using keyvalue::Keyvalue;
using keyvalue::KeyvalueError;
using keyvalue::KeyvalueHost;
using Bytes = std::vector<uint8_t>;

// The fake backend: a map per store name, and a log of what the host saw.
struct FakeData {
  std::map<std::string, std::map<std::string, Bytes>> stores;
  std::vector<std::string> opened;
  int live_objects = 0;
};

class FakeKeyvalue : public Keyvalue {
 public:
  FakeKeyvalue(FakeData& d, std::string name) : d_(d), name_(std::move(name)) { d_.live_objects++; }
  ~FakeKeyvalue() override { d_.live_objects--; }
  abi::Expected<Bytes, KeyvalueError> get(const std::string& key) override {
    auto& s = d_.stores[name_];
    auto it = s.find(key);
    if (it == s.end()) return abi::unexpected(KeyvalueError::key_not_found("no such key: " + key));
    return it->second;
  }
  abi::Expected<abi::Unit, KeyvalueError> set(const std::string& key, const Bytes& value) override {
    if (key.empty()) return abi::unexpected(KeyvalueError::invalid_key("empty key"));
    d_.stores[name_][key] = value;
    return abi::Unit{};
  }
  abi::Expected<std::vector<std::string>, KeyvalueError> keys() override {
    std::vector<std::string> out;
    for (auto& [k, v] : d_.stores[name_]) out.push_back(k);
    return out;
  }
  abi::Expected<abi::Unit, KeyvalueError> delete_(const std::string& key) override {
    d_.stores[name_].erase(key);
    return abi::Unit{};
  }

 private:
  FakeData& d_;
  std::string name_;
};

class FakeHost : public KeyvalueHost {
 public:
  explicit FakeHost(FakeData& d) : d_(d) {}
  abi::Expected<std::shared_ptr<Keyvalue>, KeyvalueError> keyvalue_open(const std::string& name) override {
    d_.opened.push_back(name);
    if (name == "unreachable") return abi::unexpected(KeyvalueError::connection_error("cannot connect to " + name));
    return std::shared_ptr<Keyvalue>(std::make_shared<FakeKeyvalue>(d_, name));
  }

 private:
  FakeData& d_;
};

// Each exported function returns 0 on success or the line of the failed check.
const char* kGuest = R"C(
#include <stdlib.h>
#include <string.h>
#include "keyvalue.h"

#define CHECK(c) do { if (!(c)) return __LINE__; } while (0)

static keyvalue_keyvalue_t open_store(const char *name, int *err_line) {
  keyvalue_string_t n;
  keyvalue_string_set(&n, name);
  keyvalue_expected_keyvalue_keyvalue_error_t r;
  keyvalue_keyvalue_open(&n, &r);
  *err_line = r.is_err ? __LINE__ : 0;
  return r.val.ok;
}

static int set(keyvalue_keyvalue_t kv, const char *key, const void *value, size_t len) {
  keyvalue_string_t k;
  keyvalue_string_set(&k, key);
  keyvalue_list_u8_t v = {(uint8_t *)value, len};
  keyvalue_expected_unit_keyvalue_error_t r;
  keyvalue_keyvalue_set(kv, &k, &v, &r);
  return r.is_err ? -1 : 0;
}

__attribute__((export_name("roundtrip"))) int roundtrip(void) {
  int err;
  keyvalue_keyvalue_t kv = open_store("my-store", &err);
  CHECK(!err);
  CHECK(set(kv, "k1", "hello\0world", 11) == 0);
  CHECK(set(kv, "k2", "", 0) == 0);
  CHECK(set(kv, "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87-\xf0\x9f\x98\x80", "utf8", 4) == 0);

  keyvalue_string_t k;
  keyvalue_string_set(&k, "k1");
  keyvalue_expected_list_u8_keyvalue_error_t got;
  keyvalue_keyvalue_get(kv, &k, &got);
  CHECK(!got.is_err);
  CHECK(got.val.ok.len == 11 && memcmp(got.val.ok.ptr, "hello\0world", 11) == 0);
  keyvalue_expected_list_u8_keyvalue_error_free(&got);

  keyvalue_string_set(&k, "k2");
  keyvalue_keyvalue_get(kv, &k, &got);
  CHECK(!got.is_err && got.val.ok.len == 0);
  keyvalue_expected_list_u8_keyvalue_error_free(&got);

  keyvalue_expected_list_string_keyvalue_error_t keys;
  keyvalue_keyvalue_keys(kv, &keys);
  CHECK(!keys.is_err);
  CHECK(keys.val.ok.len == 3);
  CHECK(keys.val.ok.ptr[0].len == 2 && memcmp(keys.val.ok.ptr[0].ptr, "k1", 2) == 0);
  CHECK(keys.val.ok.ptr[1].len == 2 && memcmp(keys.val.ok.ptr[1].ptr, "k2", 2) == 0);
  CHECK(keys.val.ok.ptr[2].len == 13 && memcmp(keys.val.ok.ptr[2].ptr, "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87-\xf0\x9f\x98\x80", 13) == 0);
  keyvalue_expected_list_string_keyvalue_error_free(&keys);

  keyvalue_expected_unit_keyvalue_error_t unit;
  keyvalue_string_set(&k, "k1");
  keyvalue_keyvalue_delete(kv, &k, &unit);
  CHECK(!unit.is_err);
  keyvalue_keyvalue_get(kv, &k, &got);
  CHECK(got.is_err);
  CHECK(got.val.err.tag == KEYVALUE_KEYVALUE_ERROR_KEY_NOT_FOUND);
  CHECK(got.val.err.val.key_not_found.len == 15 && memcmp(got.val.err.val.key_not_found.ptr, "no such key: k1", 15) == 0);
  keyvalue_expected_list_u8_keyvalue_error_free(&got);

  CHECK(set(kv, "", "x", 1) == -1);  // the backend's invalid-key error
  keyvalue_keyvalue_free(&kv);
  return 0;
}

__attribute__((export_name("open_error"))) int open_error(void) {
  keyvalue_string_t n;
  keyvalue_string_set(&n, "unreachable");
  keyvalue_expected_keyvalue_keyvalue_error_t r;
  keyvalue_keyvalue_open(&n, &r);
  CHECK(r.is_err);
  CHECK(r.val.err.tag == KEYVALUE_KEYVALUE_ERROR_CONNECTION_ERROR);
  CHECK(r.val.err.val.connection_error.len == 29);
  CHECK(memcmp(r.val.err.val.connection_error.ptr, "cannot connect to unreachable", 29) == 0);
  keyvalue_keyvalue_error_free(&r.val.err);
  return 0;
}

// Handles: a second open gets a new index; after a drop the index is reused.
__attribute__((export_name("handles"))) int handles(void) {
  int err;
  keyvalue_keyvalue_t a = open_store("a", &err), b = open_store("b", &err);
  CHECK(a.idx == 0 && b.idx == 1);
  keyvalue_keyvalue_free(&a);
  keyvalue_keyvalue_t c = open_store("c", &err);
  CHECK(c.idx == 0);
  keyvalue_keyvalue_free(&b);
  keyvalue_keyvalue_free(&c);
  return 0;
}

__attribute__((export_name("bad_handle"))) void bad_handle(void) {
  keyvalue_keyvalue_t kv = {999};
  keyvalue_string_t k;
  keyvalue_string_set(&k, "k");
  keyvalue_expected_list_u8_keyvalue_error_t got;
  keyvalue_keyvalue_get(kv, &k, &got);
}

__attribute__((export_name("dropped_handle"))) void dropped_handle(void) {
  int err;
  keyvalue_keyvalue_t kv = open_store("s", &err);
  keyvalue_keyvalue_free(&kv);
  keyvalue_expected_list_string_keyvalue_error_t keys;
  keyvalue_keyvalue_keys(kv, &keys);
}

__attribute__((export_name("double_drop"))) void double_drop(void) {
  int err;
  keyvalue_keyvalue_t kv = open_store("s", &err);
  keyvalue_keyvalue_free(&kv);
  keyvalue_keyvalue_free(&kv);
}

__attribute__((export_name("bad_utf8"))) void bad_utf8(void) {
  int err;
  keyvalue_keyvalue_t kv = open_store("s", &err);
  keyvalue_string_t k = {(char *)"bad\xff\xfe", 5};
  keyvalue_expected_list_u8_keyvalue_error_t got;
  keyvalue_keyvalue_get(kv, &k, &got);
}

__attribute__((export_name("bad_pointer"))) void bad_pointer(void) {
  int err;
  keyvalue_keyvalue_t kv = open_store("s", &err);
  keyvalue_string_t k = {(char *)0xfffffff0u, 100};
  keyvalue_expected_list_u8_keyvalue_error_t got;
  keyvalue_keyvalue_get(kv, &k, &got);
}
)C";

class HostGlue : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string dir = make_temp_dir();
    if (!generate_c(dir, {"keyvalue"})) return;
    std::ofstream(dir + "/guest.c") << kGuest;
    if (!compile_guest(dir, {"guest.c", "keyvalue.c"}, "guest.wasm", "-mexec-model=reactor")) return;
    wasm_ = new std::vector<uint8_t>(read_bytes(dir + "/guest.wasm"));
  }

  void SetUp() override {
    ASSERT_NE(wasm_, nullptr) << "the guest did not build";
    auto m = wasm::load_module(*wasm_);
    ASSERT_TRUE(m.ok()) << m.error().describe();
    module_ = m.value();
    abi::ImportResolver resolver(wasm::module_imports(*module_));
    auto st = keyvalue::register_keyvalue_imports(store_, resolver, std::make_shared<FakeHost>(data_));
    ASSERT_TRUE(st.ok()) << st.error().describe();
    state_ = st.value();
    // The reactor's WASI imports (if any) are not exercised: trap if called.
    for (size_t i = 0; i < resolver.imports().size(); i++) {
      auto& imp = resolver.imports()[i];
      if (resolver.is_bound(i) || imp.kind != wasm::ExternKind::Func) continue;
      std::string n = imp.module + "." + imp.name;
      resolver.bind(i, wasm::Extern::func(store_.create_host_function(
                           imp.func, [n](wasm::HostCall&, auto, auto) -> wasm::Result<void> {
                             return wasm::make_error(wasm::ErrorKind::Trap, "unexpected call to " + n);
                           })));
    }
    auto externs = resolver.externs();
    ASSERT_TRUE(externs.ok()) << externs.error().describe();
    auto inst = store_.instantiate(module_, *externs);
    ASSERT_TRUE(inst.ok()) << inst.error().describe();
    instance_ = inst.value();
    if (auto* init = instance_->function("_initialize")) ASSERT_TRUE(store_.call(init, {}).ok());
  }

  wasm::Result<std::vector<wasm::Value>> call(const char* name) {
    wasm::Function* f = instance_->function(name);
    EXPECT_NE(f, nullptr) << name;
    return store_.call(f, {});
  }
  void expect_ok(const char* name) {
    auto r = call(name);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ((*r)[0].as_i32(), 0u) << name << " failed the check at guest line " << (*r)[0].as_i32();
  }
  void expect_trap(const char* name, const std::string& message) {
    auto r = call(name);
    ASSERT_FALSE(r.ok()) << name << " did not trap";
    EXPECT_EQ(r.error().kind, wasm::ErrorKind::Trap);
    EXPECT_TRUE(r.error().message.starts_with(message)) << "got: " << r.error().message << "\nwanted: " << message;
  }

  static std::vector<uint8_t>* wasm_;
  FakeData data_;
  wasm::Store store_;
  std::shared_ptr<const wasm::Module> module_;
  std::shared_ptr<keyvalue::KeyvalueState> state_;
  wasm::Instance* instance_ = nullptr;
};
std::vector<uint8_t>* HostGlue::wasm_ = nullptr;

TEST_F(HostGlue, StringsAndListsCrossBothWays) {
  expect_ok("roundtrip");
  ASSERT_EQ(data_.opened, std::vector<std::string>{"my-store"});
  auto& s = data_.stores["my-store"];
  EXPECT_EQ(s.size(), 2u);  // k1 deleted
  EXPECT_EQ(s["k2"], Bytes{});
  EXPECT_EQ(s["\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87-\xf0\x9f\x98\x80"], (Bytes{'u', 't', 'f', '8'}));
  EXPECT_EQ(state_->keyvalue_handles.live(), 0u);  // the guest dropped its handle
  EXPECT_EQ(data_.live_objects, 0);
}

TEST_F(HostGlue, ErrorsComeBackAsTheErrCase) { expect_ok("open_error"); }

TEST_F(HostGlue, HandlesAreIndicesFromZeroWithLifoReuse) {
  expect_ok("handles");
  EXPECT_EQ(state_->keyvalue_handles.live(), 0u);
}

TEST_F(HostGlue, BadHandleTraps) {
  expect_trap("bad_handle", "keyvalue.keyvalue::get: invalid handle index 999 for resource keyvalue");
}

TEST_F(HostGlue, DroppedHandleTraps) {
  expect_trap("dropped_handle", "keyvalue.keyvalue::keys: invalid handle index 0");
}

TEST_F(HostGlue, DoubleDropTraps) {
  expect_trap("double_drop", "canonical_abi.resource_drop_keyvalue: failed to remove handle: invalid handle index 0");
}

TEST_F(HostGlue, BadUtf8Traps) { expect_trap("bad_utf8", "keyvalue.keyvalue::get: invalid utf-8"); }

TEST_F(HostGlue, OutOfBoundsPointerTraps) {
  expect_trap("bad_pointer", "keyvalue.keyvalue::get: out of bounds pointer 0xfffffff0 (+100)");
}

TEST_F(HostGlue, UnknownImportInModuleIsUnlinkable) {
  auto bytes = std::vector<uint8_t>{};
  // (module (import "keyvalue" "keyvalue::frobnicate" (func (param i32))))
  const uint8_t wasm_bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x01,
                                0x7f, 0x00, 0x02, 0x21, 0x01, 0x08, 'k',  'e',  'y',  'v',  'a',  'l',  'u',
                                'e',  0x14, 'k',  'e',  'y',  'v',  'a',  'l',  'u',  'e',  ':',  ':',  'f',
                                'r',  'o',  'b',  'n',  'i',  'c',  'a',  't',  'e',  0x00, 0x00};
  auto m = wasm::load_module(wasm_bytes);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  abi::ImportResolver resolver(wasm::module_imports(**m));
  auto st = keyvalue::register_keyvalue_imports(store_, resolver, std::make_shared<FakeHost>(data_));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, wasm::ErrorKind::Unlinkable);
  EXPECT_EQ(st.error().message, "unknown import: keyvalue.keyvalue::frobnicate is not a function of keyvalue.wit");
}

// The generated export caller: host -> guest handle-http.
const char* kHandler = R"C(
#include <string.h>
#include "http-handler.h"

static void dup(http_handler_string_t *s, const char *text) { http_handler_string_dup(s, text); }

// Echoes the request: status 200 + (method*100), headers = request params, body = uri + body.
static void echo(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  if (req->uri.len == 4 && memcmp(req->uri.ptr, "/err", 4) == 0) {
    ret->is_err = true;
    ret->val.err.tag = HTTP_HANDLER_HTTP_ERROR_STATUS_ERROR;
    ret->val.err.val.status_error = 418;
    http_handler_request_free(req);
    return;
  }
  ret->is_err = false;
  ret->val.ok.status = 200 + req->method * 100;
  ret->val.ok.headers.is_some = true;
  ret->val.ok.headers.val.ptr = req->params.ptr;  // ownership moves to the response
  ret->val.ok.headers.val.len = req->params.len;
  size_t n = req->uri.len + (req->body.is_some ? req->body.val.len : 0);
  uint8_t *body = canonical_abi_realloc(NULL, 0, 1, n);
  memcpy(body, req->uri.ptr, req->uri.len);
  if (req->body.is_some) memcpy(body + req->uri.len, req->body.val.ptr, req->body.val.len);
  ret->val.ok.body.is_some = true;
  ret->val.ok.body.val.ptr = body;
  ret->val.ok.body.val.len = n;
  http_handler_string_free(&req->uri);
  http_handler_list_tuple2_string_string_free(&req->headers);
  if (req->body.is_some) http_handler_list_u8_free(&req->body.val);
  (void)dup;
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-echo", echo)
)C";

TEST(HostGlueExport, HandleHttpThroughTheGeneratedCaller) {
  std::string dir = make_temp_dir();
  ASSERT_TRUE(generate_c(dir, {}, {"http-handler"}));
  std::ofstream(dir + "/handler.c") << kHandler;
  ASSERT_TRUE(compile_guest(dir, {"handler.c", "http-handler.c"}, "handler.wasm", "-mexec-model=reactor"));
  auto m = wasm::load_module(read_bytes(dir + "/handler.wasm"));
  ASSERT_TRUE(m.ok()) << m.error().describe();
  wasm::Store store;
  abi::ImportResolver resolver(wasm::module_imports(**m));
  for (size_t i = 0; i < resolver.imports().size(); i++)
    resolver.bind(i, wasm::Extern::func(store.create_host_function(
                         resolver.imports()[i].func,
                         [](wasm::HostCall&, auto, auto) -> wasm::Result<void> { return wasm::make_error(wasm::ErrorKind::Trap, "no wasi"); })));
  auto inst = store.instantiate(m.value(), resolver.externs().value());
  ASSERT_TRUE(inst.ok()) << inst.error().describe();
  if (auto* init = (*inst)->function("_initialize")) ASSERT_TRUE(store.call(init, {}).ok());

  http_types::Request req;
  req.method = http_types::Method::Put;
  req.uri = "/person/ada";
  req.headers = {{"content-type", "text/plain"}};
  req.params = {{"name", "ada"}, {"x", ""}};
  req.body = Bytes{'!', '?'};
  auto r = http_handler::call_handle_http(store, **inst, req, "handle-echo");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_TRUE(r->has_value());
  const http_types::Response& resp = r->value();
  EXPECT_EQ(resp.status, 400);  // 200 + put(2) * 100
  ASSERT_TRUE(resp.headers.has_value());
  EXPECT_EQ(*resp.headers, req.params);
  ASSERT_TRUE(resp.body.has_value());
  EXPECT_EQ(std::string(resp.body->begin(), resp.body->end()), "/person/ada!?");

  req.uri = "/err";
  auto e = http_handler::call_handle_http(store, **inst, req, "handle-echo");
  ASSERT_TRUE(e.ok()) << e.error().describe();
  ASSERT_FALSE(e->has_value());
  EXPECT_EQ(e->error(), http_types::HttpError::status_error(418));

  auto missing = http_handler::call_handle_http(store, **inst, req, "handle-nothing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "the module does not export handle-nothing");
}

// Return areas and records are read at guest pointer + field offset. The
// sum is computed in 64 bits: with a full 4 GiB memory, a pointer near the top
// plus an offset must be out of bounds, not wrap around to low memory.
TEST(HostGlueGuestMemory, FieldAddressesDoNotWrapAt4GiB) {
  // (module (memory (export "memory") 65536)): 4 GiB, reserved, never touched.
  const std::vector<uint8_t> bytes{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x05, 0x01, 0x00,
                                   0x80, 0x80, 0x04, 0x07, 0x0a, 0x01, 0x06, 'm',  'e',  'm',  'o',  'r',
                                   'y',  0x02, 0x00};
  auto m = wasm::load_module(bytes);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  wasm::Store store;
  auto inst = store.instantiate(m.value(), {});
  ASSERT_TRUE(inst.ok()) << inst.error().describe();
  abi::Guest g(store, **inst, "test");
  uint32_t retptr = 0xfffffffcu;
  EXPECT_TRUE(g.load<uint32_t>(retptr).ok());  // the last word of memory
  auto wrapped = g.load<uint32_t>(uint64_t(retptr) + 4);  // what the generated glue emits for field +4
  ASSERT_FALSE(wrapped.ok());
  EXPECT_NE(wrapped.error().message.find("out of bounds pointer 0x100000000"), std::string::npos)
      << wrapped.error().message;
  EXPECT_FALSE(g.store<uint64_t>(uint64_t(retptr) + 0, 1).ok());  // 8 bytes do not fit either
}

}  // namespace
}  // namespace silk::slight::test
