#include "cli/wast2json.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

extern char** environ;

namespace silk::cli {

namespace fs = std::filesystem;

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

bool TempDir::create(std::string* error) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/silk-wast-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    *error = "cannot create a temporary directory from " + pattern + ": " + std::strerror(errno);
    return false;
  }
  path_ = buf.data();
  return true;
}

namespace {

// The wast2json flags a proposal's scripts need, from the folder they sit in
// (the testsuite's proposals/<name>/ layout).
std::vector<std::string> feature_flags(const fs::path& wast) {
  struct Proposal {
    const char* folder;
    const char* flag;
  };
  static constexpr Proposal kProposals[] = {
      {"tail-call", "--enable-tail-call"},
      {"extended-const", "--enable-extended-const"},
      {"multi-memory", "--enable-multi-memory"},
      {"memory64", "--enable-memory64"},
      {"threads", "--enable-threads"},
      {"exception-handling", "--enable-exceptions"},
  };
  std::vector<std::string> flags;
  for (const fs::path& part : fs::absolute(wast).parent_path()) {
    for (const Proposal& p : kProposals)
      if (part == p.folder) flags.push_back(p.flag);
  }
  return flags;
}

}  // namespace

bool run_wast2json(const fs::path& wast, const fs::path& json_out, std::string* error) {
  std::vector<std::string> args = {"wast2json"};
  for (std::string& flag : feature_flags(wast)) args.push_back(std::move(flag));
  args.push_back(wast.string());
  args.push_back("-o");
  args.push_back(json_out.string());

  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "wast2json", nullptr, nullptr, argv.data(), environ);
  if (rc != 0) {
    *error = std::string("cannot run wast2json (Debian package wabt): ") + std::strerror(rc);
    return false;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      *error = std::string("waitpid: ") + std::strerror(errno);
      return false;
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *error = "wast2json failed on " + wast.string();
    return false;
  }
  return true;
}

}  // namespace silk::cli
