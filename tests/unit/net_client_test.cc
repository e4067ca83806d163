// silk::net::http_request: URLs, errors and timeouts against loopback peers,
// and HTTPS against a local TLS server whose self-signed certificate is made
// at test time with the openssl CLI.
#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "net/http_client.h"
#include "net_test_util.h"

namespace silk::net {
namespace {

using namespace silk::net::testing;
using namespace std::chrono_literals;

TEST(NetClient, ParseUrl) {
  auto u = std::get<Url>(parse_url("http://example.com"));
  EXPECT_FALSE(u.https);
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.target, "/");
  EXPECT_EQ(u.authority, "example.com");
  u = std::get<Url>(parse_url("HTTPS://[::1]:8443/a/b?c=d#frag"));
  EXPECT_TRUE(u.https);
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.target, "/a/b?c=d");
  EXPECT_EQ(u.authority, "[::1]:8443");
  u = std::get<Url>(parse_url("http://h:81?q"));
  EXPECT_EQ(u.target, "/?q");
  for (const char* bad : {"", "example.com", "ftp://x/", "http://", "http://:80/", "http://h:0/", "http://h:65536/",
                          "http://h:x/", "http://u:p@h/", "http://[::1/", "http://h/ a", "http://h\r\n/"}) {
    auto r = parse_url(bad);
    ASSERT_TRUE(std::holds_alternative<ClientError>(r)) << bad;
    EXPECT_EQ(std::get<ClientError>(r).kind, ClientErrorKind::kInvalidUrl) << bad;
  }
}

TEST(NetClient, Errors) {
  ClientResult r = http_request({"GET", "not a url", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientErrorKind::kInvalidUrl);

  r = http_request({"GE T", "http://127.0.0.1:1/", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientErrorKind::kInvalidRequest);
  r = http_request({"GET", "http://127.0.0.1:1/", {{"x", "a\r\nInjected: 1"}}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientErrorKind::kInvalidRequest);

  // A port nobody listens on: find one by binding and closing.
  uint16_t port;
  {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    ::close(fd);
  }
  r = http_request({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientErrorKind::kConnect) << r.error().message;
}

// A listening socket that never answers: the connection is made (backlog),
// the response never comes.
TEST(NetClient, TotalTimeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ClientOptions o;
  o.total_timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  ClientResult r = http_request({"GET", "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/", {}, ""}, o);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientErrorKind::kTimeout) << r.error().message;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
}

// A one-shot raw server: answers the first request with fixed bytes, then
// closes.
class CannedServer {
 public:
  explicit CannedServer(std::string reply) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, reply = std::move(reply)] {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      int c = ::accept(fd_, nullptr, nullptr);
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 5000) <= 0) break;
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, size_t(n));
      }
      request_ = got;
      ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~CannedServer() {
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/p?q=1"; }
  const std::string& request() {
    thread_.join();
    thread_ = std::thread([] {});
    return request_;
  }

 private:
  int fd_;
  uint16_t port_;
  std::thread thread_;
  std::string request_;
};

TEST(NetClient, RedirectsAreNotFollowedAndInterimSkipped) {
  CannedServer s("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 301 Moved Permanently\r\nLocation: http://elsewhere/\r\n"
                 "Content-Length: 5\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\nmoved");
  ClientResult r = http_request({"GET", s.url(), {{"X-Mine", "1"}}, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->body, "moved");
  EXPECT_EQ(*find_header(r->headers, "location"), "http://elsewhere/");
  int cookies = 0;
  for (auto& h : r->headers) cookies += h.name == "set-cookie";
  EXPECT_EQ(cookies, 2);
  const std::string& req = s.request();
  EXPECT_EQ(req.rfind("GET /p?q=1 HTTP/1.1\r\nhost: 127.0.0.1:", 0), 0u) << req;
  EXPECT_NE(req.find("X-Mine: 1\r\n"), std::string::npos);
  EXPECT_NE(req.find("connection: close\r\n"), std::string::npos);
}

TEST(NetClient, CloseDelimitedAndChunkedBodies) {
  {
    CannedServer s("HTTP/1.0 200 OK\r\n\r\nuntil the end");
    ClientResult r = http_request({"GET", s.url(), {}, ""});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "until the end");
  }
  {
    CannedServer s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n");
    ClientResult r = http_request({"GET", s.url(), {}, ""});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "wikipedia");
  }
  {
    CannedServer s("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
    ClientResult r = http_request({"GET", s.url(), {}, ""});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ClientErrorKind::kIo) << r.error().message;
  }
  {
    CannedServer s("garbage\r\n\r\n");
    ClientResult r = http_request({"GET", s.url(), {}, ""});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ClientErrorKind::kProtocol) << r.error().message;
  }
}

// ---------------------------------------------------------------------------
// HTTPS

class NetClientTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::system("openssl version > /dev/null 2>&1") != 0) return;
    dir_ = std::filesystem::path(::testing::TempDir()) / ("silk_net_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto make = [](const std::string& name, const std::string& san) {
      std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                        "-subj /CN=" + name + " -addext subjectAltName=" + san + " -keyout " +
                        (dir_ / (name + ".key")).string() + " -out " + (dir_ / (name + ".pem")).string() +
                        " > /dev/null 2>&1";
      return std::system(cmd.c_str()) == 0;
    };
    ok_ = make("localhost", "DNS:localhost,IP:127.0.0.1") && make("other.example", "DNS:other.example");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  void SetUp() override {
    if (!ok_) GTEST_SKIP() << "openssl CLI unavailable";
  }
  static std::string file(const std::string& name) { return (dir_ / name).string(); }

  static inline std::filesystem::path dir_;
  static inline bool ok_ = false;
};

// Serves `connections` TLS connections (each one request) with `cert`.
class TlsServer {
 public:
  TlsServer(const std::string& cert, const std::string& key, int connections) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str());
    SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) serve_one();
    });
  }
  ~TlsServer() {
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  uint16_t port() const { return port_; }
  int served() const { return served_; }

 private:
  void serve_one() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    int c = ::accept(fd_, nullptr, nullptr);
    timeval tv{5, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) == 1) {
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, size_t(n));
      }
      std::string reply = "HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nsecure " + got.substr(0, 4);
      SSL_write(ssl, reply.data(), int(reply.size()));
      SSL_shutdown(ssl);
      ++served_;
    }
    ERR_clear_error();
    SSL_free(ssl);
    ::close(c);
  }

  SSL_CTX* ctx_;
  int fd_;
  uint16_t port_;
  std::atomic<int> served_{0};
  std::thread thread_;
};

TEST_F(NetClientTls, SelfSignedRejectedByDefault) {
  TlsServer s(file("localhost.pem"), file("localhost.key"), 1);
  ClientResult r = http_request({"GET", "https://localhost:" + std::to_string(s.port()) + "/", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientErrorKind::kTls);
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
}

TEST_F(NetClientTls, TrustedCaFileAccepted) {
  TlsServer s(file("localhost.pem"), file("localhost.key"), 3);
  ClientOptions o;
  o.ca_file = file("localhost.pem");
  for (const char* host : {"localhost", "127.0.0.1"}) {
    ClientResult r = http_request({"GET", "https://" + std::string(host) + ":" + std::to_string(s.port()) + "/", {}, ""}, o);
    ASSERT_TRUE(r.ok()) << host << ": " << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "secure GET ");
  }
  ClientResult r = http_request({"POST", "https://localhost:" + std::to_string(s.port()) + "/", {}, "x"}, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "secure POST");
}

TEST_F(NetClientTls, HostNameMismatchRejected) {
  // Trusted CA, but the certificate names other.example.
  TlsServer s(file("other.example.pem"), file("other.example.key"), 2);
  ClientOptions o;
  o.ca_file = file("other.example.pem");
  ClientResult r = http_request({"GET", "https://localhost:" + std::to_string(s.port()) + "/", {}, ""}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientErrorKind::kTls);
  // verify_peer = false accepts anything.
  o.verify_peer = false;
  o.ca_file.clear();
  r = http_request({"GET", "https://localhost:" + std::to_string(s.port()) + "/", {}, ""}, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
}

TEST_F(NetClientTls, PlainHttpServerIsATlsError) {
  TestServer plain([](Request, Responder res) { res.send(Response{}); });
  ClientOptions o;
  o.connect_timeout = 2s;
  ClientResult r = http_request({"GET", "https://127.0.0.1:" + std::to_string(plain.port()) + "/", {}, ""}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientErrorKind::kTls) << r.error().message;
}

}  // namespace
}  // namespace silk::net
