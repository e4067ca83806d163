// silk::net — HTTP/1.1 messages and a strict incremental parser (RFC 9112)
// shared by the server (requests) and the client (responses).
//
// Contract:
//  * parse(in) consumes a prefix of `in` and never looks at bytes it has
//    consumed again; the caller keeps the unconsumed rest and calls again with
//    more bytes appended. Work is linear in the input (no rescans).
//  * Events: kHeaders once per message when its head is complete (the server
//    answers `Expect: 100-continue` there), kMessage when the message is
//    complete (take it with take_request()/take_response(); the parser is then
//    ready for the next, pipelined, message), kError (sticky) with status()
//    and reason().
//  * Bad input never crashes: it is an error with a status the server can
//    send back: 400 (syntax, folded lines, CL+TE, duplicate Content-Length,
//    missing/duplicate Host in 1.1), 413 (body over the limit), 414 (request
//    line over the limit), 431 (head over the limits), 501 (a transfer coding
//    other than chunked), 505 (an HTTP version other than 1.0/1.1).
//  * Header names are lower-cased (as hyper hands them to slight's guests);
//    values keep their bytes minus surrounding whitespace; order and
//    duplicates are preserved. Chunked trailers are checked and dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace silk::net {

struct Header {
  std::string name;  // lower-case
  std::string value;
};
using Headers = std::vector<Header>;

// The first header with this (lower-case) name, or nullptr.
const std::string* find_header(const Headers& headers, std::string_view lower_name);
// True if a comma-separated header (Connection, ...) lists `token` (ASCII
// case-insensitive) in any of its fields called `lower_name`.
bool header_has_token(const Headers& headers, std::string_view lower_name, std::string_view token);

struct Request {
  std::string method;  // as sent (case-sensitive token)
  std::string target;  // request-target, e.g. "/path?query"
  int minor_version = 1;  // HTTP/1.<minor>
  Headers headers;
  std::string body;  // de-chunked
  bool keep_alive = true;  // 1.1 unless `Connection: close`; 1.0 only with `keep-alive`
  bool expect_continue = false;
};

struct Response {
  int status = 200;
  std::string reason;  // empty: the standard phrase
  Headers headers;
  std::string body;
  // Client side: the connection may be reused. Server side: ignored (the
  // server decides from the request and its own state).
  bool keep_alive = true;
};

// The standard reason phrase of a status ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status);

struct ParserLimits {
  size_t max_request_line = 8 * 1024;  // 414 beyond (status line for responses)
  size_t max_header_bytes = 64 * 1024;  // all header lines together, trailers too; 431
  size_t max_headers = 100;             // 431
  size_t max_body = 10 * 1024 * 1024;   // 413
};

class HttpParser {
 public:
  enum class Kind { kRequest, kResponse };
  enum class Event { kNeedMore, kHeaders, kMessage, kError };
  struct Step {
    Event event;
    size_t consumed;
  };

  explicit HttpParser(Kind kind, ParserLimits limits = {});

  Step parse(std::string_view in);
  // The peer closed the connection: completes a close-delimited response body.
  // Returns kMessage, kError (a truncated message) or kNeedMore (nothing begun).
  Event finish();

  // Client side: the request was HEAD (its response has no body). Set before
  // parsing each response.
  void set_head_request(bool head) { head_request_ = head; }
  // True while between messages with nothing of the next one seen.
  bool idle() const { return state_ == State::kStart && blank_lines_ == 0 && pending_ == 0; }
  bool in_body() const { return state_ >= State::kBodyLength && state_ <= State::kTrailers; }
  // Valid after kHeaders and until take_*().
  const Request& request() const { return request_; }
  const Response& response() const { return response_; }
  bool expects_body() const { return body_mode_ != BodyMode::kNone; }
  Request take_request();
  Response take_response();

  int status() const { return error_status_; }
  const std::string& reason() const { return error_reason_; }

 private:
  enum class State {
    kStart,
    kHeaderLine,
    kBodyLength,
    kBodyClose,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kDone,
    kError,
  };
  enum class BodyMode { kNone, kLength, kChunked, kClose };

  Step fail(int status, std::string reason, size_t consumed);
  // Returns the length of the next CRLF-terminated line in `in` (without the
  // CRLF) or npos if incomplete; bytes scanned are remembered in pending_.
  size_t next_line(std::string_view in, bool& bad);
  bool start_line(std::string_view line);
  bool header_line(std::string_view line, bool trailer);
  bool headers_complete();
  bool chunk_size_line(std::string_view line);
  void reset_message();
  std::string& body();

  Kind kind_;
  ParserLimits limits_;
  State state_ = State::kStart;
  BodyMode body_mode_ = BodyMode::kNone;
  bool head_request_ = false;
  size_t pending_ = 0;       // bytes of an incomplete line already scanned
  size_t blank_lines_ = 0;   // empty lines before a request line (tolerated)
  size_t header_bytes_ = 0;
  size_t header_count_ = 0;
  uint64_t remaining_ = 0;   // body or chunk bytes still to come
  int error_status_ = 0;
  std::string error_reason_;
  Request request_;
  Response response_;
};

}  // namespace silk::net
