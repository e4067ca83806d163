// keyvalue.redis with hiredis (keyvalue_redis.h has the behaviour).
#include "slight/keyvalue/keyvalue_redis.h"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
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
  std::string out = (tls ? "rediss://" : "") + h + ":" + std::to_string(port);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

Result<RedisAddress> parse_redis_address(std::string_view text) {
  std::string_view rest = text;
  size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string_view scheme = text.substr(0, scheme_end);
    if (scheme == "redis+unix" || scheme == "unix") {
      return address_error(text, "unix socket addresses are not supported");
    }
    if (scheme != "redis" && scheme != "rediss") {
      return address_error(text, "the URL scheme must be redis:// or rediss://");
    }
    rest = text.substr(scheme_end + 3);
  }
  RedisAddress address;
  address.tls = text.starts_with("rediss://");
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    address.insecure = address.tls && rest.substr(hash + 1) == "insecure";
    rest = rest.substr(0, hash);
  }
  rest = rest.substr(0, rest.find('?'));
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);

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

// --- the connection ------------------------------------------------------------

namespace {

using Clock = std::chrono::steady_clock;

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// Writing to a connection the server has closed raises SIGPIPE, which would
// kill silk. Plain sockets use MSG_NOSIGNAL; around OpenSSL's writes SIGPIPE
// is blocked in this thread and one raised meanwhile is consumed.
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

// Waits until {fd} is ready for {events}; false when {deadline} passed first.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (r > 0) return true;  // POLLERR/POLLHUP too: the next I/O call says what happened
    if (r == 0) return false;
    if (errno != EINTR) return true;
  }
}

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown TLS error" : out;
}

// One connection to Redis: a non-blocking socket (plus a TLS session for
// rediss://), hiredis only to format commands and parse replies. Every step
// has a deadline, so nothing waits longer than the configured timeouts.
// Errors are connection-error or timeout-error; after one, the connection
// must be dropped.
class RedisConnection {
 public:
  RedisConnection(const RedisAddress& address, RedisTimeouts timeouts)
      : address_(address), timeouts_(timeouts), reader_(redisReaderCreate()) {}
  ~RedisConnection() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
    if (reader_) redisReaderFree(reader_);
  }
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  std::optional<KeyValueError> connect() {
    Clock::time_point deadline = Clock::now() + timeouts_.connect;
    if (reader_ == nullptr) return failure(KeyValueErrorKind::UnexpectedError, "out of memory");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    std::string port = std::to_string(address_.port);
    if (int rc = ::getaddrinfo(address_.host.c_str(), port.c_str(), &hints, &list)) {
      return failure(KeyValueErrorKind::ConnectionError, std::string("cannot resolve host: ") + gai_strerror(rc));
    }
    std::optional<KeyValueError> last;
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
      last = connect_one(ai, deadline);
      if (!last) break;
    }
    ::freeaddrinfo(list);
    if (last) return last;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    if (address_.tls) return start_tls(deadline);
    return std::nullopt;
  }

  // Sends one command and reads its reply (which may be an error reply).
  KvResult<Reply> command(const std::vector<std::string_view>& args) {
    Clock::time_point deadline = Clock::now() + timeouts_.command;
    std::vector<const char*> argv;
    std::vector<size_t> argvlen;
    for (std::string_view a : args) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
    }
    char* formatted = nullptr;
    int len = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), argv.data(), argvlen.data());
    if (len < 0) return failure(KeyValueErrorKind::UnexpectedError, "out of memory");
    std::optional<KeyValueError> sent = write_all(formatted, static_cast<size_t>(len), deadline);
    redisFreeCommand(formatted);
    if (sent) return *sent;
    return read_reply(deadline);
  }

 private:
  KeyValueError failure(KeyValueErrorKind kind, const std::string& what) const {
    return {kind, "redis " + address_.display() + ": " + what};
  }
  KeyValueError timeout(const char* step) const {
    return failure(KeyValueErrorKind::TimeoutError, std::string(step) + ": no answer within the timeout");
  }

  std::optional<KeyValueError> connect_one(const addrinfo* ai, Clock::time_point deadline) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return failure(KeyValueErrorKind::ConnectionError, std::string("socket: ") + std::strerror(errno));
    if (::connect(fd_, ai->ai_addr, ai->ai_addrlen) == 0) return std::nullopt;
    if (errno != EINPROGRESS) {
      return failure(KeyValueErrorKind::ConnectionError, std::string("connect: ") + std::strerror(errno));
    }
    if (!wait_fd(fd_, POLLOUT, deadline)) return timeout("connect");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return failure(KeyValueErrorKind::ConnectionError, std::string("connect: ") + std::strerror(err));
    return std::nullopt;
  }

  // TLS with the system's CA certificates (OpenSSL's defaults, so
  // SSL_CERT_FILE / SSL_CERT_DIR apply), SNI and host name (or IP) checks;
  // "#insecure" in the URL turns verification off, as the redis crate does.
  std::optional<KeyValueError> start_tls(Clock::time_point deadline) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr) return failure(KeyValueErrorKind::ConnectionError, "TLS: " + openssl_errors());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_default_verify_paths(ctx_);
    SSL_CTX_set_verify(ctx_, address_.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr) return failure(KeyValueErrorKind::ConnectionError, "TLS: " + openssl_errors());
    SSL_set_mode(ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_fd(ssl_, fd_);
    in6_addr ip;
    bool is_ip = ::inet_pton(AF_INET, address_.host.c_str(), &ip) == 1 ||
                 ::inet_pton(AF_INET6, address_.host.c_str(), &ip) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl_, address_.host.c_str());
    if (!address_.insecure) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(param, address_.host.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(param, address_.host.c_str(), 0);
      }
    }
    for (;;) {
      ERR_clear_error();
      SigpipeGuard guard;
      int r = SSL_connect(ssl_);
      if (r == 1) return std::nullopt;
      int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (!wait_fd(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return timeout("TLS handshake");
        continue;
      }
      long verify = SSL_get_verify_result(ssl_);
      std::string why = verify != X509_V_OK ? std::string("certificate verification failed: ") +
                                                   X509_verify_cert_error_string(verify)
                                             : openssl_errors();
      return failure(KeyValueErrorKind::ConnectionError, "TLS handshake: " + why);
    }
  }

  std::optional<KeyValueError> write_all(const char* data, size_t size, Clock::time_point deadline) {
    while (size > 0) {
      ssize_t n;
      short want = POLLOUT;
      if (ssl_) {
        ERR_clear_error();
        SigpipeGuard guard;
        int r = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
        if (r > 0) {
          n = r;
        } else {
          int err = SSL_get_error(ssl_, r);
          if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            return failure(KeyValueErrorKind::ConnectionError, "write: " + openssl_errors());
          }
          want = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
          n = -1;
        }
      } else {
        n = ::send(fd_, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          return failure(KeyValueErrorKind::ConnectionError, std::string("write: ") + std::strerror(errno));
        }
      }
      if (n < 0) {
        if (!wait_fd(fd_, want, deadline)) return timeout("write");
        continue;
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
    return std::nullopt;
  }

  KvResult<Reply> read_reply(Clock::time_point deadline) {
    for (;;) {
      void* reply = nullptr;
      if (redisReaderGetReply(reader_, &reply) != REDIS_OK) {
        return failure(KeyValueErrorKind::ConnectionError, std::string("protocol error: ") + reader_->errstr);
      }
      if (reply) return Reply(static_cast<redisReply*>(reply));
      char buffer[16384];
      ssize_t n;
      short want = POLLIN;
      if (ssl_) {
        ERR_clear_error();
        int r = SSL_read(ssl_, buffer, sizeof buffer);
        if (r > 0) {
          n = r;
        } else {
          int err = SSL_get_error(ssl_, r);
          if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
            return failure(KeyValueErrorKind::ConnectionError, "read: the server closed the connection");
          }
          if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            return failure(KeyValueErrorKind::ConnectionError, "read: " + openssl_errors());
          }
          want = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
          n = -1;
        }
      } else {
        n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n == 0) return failure(KeyValueErrorKind::ConnectionError, "read: the server closed the connection");
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          return failure(KeyValueErrorKind::ConnectionError, std::string("read: ") + std::strerror(errno));
        }
      }
      if (n < 0) {
        if (!wait_fd(fd_, want, deadline)) return timeout("read");
        continue;
      }
      if (redisReaderFeed(reader_, buffer, static_cast<size_t>(n)) != REDIS_OK) {
        return failure(KeyValueErrorKind::ConnectionError, std::string("protocol error: ") + reader_->errstr);
      }
    }
  }

  const RedisAddress& address_;
  RedisTimeouts timeouts_;
  redisReader* reader_;
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

// --- the backend -------------------------------------------------------------

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

  // Connects, authenticates and selects the database; connection_ is set
  // only when all of that worked.
  std::optional<KeyValueError> connect() {
    auto connection = std::make_unique<RedisConnection>(address_, timeouts_);
    if (auto e = connection->connect()) return e;
    if (address_.has_password) {
      std::vector<std::string_view> args = {"AUTH"};
      if (!address_.user.empty()) args.push_back(address_.user);
      args.push_back(address_.password);
      if (auto e = setup_command(*connection, args, "AUTH")) return e;
    }
    if (address_.db != 0) {
      std::string db = std::to_string(address_.db);
      if (auto e = setup_command(*connection, {"SELECT", db}, "SELECT")) return e;
    }
    connection_ = std::move(connection);
    return std::nullopt;
  }

  std::optional<KeyValueError> setup_command(RedisConnection& connection,
                                             const std::vector<std::string_view>& args, const char* what) {
    KvResult<Reply> reply = connection.command(args);
    if (!reply) return reply.error();
    if (reply->get()->type == REDIS_REPLY_ERROR) {
      KeyValueError e = reply_error(reply->get(), what);
      if (std::string_view(what) == "AUTH") e.kind = KeyValueErrorKind::AuthenticationError;
      return e;
    }
    return std::nullopt;
  }

  // A command: (re)connects if needed; a connection failure on a reused
  // connection is retried once on a fresh one. Error replies become errors.
  KvResult<Reply> command(const std::vector<std::string_view>& args) {
    std::lock_guard lock(mutex_);
    for (int attempt = 0;; attempt++) {
      bool reused = connection_ != nullptr;
      if (!connection_) {
        if (auto e = connect()) return *e;
      }
      KvResult<Reply> reply = connection_->command(args);
      if (!reply) {
        connection_.reset();
        if (reused && attempt == 0 && reply.error().kind == KeyValueErrorKind::ConnectionError) continue;
        return reply.error();
      }
      if (reply->get()->type == REDIS_REPLY_ERROR) {
        KeyValueError e = reply_error(reply->get(), std::string(args[0]).c_str());
        // A server restarted with a password, or a NOAUTH after a failover:
        // authenticate again at the next operation.
        if (e.kind == KeyValueErrorKind::AuthenticationError) connection_.reset();
        return e;
      }
      return reply;
    }
  }

  RedisAddress address_;
  std::string prefix_;  // "<open-name>:"
  RedisTimeouts timeouts_;
  std::mutex mutex_;
  std::unique_ptr<RedisConnection> connection_;
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
