// silk::net::HttpServer (with HttpClient and raw sockets as peers, and curl
// as an independent client): keep-alive, pipelining, chunked bodies,
// 100-continue, limits, timeouts, many connections, graceful stop. All
// traffic is on loopback; every wait is bounded.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <vector>

#include "net/http_client.h"
#include "net_test_util.h"

namespace silk::net {
namespace {

using namespace silk::net::testing;
using namespace std::chrono_literals;

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.push_back({"content-type", "text/plain"});
  r.body = std::move(body);
  return r;
}

// Echoes "METHOD target body" back.
void echo(Request req, Responder res) { res.send(text(200, req.method + " " + req.target + " " + req.body)); }

TEST(NetServer, ClientRoundTrip) {
  TestServer s(echo);
  ClientRequest req;
  req.method = "POST";
  req.url = s.url("/a/b?c=d");
  req.headers.push_back({"X-Custom", "v"});
  req.body = "payload";
  ClientResult r = http_request(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /a/b?c=d payload");
  ASSERT_NE(find_header(r->headers, "server"), nullptr);
  EXPECT_EQ(*find_header(r->headers, "server"), "silk");
  EXPECT_NE(find_header(r->headers, "date"), nullptr);
  EXPECT_EQ(*find_header(r->headers, "content-length"), "21");
}

TEST(NetServer, MethodsAndHead) {
  TestServer s([](Request req, Responder res) { res.send(text(200, "body of " + req.method)); });
  for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    ClientResult r = http_request({m, s.url("/"), {}, ""});
    ASSERT_TRUE(r.ok()) << m << ": " << r.error().message;
    EXPECT_EQ(r->body, std::string("body of ") + m);
  }
  ClientResult r = http_request({"HEAD", s.url("/"), {}, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(*find_header(r->headers, "content-length"), "12");
}

TEST(NetServer, KeepAliveReusesTheConnection) {
  std::atomic<int> requests{0};
  TestServer s([&](Request req, Responder res) {
    ++requests;
    res.send(text(200, req.target));
  });
  RawSocket c(s.port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 5; ++i) {
    std::string path = "/r" + std::to_string(i);
    ASSERT_TRUE(c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    Response r;
    ASSERT_TRUE(c.read_response(r)) << i;
    EXPECT_EQ(r.body, path);
    EXPECT_TRUE(r.keep_alive);
  }
  EXPECT_EQ(s.on_loop([&] { return s.server().connection_count(); }), 1u);
  // HTTP/1.0 with keep-alive is kept too, and says so.
  ASSERT_TRUE(c.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  Response r;
  ASSERT_TRUE(c.read_response(r));
  EXPECT_EQ(*find_header(r.headers, "connection"), "keep-alive");
  // Connection: close is honoured.
  ASSERT_TRUE(c.send("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(c.read_response(r));
  EXPECT_EQ(*find_header(r.headers, "connection"), "close");
  EXPECT_TRUE(c.closed_within(2s));
  EXPECT_EQ(requests.load(), 7);
}

TEST(NetServer, PipelinedRequestsAnsweredInOrderEvenWhenAsync) {
  // The handler answers from worker threads, the first request slowest.
  std::mutex mu;
  std::vector<std::thread> workers;
  TestServer s([&](Request req, Responder res) {
    std::lock_guard<std::mutex> lock(mu);
    int delay = req.target == "/0" ? 150 : req.target == "/1" ? 50 : 0;
    workers.emplace_back([req = std::move(req), res, delay] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      res.send(text(200, req.target));
    });
  });
  RawSocket c(s.port());
  std::string batch;
  for (int i = 0; i < 4; ++i) batch += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 4; ++i) {
    Response r;
    ASSERT_TRUE(c.read_response(r)) << i;
    EXPECT_EQ(r.body, "/" + std::to_string(i));
  }
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : workers) t.join();
}

TEST(NetServer, ChunkedRequestBody) {
  TestServer s(echo);
  RawSocket c(s.port());
  ASSERT_TRUE(c.send("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n1;name=val\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n"));
  Response r;
  ASSERT_TRUE(c.read_response(r));
  EXPECT_EQ(r.body, "POST /up hello world");
}

TEST(NetServer, ChunkedResponse) {
  TestServer s([](Request, Responder res) { res.send_chunked(text(200, "streamed")); });
  RawSocket c(s.port());
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  Response r;
  ASSERT_TRUE(c.read_response(r));
  EXPECT_EQ(*find_header(r.headers, "transfer-encoding"), "chunked");
  EXPECT_EQ(r.body, "streamed");
  // An HTTP/1.0 peer gets Content-Length instead.
  RawSocket old(s.port());
  ASSERT_TRUE(old.send("GET / HTTP/1.0\r\n\r\n"));
  std::string raw = old.read_until_eof();
  EXPECT_NE(raw.find("content-length: 8\r\n"), std::string::npos) << raw;
}

TEST(NetServer, ExpectContinue) {
  TestServer s(echo);
  RawSocket c(s.port());
  ASSERT_TRUE(c.send("PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  // The interim response comes before any body byte is sent.
  Response interim;
  ASSERT_TRUE(c.read_response(interim));
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(c.send("data"));
  Response r;
  ASSERT_TRUE(c.read_response(r));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "PUT /x data");
}

TEST(NetServer, ExpectContinueRefusedWhenTooLarge) {
  ServerOptions o;
  o.limits.max_body = 1024;
  TestServer s(echo, o);
  RawSocket c(s.port());
  ASSERT_TRUE(c.send("PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"));
  Response r;
  ASSERT_TRUE(c.read_response(r));
  EXPECT_EQ(r.status, 413);  // no 100 first
  EXPECT_TRUE(c.closed_within(3s));
}

TEST(NetServer, LargeBodyIs413) {
  ServerOptions o;
  o.limits.max_body = 64 * 1024;
  std::atomic<int> calls{0};
  TestServer s([&](Request req, Responder res) { ++calls, res.send(text(200, "ok")); }, o);
  ClientRequest req{"POST", s.url("/"), {}, std::string(64 * 1024 + 1, 'x')};
  ClientResult r = http_request(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(*find_header(r->headers, "connection"), "close");
  // Chunked too: the limit applies to the decoded body.
  RawSocket c(s.port());
  std::string big(40 * 1024, 'y');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", big.size());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  c.send(std::string(size) + "\r\n" + big + "\r\n" + size + "\r\n" + big + "\r\n0\r\n\r\n");
  Response r2;
  ASSERT_TRUE(c.read_response(r2));
  EXPECT_EQ(r2.status, 413);
  // Exactly the limit is fine.
  req.body.pop_back();
  r = http_request(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST(NetServer, BadRequestsAnsweredAndClosed) {
  std::atomic<int> calls{0};
  TestServer s([&](Request, Responder res) { ++calls, res.send(text(200, "ok")); });
  struct Case {
    std::string bytes;
    int status;
  } cases[] = {
      {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505},
      {"GET /" + std::string(10000, 'a') + " HTTP/1.1\r\n", 414},
      {std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n", 13), 400},
  };
  for (const Case& c : cases) {
    RawSocket sock(s.port());
    ASSERT_TRUE(sock.send(c.bytes));
    Response r;
    ASSERT_TRUE(sock.read_response(r)) << c.bytes.substr(0, 40);
    EXPECT_EQ(r.status, c.status) << c.bytes.substr(0, 40) << " -> " << r.body;
    EXPECT_FALSE(r.body.empty());
    EXPECT_TRUE(sock.closed_within(3s));
  }
  EXPECT_EQ(calls.load(), 0);
}

TEST(NetServer, SlowlorisHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = 300ms;
  TestServer s(echo, o);
  RawSocket c(s.port());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\n"));
  // Keep dribbling one header byte every 50 ms: progress must not extend the
  // deadline.
  std::string dribble = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  for (char ch : dribble) {
    if (!c.send(std::string(1, ch))) break;
    if (c.closed_within(50ms)) break;
    if (std::chrono::steady_clock::now() - start > 3s) break;
  }
  Response r;
  bool got = c.read_response(r, 2s);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(got) << c.buffered();
  EXPECT_EQ(r.status, 408);
  EXPECT_LT(elapsed, 2s);
  EXPECT_GE(elapsed, 250ms);
}

TEST(NetServer, SilentConnectionAndIdleKeepAliveAreClosed) {
  ServerOptions o;
  o.header_timeout = 200ms;
  o.idle_timeout = 300ms;
  TestServer s(echo, o);
  RawSocket silent(s.port());
  EXPECT_TRUE(silent.closed_within(2s));
  EXPECT_TRUE(silent.buffered().empty());  // nothing asked, nothing answered

  RawSocket c(s.port());
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  Response r;
  ASSERT_TRUE(c.read_response(r));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_within(2s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

TEST(NetServer, ManyConcurrentConnections) {
  TestServer s(echo);
  constexpr int kClients = 8, kConnsPerClient = 40, kRequestsPerConn = 5;
  std::atomic<int> ok{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      // Each thread holds all its connections open at once.
      std::vector<std::unique_ptr<RawSocket>> socks;
      for (int i = 0; i < kConnsPerClient; ++i) socks.push_back(std::make_unique<RawSocket>(s.port()));
      for (int k = 0; k < kRequestsPerConn; ++k) {
        for (int i = 0; i < kConnsPerClient; ++i)
          socks[i]->send("GET /" + std::to_string(t) + "/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        for (int i = 0; i < kConnsPerClient; ++i) {
          Response r;
          if (socks[i]->read_response(r, 5s) && r.body == "GET /" + std::to_string(t) + "/" + std::to_string(i) + " ")
            ++ok;
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), kClients * kConnsPerClient * kRequestsPerConn);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
}

TEST(NetServer, MaxConnections) {
  ServerOptions o;
  o.max_connections = 4;
  TestServer s(echo, o);
  std::vector<std::unique_ptr<RawSocket>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawSocket>(s.port()));
    held.back()->send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    ASSERT_TRUE(held.back()->read_response(r));
  }
  RawSocket extra(s.port());
  std::string raw = extra.read_until_eof(3s);
  EXPECT_EQ(raw.rfind("HTTP/1.1 503", 0), 0u) << raw;
  held.pop_back();  // a slot frees up
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    RawSocket again(s.port());
    again.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    served = again.read_response(r, 1s) && r.status == 200;
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

TEST(NetServer, DroppedResponderAnswers500) {
  TestServer s([](Request, Responder) {});
  ClientResult r = http_request({"GET", s.url("/"), {}, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 500);
}

TEST(NetServer, HandlerHeadersAreSanitized) {
  TestServer s([](Request req, Responder res) {
    Response r = text(201, "abc");
    r.headers.push_back({"content-length", "999"});  // echoed request headers, say
    r.headers.push_back({"x-evil", "a\r\nset-cookie: injected"});
    r.headers.push_back({"bad name", "v"});
    r.headers.push_back({"x-ok", "fine"});
    res.send(std::move(r));
  });
  ClientResult r = http_request({"GET", s.url("/"), {}, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "abc");
  EXPECT_EQ(*find_header(r->headers, "content-length"), "3");
  EXPECT_EQ(find_header(r->headers, "set-cookie"), nullptr);
  EXPECT_EQ(find_header(r->headers, "x-evil"), nullptr);
  EXPECT_EQ(*find_header(r->headers, "x-ok"), "fine");
}

TEST(NetServer, GracefulStop) {
  std::vector<std::thread> workers;
  std::mutex mu;
  TestServer s([&](Request req, Responder res) {
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([res] {
      std::this_thread::sleep_for(300ms);
      res.send(text(200, "finished"));
    });
  });
  RawSocket idle(s.port());
  RawSocket busy(s.port());
  ASSERT_TRUE(busy.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  // Both connections are accepted and the request is in the handler.
  for (int i = 0; i < 100 && s.on_loop([&] { return s.server().connection_count(); }) < 2; ++i)
    std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(50ms);
  std::promise<void> stopped;
  s.on_loop([&] { s.server().stop([&] { stopped.set_value(); }); });
  EXPECT_TRUE(idle.closed_within(1s));
  EXPECT_TRUE(idle.buffered().empty());
  RawSocket late(s.port());
  EXPECT_FALSE(late.connected());
  Response r;
  ASSERT_TRUE(busy.read_response(r, 3s));
  EXPECT_EQ(r.body, "finished");
  EXPECT_EQ(*find_header(r.headers, "connection"), "close");
  EXPECT_TRUE(busy.closed_within(3s));
  EXPECT_EQ(stopped.get_future().wait_for(3s), std::future_status::ready);
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : workers) t.join();
}

TEST(NetServer, SigtermStopsTheLoop) {
  auto loop = EventLoop::create();
  ASSERT_TRUE(loop.ok());
  std::atomic<int> got{0};
  std::unique_ptr<EventLoop> l = std::move(loop.value());
  std::promise<void> ready;
  std::thread t([&] {
    // Blocked in this thread only: a thread-directed signal reaches the fd.
    ASSERT_TRUE(l->watch_signals({SIGTERM, SIGINT}, [&](int sig) {
      got = sig;
      l->stop();
    }));
    ready.set_value();
    l->run();
  });
  ready.get_future().wait();
  ::pthread_kill(t.native_handle(), SIGTERM);
  t.join();
  EXPECT_EQ(got.load(), SIGTERM);
}

TEST(NetServer, TimersAndPostOrder) {
  auto loop = EventLoop::create();
  ASSERT_TRUE(loop.ok());
  EventLoop& l = *loop.value();
  std::vector<int> order;
  l.add_timer(30ms, [&] { order.push_back(3); });
  auto cancelled = l.add_timer(10ms, [&] { order.push_back(99); });
  l.add_timer(0ms, [&] { order.push_back(1); });
  l.add_timer(20ms, [&] {
    order.push_back(2);
    l.cancel_timer(cancelled);  // already fired: no-op
  });
  l.cancel_timer(cancelled);
  l.add_timer(40ms, [&] { l.stop(); });
  std::thread poster([&] { l.post([&] { order.push_back(0); }); });
  poster.join();
  l.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
}

TEST(NetServer, Ipv6Loopback) {
  ServerOptions o;
  o.host = "::1";
  auto loop = EventLoop::create();
  ASSERT_TRUE(loop.ok());
  auto server = HttpServer::create(*loop.value(), o, echo);
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback: " << server.error().message;
  uint16_t port = server.value()->port();
  EXPECT_EQ(server.value()->address(), "[::1]:" + std::to_string(port));
  std::thread t([&] { loop.value()->run(); });
  ClientResult r = http_request({"GET", "http://[::1]:" + std::to_string(port) + "/six", {}, ""});
  loop.value()->stop();
  t.join();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "GET /six ");
}

// curl, when installed, as an independent client.
std::string run_curl(const std::string& args) {
  std::string cmd = "curl -sS --max-time 10 " + args + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST(NetServer, Curl) {
  if (std::system("curl --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "curl not installed";
  ServerOptions o;
  o.limits.max_body = 100 * 1024;
  TestServer s(echo, o);
  EXPECT_EQ(run_curl("-d hello " + s.url("/post")), "POST /post hello");
  std::string head = run_curl("-i " + s.url("/get"));
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("server: silk"), std::string::npos);
  // Two URLs on one connection (curl reuses it), chunked upload, 100-continue.
  std::string two = run_curl("-w '|%{num_connects}' " + s.url("/1") + " " + s.url("/2"));
  EXPECT_EQ(two, "GET /1 |1GET /2 |0");
  EXPECT_EQ(run_curl("-H 'Transfer-Encoding: chunked' --data-binary chunky " + s.url("/c")), "POST /c chunky");
  std::string big(50 * 1024, 'z');
  std::string file = ::testing::TempDir() + "/net_curl_body";
  FILE* f = std::fopen(file.c_str(), "wb");
  std::fwrite(big.data(), 1, big.size(), f);
  std::fclose(f);
  std::string out = run_curl("-H 'Expect: 100-continue' --data-binary @" + file + " -o /dev/null -w '%{http_code}' " +
                             s.url("/big"));
  EXPECT_EQ(out, "200");
  std::string big2(200 * 1024, 'z');
  f = std::fopen(file.c_str(), "wb");
  std::fwrite(big2.data(), 1, big2.size(), f);
  std::fclose(f);
  out = run_curl("--data-binary @" + file + " -o /dev/null -w '%{http_code}' " + s.url("/big"));
  EXPECT_EQ(out, "413");
  std::remove(file.c_str());
}

}  // namespace
}  // namespace silk::net
