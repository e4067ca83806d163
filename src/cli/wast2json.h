// silk::cli — turning a .wast script into the JSON + .wasm files the spec
// runner reads, with Debian's `wast2json` (wabt), in a private temporary
// directory that is removed again.
#pragma once

#include <filesystem>
#include <string>

namespace silk::cli {

// A directory made with mkdtemp(3) under $TMPDIR (or /tmp), removed with
// everything in it when the object goes away.
class TempDir {
 public:
  TempDir() = default;
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Creates the directory; false (with {error} set) if it cannot.
  bool create(std::string* error);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs `wast2json {wast} -o {json_out}` with the feature flags the file's
// proposal folder needs (tail-call, extended-const, ...). Returns false with a
// reason in {error} if wast2json cannot be run or rejects the file.
bool run_wast2json(const std::filesystem::path& wast, const std::filesystem::path& json_out,
                   std::string* error);

}  // namespace silk::cli
