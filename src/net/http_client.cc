#include "net/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cctype>
#include <memory>
#include <optional>

namespace silk::net {
namespace {

using Clock = std::chrono::steady_clock;

ClientError error(ClientErrorKind kind, std::string message) { return ClientError{kind, std::move(message)}; }

std::string ssl_error_string() {
  std::string s;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!s.empty()) s += "; ";
    s += buf;
  }
  return s.empty() ? "unknown TLS error" : s;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
    if (!ok) return false;
  }
  return true;
}

bool lower_equals(std::string_view a, std::string_view lower_literal) {
  if (a.size() != lower_literal.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != lower_literal[i]) return false;
  }
  return true;
}

// A socket, optionally wrapped in TLS, with deadline-bounded I/O.
class Transport {
 public:
  ~Transport() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }

  std::optional<ClientError> connect(const Url& url, const ClientOptions& options, Clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    std::string port = std::to_string(url.port);
    int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) return error(ClientErrorKind::kConnect, "cannot resolve " + url.host + ": " + ::gai_strerror(rc));
    std::optional<ClientError> last =
        error(ClientErrorKind::kConnect, "no address for " + url.host);
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      auto attempt_deadline = std::min(deadline, Clock::now() + options.connect_timeout);
      last = connect_one(ai, attempt_deadline, deadline);
      if (!last) break;
    }
    ::freeaddrinfo(list);
    if (last) return last;
    if (url.https) {
      auto handshake_deadline = std::min(deadline, Clock::now() + options.connect_timeout);
      if (auto e = start_tls(url, options, handshake_deadline)) return e;
    }
    return std::nullopt;
  }

  std::optional<ClientError> write_all(std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
      ssize_t n;
      if (ssl_) {
        size_t written = 0;
        int r = SSL_write_ex(ssl_, data.data(), data.size(), &written);
        if (r == 1) {
          data.remove_prefix(written);
          continue;
        }
        if (auto e = ssl_wait(SSL_get_error(ssl_, r), deadline, "TLS write")) return e;
        continue;
      }
      n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(size_t(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (auto e = wait(POLLOUT, deadline, "sending the request")) return e;
        continue;
      }
      return error(ClientErrorKind::kIo, std::string("send: ") + std::strerror(errno));
    }
    return std::nullopt;
  }

  // Reads some bytes into buf; 0 at EOF.
  std::variant<size_t, ClientError> read_some(char* buf, size_t cap, Clock::time_point deadline) {
    for (;;) {
      if (ssl_) {
        size_t got = 0;
        int r = SSL_read_ex(ssl_, buf, cap, &got);
        if (r == 1) return got;
        int err = SSL_get_error(ssl_, r);
        if (err == SSL_ERROR_ZERO_RETURN) return size_t{0};
        // A peer that closes without close_notify: treat as EOF, the parser
        // decides whether the message was complete.
        if (err == SSL_ERROR_SYSCALL || (err == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) ==
                                                                   SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
          ERR_clear_error();
          return size_t{0};
        }
        if (auto e = ssl_wait(err, deadline, "TLS read")) return *e;
        continue;
      }
      ssize_t n = ::recv(fd_, buf, cap, 0);
      if (n >= 0) return size_t(n);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (auto e = wait(POLLIN, deadline, "waiting for the response")) return *e;
        continue;
      }
      return error(ClientErrorKind::kIo, std::string("recv: ") + std::strerror(errno));
    }
  }

 private:
  std::optional<ClientError> connect_one(addrinfo* ai, Clock::time_point deadline, Clock::time_point total) {
    if (fd_ >= 0) ::close(fd_), fd_ = -1;
    fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd_ < 0) return error(ClientErrorKind::kConnect, std::string("socket: ") + std::strerror(errno));
    int rc = ::connect(fd_, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno != EINPROGRESS)
      return error(ClientErrorKind::kConnect, std::string("connect: ") + std::strerror(errno));
    if (rc < 0) {
      if (auto e = wait(POLLOUT, deadline, "connecting")) return e;
      int so_error = 0;
      socklen_t len = sizeof so_error;
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (so_error != 0)
        return error(ClientErrorKind::kConnect, std::string("connect: ") + std::strerror(so_error));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    (void)total;
    return std::nullopt;
  }

  std::optional<ClientError> start_tls(const Url& url, const ClientOptions& options, Clock::time_point deadline) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) return error(ClientErrorKind::kTls, ssl_error_string());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    if (options.verify_peer) {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      int ok = options.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                       : SSL_CTX_load_verify_locations(ctx_, options.ca_file.c_str(), nullptr);
      if (ok != 1) return error(ClientErrorKind::kTls, "cannot load CA certificates: " + ssl_error_string());
    } else {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    }
    ssl_ = SSL_new(ctx_);
    if (!ssl_) return error(ClientErrorKind::kTls, ssl_error_string());
    SSL_set_fd(ssl_, fd_);
    in6_addr ip;
    bool is_ip = ::inet_pton(AF_INET, url.host.c_str(), &ip) == 1 || ::inet_pton(AF_INET6, url.host.c_str(), &ip) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl_, url.host.c_str());
    if (options.verify_peer) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                     : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
      if (ok != 1) return error(ClientErrorKind::kTls, "cannot set the expected host name");
    }
    for (;;) {
      int r = SSL_connect(ssl_);
      if (r == 1) return std::nullopt;
      int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (auto e = wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, "TLS handshake")) return e;
        continue;
      }
      long verify = SSL_get_verify_result(ssl_);
      std::string message = "TLS handshake with " + url.host + " failed: ";
      if (verify != X509_V_OK) message += std::string("certificate verify failed: ") +
                                          X509_verify_cert_error_string(verify);
      else message += ssl_error_string();
      ERR_clear_error();
      return error(ClientErrorKind::kTls, message);
    }
  }

  std::optional<ClientError> ssl_wait(int err, Clock::time_point deadline, const char* what) {
    if (err == SSL_ERROR_WANT_READ) return wait(POLLIN, deadline, what);
    if (err == SSL_ERROR_WANT_WRITE) return wait(POLLOUT, deadline, what);
    std::string message = std::string(what) + ": " + ssl_error_string();
    ERR_clear_error();
    return error(ClientErrorKind::kIo, message);
  }

  std::optional<ClientError> wait(short events, Clock::time_point deadline, const char* what) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return error(ClientErrorKind::kTimeout, std::string("timed out ") + what);
      pollfd p{fd_, events, 0};
      int r = ::poll(&p, 1, int(std::min<int64_t>(left.count() + 1, 1 << 30)));
      if (r > 0) return std::nullopt;  // ready, or an error the next call reports
      if (r < 0 && errno != EINTR) return error(ClientErrorKind::kIo, std::string("poll: ") + std::strerror(errno));
    }
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace

std::variant<Url, ClientError> parse_url(std::string_view s) {
  auto bad = [&](const std::string& why) { return error(ClientErrorKind::kInvalidUrl, "invalid URL \"" + std::string(s) + "\": " + why); };
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return bad("contains a space, control or non-ASCII character");
  size_t colon = s.find("://");
  if (colon == std::string_view::npos) return bad("no scheme");
  std::string scheme(s.substr(0, colon));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  Url url;
  if (scheme == "https") url.https = true;
  else if (scheme != "http") return bad("scheme is not http or https");
  std::string_view rest = s.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return bad("credentials in URLs are not supported");
  std::string_view host = authority, port;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after the IPv6 address");
      port = after.substr(1);
    }
    in6_addr a;
    if (::inet_pton(AF_INET6, std::string(host).c_str(), &a) != 1) return bad("invalid IPv6 address");
  } else {
    size_t c = authority.rfind(':');
    if (c != std::string_view::npos) host = authority.substr(0, c), port = authority.substr(c + 1);
  }
  if (host.empty()) return bad("no host");
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == ':'))
      return bad("invalid host");
  url.port = url.https ? 443 : 80;
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad("invalid port");
    unsigned long p = std::stoul(std::string(port));
    if (p == 0 || p > 65535) return bad("invalid port");
    url.port = uint16_t(p);
  }
  url.host = std::string(host);
  url.authority = std::string(authority.substr(0, authority.size()));
  if (port.empty() && !authority.empty() && authority.back() == ':') url.authority.pop_back();
  size_t hash = tail.find('#');
  std::string_view target = tail.substr(0, hash);
  url.target = target.empty() || target[0] != '/' ? "/" + std::string(target) : std::string(target);
  return url;
}

ClientResult http_request(const ClientRequest& request, const ClientOptions& options) {
  Clock::time_point deadline = Clock::now() + options.total_timeout;
  auto parsed = parse_url(request.url);
  if (auto* e = std::get_if<ClientError>(&parsed)) return *e;
  const Url& url = std::get<Url>(parsed);
  if (!is_token(request.method))
    return error(ClientErrorKind::kInvalidRequest, "invalid method \"" + request.method + "\"");

  std::string wire;
  wire.reserve(256 + request.body.size());
  wire += request.method;
  wire += ' ';
  wire += url.target;
  wire += " HTTP/1.1\r\n";
  bool has_host = false, has_accept = false;
  for (const Header& h : request.headers) {
    if (!is_token(h.name))
      return error(ClientErrorKind::kInvalidRequest, "invalid header name \"" + h.name + "\"");
    for (unsigned char c : h.value)
      if (c != '\t' && (c < 0x20 || c == 0x7f))
        return error(ClientErrorKind::kInvalidRequest, "invalid character in the value of header " + h.name);
    if (lower_equals(h.name, "content-length") || lower_equals(h.name, "transfer-encoding") ||
        lower_equals(h.name, "connection"))
      continue;  // the client frames the message itself
    has_host |= lower_equals(h.name, "host");
    has_accept |= lower_equals(h.name, "accept");
  }
  if (!has_host) wire += "host: " + url.authority + "\r\n";
  for (const Header& h : request.headers) {
    if (lower_equals(h.name, "content-length") || lower_equals(h.name, "transfer-encoding") ||
        lower_equals(h.name, "connection"))
      continue;
    wire += h.name + ": " + h.value + "\r\n";
  }
  if (!has_accept) wire += "accept: */*\r\n";
  bool is_head = request.method == "HEAD";
  bool body_method = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!request.body.empty() || body_method) wire += "content-length: " + std::to_string(request.body.size()) + "\r\n";
  wire += "connection: close\r\n\r\n";
  wire += request.body;

  Transport transport;
  if (auto e = transport.connect(url, options, deadline)) return *e;
  if (auto e = transport.write_all(wire, deadline)) return *e;

  ParserLimits limits;
  limits.max_request_line = 8 * 1024;
  limits.max_header_bytes = options.max_response_head;
  limits.max_headers = 1000;
  limits.max_body = options.max_response_body;
  HttpParser parser(HttpParser::Kind::kResponse, limits);
  parser.set_head_request(is_head);
  std::string in;
  size_t off = 0;
  char buf[16 * 1024];
  for (;;) {
    // Parse what is buffered before reading more.
    while (off < in.size()) {
      HttpParser::Step step = parser.parse(std::string_view(in).substr(off));
      off += step.consumed;
      if (step.event == HttpParser::Event::kError)
        return error(ClientErrorKind::kProtocol, "malformed response: " + parser.reason());
      if (step.event == HttpParser::Event::kNeedMore) break;
      if (step.event == HttpParser::Event::kHeaders) continue;
      Response response = parser.take_response();
      if (response.status >= 100 && response.status < 200 && response.status != 101) continue;  // interim
      return response;
    }
    if (off == in.size()) in.clear(), off = 0;
    auto got = transport.read_some(buf, sizeof buf, deadline);
    if (auto* e = std::get_if<ClientError>(&got)) return *e;
    size_t n = std::get<size_t>(got);
    if (n == 0) {
      HttpParser::Event ev = parser.finish();
      if (ev == HttpParser::Event::kMessage) {
        Response response = parser.take_response();
        return response;
      }
      return error(ClientErrorKind::kIo, parser.idle() ? "connection closed before a response"
                                                       : "connection closed mid-response");
    }
    in.append(buf, n);
  }
}

}  // namespace silk::net
