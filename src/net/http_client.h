// silk::net — a blocking HTTP/1.1 client for http:// and https:// URLs, as
// slight's http-client capability needs it (ABI.md §6.7).
//
// Contract:
//  * One request per connection (`connection: close` is sent); redirects are
//    not followed (a 3xx is returned as is); any status is a response, not an
//    error.
//  * https verifies the peer's certificate chain and host name (or IP) against
//    the system CA store, or against ca_file when given; verify_peer = false
//    turns that off. SNI is sent for host names.
//  * connect_timeout bounds each connection attempt (TCP and TLS handshake);
//    total_timeout bounds the whole exchange. Name resolution (getaddrinfo)
//    is not interruptible and is outside both.
//  * The response is parsed by the server's parser (Content-Length, chunked
//    or close-delimited; 1xx interim responses skipped); header names come
//    back lower-cased, in order, duplicates kept.
//  * Errors are values with a kind that maps onto slight's http-error.
//  * Thread-safe: every call is independent.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <variant>

#include "net/http_parser.h"

namespace silk::net {

struct ClientRequest {
  std::string method = "GET";  // GET POST PUT DELETE HEAD PATCH OPTIONS (any token)
  std::string url;             // http://host[:port]/path?query or https://...
  Headers headers;             // a host header given here replaces the URL's
  std::string body;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{30'000};
  bool verify_peer = true;
  std::string ca_file;  // PEM; empty: the system store
  size_t max_response_body = 256 * 1024 * 1024;
  size_t max_response_head = 64 * 1024;
};

enum class ClientErrorKind {
  kInvalidUrl,      // -> http-error::invalid-url
  kInvalidRequest,  // a bad method or header (CR/LF injection): unexpected-error
  kTimeout,         // -> timeout-error
  kConnect,         // resolution or connection refused: unexpected-error
  kTls,             // handshake or certificate: unexpected-error
  kProtocol,        // a malformed response: protocol-error
  kIo,              // reset, closed mid-response: unexpected-error
};

struct ClientError {
  ClientErrorKind kind;
  std::string message;
};

class [[nodiscard]] ClientResult {
 public:
  ClientResult(Response response) : v_(std::move(response)) {}
  ClientResult(ClientError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  Response& value() { return std::get<0>(v_); }
  const Response& value() const { return std::get<0>(v_); }
  Response* operator->() { return &std::get<0>(v_); }
  const ClientError& error() const { return std::get<1>(v_); }

 private:
  std::variant<Response, ClientError> v_;
};

struct Url {
  bool https = false;
  std::string host;  // without brackets
  uint16_t port = 0;
  std::string target;  // "/path?query", never empty
  std::string authority;  // for the Host header: host[:port], brackets kept
};
// Parses an absolute http(s) URL; the fragment is dropped.
std::variant<Url, ClientError> parse_url(std::string_view url);

ClientResult http_request(const ClientRequest& request, const ClientOptions& options = {});

}  // namespace silk::net
