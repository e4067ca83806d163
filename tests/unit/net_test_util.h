// Helpers for the net_*_test.cc files: a server running on its own loop
// thread, and a raw loopback socket with deadline-bounded reads.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "net/event_loop.h"
#include "net/http_parser.h"
#include "net/http_server.h"

namespace silk::net::testing {

using namespace std::chrono_literals;

class TestServer {
 public:
  explicit TestServer(Handler handler, ServerOptions options = {}) {
    auto loop = EventLoop::create();
    EXPECT_TRUE(loop.ok()) << loop.error().message;
    loop_ = std::move(loop.value());
    auto server = HttpServer::create(*loop_, std::move(options), std::move(handler));
    EXPECT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server.value());
    thread_ = std::thread([this] { loop_->run(); });
  }
  ~TestServer() {
    loop_->stop();
    thread_.join();
    server_.reset();
  }

  uint16_t port() const { return server_->port(); }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }
  EventLoop& loop() { return *loop_; }
  HttpServer& server() { return *server_; }
  std::thread& thread() { return thread_; }

  // Runs fn on the loop thread and waits for it.
  template <typename F>
  auto on_loop(F fn) -> decltype(fn()) {
    std::promise<decltype(fn())> p;
    auto f = p.get_future();
    loop_->post([&] {
      if constexpr (std::is_void_v<decltype(fn())>) fn(), p.set_value();
      else p.set_value(fn());
    });
    return f.get();
  }

 private:
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

class RawSocket {
 public:
  explicit RawSocket(uint16_t port, const char* ip = "127.0.0.1") {
    sockaddr_storage ss{};
    socklen_t len;
    if (std::string(ip).find(':') != std::string::npos) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      ::inet_pton(AF_INET6, ip, &a->sin6_addr);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      ::inet_pton(AF_INET, ip, &a->sin_addr);
      len = sizeof *a;
    }
    fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += size_t(n);
    }
    return true;
  }

  // Reads until `want` bytes are buffered, EOF, or the timeout; returns what
  // arrived (also kept in buffered()).
  std::string read_until_eof(std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_ && wait_readable(deadline)) fill();
    std::string out = std::move(buf_);
    buf_.clear();
    return out;
  }

  // Reads one response (parsed by the client-side parser) within the timeout.
  bool read_response(Response& out, std::chrono::milliseconds timeout = 5000ms, bool head = false) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    HttpParser parser(HttpParser::Kind::kResponse);
    parser.set_head_request(head);
    for (;;) {
      HttpParser::Step s = parser.parse(buf_);
      buf_.erase(0, s.consumed);
      if (s.event == HttpParser::Event::kHeaders) continue;
      if (s.event == HttpParser::Event::kMessage) {
        out = parser.take_response();
        return true;
      }
      if (s.event == HttpParser::Event::kError) return false;
      if (eof_) {
        if (parser.finish() == HttpParser::Event::kMessage) {
          out = parser.take_response();
          return true;
        }
        return false;
      }
      if (!wait_readable(deadline)) return false;
      fill();
    }
  }

  // True if the peer closed (EOF or reset) within the timeout.
  bool closed_within(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_ && wait_readable(deadline)) fill();
    return eof_;
  }
  bool eof() const { return eof_; }
  std::string& buffered() { return buf_; }

 private:
  bool wait_readable(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, int(left.count())) > 0;
  }
  void fill() {
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) eof_ = true;
    else buf_.append(tmp, size_t(n));
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buf_;
};

}  // namespace silk::net::testing
