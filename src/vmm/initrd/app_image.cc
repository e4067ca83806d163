#include "vmm/initrd/app_image.h"

#include <link.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace silk::vmm {
namespace {

namespace fs = std::filesystem;

// "/a/b/../c" relative to the working directory, without touching the disk.
std::string absolute_path(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(fs::path(path), ec);
  if (ec) abs = fs::path(path);
  std::string s = abs.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// The archive path of an absolute host path ("/a/b" -> "a/b").
std::string inside(const std::string& absolute) { return absolute.substr(absolute.find_first_not_of('/')); }

// The shared objects this process was started with, by the path the dynamic
// loader opened (the interpreter included); the vDSO is left out.
std::vector<std::string> loaded_shared_objects() {
  std::vector<std::string> paths;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        if (info->dlpi_name != nullptr && info->dlpi_name[0] == '/')
          static_cast<std::vector<std::string>*>(out)->emplace_back(info->dlpi_name);
        return 0;
      },
      &paths);
  return paths;
}

bool needs_quotes(const std::string& word) {
  if (word.empty()) return true;
  for (char c : word)
    if (c == ' ' || c == '"' || c == '\\' || c == '\t' || c == '\n') return true;
  return false;
}

std::string quote(const std::string& word) {
  if (!needs_quotes(word)) return word;
  std::string out = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string env_key(const std::string& kv) { return kv.substr(0, kv.find('=')); }

}  // namespace

Result<AppImage> build_app_image(const AppSpec& spec) {
  AppImage image;
  CpioArchive& cpio = image.initrd;

  // The runtime: this very binary, and what the dynamic loader loaded for it.
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return make_error("/proc/self/exe: " + ec.message() + " (cannot find the silk binary to put in the VM)");
  if (auto r = cpio.add_host_file(inside(kRuntimePath), self.string()); !r) return r.take_error();
  for (const std::string& so : loaded_shared_objects()) {
    if (auto r = cpio.add_host_file(inside(absolute_path(so)), so); !r) return r.take_error();
  }
  // The host's loader cache: the dynamic loader then opens each library at
  // once instead of probing the hwcaps and tls directories for it (every
  // failed openat is kernel work). Every library it will look up is in the
  // image at the path the cache names.
  if (::access("/etc/ld.so.cache", R_OK) == 0) (void)cpio.add_host_file("etc/ld.so.cache", "/etc/ld.so.cache");
  // TLS trust for OpenSSL in the VM (http-client over https, rediss://): its
  // default CA file and configuration, and what $SSL_CERT_FILE names, at the
  // same paths. $SSL_CERT_DIR's tree only when there is no CA file: it holds
  // hundreds of small files, and every entry costs the kernel time to unpack
  // (~1.6 ms each where ring 0 is emulated) while the bundle holds the same CAs.
  bool have_ca_file = false;
  for (const char* path : {"/usr/lib/ssl/cert.pem", "/etc/ssl/certs/ca-certificates.crt", "/usr/lib/ssl/openssl.cnf"}) {
    if (::access(path, R_OK) == 0 && cpio.add_host_file(inside(path), path)) {
      have_ca_file = have_ca_file || std::strstr(path, "openssl.cnf") == nullptr;
    }
  }
  for (const std::string& kv : spec.runtime_environment) {
    std::string key = env_key(kv), value = kv.substr(key.size() + 1 <= kv.size() ? key.size() + 1 : kv.size());
    if (value.empty() || value[0] != '/') continue;
    if (key == "SSL_CERT_FILE" && ::access(value.c_str(), R_OK) == 0) {
      if (auto r = cpio.add_host_file(inside(value), value); !r) return make_error("$SSL_CERT_FILE: " + r.error().message);
    } else if (key == "SSL_CERT_DIR" && !have_ca_file && ::access(value.c_str(), R_OK) == 0) {
      if (auto r = cpio.add_host_tree(inside(value), value); !r) return make_error("$SSL_CERT_DIR: " + r.error().message);
    }
  }
  if (!spec.runtime_environment.empty()) {
    std::string environ_file;
    for (const std::string& kv : spec.runtime_environment) environ_file += kv + '\0';
    cpio.add_file("etc/silk/environ", std::move(environ_file), 0600);
  }
  cpio.add_directory("tmp", 01777);
  cpio.add_directory("dev");
  cpio.add_directory("proc");

  image.cwd = absolute_path(".");
  cpio.add_directory(inside(image.cwd) == "" ? "." : inside(image.cwd));

  std::string app = absolute_path(spec.app);
  if (auto r = cpio.add_host_file(inside(app), app); !r) return make_error("the app: " + r.error().message);

  std::vector<std::string>& argv = image.argv;
  argv = {kRuntimePath, "run"};
  if (!spec.slightfile.empty()) {
    std::string slightfile = absolute_path(spec.slightfile);
    if (auto r = cpio.add_host_file(inside(slightfile), slightfile); !r)
      return make_error("the slightfile: " + r.error().message);
    argv.insert(argv.end(), {"-c", spec.slightfile});
    if (spec.link_all_capabilities) argv.push_back("-l");
  }
  for (const std::string& d : spec.dirs) {
    std::string host = d.substr(0, d.find("::"));
    std::string abs = absolute_path(host);
    if (abs == "/") return make_error("--dir " + d + ": the host's root directory cannot be copied into the VM");
    if (auto r = cpio.add_host_tree(inside(abs), abs); !r) return make_error("--dir " + d + ": " + r.error().message);
    argv.insert(argv.end(), {"--dir", d});
  }
  if (spec.inherit_env) {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string kv = *e;
      bool overridden = false;
      for (const std::string& mine : spec.env) overridden = overridden || env_key(mine) == env_key(kv);
      if (!overridden && kv.find('=') != std::string::npos) argv.insert(argv.end(), {"--env", kv});
    }
  }
  for (const std::string& kv : spec.env) argv.insert(argv.end(), {"--env", kv});
  if (!spec.invoke.empty()) argv.insert(argv.end(), {"--invoke", spec.invoke});
  argv.push_back(spec.app);
  argv.insert(argv.end(), spec.args.begin(), spec.args.end());
  cpio.finish();
  return image;
}

std::string app_kernel_cmdline(const AppImage& image, bool quiet) {
  std::string line = quiet ? "quiet " : "";
  line += "cwd=" + quote(image.cwd) + " --";
  for (const std::string& word : image.argv) line += " " + quote(word);
  return line;
}

}  // namespace silk::vmm
