// keyvalue.redis with hiredis (keyvalue_redis.h has the behaviour).
#include "slight/keyvalue/keyvalue_redis.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <set>

#include "slight/keyvalue/keyvalue_backend.h"

namespace silk::slight {

// --- REDIS_ADDRESS -----------------------------------------------------------

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
        hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// {text} without its user and password, for messages.
std::string redacted(std::string_view text) {
  size_t at = text.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  size_t scheme_end = text.find("://");
  size_t start = scheme_end == std::string_view::npos || scheme_end > at ? 0 : scheme_end + 3;
  return std::string(text.substr(0, start)) + "***@" + std::string(text.substr(at + 1));
}

Error address_error(std::string_view text, const std::string& why) {
  return make_error("bad redis address '" + redacted(text) + "': " + why);
}

}  // namespace

std::string RedisAddress::display() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string out = h + ":" + std::to_string(port);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

Result<RedisAddress> parse_redis_address(std::string_view text) {
  std::string_view rest = text;
  size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string_view scheme = text.substr(0, scheme_end);
    if (scheme == "rediss") {
      return address_error(text,
                           "rediss:// (TLS) is not supported: the hiredis silk is built with (Debian 12's "
                           "0.14) has no TLS support");
    }
    if (scheme == "redis+unix" || scheme == "unix") {
      return address_error(text, "unix socket addresses are not supported");
    }
    if (scheme != "redis") return address_error(text, "the URL scheme must be redis://");
    rest = text.substr(scheme_end + 3);
  }
  rest = rest.substr(0, rest.find_first_of("?#"));
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);

  RedisAddress address;
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    address.user = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) address.password = percent_decode(userinfo.substr(colon + 1));
    address.has_password = !address.password.empty();
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return address_error(text, "unclosed '[' in the host");
    address.host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return address_error(text, "junk after the host");
      port = after.substr(1);
      if (port.empty()) return address_error(text, "empty port");
    }
  } else {
    size_t colon = authority.rfind(':');
    address.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return address_error(text, "empty port");
    }
  }
  if (address.host.empty()) return address_error(text, "no host");
  if (!port.empty()) {
    uint32_t p;
    if (!parse_number(port, p) || p == 0 || p > 65535) return address_error(text, "bad port");
    address.port = static_cast<uint16_t>(p);
  }
  while (path.starts_with('/')) path.remove_prefix(1);
  while (path.ends_with('/')) path.remove_suffix(1);
  if (!path.empty() && !parse_number(path, address.db)) {
    return address_error(text, "invalid database number '" + std::string(path) + "'");
  }
  return address;
}

// --- the backend -------------------------------------------------------------

namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// Writing to a connection the server has closed raises SIGPIPE, which would
// kill silk: for the duration of a command, SIGPIPE is blocked in this thread
// and one raised meanwhile is consumed (the write then fails with EPIPE).
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    already_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe, &old_);
  }
  ~SigpipeGuard() {
    if (!already_pending_ && sigismember(&old_, SIGPIPE) != 1) {
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      timespec zero{0, 0};
      while (sigtimedwait(&pipe, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool already_pending_ = false;
};

class KeyValueRedis final : public KeyValueBackend {
 public:
  KeyValueRedis(RedisAddress address, std::string name, RedisTimeouts timeouts)
      : address_(std::move(address)), prefix_(std::move(name) + ":"), timeouts_(timeouts) {}

  KvResult<std::vector<uint8_t>> get(std::string_view key) override {
    std::string k = prefix_ + std::string(key);
    KvResult<Reply> reply = command({"GET", k});
    if (!reply) return reply.error();
    redisReply* r = reply->get();
    if (r->type == REDIS_REPLY_NIL) {
      return KeyValueError{KeyValueErrorKind::KeyNotFound, "key not found: " + std::string(key)};
    }
    if (r->type != REDIS_REPLY_STRING) return unexpected_reply("GET", r);
    return std::vector<uint8_t>(r->str, r->str + r->len);
  }

  KvStatus set(std::string_view key, std::span<const uint8_t> value) override {
    std::string k = prefix_ + std::string(key);
    std::string_view v(reinterpret_cast<const char*>(value.data()), value.size());
    KvResult<Reply> reply = command({"SET", k, v});
    if (!reply) return reply.error();
    redisReply* r = reply->get();
    if (r->type != REDIS_REPLY_STATUS) return unexpected_reply("SET", r);
    return KvOk{};
  }

  KvResult<std::vector<std::string>> keys() override {
    // SCAN rather than slight's KEYS: it does not block the server, and the
    // open name's glob characters are escaped so "a*" does not list "ab:".
    std::string pattern;
    for (char c : prefix_) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '*';
    std::set<std::string> found;  // SCAN may return a key twice
    std::string cursor = "0";
    do {
      KvResult<Reply> reply = command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      if (!reply) return reply.error();
      redisReply* r = reply->get();
      if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
          r->element[1]->type != REDIS_REPLY_ARRAY) {
        return unexpected_reply("SCAN", r);
      }
      cursor.assign(r->element[0]->str, r->element[0]->len);
      redisReply* batch = r->element[1];
      for (size_t i = 0; i < batch->elements; i++) {
        redisReply* e = batch->element[i];
        if (e->type != REDIS_REPLY_STRING) continue;
        std::string_view key(e->str, e->len);
        if (key.starts_with(prefix_)) found.emplace(key.substr(prefix_.size()));
      }
    } while (cursor != "0");
    return std::vector<std::string>(found.begin(), found.end());
  }

  KvStatus remove(std::string_view key) override {
    std::string k = prefix_ + std::string(key);
    KvResult<Reply> reply = command({"DEL", k});
    if (!reply) return reply.error();
    if (reply->get()->type != REDIS_REPLY_INTEGER) return unexpected_reply("DEL", reply->get());
    return KvOk{};  // a missing key is not an error (as slight)
  }

 private:
  KeyValueError error(KeyValueErrorKind kind, const std::string& what) const {
    return {kind, "redis " + address_.display() + ": " + what};
  }

  KeyValueError unexpected_reply(const char* command, const redisReply* r) const {
    return error(KeyValueErrorKind::UnexpectedError,
                 std::string("unexpected reply to ") + command + " (type " + std::to_string(r->type) + ")");
  }

  // The error of a failed context call; {saved_errno} is errno right after it.
  KeyValueError context_error(const char* what, int saved_errno) const {
    std::string message = std::string(what) + ": " + (context_ ? context_->errstr : "out of memory");
    if (context_ && context_->err == REDIS_ERR_IO &&
        (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT)) {
      return error(KeyValueErrorKind::TimeoutError, message);
    }
    return error(KeyValueErrorKind::ConnectionError, message);
  }

  // An error reply: NOAUTH / WRONGPASS / invalid password are
  // authentication-error, others unexpected-error.
  KeyValueError reply_error(const redisReply* r, const char* what) const {
    std::string text(r->str, r->len);
    bool auth = text.starts_with("NOAUTH") || text.starts_with("WRONGPASS") ||
                text.find("invalid password") != std::string::npos ||
                text.find("without any password configured") != std::string::npos ||
                text.find("invalid username-password") != std::string::npos;
    return error(auth ? KeyValueErrorKind::AuthenticationError : KeyValueErrorKind::UnexpectedError,
                 std::string(what) + ": " + text);
  }

  // Connects, authenticates and selects the database; context_ is set only
  // when all of that worked.
  std::optional<KeyValueError> connect() {
    context_.reset(redisConnectWithTimeout(address_.host.c_str(), address_.port, to_timeval(timeouts_.connect)));
    int saved_errno = errno;
    if (!context_ || context_->err) {
      KeyValueError e = context_error("connect", saved_errno);
      context_.reset();
      return e;
    }
    if (redisSetTimeout(context_.get(), to_timeval(timeouts_.command)) != REDIS_OK) {
      KeyValueError e = context_error("set timeout", errno);
      context_.reset();
      return e;
    }
    redisEnableKeepAlive(context_.get());
    if (address_.has_password) {
      std::vector<std::string_view> args = {"AUTH"};
      if (!address_.user.empty()) args.push_back(address_.user);
      args.push_back(address_.password);
      if (auto e = setup_command(args, "AUTH")) return e;
    }
    if (address_.db != 0) {
      if (auto e = setup_command({"SELECT", std::to_string(address_.db)}, "SELECT")) return e;
    }
    return std::nullopt;
  }

  std::optional<KeyValueError> setup_command(const std::vector<std::string_view>& args, const char* what) {
    KvResult<Reply> reply = send(args);
    if (!reply) {
      context_.reset();
      return reply.error();
    }
    if (reply->get()->type == REDIS_REPLY_ERROR) {
      KeyValueError e = reply_error(reply->get(), what);
      if (std::string_view(what) == "AUTH") e.kind = KeyValueErrorKind::AuthenticationError;
      context_.reset();
      return e;
    }
    return std::nullopt;
  }

  // One command on the current connection; a failure leaves context_ unusable.
  KvResult<Reply> send(const std::vector<std::string_view>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> argvlen;
    for (std::string_view a : args) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
    }
    SigpipeGuard guard;
    errno = 0;
    void* reply = redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), argvlen.data());
    int saved_errno = errno;
    if (reply == nullptr) return context_error(std::string(args[0]).c_str(), saved_errno);
    return Reply(static_cast<redisReply*>(reply));
  }

  // A command: (re)connects if needed; a connection failure on a reused
  // connection is retried once on a fresh one. Error replies become errors.
  KvResult<Reply> command(const std::vector<std::string_view>& args) {
    std::lock_guard lock(mutex_);
    for (int attempt = 0;; attempt++) {
      bool reused = context_ != nullptr;
      if (!context_) {
        if (auto e = connect()) return *e;
      }
      KvResult<Reply> reply = send(args);
      if (!reply) {
        context_.reset();
        if (reused && attempt == 0 && reply.error().kind == KeyValueErrorKind::ConnectionError) continue;
        return reply.error();
      }
      if (reply->get()->type == REDIS_REPLY_ERROR) {
        KeyValueError e = reply_error(reply->get(), std::string(args[0]).c_str());
        // A server restarted with a password, or a NOAUTH after a failover:
        // authenticate again at the next operation.
        if (e.kind == KeyValueErrorKind::AuthenticationError) context_.reset();
        return e;
      }
      return reply;
    }
  }

  RedisAddress address_;
  std::string prefix_;  // "<open-name>:"
  RedisTimeouts timeouts_;
  std::mutex mutex_;
  Context context_;
};

}  // namespace

KvResult<std::unique_ptr<KeyValueBackend>> open_redis_store(std::string_view address, std::string_view name,
                                                            const KeyValueEnvironment& env) {
  Result<RedisAddress> parsed = parse_redis_address(address);
  if (!parsed) return KeyValueError{KeyValueErrorKind::UnexpectedError, parsed.error().message};
  return std::unique_ptr<KeyValueBackend>(
      new KeyValueRedis(std::move(*parsed), std::string(name), env.redis_timeouts));
}

}  // namespace silk::slight
