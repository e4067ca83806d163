// silk::slight::usersecrets — the configs.usersecrets store and `silk secret`
// (ABI.md Appendix C and §5): values are encrypted with slight's scheme (the
// short-crypt crate's URL form) under the key in $TMPDIR/.slightkey, and kept
// as [[secret_settings]] {name, value} in the slightfile, so slight and silk
// read each other's secrets.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace silk::slight::usersecrets {

// The URL-safe ciphertext of {plaintext} under {key} (Appendix C).
// encrypt("magickey", "articles") == "2E87Wx52-Tvo".
std::string encrypt(std::string_view key, std::string_view plaintext);
// The inverse. Error on a malformed string, or when the result fails the
// check byte (almost always a different key).
Result<std::string> decrypt(std::string_view key, std::string_view ciphertext);

// $TMPDIR/.slightkey ($TMPDIR unset or empty: /tmp), as Rust's temp_dir().
std::string key_path();
// The key; error if the file does not exist (no secret was ever written).
Result<std::string> read_key();
// The key, creating the file (30 random [A-Za-z0-9], mode 0600) if absent.
Result<std::string> read_or_create_key();

// `slight secret`: encrypts {value} and stores it as secret {name} of the
// slightfile at {path}: the first [[secret_settings]] entry of that name is
// replaced, otherwise one is appended; in spec 0.1 secret_store becomes
// "configs.usersecrets". The file is rewritten whole (comments are lost, as
// in slight) and replaced atomically. Creates the key if needed.
Result<void> write_secret(const std::string& path, std::string_view name, std::string_view value);
// The decrypted value of the first [[secret_settings]] entry {name} of the
// slightfile at {path}, read now.
Result<std::string> read_secret(const std::string& path, std::string_view name);

}  // namespace silk::slight::usersecrets
