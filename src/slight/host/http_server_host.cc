// The `http-server` capability: see http_server_host.h.
#include "slight/host/http_server_host.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include "net/event_loop.h"
#include "net/http_server.h"
#include "slight/bindings/http_handler.h"
#include "slight/host/slight_host.h"

namespace silk::slight {

using http_types::HttpError;
using http_types::HttpRouterError;
using http_types::Method;

// --- routing -----------------------------------------------------------------

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xe0) == 0xc0) { n = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; cp = c & 0x07; }
    else return false;
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char cc = s[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

// routerify's pattern language over a '/'-terminated path: literal bytes,
// ':name' = [^/]+, '*' = .* (both greedy, backtracking, anchored).
bool match_pattern(std::string_view pat, std::string_view path, std::vector<std::pair<std::string, std::string>>& params) {
  if (pat.empty()) return path.empty();
  if (pat[0] == ':') {
    size_t end = pat.find('/');
    std::string_view name = pat.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
    std::string_view rest = end == std::string_view::npos ? std::string_view() : pat.substr(end);
    size_t seg = 0;
    while (seg < path.size() && path[seg] != '/') ++seg;
    for (size_t n = seg; n >= 1; --n) {
      size_t mark = params.size();
      params.emplace_back(std::string(name), std::string(path.substr(0, n)));
      if (match_pattern(rest, path.substr(n), params)) return true;
      params.resize(mark);
    }
    return false;
  }
  if (pat[0] == '*') {
    std::string_view rest = pat.substr(1);
    for (size_t n = path.size() + 1; n-- > 0;) {
      size_t mark = params.size();
      params.emplace_back("*", std::string(path.substr(0, n)));
      if (match_pattern(rest, path.substr(n), params)) return true;
      params.resize(mark);
    }
    return false;
  }
  size_t lit = 0;
  while (lit < pat.size() && pat[lit] != ':' && pat[lit] != '*') ++lit;
  if (path.substr(0, lit) != pat.substr(0, lit)) return false;
  return match_pattern(pat.substr(lit), path.substr(lit), params);
}

std::string with_trailing_slash(std::string s) {
  if (s.empty() || s.back() != '/') s += '/';
  return s;
}

// The path of a request target: origin-form "/p?q", absolute-form
// "http://h/p?q"; "*" (OPTIONS *) stays "*".
std::string_view target_path(std::string_view target) {
  if (!target.empty() && target[0] != '/' && target != "*") {
    size_t scheme = target.find("://");
    if (scheme != std::string_view::npos) {
      size_t slash = target.find('/', scheme + 3);
      size_t q = target.find('?', scheme + 3);
      if (slash == std::string_view::npos || (q != std::string_view::npos && q < slash)) return "/";
      target = target.substr(slash);
    }
  }
  size_t end = target.find_first_of("?#");
  return target.substr(0, end);
}

void rust_escape_debug(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "\\u{%x}", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
}

std::string debug_string_case(const char* name, std::string_view payload) {
  std::string out = name;
  out += "(\"";
  rust_escape_debug(out, payload);
  out += "\")";
  return out;
}

}  // namespace

std::optional<std::string> percent_decode_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      int hi = hex_value(path[i + 1]), lo = hex_value(path[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += char(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += path[i];
  }
  if (!valid_utf8(out)) return std::nullopt;
  return out;
}

std::optional<RouteMatch> match_route(const std::vector<HttpRoute>& routes, Method method, std::string_view target) {
  auto decoded = percent_decode_path(target_path(target));
  if (!decoded) return std::nullopt;
  std::string path = with_trailing_slash(std::move(*decoded));
  for (size_t i = 0; i < routes.size(); ++i) {
    if (routes[i].method != method) continue;
    RouteMatch m;
    m.index = i;
    if (match_pattern(with_trailing_slash(routes[i].route), path, m.params)) return m;
  }
  return std::nullopt;
}

std::string handler_export_name(std::string_view handler) {
  std::string name(handler);
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}

std::optional<std::pair<std::string, uint16_t>> parse_serve_address(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = address.substr(0, colon), port = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // a bare IPv6 address needs brackets (ToSocketAddrs too)
  }
  if (port.empty() || port.size() > 5) return std::nullopt;
  uint32_t p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    p = p * 10 + uint32_t(c - '0');
  }
  if (p > 65535) return std::nullopt;
  return std::make_pair(std::string(host), uint16_t(p));
}

std::string internal_error_body(const HttpError& err) {
  std::string debug;
  switch (err.tag) {
    case HttpError::Tag::InvalidUrl: debug = debug_string_case("InvalidUrl", err.as_invalid_url()); break;
    case HttpError::Tag::TimeoutError: debug = debug_string_case("TimeoutError", err.as_timeout_error()); break;
    case HttpError::Tag::ProtocolError: debug = debug_string_case("ProtocolError", err.as_protocol_error()); break;
    case HttpError::Tag::StatusError: debug = "StatusError(" + std::to_string(err.as_status_error()) + ")"; break;
    case HttpError::Tag::UnexpectedError:
      debug = debug_string_case("UnexpectedError", err.as_unexpected_error());
      break;
  }
  // slight wraps the guest's error in HttpRouterError::UnexpectedError(format!("{:?}", e)).
  return "Internal Server Error: " + debug_string_case("UnexpectedError", debug);
}

std::string internal_error_body_for_trap(std::string_view message) {
  return "Internal Server Error: " + debug_string_case("UnexpectedError", message);
}

// --- the runtime ----------------------------------------------------------------

namespace {

bool token_char(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
}

bool valid_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (!token_char(c)) return false;
  return true;
}

bool valid_header_value(std::string_view value) {
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

std::optional<Method> parse_method(std::string_view m) {
  if (m == "GET") return Method::Get;
  if (m == "POST") return Method::Post;
  if (m == "PUT") return Method::Put;
  if (m == "DELETE") return Method::Delete;
  if (m == "PATCH") return Method::Patch;
  if (m == "HEAD") return Method::Head;
  if (m == "OPTIONS") return Method::Options;
  return std::nullopt;
}

constexpr const char* kCorsHeaders[] = {"access-control-allow-origin", "access-control-allow-methods",
                                        "access-control-allow-headers", "access-control-expose-headers"};

void add_cors(net::Response& r) {
  std::erase_if(r.headers, [](const net::Header& h) {
    std::string lower = h.name;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    for (const char* name : kCorsHeaders)
      if (lower == name) return true;
    return false;
  });
  for (const char* name : kCorsHeaders) r.headers.push_back({name, "*"});
}

net::Response plain(int status, std::string body) {
  net::Response r;
  r.status = status;
  if (!body.empty() || status >= 200) r.headers.push_back({"content-type", "text/plain"});
  r.body = std::move(body);
  add_cors(r);
  return r;
}

// Starts threads with SIGINT/SIGTERM/SIGPIPE blocked: the main thread waits
// for the stop signals with sigwait, and only it may receive them.
template <typename F>
std::thread spawn_quiet(F&& f) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  std::thread t(std::forward<F>(f));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

}  // namespace

struct ServerEntry {
  std::vector<HttpRoute> routes;
  std::shared_ptr<const wasm::Module> module;
  std::unique_ptr<net::HttpServer> server;  // loop thread only
  bool stopped = false;                     // loop thread only: stop() called
  bool drained = false;                     // loop thread only: its on_stopped ran
  std::vector<std::function<void()>> waiters;  // loop thread only
};

struct Job {
  std::shared_ptr<const wasm::Module> module;
  std::string export_name;
  http_types::Request request;
  std::optional<net::Responder> responder;  // (no default constructor)
};

class HttpServerRuntime::Impl : public std::enable_shared_from_this<HttpServerRuntime::Impl> {
 public:
  Impl(const SlightHost& host, HttpServerOptions options) : host_(host), options_(options) {
    if (options_.workers == 0) options_.workers = 1;
  }

  ~Impl() { stop_all(); }

  Result<std::shared_ptr<ServerEntry>> serve(const std::string& address, std::vector<HttpRoute> routes,
                                             std::shared_ptr<const wasm::Module> module) {
    auto parsed = parse_serve_address(address);
    if (!parsed) return make_error("invalid address '" + address + "': expected host:port");
    if (auto started = ensure_started(); !started) return started.take_error();
    // Prepared once per module: every function translated now, not by the
    // first requests (each request is a new instance of the same Module).
    // This is also what makes the workers safe: the engine's per-Module
    // translation cache is not thread-safe (src/wasm/module.h), and once
    // every function is in it, instances only read it.
    if (auto translated = wasm::translate_all(*module); !translated)
      return make_error("cannot prepare the module: " + translated.error().message);
    auto entry = std::make_shared<ServerEntry>();
    entry->routes = std::move(routes);
    entry->module = std::move(module);
    std::promise<Result<void>> bound;
    auto result = bound.get_future();
    std::weak_ptr<Impl> weak = weak_from_this();
    std::function<void()> bind = [&, entry, weak] {
      net::ServerOptions so;
      so.host = parsed->first;
      so.port = parsed->second;
      so.drain_timeout = options_.drain_timeout;
      std::weak_ptr<ServerEntry> weak_entry = entry;
      auto server = net::HttpServer::create(*loop_, so, [weak, weak_entry](net::Request req, net::Responder r) {
        auto self = weak.lock();
        auto e = weak_entry.lock();
        if (!self || !e) return r.send(plain(503, "Service Unavailable"));
        self->dispatch(*e, std::move(req), std::move(r));
      });
      if (!server) {
        bound.set_value(make_error("cannot serve on " + address + ": " + server.error().message));
        return;
      }
      entry->server = std::move(server).value();
      bound.set_value(Result<void>());
    };
    // Without threads the loop is not running yet: this thread is its thread.
    bool posted = true;
    if (inline_) {
      bind();
    } else {
      posted = loop_->post(std::move(bind));
    }
    if (!posted) return make_error("the HTTP event loop has stopped");
    if (auto r = result.get(); !r) return r.take_error();
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      stop_server(entry);
      return make_error("silk is stopping");
    }
    servers_.push_back(entry);
    return entry;
  }

  // Stops one server gracefully (server::stop); returns at once.
  void stop_server(const std::shared_ptr<ServerEntry>& entry) {
    if (!loop_) return;
    loop_->post([entry] { stop_entry(entry, {}); });
  }

  // Loop thread: stops {entry} if it is not stopping yet; {done} runs once it
  // has drained (at once if it already has).
  static void stop_entry(const std::shared_ptr<ServerEntry>& entry, std::function<void()> done) {
    if (!entry->server || entry->drained) {
      if (done) done();
      return;
    }
    if (done) entry->waiters.push_back(std::move(done));
    if (entry->stopped) return;
    entry->stopped = true;
    std::weak_ptr<ServerEntry> weak = entry;
    entry->server->stop([weak] {
      auto e = weak.lock();
      if (!e) return;
      e->drained = true;
      auto waiters = std::move(e->waiters);
      for (auto& f : waiters) f();
    });
  }

  void stop_all() {
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    if (!loop_) return;
    std::vector<std::shared_ptr<ServerEntry>> servers = servers_;
    lock.unlock();
    if (inline_) return stop_inline(servers);
    // 1. Every server stops accepting and drains (on the loop thread).
    auto pending = std::make_shared<std::atomic<size_t>>(servers.size());
    auto done = std::make_shared<std::promise<void>>();
    auto all_stopped = done->get_future();
    if (servers.empty()) done->set_value();
    loop_->post([servers, pending, done] {
      for (const auto& e : servers) {
        stop_entry(e, [pending, done] {
          if (pending->fetch_sub(1) == 1) done->set_value();
        });
      }
    });
    all_stopped.wait_for(options_.drain_timeout + std::chrono::seconds(2));
    // 2. The workers finish what they hold and end.
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      workers_stop_ = true;
    }
    queue_cv_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    // 3. The servers are destroyed on the loop thread, then the loop ends.
    loop_->post([this, servers] {
      for (const auto& e : servers) e->server.reset();
      loop_->stop();
    });
    if (loop_thread_.joinable()) loop_thread_.join();
    lock.lock();
    servers_.clear();
  }

  size_t server_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return servers_.size();
  }

  Stats stats() const { return {requests_.load(), instantiate_ns_.load()}; }

  // stop_all without threads: the loop runs here until every server has
  // drained (bounded by the drain timeout), then the servers go.
  void stop_inline(const std::vector<std::shared_ptr<ServerEntry>>& servers) {
    auto pending = std::make_shared<size_t>(servers.size());
    loop_->post([this, servers, pending] {
      for (const auto& e : servers) {
        stop_entry(e, [this, pending] {
          if (--*pending == 0) loop_->stop();
        });
      }
    });
    loop_->add_timer(std::chrono::duration_cast<std::chrono::milliseconds>(options_.drain_timeout) +
                         std::chrono::seconds(2),
                     [this] { loop_->stop(); });
    if (!servers.empty()) loop_->run();
    for (const auto& e : servers) e->server.reset();
    std::lock_guard<std::mutex> lock(mu_);
    servers_.clear();
  }

  // Where threads cannot be made (a kernel without clone), the loop
  // runs on the caller's thread and requests run on it one at a time.
  bool serves_inline() const {
    std::lock_guard<std::mutex> lock(mu_);
    return inline_ && loop_ != nullptr;
  }
  // SIGINT/SIGTERM end it (through a signalfd: silk's kernel passes on
  // silk vm's), as wait_for_stop_signal does with threads.
  void run_inline() {
    if (!serves_inline()) return;
    if (auto watched = loop_->watch_signals({SIGINT, SIGTERM}, [this](int) { loop_->stop(); }); !watched)
      std::fprintf(stderr, "silk: SIGINT/SIGTERM will not stop the server gracefully: %s\n",
                   watched.error().message.c_str());
    loop_->run();
  }

 private:
  Result<void> ensure_started() {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return make_error("silk is stopping");
    if (loop_) return {};
    auto loop = net::EventLoop::create();
    if (!loop) return loop.take_error();
    loop_ = std::move(loop).value();
    try {
      loop_thread_ = spawn_quiet([this] { loop_->run(); });
      for (size_t i = 0; i < options_.workers; ++i) workers_.push_back(spawn_quiet([this] { worker(); }));
    } catch (const std::system_error&) {
      // No threads here (clone failed): serve inline (run_inline).
      if (loop_thread_.joinable()) return make_error("cannot start the HTTP workers: no threads");
      inline_ = true;
    }
    return {};
  }

  // Loop thread: CORS/OPTIONS/404 here, matched routes to a worker.
  void dispatch(const ServerEntry& e, net::Request req, net::Responder r) {
    std::optional<Method> method = parse_method(req.method);
    if (method == Method::Options) {
      net::Response resp;
      resp.status = 204;
      add_cors(resp);
      return r.send(std::move(resp));
    }
    std::optional<RouteMatch> match;
    if (method) match = match_route(e.routes, *method, req.target);
    if (!match) return r.send(plain(404, "Not Found"));
    Job job;
    job.module = e.module;
    job.export_name = handler_export_name(e.routes[match->index].handler);
    job.request.method = *method;
    job.request.uri = std::move(req.target);
    job.request.headers.reserve(req.headers.size());
    for (net::Header& h : req.headers) job.request.headers.emplace_back(std::move(h.name), std::move(h.value));
    job.request.params.reserve(match->params.size());
    for (auto& [k, v] : match->params) job.request.params.emplace_back(std::move(k), std::move(v));
    job.request.body.emplace(req.body.begin(), req.body.end());
    job.responder = std::move(r);
    if (inline_) {
      job.responder->send(run(job));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      if (queue_.size() >= options_.max_queued || workers_stop_) {
        job.responder->send(plain(503, "Service Unavailable"));
        return;
      }
      queue_.push_back(std::move(job));
    }
    queue_cv_.notify_one();
  }

  void worker() {
    for (;;) {
      std::optional<Job> job;
      {
        std::unique_lock<std::mutex> lock(queue_mu_);
        queue_cv_.wait(lock, [&] { return workers_stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        job.emplace(std::move(queue_.front()));
        queue_.pop_front();
      }
      job->responder->send(run(*job));
    }
  }

  // One request on a fresh instance.
  net::Response run(const Job& job) {
    auto t0 = std::chrono::steady_clock::now();
    wasm::Store store(options_.store);
    auto app = host_.instantiate(store, job.module);
    if (!app) return plain(500, internal_error_body_for_trap(app.error().message));
    if (wasm::Function* init = app.value()->instance().function("_initialize")) {
      auto r = store.call(init, {});
      if (!r) return plain(500, internal_error_body_for_trap(r.error().message));
    }
    auto t1 = std::chrono::steady_clock::now();
    requests_.fetch_add(1, std::memory_order_relaxed);
    instantiate_ns_.fetch_add(uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()),
                              std::memory_order_relaxed);
    auto r = http_handler::call_handle_http(store, app.value()->instance(), job.request, job.export_name);
    if (!r) return plain(500, internal_error_body_for_trap(r.error().message));
    if (!r.value().has_value()) return plain(500, internal_error_body(r.value().error()));
    http_types::Response& resp = r.value().value();
    // hyper: StatusCode::from_u16 (100..=999); slight unwraps it (a panic).
    if (resp.status < 100 || resp.status > 999)
      return plain(500, internal_error_body_for_trap("invalid status code " + std::to_string(resp.status)));
    net::Response out;
    out.status = resp.status;
    if (resp.headers) {
      out.headers.reserve(resp.headers->size() + 4);
      for (auto& [name, value] : *resp.headers) {
        if (!valid_header_name(name) || !valid_header_value(value))
          return plain(500, internal_error_body_for_trap("invalid response header '" + name + "'"));
        out.headers.push_back({std::move(name), std::move(value)});
      }
    }
    if (resp.body) out.body.assign(resp.body->begin(), resp.body->end());
    add_cors(out);
    return out;
  }

  const SlightHost& host_;
  HttpServerOptions options_;

  mutable std::mutex mu_;
  bool stopping_ = false;
  bool inline_ = false;  // no threads: the loop runs in run_inline, requests on it
  std::unique_ptr<net::EventLoop> loop_;
  std::thread loop_thread_;
  std::vector<std::shared_ptr<ServerEntry>> servers_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  bool workers_stop_ = false;
  std::vector<std::thread> workers_;

  std::atomic<uint64_t> requests_{0}, instantiate_ns_{0};
};

// --- the generated glue's host ------------------------------------------------------

namespace {

using RouterResult = abi::Expected<std::shared_ptr<http_server::Router>, HttpRouterError>;

class RouterImpl : public http_server::Router {
 public:
  explicit RouterImpl(std::vector<HttpRoute> routes = {}) : routes_(std::move(routes)) {}
  const std::vector<HttpRoute>& routes() const { return routes_; }

  RouterResult get(const std::string& route, const std::string& handler) override { return with(Method::Get, route, handler); }
  RouterResult put(const std::string& route, const std::string& handler) override { return with(Method::Put, route, handler); }
  RouterResult post(const std::string& route, const std::string& handler) override { return with(Method::Post, route, handler); }
  RouterResult delete_(const std::string& route, const std::string& handler) override {
    return with(Method::Delete, route, handler);
  }

 private:
  RouterResult with(Method method, const std::string& route, const std::string& handler) {
    std::vector<HttpRoute> routes = routes_;
    routes.push_back({method, route, handler});
    return std::shared_ptr<http_server::Router>(std::make_shared<RouterImpl>(std::move(routes)));
  }
  std::vector<HttpRoute> routes_;
};

class ServerImpl : public http_server::Server {
 public:
  ServerImpl(std::weak_ptr<HttpServerRuntime::Impl> runtime, std::shared_ptr<ServerEntry> entry)
      : runtime_(std::move(runtime)), entry_(std::move(entry)) {}
  abi::Expected<abi::Unit, HttpRouterError> stop() override;

 private:
  std::weak_ptr<HttpServerRuntime::Impl> runtime_;
  std::shared_ptr<ServerEntry> entry_;
};

class HttpServerAdapter : public http_server::HttpServerHost {
 public:
  HttpServerAdapter(std::shared_ptr<HttpServerRuntime::Impl> runtime, std::shared_ptr<const wasm::Module> module)
      : runtime_(std::move(runtime)), module_(std::move(module)) {}

  RouterResult router_new() override { return std::shared_ptr<http_server::Router>(std::make_shared<RouterImpl>()); }
  RouterResult router_new_with_base(const std::string&) override { return router_new(); }

  abi::Expected<std::shared_ptr<http_server::Server>, HttpRouterError> server_serve(const std::string& address,
                                                                                    http_server::Router& router) override {
    auto* r = dynamic_cast<RouterImpl*>(&router);
    if (!r) return abi::unexpected(HttpRouterError::unexpected_error("not a router of this host"));
    auto entry = runtime_->serve(address, r->routes(), module_);
    if (!entry) return abi::unexpected(HttpRouterError::unexpected_error(entry.error().message));
    return std::shared_ptr<http_server::Server>(std::make_shared<ServerImpl>(runtime_, std::move(entry).value()));
  }

 private:
  std::shared_ptr<HttpServerRuntime::Impl> runtime_;
  std::shared_ptr<const wasm::Module> module_;
};

}  // namespace

abi::Expected<abi::Unit, HttpRouterError> ServerImpl::stop() {
  if (auto rt = runtime_.lock()) rt->stop_server(entry_);
  return abi::Unit{};
}

HttpServerRuntime::HttpServerRuntime(const SlightHost& host, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(host, options)) {}

HttpServerRuntime::~HttpServerRuntime() { impl_->stop_all(); }

std::shared_ptr<http_server::HttpServerHost> HttpServerRuntime::host_for(std::shared_ptr<const wasm::Module> module) {
  return std::make_shared<HttpServerAdapter>(impl_, std::move(module));
}

void HttpServerRuntime::stop_all() { impl_->stop_all(); }
size_t HttpServerRuntime::server_count() const { return impl_->server_count(); }
bool HttpServerRuntime::serves_inline() const { return impl_->serves_inline(); }
void HttpServerRuntime::run_inline() { impl_->run_inline(); }
HttpServerRuntime::Stats HttpServerRuntime::stats() const { return impl_->stats(); }

}  // namespace silk::slight
