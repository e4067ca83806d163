// silk::slight — the `http-server` capability (ABI.md §6.6): routers, servers
// on silk's own HTTP/1.1 server (src/net), and a fresh wasm instance per
// request running the matched route's handler export.
//
//  * router::new / new-with-base (base ignored) / get / put / post / delete:
//    a router is an immutable list of {method, route, handler}; each method
//    returns a NEW router (copy + route, §2.5).
//  * server::serve(address, router): "host:port" ("0.0.0.0:3000",
//    "localhost:8080", "[::1]:8080") bound at once on the process-wide event
//    loop (its thread starts with the first serve); the handle's stop() stops
//    that server gracefully; dropping the handle does not.
//  * Routing (routerify's rules, slight's handler-selection bug fixed): the
//    percent-decoded path, query ignored, trailing '/' insignificant; ':name'
//    matches one non-empty segment, '*' the rest (param "*"); the first route
//    in registration order whose method and pattern match wins, and ITS
//    handler runs (slight takes the first route whose path matches whatever
//    its method, so GET and PUT on one path both ran the GET handler).
//    No match: 404 text/plain "Not Found"; OPTIONS: 204; every response has
//    access-control-allow-{origin,methods,headers}: * and
//    access-control-expose-headers: *.
//  * Per request, on a worker thread (HttpServerOptions::workers, default 4):
//    new wasm::Store + SlightHost::instantiate (fresh WASI and handle tables),
//    _initialize if exported (C reactors), then the export named by the
//    route's handler with '_' -> '-'. Ok(response): its status, headers (they
//    replace the defaults) and body (None: empty). Err, trap, a missing
//    export or an invalid status: 500 text/plain "Internal Server Error: ..."
//    (slight's Debug text). A trap ends only that request's instance.
//  * stop_all(): every server stops accepting, in-flight requests finish
//    (bounded by drain_timeout), then the loop and the workers end.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "slight/bindings/http_server.h"
#include "wasm/engine.h"

namespace silk::slight {

class SlightHost;

// --- routing (pure; unit-tested) ---------------------------------------------

struct HttpRoute {
  http_types::Method method;
  std::string route;    // as registered: "/person/:name", "/files/*"
  std::string handler;  // as registered: "handle_hello"
};

struct RouteMatch {
  size_t index = 0;  // into the route list
  std::vector<std::pair<std::string, std::string>> params;
};

// Percent-decodes {path} (invalid escapes stay as they are); nullopt if the
// result is not UTF-8 (such a path matches nothing).
std::optional<std::string> percent_decode_path(std::string_view path);
// The first route matching {method} and the request target {target}
// ("/path?query"); nullopt: 404.
std::optional<RouteMatch> match_route(const std::vector<HttpRoute>& routes, http_types::Method method,
                                      std::string_view target);
// "handle_hello" -> "handle-hello" (slight: route.handler.replace('_', "-")).
std::string handler_export_name(std::string_view handler);
// Parses slight's serve() address: "host:port", "[v6]:port". nullopt if bad.
std::optional<std::pair<std::string, uint16_t>> parse_serve_address(std::string_view address);
// slight's 500 body for a handler that returned {err} / trapped with {message}.
std::string internal_error_body(const http_types::HttpError& err);
std::string internal_error_body_for_trap(std::string_view message);

// --- the runtime ----------------------------------------------------------------

struct HttpServerOptions {
  size_t workers = 4;                      // request threads (each request gets its own Store)
  size_t max_queued = 1024;                // requests waiting for a worker beyond this: 503
  std::chrono::milliseconds drain_timeout{10'000};
  // Each request's Store. The value stack is mapped and unmapped per request
  // (with TLB shootdowns across the worker threads): 1 MiB instead of the
  // engine's 64 MiB default (wasmtime, under slight, allows 512 KiB of wasm stack).
  wasm::StoreOptions store = [] {
    wasm::StoreOptions o;
    o.value_stack_bytes = 1u << 20;
    return o;
  }();
};

// Process-wide: the event loop, the worker pool and every server started by
// any instance of the app. Thread-safe.
class HttpServerRuntime {
 public:
  // {host} outlives the runtime (SlightHost owns it).
  HttpServerRuntime(const SlightHost& host, HttpServerOptions options);
  ~HttpServerRuntime();  // stop_all()

  // The generated glue's host for one instance of {module}: the servers it
  // starts instantiate {module} per request.
  std::shared_ptr<http_server::HttpServerHost> host_for(std::shared_ptr<const wasm::Module> module);

  // Graceful stop of every server, then the loop and the workers. Idempotent.
  void stop_all();
  size_t server_count() const;

  // Where no thread can be started (a kernel without clone, no resources),
  // the servers run inline: serves_inline() is true, and run_inline() runs
  // the event loop on the calling thread, requests one at a time on it,
  // until SIGINT/SIGTERM (a signalfd in the loop) stops it; stop_all then
  // drains on this thread too. Hosted, the loop and workers have threads.
  bool serves_inline() const;
  void run_inline();

  // Statistics (for benchmarks / logs): requests run on workers and the time
  // spent creating their instances (Store + instantiate + _initialize).
  struct Stats {
    uint64_t requests = 0;
    uint64_t instantiate_ns = 0;
  };
  Stats stats() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace silk::slight
