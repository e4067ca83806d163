// Test helpers shared by engine_api_test.cc and interpreter_test.cc: build
// modules from WebAssembly text with wabt's wat2wasm (a test dependency) and
// drive the embedding API with readable failure messages.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/engine.h"

namespace silk::wasm {

// gtest prints Values and ErrorKinds readably.
inline void PrintTo(const Value& v, std::ostream* os) { *os << v.to_string(); }
inline void PrintTo(ErrorKind k, std::ostream* os) { *os << to_string(k); }

namespace test {

inline bool wat2wasm_available() { return std::system("command -v wat2wasm >/dev/null 2>&1") == 0; }

// Assembles {text} with wat2wasm. On failure records a test failure (with
// wat2wasm's diagnostics) and returns an empty vector. {extra_flags} e.g.
// "--no-check" to produce a module that does not validate.
inline std::vector<uint8_t> wat(std::string_view text, const std::string& extra_flags = "") {
  static const bool available = wat2wasm_available();
  if (!available) {
    ADD_FAILURE() << "wat2wasm not found on PATH: install wabt (Debian package 'wabt'), a test dependency";
    return {};
  }
  char dir_template[] = "/tmp/silk_wat_XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  std::string in = std::string(dir) + "/m.wat", out = std::string(dir) + "/m.wasm", err = std::string(dir) + "/err";
  {
    std::ofstream f(in, std::ios::binary);
    f << text;
  }
  std::string cmd = "wat2wasm --enable-tail-call --enable-extended-const " + extra_flags + " '" + in + "' -o '" +
                    out + "' 2>'" + err + "'";
  int rc = std::system(cmd.c_str());
  std::vector<uint8_t> bytes;
  if (rc != 0) {
    std::ifstream e(err);
    std::stringstream ss;
    ss << e.rdbuf();
    ADD_FAILURE() << "wat2wasm failed (" << rc << "):\n" << ss.str() << "\n--- source ---\n" << text;
  } else {
    std::ifstream f(out, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    if (bytes.empty()) ADD_FAILURE() << "wat2wasm produced no output";
  }
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
  rmdir(dir);
  return bytes;
}

// wat + load_module; null (and a recorded failure) if either step fails.
inline std::shared_ptr<const Module> compile(std::string_view text) {
  std::vector<uint8_t> bytes = wat(text);
  if (bytes.empty()) return nullptr;
  auto m = load_module(bytes);
  if (!m) {
    ADD_FAILURE() << "load_module failed: " << m.error().describe();
    return nullptr;
  }
  return m.value();
}

// compile + instantiate; null (and a recorded failure) if any step fails.
inline Instance* instantiate(Store& store, std::string_view text, std::vector<Extern> imports = {}) {
  auto m = compile(text);
  if (!m) return nullptr;
  auto inst = store.instantiate(m, imports);
  if (!inst) {
    ADD_FAILURE() << "instantiate failed: " << inst.error().describe();
    return nullptr;
  }
  return inst.value();
}

// "ok" or the error's describe(): for messages in EXPECT_*.
template <typename T>
std::string describe(const Result<T>& r) {
  return r.ok() ? std::string("ok") : r.error().describe();
}

// Expects {r} to have failed with {kind} and exactly {message}.
template <typename T>
::testing::AssertionResult failed_with(const Result<T>& r, ErrorKind kind, std::string_view message) {
  if (r.ok()) return ::testing::AssertionFailure() << "expected " << to_string(kind) << " \"" << message << "\", got ok";
  if (r.error().kind != kind || r.error().message != message)
    return ::testing::AssertionFailure() << "expected " << to_string(kind) << " \"" << message << "\", got "
                                         << r.error().describe();
  return ::testing::AssertionSuccess();
}

// Calls {f} and expects it to succeed with exactly one result.
inline Value call1(Store& store, Function* f, std::vector<Value> args) {
  auto r = store.call(f, args);
  if (!r) {
    ADD_FAILURE() << "call of " << (f ? function_name(f) : "null") << " failed: " << r.error().describe();
    return Value{};
  }
  if (r->size() != 1) {
    ADD_FAILURE() << "expected one result, got " << r->size();
    return Value{};
  }
  return (*r)[0];
}

inline uint32_t call_i32(Store& store, Function* f, std::vector<Value> args = {}) {
  Value v = call1(store, f, std::move(args));
  EXPECT_EQ(v.type, ValType::I32);
  return v.as_i32();
}

inline uint64_t call_i64(Store& store, Function* f, std::vector<Value> args = {}) {
  Value v = call1(store, f, std::move(args));
  EXPECT_EQ(v.type, ValType::I64);
  return v.as_i64();
}

}  // namespace test
}  // namespace silk::wasm
