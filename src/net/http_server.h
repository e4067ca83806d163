// silk::net — silk's own event-driven HTTP/1.1 server.
//
// Contract:
//  * create() binds host:port (IPv4 or IPv6, names resolved once; port 0 picks
//    an ephemeral port, see port()) and serves on the given loop; every method
//    runs on the loop thread except Responder::send.
//  * The handler gets each complete request (body read, de-chunked) and a
//    Responder; it may answer at once or later from any thread. One request
//    per connection is in the handler at a time, so pipelined requests are
//    answered in order. A Responder dropped without send() answers 500.
//  * Responses get Content-Length (or chunked when asked), Date, Server: silk
//    and Connection as needed; the handler's own Content-Length,
//    Transfer-Encoding and Connection headers are replaced. HEAD, 1xx, 204 and
//    304 responses carry no body.
//  * Bad requests are answered by the server (parser status and reason, as
//    text/plain) and the connection is closed; the handler never sees them.
//    `Expect: 100-continue` is answered with 100 unless the head is refused.
//  * Timeouts: header_timeout from the first byte of a request head (and from
//    accept) to its end → 408; body_timeout without progress while reading a
//    body or writing a response → close; idle_timeout between keep-alive
//    requests → close. Beyond max_connections a new connection gets 503.
//  * stop(): stop accepting, close idle connections, let in-flight requests
//    finish (their responses say `Connection: close`), then call on_stopped.
//    Connections still busy after drain_timeout are closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "net/event_loop.h"
#include "net/http_parser.h"

namespace silk::net {

struct ServerOptions {
  std::string host = "127.0.0.1";  // "0.0.0.0", "::", "localhost", "::1", ...
  uint16_t port = 0;
  ParserLimits limits;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds drain_timeout{30'000};
  size_t max_connections = 10'000;
  int backlog = 1024;
};

class Connection;
struct ResponderState;

// Answers one request. Copyable; send() may be called from any thread; only
// the first send() counts.
class Responder {
 public:
  void send(Response response) const;
  // Send the body with chunked transfer coding (HTTP/1.1 peers only).
  void send_chunked(Response response) const;

 private:
  friend class Connection;
  explicit Responder(std::shared_ptr<ResponderState> state) : state_(std::move(state)) {}
  std::shared_ptr<ResponderState> state_;
};

using Handler = std::function<void(Request, Responder)>;

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> create(EventLoop& loop, ServerOptions options, Handler handler);
  ~HttpServer();  // closes every connection at once
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  std::string address() const;  // "127.0.0.1:8080", "[::1]:8080"
  size_t connection_count() const;
  void stop(std::function<void()> on_stopped = {});
  bool stopping() const;

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The bytes of a response as the server sends it (see the contract above).
struct WireOptions {
  bool keep_alive = true;
  int minor_version = 1;  // the request's: 1.0 keep-alive needs saying so
  bool head_only = false;  // a HEAD request: no body bytes
  bool chunked = false;
  std::string_view date;  // IMF-fixdate; empty: no Date header
};
std::string serialize_response(const Response& response, const WireOptions& wire);

}  // namespace silk::net
