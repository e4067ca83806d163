// `silk bindgen --c`: the generated C for keyvalue.wit, http-server.wit (imports)
// and http-handler.wit + http-server-export.wit (exports) compiles with clang-19
// for wasm32-wasi, and the module's imports and exports (wasm-objdump -x) are
// exactly those of ABI.md Appendix B (data/appendix_b.txt).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "guest_build.h"

namespace silk::slight::test {
namespace {

// (module.name) -> "(i32, i32) -> ()" from the appendix.
std::map<std::string, std::string> appendix_signatures() {
  std::map<std::string, std::string> out;
  std::ifstream f(std::string(SILK_BINDGEN_TEST_DATA) + "/appendix_b.txt");
  std::string line, module;
  static const std::regex import_section("## import module \"([a-z-]+)\"");
  static const std::regex export_section("## guest EXPORT.*");
  static const std::regex fn("- \"([^\"]+)\": (\\([^)]*\\) -> \\([^)]*\\)).*");
  std::smatch m;
  while (std::getline(f, line)) {
    if (std::regex_match(line, m, import_section)) module = m[1];
    else if (std::regex_match(line, m, export_section)) module = "<export>";
    else if (line.starts_with("## ")) module = "";
    else if (!module.empty() && std::regex_match(line, m, fn)) out[module + "." + std::string(m[1])] = m[2];
  }
  return out;
}

struct ObjdumpFunc {
  std::string name;  // module.field for imports, export name for exports
  std::string type;  // "(i32, i32) -> ()"
};

// Parses the Type, Import and Export sections of `wasm-objdump -x`.
void objdump(const std::string& wasm, std::vector<ObjdumpFunc>& imports, std::vector<ObjdumpFunc>& exports,
             std::set<std::string>& all_exports) {
  std::string out;
  ASSERT_TRUE(run("wasm-objdump -x " + wasm, &out));
  std::map<int, std::string> types;
  std::map<int, int> func_sig;  // function index -> type index
  static const std::regex type_re(" - type\\[(\\d+)\\] \\((.*)\\) -> (.*)");
  static const std::regex import_re(" - func\\[(\\d+)\\] sig=(\\d+) <[^>]*> <- (.+)");
  static const std::regex func_re(" - func\\[(\\d+)\\] sig=(\\d+).*");
  static const std::regex export_re(" - (func|memory)\\[(\\d+)\\](?: <[^>]*>)? -> \"(.+)\"");
  std::istringstream in(out);
  std::string line, section;
  std::smatch m;
  std::vector<std::pair<int, std::string>> export_funcs;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ') section = line.substr(0, line.find('['));
    if (section == "Type" && std::regex_match(line, m, type_re)) {
      std::string res = m[3];
      types[std::stoi(m[1])] = "(" + std::string(m[2]) + ") -> " + (res == "nil" ? "()" : "(" + res + ")");
    } else if (section == "Import" && std::regex_match(line, m, import_re)) {
      func_sig[std::stoi(m[1])] = std::stoi(m[2]);
      imports.push_back({m[3], types[std::stoi(m[2])]});
    } else if (section == "Function" && std::regex_match(line, m, func_re)) {
      func_sig[std::stoi(m[1])] = std::stoi(m[2]);
    } else if (section == "Export" && std::regex_match(line, m, export_re)) {
      all_exports.insert(m[3]);
      if (m[1] == "func") export_funcs.push_back({std::stoi(m[2]), m[3]});
    }
  }
  for (auto& [idx, name] : export_funcs) exports.push_back({name, types[func_sig[idx]]});
}

const char* kApp = R"C(
#include <string.h>
#include "keyvalue.h"
#include "http-server.h"
#include "http-handler.h"
#include "http-server-export.h"

// Uses every import so that the linker keeps them all.
static void use_keyvalue(void) {
  keyvalue_string_t name, key;
  keyvalue_string_set(&name, "store");
  keyvalue_string_set(&key, "k");
  keyvalue_expected_keyvalue_keyvalue_error_t kv;
  keyvalue_keyvalue_open(&name, &kv);
  if (kv.is_err) { keyvalue_keyvalue_error_free(&kv.val.err); return; }
  keyvalue_list_u8_t value = {(uint8_t *)"v", 1};
  keyvalue_expected_unit_keyvalue_error_t unit;
  keyvalue_keyvalue_set(kv.val.ok, &key, &value, &unit);
  keyvalue_expected_list_u8_keyvalue_error_t got;
  keyvalue_keyvalue_get(kv.val.ok, &key, &got);
  keyvalue_expected_list_u8_keyvalue_error_free(&got);
  keyvalue_expected_list_string_keyvalue_error_t keys;
  keyvalue_keyvalue_keys(kv.val.ok, &keys);
  keyvalue_expected_list_string_keyvalue_error_free(&keys);
  keyvalue_keyvalue_delete(kv.val.ok, &key, &unit);
  keyvalue_keyvalue_free(&kv.val.ok);
}

static void use_http_server(void) {
  http_server_expected_router_http_router_error_t r, r2, r3;
  http_server_string_t base, route, handler, addr;
  http_server_string_set(&base, "/api");
  http_server_string_set(&route, "/hello");
  http_server_string_set(&handler, "handle_hello");
  http_server_string_set(&addr, "0.0.0.0:3000");
  http_server_router_new(&r);
  http_server_router_new_with_base(&base, &r2);
  http_server_router_get(r.val.ok, &route, &handler, &r3);
  http_server_router_put(r.val.ok, &route, &handler, &r3);
  http_server_router_post(r.val.ok, &route, &handler, &r3);
  http_server_router_delete(r.val.ok, &route, &handler, &r3);
  http_server_expected_server_http_router_error_t s;
  http_server_server_serve(&addr, r3.val.ok, &s);
  http_server_expected_unit_http_router_error_t stopped;
  http_server_server_stop(s.val.ok, &stopped);
  http_server_router_free(&r.val.ok);
  http_server_server_free(&s.val.ok);
}

static void handle_hello(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  http_handler_request_free(req);
  ret->is_err = false;
  ret->val.ok.status = 200;
  ret->val.ok.headers.is_some = false;
  ret->val.ok.body.is_some = true;
  http_handler_string_t body;
  http_handler_string_dup(&body, "hello");
  ret->val.ok.body.val.ptr = (uint8_t *)body.ptr;
  ret->val.ok.body.val.len = body.len;
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-hello", handle_hello)
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-http", handle_hello)

static void init(http_server_export_expected_unit_string_t *ret) {
  use_keyvalue();
  use_http_server();
  ret->is_err = false;
}
HTTP_SERVER_EXPORT_EXPORT_ON_SERVER_INIT("on-server-init", init)
)C";

TEST(CBindings, CompileForWasm32WasiAndMatchAppendixB) {
  std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  ASSERT_TRUE(generate_c(dir, {"keyvalue", "http-server"}, {"http-handler", "http-server-export"}));
  {
    std::ofstream(dir + "/app.c") << kApp;
  }
  ASSERT_TRUE(compile_guest(dir, {"app.c", "keyvalue.c", "http-server.c", "http-handler.c", "http-server-export.c"},
                            "app.wasm", "-mexec-model=reactor"));
  std::vector<ObjdumpFunc> imports, exports;
  std::set<std::string> all_exports;
  objdump(dir + "/app.wasm", imports, exports, all_exports);
  auto expected = appendix_signatures();
  ASSERT_GT(expected.size(), 40u);

  std::set<std::string> seen;
  for (auto& i : imports) {
    if (i.name.starts_with("wasi_snapshot_preview1.")) continue;
    seen.insert(i.name);
    if (i.name.starts_with("canonical_abi.resource_drop_")) {
      EXPECT_EQ(i.type, "(i32) -> ()") << i.name;
      continue;
    }
    ASSERT_TRUE(expected.count(i.name)) << "unexpected import " << i.name;
    EXPECT_EQ(i.type, expected[i.name]) << i.name;
  }
  // Every keyvalue and http-server function of the appendix was imported.
  for (auto& [name, type] : expected)
    if (name.starts_with("keyvalue.") || name.starts_with("http-server."))
      EXPECT_TRUE(seen.count(name)) << "missing import " << name;
  for (auto* drop : {"canonical_abi.resource_drop_keyvalue", "canonical_abi.resource_drop_router",
                     "canonical_abi.resource_drop_server"})
    EXPECT_TRUE(seen.count(drop)) << drop;

  std::map<std::string, std::string> ex;
  for (auto& e : exports) ex[e.name] = e.type;
  EXPECT_EQ(ex["handle-hello"], expected["<export>.handle-http"]);
  EXPECT_EQ(ex["handle-http"], expected["<export>.handle-http"]);
  EXPECT_EQ(ex["on-server-init"], expected["<export>.on-server-init"]);
  EXPECT_EQ(ex["canonical_abi_realloc"], "(i32, i32, i32, i32) -> (i32)");
  EXPECT_EQ(ex["canonical_abi_free"], "(i32, i32, i32) -> ()");
  EXPECT_TRUE(all_exports.count("memory"));
}

TEST(CBindings, EveryInterfaceCompiles) {
  std::string dir = make_temp_dir();
  ASSERT_TRUE(generate_c(dir, {"keyvalue", "configs", "distributed-locking", "messaging", "sql", "http-server",
                               "http-client", "blob-store"},
                         {"http-handler", "http-server-export"}));
  for (auto* f : {"keyvalue", "configs", "distributed-locking", "messaging", "sql", "http-server", "http-client",
                  "blob-store", "http-handler", "http-server-export"})
    EXPECT_TRUE(run("cd " + dir + " && clang-19 --target=wasm32-wasi --sysroot=/usr -Wall -Wextra -Werror -c " +
                    std::string(f) + ".c -o " + f + ".o"))
        << f;
}

}  // namespace
}  // namespace silk::slight::test
