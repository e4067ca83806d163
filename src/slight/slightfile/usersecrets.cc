// slight's user-secrets encryption, written from the description in ABI.md
// Appendix C, and the slightfile rewrite of `slight secret`.
#include "slight/slightfile/usersecrets.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "slight/slightfile/slightfile.h"

namespace silk::slight::usersecrets {
namespace {

// CRC-64/WE: poly 0x42F0E1EBA9EA3693, init and xorout all ones, MSB first.
uint64_t crc64_we(const uint8_t* data, size_t size) {
  uint64_t crc = ~uint64_t{0};
  for (size_t i = 0; i < size; ++i) {
    crc ^= uint64_t{data[i]} << 56;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & (uint64_t{1} << 63)) ? (crc << 1) ^ 0x42F0E1EBA9EA3693ull : crc << 1;
  }
  return ~crc;
}

// CRC-8/CDMA2000: poly 0x9B, init 0xFF, MSB first, no xorout.
uint8_t crc8_cdma2000(const uint8_t* data, size_t size) {
  uint8_t crc = 0xFF;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x80) ? uint8_t((crc << 1) ^ 0x9B) : uint8_t(crc << 1);
  }
  return crc;
}

std::array<uint8_t, 8> big_endian(uint64_t v) {
  std::array<uint8_t, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = uint8_t(v >> (56 - 8 * i));
  return out;
}

uint64_t reverse_bits(uint64_t v) {
  uint64_t out = 0;
  for (int i = 0; i < 64; ++i, v >>= 1) out = (out << 1) | (v & 1);
  return out;
}

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

struct KeyState {
  std::array<uint8_t, 8> hashed;
  uint64_t sum_reversed;
};

KeyState derive(std::string_view key) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(key.data());
  KeyState state;
  state.hashed = big_endian(crc64_we(bytes, key.size()));
  uint64_t sum = 0;
  for (char c : key) sum += uint8_t(c);
  state.sum_reversed = reverse_bits(sum);
  return state;
}

// The swap order shared by encrypt and decrypt; a function of the ciphertext
// bytes only (their XOR and sum do not change under swapping).
std::vector<size_t> swap_path(const KeyState& key, const std::vector<uint8_t>& v, uint8_t base) {
  uint8_t m = base;
  uint64_t s = base;
  for (uint8_t b : v) {
    m ^= b;
    s += b;
  }
  std::array<uint8_t, 9> seed;
  seed[0] = m;
  auto s_bytes = big_endian(s);
  std::copy(s_bytes.begin(), s_bytes.end(), seed.begin() + 1);
  auto h = big_endian(crc64_we(seed.data(), seed.size()));
  std::vector<size_t> path(v.size());
  for (size_t i = 0; i < v.size(); ++i) path[i] = uint8_t(h[i % 8] ^ key.hashed[i % 8]) % v.size();
  return path;
}

std::string base64url_encode(const std::vector<uint8_t>& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), int(data.size()));
  out.resize(size_t(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

Result<std::vector<uint8_t>> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return make_error("malformed secret (bad base64 length)");
  std::string padded(text);
  for (char& c : padded) {
    if (c == '+' || c == '/' || kAlphabet.find(c) == std::string_view::npos)
      return make_error("malformed secret (not URL-safe base64)");
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  size_t pad = (4 - padded.size() % 4) % 4;
  padded.append(pad, '=');
  std::vector<uint8_t> out(padded.size() / 4 * 3 + 1);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(padded.data()), int(padded.size()));
  if (n < 0) return make_error("malformed secret (not URL-safe base64)");
  out.resize(size_t(n) - pad);
  return out;
}

std::string temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return (tmp != nullptr && *tmp != '\0') ? std::string(tmp) : std::string("/tmp");
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes {text} to a temporary file next to {path}, syncs it and renames it
// over {path}: readers see the old file or the new one, never half of it.
Result<void> replace_file(const std::string& path, const std::string& text) {
  char resolved[PATH_MAX];
  std::string target = realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
  std::string temp = target + ".silk-tmp-" + std::to_string(getpid());
  struct stat st {};
  mode_t mode = stat(target.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error(temp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      unlink(temp.c_str());
      return make_error(temp + ": " + std::strerror(err));
    }
    done += size_t(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return make_error(temp + ": " + std::strerror(err));
  }
  if (rename(temp.c_str(), target.c_str()) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return make_error(target + ": " + std::strerror(err));
  }
  return {};
}

// One writer at a time within the process (per-request instances may call
// configs::set concurrently).
std::mutex& file_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

std::string encrypt(std::string_view key_text, std::string_view plaintext) {
  KeyState key = derive(key_text);
  const auto* data = reinterpret_cast<const uint8_t*>(plaintext.data());
  size_t n = plaintext.size();
  uint8_t base = crc8_cdma2000(data, n) % 32;
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = data[i] ^ key.hashed[i % 8] ^ base;
  std::vector<size_t> path = swap_path(key, v, base);
  for (size_t i = 0; i < n; ++i)
    if (path[i] != i) std::swap(v[i], v[path[i]]);

  std::string body = base64url_encode(v);
  char base_char = kAlphabet[base];
  uint64_t t = uint8_t(base_char);
  for (char c : body) t += uint8_t(c);
  size_t at = size_t((key.sum_reversed ^ t) % (body.size() + 1));
  body.insert(body.begin() + ptrdiff_t(at), base_char);
  return body;
}

Result<std::string> decrypt(std::string_view key_text, std::string_view ciphertext) {
  if (ciphertext.empty()) return make_error("malformed secret (empty)");
  KeyState key = derive(key_text);
  uint64_t t = 0;
  for (char c : ciphertext) t += uint8_t(c);
  size_t at = size_t((key.sum_reversed ^ t) % ciphertext.size());
  size_t base_index = kAlphabet.find(ciphertext[at]);
  if (base_index >= 32) return make_error("malformed secret (bad check character)");
  uint8_t base = uint8_t(base_index);
  std::string body(ciphertext);
  body.erase(at, 1);
  auto decoded = base64url_decode(body);
  if (!decoded) return decoded.take_error();
  std::vector<uint8_t> v = std::move(*decoded);
  std::vector<size_t> path = swap_path(key, v, base);
  for (size_t i = v.size(); i-- > 0;)
    if (path[i] != i) std::swap(v[i], v[path[i]]);
  std::string out(v.size(), '\0');
  for (size_t i = 0; i < v.size(); ++i) out[i] = char(v[i] ^ key.hashed[i % 8] ^ base);
  // The base is the plaintext's CRC-8 mod 32: a free check that the key fits.
  if (crc8_cdma2000(reinterpret_cast<const uint8_t*>(out.data()), out.size()) % 32 != base)
    return make_error("cannot decrypt the secret (was it written with another .slightkey?)");
  return out;
}

std::string key_path() { return temp_dir() + "/.slightkey"; }

Result<std::string> read_key() {
  std::string path = key_path();
  if (access(path.c_str(), F_OK) != 0)
    return make_error("no user-secrets key at " + path + " (`silk secret` creates it)");
  auto key = read_file(path);
  if (!key) return make_error("cannot read the user-secrets key " + key.error().message);
  return key;
}

Result<std::string> read_or_create_key() {
  std::string path = key_path();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return read_key();
    return make_error("cannot create the user-secrets key " + path + ": " + std::strerror(errno));
  }
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string key;
  while (key.size() < 30) {
    unsigned char random[64];
    if (RAND_bytes(random, sizeof random) != 1) {
      close(fd);
      unlink(path.c_str());
      return make_error("cannot create the user-secrets key: no randomness from OpenSSL");
    }
    for (unsigned char r : random)
      if (r < 248 && key.size() < 30) key.push_back(kChars[r % 62]);  // 248 = 4 * 62: no bias
  }
  bool ok = write(fd, key.data(), key.size()) == ssize_t(key.size()) && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok) {
    unlink(path.c_str());
    return make_error("cannot write the user-secrets key " + path + ": " + std::strerror(errno));
  }
  return key;
}

Result<void> write_secret(const std::string& path, std::string_view name, std::string_view value) {
  std::lock_guard lock(file_mutex());
  auto text = read_file(path);
  if (!text) return make_error("cannot read the slightfile " + text.error().message);
  // Validate it as slight would (and learn the spec version).
  auto file = parse_slightfile(*text, path);
  if (!file) return file.take_error();
  auto key = read_or_create_key();
  if (!key) return key.take_error();
  std::string encrypted = encrypt(*key, value);

  toml::table root;
  try {
    root = toml::parse(*text, path);
    toml::array* settings = root["secret_settings"].as_array();
    if (settings == nullptr) {
      root.insert_or_assign("secret_settings", toml::array{});
      settings = root["secret_settings"].as_array();
    }
    bool replaced = false;
    for (toml::node& element : *settings) {
      toml::table* entry = element.as_table();
      if (entry == nullptr) continue;
      if (const auto* n = entry->get_as<std::string>("name"); n != nullptr && n->get() == name) {
        entry->insert_or_assign("value", encrypted);
        replaced = true;
        break;
      }
    }
    if (!replaced) settings->push_back(toml::table{{"name", std::string(name)}, {"value", encrypted}});
    if (file->version == SpecVersion::V0_1) root.insert_or_assign("secret_store", "configs.usersecrets");
  } catch (const std::exception& e) {
    return make_error(path + ": cannot update the slightfile: " + e.what());
  }
  // Basic ("...") strings and no indentation: the shape slight's writer gives.
  std::ostringstream out;
  out << toml::toml_formatter(root, toml::toml_formatter::default_flags & ~toml::format_flags::allow_literal_strings &
                                        ~toml::format_flags::indentation)
      << "\n";
  return replace_file(path, out.str());
}

Result<std::string> read_secret(const std::string& path, std::string_view name) {
  auto file = load_slightfile(path);
  if (!file) return file.take_error();
  for (const SecretSetting& setting : file->secret_settings) {
    if (setting.name != name) continue;
    auto key = read_key();
    if (!key) return key.take_error();
    auto plain = decrypt(*key, setting.value);
    if (!plain) return make_error(file->where(setting.line) + ": secret '" + setting.name + "': " + plain.error().message);
    return plain;
  }
  return make_error("no secret named '" + std::string(name) + "' in " + path + " (set one with `silk secret`)");
}

}  // namespace silk::slight::usersecrets
