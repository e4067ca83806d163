// Test helpers: generate C bindings with the build's silk-bindgen and compile C
// guests with clang-19 --target=wasm32-wasi against Debian's wasi-libc
// (sysroot /usr: headers in /usr/include/wasm32-wasi, libs in /usr/lib/wasm32-wasi).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace silk::slight::test {

inline std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string make_temp_dir() {
  char t[] = "/tmp/silk_bindgen_XXXXXX";
  const char* d = mkdtemp(t);
  return d ? d : "";
}

// Runs {cmd}; on failure records a test failure with its output. Returns the output.
inline bool run(const std::string& cmd, std::string* output = nullptr) {
  std::string full = cmd + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "popen failed: " << cmd;
    return false;
  }
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (output) *output = out;
  if (rc != 0) {
    ADD_FAILURE() << "command failed (" << rc << "): " << cmd << "\n" << out;
    return false;
  }
  return true;
}

inline std::string wit(const std::string& name) { return std::string(SILK_WIT_DIR) + "/" + name + ".wit"; }

// silk-bindgen --c into {dir}.
inline bool generate_c(const std::string& dir, const std::vector<std::string>& imports,
                       const std::vector<std::string>& exports = {}) {
  std::string cmd = std::string(SILK_BINDGEN_TOOL) + " --c --quiet -o " + dir;
  for (auto& i : imports) cmd += " " + wit(i);
  if (!exports.empty()) {
    cmd += " --export";
    for (auto& e : exports) cmd += " " + wit(e);
  }
  return run(cmd);
}

// clang-19 wasm32-wasi: {sources} (in {dir}) -> {dir}/{out}.
inline bool compile_guest(const std::string& dir, const std::vector<std::string>& sources, const std::string& out,
                          const std::string& flags = "") {
  std::string cmd = "cd " + dir + " && clang-19 --target=wasm32-wasi --sysroot=/usr -O1 -Wall -Werror " + flags;
  for (auto& s : sources) cmd += " " + s;
  cmd += " -o " + out;
  return run(cmd);
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::string s = read_text(path);
  return std::vector<uint8_t>(s.begin(), s.end());
}

}  // namespace silk::slight::test
