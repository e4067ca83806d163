// libFuzzer target for the slightfile (src/slight/slightfile): the input is
// the text of a slightfile.toml. Whatever parses goes on to everything the
// host does with a loaded file: check_supported(), find() for every capability
// group, and config value resolution (${envvars.X}, ${usersecrets.X},
// ${local.X}, literals; the spec-0.1 secret_store form) through
// resolve_config() and configs_get(), plus the user-secret cipher on every
// [[secret_settings]] value. Checked:
//  * no crash, sanitizer report or hang on any input;
//  * a refusal is an error message that starts with the path;
//  * every capability has its ResourceInfo, and what parses parses the same
//    way through load_slightfile() (the file the usersecrets store re-reads);
//  * usersecrets: decrypt(encrypt(x)) == x for every decrypted value.
//
// The user-secret key and the file live in a private $TMPDIR made at start-up
// (the key is a fixed "magickey", so seeds can carry real ciphertexts), and a
// few FUZZ_* environment variables exist so ${envvars.X} takes both branches.
//
// Build: cmake -DSILK_FUZZ=ON (build-fuzz/), ninja fuzz_slightfile; run:
//   scripts/fuzz slightfile [seconds]   (seeds: /work/shared/slight/slightfiles and
//   fuzz/slightfile-seeds; fuzz/slightfile.dict; SILK_FUZZ_TRACE=1 traces resolution)
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "slight/slightfile/config.h"
#include "slight/slightfile/slightfile.h"
#include "slight/slightfile/usersecrets.h"

namespace {

using namespace silk::slight;

std::string g_path;  // $TMPDIR/slightfile.toml
constexpr std::string_view kKey = "magickey";

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_slightfile: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_cipher(std::string_view plaintext) {
  std::string ct = usersecrets::encrypt(kKey, plaintext);
  auto back = usersecrets::decrypt(kKey, ct);
  if (!back || *back != plaintext) fail("usersecrets round trip", std::string(plaintext));
}

// SILK_FUZZ_TRACE=1: print what an input parses to and resolves (to check seeds).
const bool g_trace = std::getenv("SILK_FUZZ_TRACE") != nullptr;

template <typename R>
void trace(const char* what, const std::string& key, const R& r) {
  if (g_trace) std::fprintf(stderr, "  %s %s: %s\n", what, key.c_str(), r ? r->c_str() : r.error().message.c_str());
}

void exercise(const Slightfile& file) {
  for (const Capability& cap : file.capabilities) {
    if (cap.info == nullptr) fail("capability without ResourceInfo", cap.resource);
    if (find_resource(cap.resource) != cap.info) fail("ResourceInfo differs from find_resource", cap.resource);
  }
  (void)check_supported(file);

  static constexpr CapabilityGroup kGroups[] = {
      CapabilityGroup::KeyValue, CapabilityGroup::Messaging, CapabilityGroup::Configs,
      CapabilityGroup::DistributedLocking, CapabilityGroup::Sql, CapabilityGroup::Blob,
      CapabilityGroup::Http, CapabilityGroup::HttpClient};
  for (CapabilityGroup g : kGroups) {
    (void)file.has(g);
    (void)file.find(g, "*");
    (void)file.find(g, "no-such-name");
    for (const Capability& cap : file.capabilities) (void)file.find(g, cap.name);
  }

  for (const SecretSetting& s : file.secret_settings) {
    auto plain = usersecrets::decrypt(kKey, s.value);
    if (plain) check_cipher(*plain);
    check_cipher(s.name);  // any text round-trips
  }

  for (const Capability& cap : file.capabilities) {
    if (cap.configs) {
      for (const auto& [key, raw] : *cap.configs) {
        (void)parse_config_reference(raw);
        auto v = resolve_config(file, cap, key);
        trace("resolve", key, v);
        if (v && cap.info->backend == Backend::ConfigsUserSecrets) check_cipher(*v);
      }
    }
    // A key that is not there, and the spec-0.1 form's keys (looked up in the secret_store).
    (void)resolve_config(file, cap, "FUZZ_MISSING");
    (void)resolve_config(file, cap, "FUZZ_A");
    for (const SecretSetting& s : file.secret_settings) trace("resolve", s.name, resolve_config(file, cap, s.name));
    if (cap.info->group == CapabilityGroup::Configs) {
      (void)configs_get(file, cap, "FUZZ_A");
      for (const SecretSetting& s : file.secret_settings) (void)configs_get(file, cap, s.name);
      if (cap.configs)
        for (const auto& [key, raw] : *cap.configs) (void)configs_get(file, cap, key);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char dir_template[] = "/tmp/silk_fuzz_slightfile_XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) fail("mkdtemp", "failed");
  setenv("TMPDIR", dir, 1);
  std::ofstream(std::string(dir) + "/.slightkey", std::ios::binary) << kKey;
  g_path = std::string(dir) + "/slightfile.toml";
  static std::string s_dir = dir;
  std::atexit([] {
    std::remove(g_path.c_str());
    std::remove((s_dir + "/.slightkey").c_str());
    rmdir(s_dir.c_str());
  });
  setenv("FUZZ_A", "value-a", 1);
  setenv("FUZZ_EMPTY", "", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_slightfile(text, g_path);
  if (g_trace && !parsed) std::fprintf(stderr, "  refused: %s\n", parsed.error().message.c_str());
  if (!parsed) {
    if (!parsed.error().message.starts_with(g_path)) fail("error without the path", parsed.error().message);
    return 0;
  }
  if (parsed->path != g_path) fail("path not kept", parsed->path);
  // The usersecrets store re-reads the file at its path: put the same text there.
  {
    std::ofstream out(g_path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), std::streamsize(text.size()));
  }
  auto loaded = load_slightfile(g_path);
  if (!loaded) fail("parses from a string but not from the file", loaded.error().message);
  if (loaded->capabilities.size() != parsed->capabilities.size() ||
      loaded->secret_settings.size() != parsed->secret_settings.size() || loaded->version != parsed->version)
    fail("string and file parse differ", g_path);
  exercise(*parsed);
  return 0;
}
