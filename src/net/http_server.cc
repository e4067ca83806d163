#include "net/http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <unordered_map>

namespace silk::net {
namespace {

using std::chrono::milliseconds;

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxReadPerEvent = 256 * 1024;  // fairness between connections
constexpr milliseconds kLingerTimeout{2000};
constexpr size_t kMaxLingerBytes = 1 << 20;
constexpr milliseconds kAcceptPause{100};  // after EMFILE/ENFILE

bool is_token_char(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool valid_header(const Header& h) {
  if (h.name.empty()) return false;
  for (unsigned char c : h.name)
    if (!is_token_char(c)) return false;
  for (unsigned char c : h.value)
    if (c != '\t' && (c < 0x20 || c == 0x7f)) return false;
  return true;
}

bool lower_equals(std::string_view name, std::string_view lower_literal) {
  if (name.size() != lower_literal.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != lower_literal[i]) return false;
  }
  return true;
}

// IMF-fixdate of the current second, cached.
std::string_view http_date() {
  static thread_local time_t cached_at = 0;
  static thread_local char buf[64];
  time_t now = ::time(nullptr);
  if (now != cached_at) {
    tm t;
    ::gmtime_r(&now, &t);
    ::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &t);
    cached_at = now;
  }
  return buf;
}

std::string format_address(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  uint16_t port = 0;
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
  ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  port = ntohs(a->sin_port);
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

std::string serialize_response(const Response& response, const WireOptions& wire) {
  int status = response.status;
  bool no_body = status < 200 || status == 204 || status == 304;
  std::string out;
  out.reserve(256 + (wire.head_only || no_body ? 0 : response.body.size()));
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  bool reason_ok = std::all_of(response.reason.begin(), response.reason.end(),
                               [](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });
  out += response.reason.empty() || !reason_ok ? reason_phrase(status) : std::string_view(response.reason);
  out += "\r\n";
  bool has_date = false, has_server = false;
  for (const Header& h : response.headers) {
    if (!valid_header(h)) continue;  // no header injection through a handler
    if (lower_equals(h.name, "content-length") || lower_equals(h.name, "transfer-encoding") ||
        lower_equals(h.name, "connection"))
      continue;
    has_date |= lower_equals(h.name, "date");
    has_server |= lower_equals(h.name, "server");
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  if (!has_date && !wire.date.empty()) {
    out += "date: ";
    out += wire.date;
    out += "\r\n";
  }
  if (!has_server) out += "server: silk\r\n";
  bool chunked = wire.chunked && wire.minor_version >= 1;
  if (!no_body) {
    if (chunked) {
      out += "transfer-encoding: chunked\r\n";
    } else {
      out += "content-length: ";
      out += std::to_string(response.body.size());
      out += "\r\n";
    }
  }
  if (!wire.keep_alive) out += "connection: close\r\n";
  else if (wire.minor_version == 0) out += "connection: keep-alive\r\n";
  out += "\r\n";
  if (wire.head_only || no_body) return out;
  if (chunked) {
    if (!response.body.empty()) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", response.body.size());
      out += size;
      out += response.body;
      out += "\r\n";
    }
    out += "0\r\n\r\n";
  } else {
    out += response.body;
  }
  return out;
}

// ---------------------------------------------------------------------------

struct ResponderState {
  std::shared_ptr<Poster> poster;
  std::weak_ptr<Connection> connection;
  std::thread::id loop_thread;
  uint64_t seq = 0;
  std::atomic<bool> sent{false};

  void deliver(Response response, bool chunked);
  ~ResponderState() {
    if (!sent.load()) {
      Response r;
      r.status = 500;
      r.headers.push_back({"content-type", "text/plain"});
      r.body = "Internal Server Error: the handler did not respond";
      deliver(std::move(r), false);
    }
  }
};

class HttpServer::Impl {
 public:
  Impl(EventLoop& loop, ServerOptions options, Handler handler)
      : loop_(loop), options_(std::move(options)), handler_(std::move(handler)) {}
  ~Impl();

  Result<void> listen();
  void on_accept();
  void remove(int fd);
  void stop(std::function<void()> on_stopped);
  void maybe_stopped();

  EventLoop& loop_;
  ServerOptions options_;
  Handler handler_;
  int listen_fd_ = -1;
  sockaddr_storage bound_{};
  std::unordered_map<int, std::shared_ptr<Connection>> connections_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::function<void()> on_stopped_;
  EventLoop::TimerId drain_timer_ = 0;
  EventLoop::TimerId accept_timer_ = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl& server, int fd)
      : server_(server), loop_(server.loop_), fd_(fd),
        parser_(HttpParser::Kind::kRequest, server.options_.limits) {}
  ~Connection() {
    loop_.cancel_timer(timer_);
    if (fd_ >= 0) {
      loop_.remove(fd_);
      ::close(fd_);
    }
  }

  Result<void> start() {
    interest_ = EPOLLIN;
    std::weak_ptr<Connection> self = weak_from_this();
    Result<void> r = loop_.add(fd_, interest_, [self](uint32_t events) {
      if (auto c = self.lock()) c->on_events(events);
    });
    if (!r) return r;
    arm(Timer::kHeader, server_.options_.header_timeout);
    return {};
  }

  bool idle() const { return phase_ == Phase::kReading && parser_.idle() && in_.size() == in_off_; }
  void drain() {
    // Server stopping: idle connections go now, busy ones after their response.
    if (idle()) close();
  }
  void on_response(uint64_t seq, Response response, bool chunked);
  void close();

 private:
  enum class Phase { kReading, kHandling, kWriting, kLinger, kClosed };
  enum class Timer { kNone, kHeader, kBody, kIdle, kWrite, kLinger };

  void on_events(uint32_t events);
  void do_read();
  void do_write();
  void process_input();
  void dispatch(Request request);
  void send_error(int status, const std::string& reason);
  void queue_response(std::string bytes, bool keep_alive);
  void after_write();
  void start_linger();
  void arm(Timer kind, milliseconds after);
  void on_timer();
  void update_interest();

  HttpServer::Impl& server_;
  EventLoop& loop_;
  int fd_;
  HttpParser parser_;
  Phase phase_ = Phase::kReading;
  std::string in_;
  size_t in_off_ = 0;
  std::string out_;
  size_t out_off_ = 0;
  uint32_t interest_ = 0;
  bool read_eof_ = false;
  bool keep_alive_ = true;
  bool close_after_write_ = false;
  bool in_process_ = false;
  bool head_request_ = false;
  int minor_version_ = 1;
  uint64_t seq_ = 0;
  size_t linger_bytes_ = 0;
  Timer timer_kind_ = Timer::kNone;
  EventLoop::TimerId timer_ = 0;
};

void ResponderState::deliver(Response response, bool chunked) {
  if (std::this_thread::get_id() == loop_thread) {
    if (auto c = connection.lock()) c->on_response(seq, std::move(response), chunked);
    return;
  }
  poster->post([conn = connection, seq = seq, response = std::move(response), chunked]() mutable {
    if (auto c = conn.lock()) c->on_response(seq, std::move(response), chunked);
  });
}

void Responder::send(Response response) const {
  if (state_->sent.exchange(true)) return;
  state_->deliver(std::move(response), false);
}

void Responder::send_chunked(Response response) const {
  if (state_->sent.exchange(true)) return;
  state_->deliver(std::move(response), true);
}

void Connection::arm(Timer kind, milliseconds after) {
  loop_.cancel_timer(timer_);
  timer_kind_ = kind;
  std::weak_ptr<Connection> self = weak_from_this();
  timer_ = loop_.add_timer(after, [self] {
    if (auto c = self.lock()) c->on_timer();
  });
}

void Connection::on_timer() {
  timer_ = 0;
  switch (timer_kind_) {
    case Timer::kHeader:
    case Timer::kBody:
      if (phase_ == Phase::kReading && (!parser_.idle() || in_.size() > in_off_)) {
        send_error(408, "request timeout");
        return;
      }
      close();
      return;
    case Timer::kIdle:
    case Timer::kWrite:
    case Timer::kLinger:
    case Timer::kNone:
      close();
      return;
  }
}

void Connection::update_interest() {
  if (phase_ == Phase::kClosed) return;
  uint32_t want = 0;
  if ((phase_ == Phase::kReading || phase_ == Phase::kLinger) && !read_eof_) want |= EPOLLIN;
  if (out_off_ < out_.size()) want |= EPOLLOUT;
  if (want != interest_) {
    interest_ = want;
    (void)loop_.modify(fd_, want);
  }
}

void Connection::on_events(uint32_t events) {
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    do_read();
    if (phase_ == Phase::kClosed) return;
  }
  if (events & EPOLLOUT) do_write();
  if (phase_ != Phase::kClosed && (events & (EPOLLHUP | EPOLLERR)) && interest_ == 0) close();
}

void Connection::do_read() {
  size_t got_total = 0;
  bool any = false;
  while (got_total < kMaxReadPerEvent) {
    if (in_off_ == in_.size()) in_.clear(), in_off_ = 0;
    size_t old = in_.size();
    in_.resize(old + kReadChunk);
    ssize_t n = ::recv(fd_, in_.data() + old, kReadChunk, 0);
    in_.resize(old + size_t(std::max<ssize_t>(n, 0)));
    if (n > 0) {
      got_total += size_t(n);
      any = true;
      if (phase_ == Phase::kLinger) {
        linger_bytes_ += size_t(n);
        in_.clear(), in_off_ = 0;
        if (linger_bytes_ > kMaxLingerBytes) return close();
      }
      // A short read emptied the socket: no recv just to hear EAGAIN (epoll
      // is level-triggered here, so later bytes or the FIN wake us again).
      if (size_t(n) < kReadChunk) break;
      continue;
    }
    if (n == 0) {
      read_eof_ = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    return close();  // ECONNRESET and friends
  }
  if (phase_ == Phase::kLinger) {
    if (read_eof_) close();
    return;
  }
  if (phase_ == Phase::kReading && any) {
    if (timer_kind_ == Timer::kIdle) arm(Timer::kHeader, server_.options_.header_timeout);
    else if (timer_kind_ == Timer::kBody) arm(Timer::kBody, server_.options_.body_timeout);
    process_input();
    if (phase_ == Phase::kClosed) return;
  }
  if (read_eof_ && phase_ == Phase::kReading) {
    // The peer is done sending: a request cut short gets no answer (there is
    // nobody to read it reliably), an idle connection just closes.
    return close();
  }
  update_interest();
}

void Connection::process_input() {
  if (in_process_) return;
  in_process_ = true;
  // Runs until the parser needs more bytes: a message without a body is
  // complete right after its head, with nothing left to read.
  while (phase_ == Phase::kReading) {
    HttpParser::Step step = parser_.parse(std::string_view(in_).substr(in_off_));
    in_off_ += step.consumed;
    if (step.event == HttpParser::Event::kNeedMore) break;
    if (step.event == HttpParser::Event::kError) {
      send_error(parser_.status(), parser_.reason());
      break;
    }
    if (step.event == HttpParser::Event::kHeaders) {
      const Request& head = parser_.request();
      if (parser_.expects_body()) {
        if (head.expect_continue && in_off_ == in_.size()) {
          out_ += "HTTP/1.1 100 Continue\r\n\r\n";
          do_write();
          if (phase_ == Phase::kClosed) break;
        }
        arm(Timer::kBody, server_.options_.body_timeout);
      }
      continue;
    }
    dispatch(parser_.take_request());
  }
  // A parse with every byte consumed leaves nothing to keep.
  if (in_off_ == in_.size()) in_.clear(), in_off_ = 0;
  else if (in_off_ > 64 * 1024) in_.erase(0, in_off_), in_off_ = 0;
  in_process_ = false;
}

void Connection::dispatch(Request request) {
  phase_ = Phase::kHandling;
  loop_.cancel_timer(timer_);
  timer_kind_ = Timer::kNone;
  keep_alive_ = request.keep_alive;
  head_request_ = request.method == "HEAD";
  minor_version_ = request.minor_version;
  auto state = std::make_shared<ResponderState>();
  state->poster = loop_.poster();
  state->connection = weak_from_this();
  state->loop_thread = std::this_thread::get_id();
  state->seq = ++seq_;
  auto self = shared_from_this();  // the handler may answer, and close, right here
  server_.handler_(std::move(request), Responder(std::move(state)));
  // Not answered yet (a worker has it): stop reading until it is. An answer
  // given on this thread kept the interest as it was: no epoll_ctl at all.
  if (phase_ == Phase::kHandling) update_interest();
}

void Connection::on_response(uint64_t seq, Response response, bool chunked) {
  if (phase_ != Phase::kHandling || seq != seq_) return;
  bool keep_alive = keep_alive_ && !server_.stopping_;
  WireOptions wire;
  wire.keep_alive = keep_alive;
  wire.minor_version = minor_version_;
  wire.head_only = head_request_;
  wire.chunked = chunked;
  wire.date = http_date();
  queue_response(serialize_response(response, wire), keep_alive);
  // Pipelined requests already buffered are next.
  if (phase_ == Phase::kReading) {
    auto self = shared_from_this();
    process_input();
  }
}

void Connection::send_error(int status, const std::string& reason) {
  Response r;
  r.status = status;
  r.headers.push_back({"content-type", "text/plain"});
  r.body = std::string(reason_phrase(status)) + ": " + reason + "\n";
  WireOptions wire;
  wire.keep_alive = false;
  wire.date = http_date();
  // Whatever else the peer sent is not looked at.
  in_.clear(), in_off_ = 0;
  queue_response(serialize_response(r, wire), false);
}

void Connection::queue_response(std::string bytes, bool keep_alive) {
  phase_ = Phase::kWriting;
  close_after_write_ = !keep_alive;
  if (out_off_ == out_.size()) out_ = std::move(bytes), out_off_ = 0;
  else out_ += bytes;
  do_write();
}

void Connection::do_write() {
  bool progress = false;
  while (out_off_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + out_off_, out_.size() - out_off_, MSG_NOSIGNAL);
    if (n > 0) {
      out_off_ += size_t(n);
      progress = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return close();  // EPIPE, ECONNRESET
  }
  if (out_off_ < out_.size()) {
    if (phase_ == Phase::kWriting && (progress || timer_kind_ != Timer::kWrite))
      arm(Timer::kWrite, server_.options_.body_timeout);
    update_interest();
    return;
  }
  out_.clear(), out_off_ = 0;
  if (phase_ == Phase::kWriting) return after_write();
  update_interest();
}

void Connection::after_write() {
  if (close_after_write_ || read_eof_) return start_linger();
  phase_ = Phase::kReading;
  if (server_.stopping_) return close();  // keep_alive was false; defensive
  if (in_off_ < in_.size()) arm(Timer::kHeader, server_.options_.header_timeout);
  else arm(Timer::kIdle, server_.options_.idle_timeout);
  update_interest();
  process_input();
}

void Connection::start_linger() {
  // Half-close and drain what the peer still sends, so that our response is
  // not destroyed by a RST when it has unread data in flight (RFC 9112 §9.6).
  phase_ = Phase::kLinger;
  ::shutdown(fd_, SHUT_WR);
  if (read_eof_) return close();
  in_.clear(), in_off_ = 0;
  arm(Timer::kLinger, kLingerTimeout);
  update_interest();
}

void Connection::close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  loop_.cancel_timer(timer_);
  timer_ = 0;
  auto self = shared_from_this();  // the server's map holds the last reference
  server_.remove(fd_);
}

// ---------------------------------------------------------------------------

HttpServer::Impl::~Impl() {
  loop_.cancel_timer(drain_timer_);
  loop_.cancel_timer(accept_timer_);
  if (listen_fd_ >= 0) {
    loop_.remove(listen_fd_);
    ::close(listen_fd_);
  }
  connections_.clear();
}

Result<void> HttpServer::Impl::listen() {
  std::string host = options_.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string port = std::to_string(options_.port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) return make_error("cannot resolve " + options_.host + ": " + ::gai_strerror(rc));
  std::string last_error = "no address";
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || ::listen(fd, options_.backlog) < 0) {
      last_error = std::strerror(errno);
      ::close(fd);
      continue;
    }
    listen_fd_ = fd;
    break;
  }
  ::freeaddrinfo(list);
  if (listen_fd_ < 0)
    return make_error("cannot listen on " + options_.host + ":" + port + ": " + last_error);
  socklen_t len = sizeof bound_;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound_), &len);
  return loop_.add(listen_fd_, EPOLLIN, [this](uint32_t) { on_accept(); });
}

void HttpServer::Impl::on_accept() {
  for (int i = 0; i < 64 && !stopping_; ++i) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: pause accepting instead of spinning on a
        // listening socket that stays readable.
        (void)loop_.modify(listen_fd_, 0);
        accept_timer_ = loop_.add_timer(kAcceptPause, [this] {
          accept_timer_ = 0;
          if (!stopping_) (void)loop_.modify(listen_fd_, EPOLLIN);
        });
      }
      return;
    }
    if (connections_.size() >= options_.max_connections) {
      static constexpr char kBusy[] =
          "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
      ssize_t n = ::send(fd, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL);
      (void)n;
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_shared<Connection>(*this, fd);
    connections_.emplace(fd, conn);
    if (!conn->start()) connections_.erase(fd);
  }
}

void HttpServer::Impl::remove(int fd) {
  connections_.erase(fd);
  maybe_stopped();
}

void HttpServer::Impl::stop(std::function<void()> on_stopped) {
  if (stopping_) return;
  stopping_ = true;
  on_stopped_ = std::move(on_stopped);
  if (listen_fd_ >= 0) {
    loop_.remove(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  loop_.cancel_timer(accept_timer_);
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [fd, c] : connections_) all.push_back(c);
  for (auto& c : all) c->drain();
  if (!connections_.empty()) {
    drain_timer_ = loop_.add_timer(options_.drain_timeout, [this] {
      drain_timer_ = 0;
      std::vector<std::shared_ptr<Connection>> rest;
      for (auto& [fd, c] : connections_) rest.push_back(c);
      for (auto& c : rest) c->close();
    });
  }
  maybe_stopped();
}

void HttpServer::Impl::maybe_stopped() {
  if (!stopping_ || stopped_ || !connections_.empty()) return;
  stopped_ = true;
  loop_.cancel_timer(drain_timer_);
  if (on_stopped_) {
    auto fn = std::move(on_stopped_);
    fn();
  }
}

// ---------------------------------------------------------------------------

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::create(EventLoop& loop, ServerOptions options, Handler handler) {
  auto impl = std::make_unique<Impl>(loop, std::move(options), std::move(handler));
  if (Result<void> r = impl->listen(); !r) return r.take_error();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const {
  if (impl_->bound_.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&impl_->bound_)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&impl_->bound_)->sin_port);
}

std::string HttpServer::address() const { return format_address(impl_->bound_); }
size_t HttpServer::connection_count() const { return impl_->connections_.size(); }
void HttpServer::stop(std::function<void()> on_stopped) { impl_->stop(std::move(on_stopped)); }
bool HttpServer::stopping() const { return impl_->stopping_; }

}  // namespace silk::net
