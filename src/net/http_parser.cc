#include "net/http_parser.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace silk::net {
namespace {

constexpr size_t kMaxChunkLine = 4096;  // chunk size + extensions
constexpr size_t kMaxBlankLines = 8;     // CRLFs tolerated before a request line

bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(c); });
}

// field-vchar / SP / HTAB (RFC 9110 §5.5): everything but CTLs.
bool is_field_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "HTTP/1.1" -> minor version; -1 malformed; -2 well-formed but unsupported.
int parse_version(std::string_view v) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return -1;
  if (v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9') return -1;
  if (v[5] != '1' || v[7] > '1') return -2;
  return v[7] - '0';
}

bool parse_decimal(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  out = v;
  return true;
}

}  // namespace

const std::string* find_header(const Headers& headers, std::string_view lower_name) {
  for (const Header& h : headers)
    if (h.name == lower_name) return &h.value;
  return nullptr;
}

bool header_has_token(const Headers& headers, std::string_view lower_name, std::string_view token) {
  for (const Header& h : headers) {
    if (h.name != lower_name) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      if (iequals(item, token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a teapot";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

HttpParser::HttpParser(Kind kind, ParserLimits limits) : kind_(kind), limits_(limits) {}

HttpParser::Step HttpParser::fail(int status, std::string reason, size_t consumed) {
  state_ = State::kError;
  error_status_ = status;
  error_reason_ = std::move(reason);
  return {Event::kError, consumed};
}

std::string& HttpParser::body() { return kind_ == Kind::kRequest ? request_.body : response_.body; }

void HttpParser::reset_message() {
  state_ = State::kStart;
  body_mode_ = BodyMode::kNone;
  pending_ = 0;
  blank_lines_ = 0;
  header_bytes_ = 0;
  header_count_ = 0;
  remaining_ = 0;
  request_ = Request{};
  response_ = Response{};
}

Request HttpParser::take_request() {
  Request r = std::move(request_);
  reset_message();
  return r;
}

Response HttpParser::take_response() {
  Response r = std::move(response_);
  reset_message();
  return r;
}

size_t HttpParser::next_line(std::string_view in, bool& bad) {
  const void* nl = pending_ < in.size() ? std::memchr(in.data() + pending_, '\n', in.size() - pending_)
                                        : nullptr;
  if (nl == nullptr) {
    pending_ = in.size();
    return std::string_view::npos;
  }
  size_t end = size_t(static_cast<const char*>(nl) - in.data());
  pending_ = 0;
  // Only CRLF ends a line; a CR anywhere else is refused (no bare CR/LF
  // ambiguity for request smuggling).
  if (end == 0 || in[end - 1] != '\r' || std::memchr(in.data(), '\r', end - 1) != nullptr) {
    bad = true;
  }
  return end == 0 ? 0 : end - 1;
}

bool HttpParser::start_line(std::string_view line) {
  if (kind_ == Kind::kRequest) {
    size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return fail(400, "malformed request line", 0), false;
    size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
      return fail(400, "malformed request line", 0), false;
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method)) return fail(400, "invalid method", 0), false;
    if (target.empty() ||
        !std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
      return fail(400, "invalid request target", 0), false;
    int minor = parse_version(version);
    if (minor == -1) return fail(400, "malformed HTTP version", 0), false;
    if (minor == -2) return fail(505, "unsupported HTTP version", 0), false;
    request_.method = std::string(method);
    request_.target = std::string(target);
    request_.minor_version = minor;
    return true;
  }
  // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]
  int minor = parse_version(line.substr(0, 8));
  if (minor < 0) return fail(400, "malformed status line", 0), false;
  if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' '))
    return fail(400, "malformed status line", 0), false;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return fail(400, "malformed status code", 0), false;
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100) return fail(400, "malformed status code", 0), false;
  std::string_view reason = line.size() > 13 ? line.substr(13) : std::string_view();
  if (!std::all_of(reason.begin(), reason.end(), [](char c) { return is_field_char(c); }))
    return fail(400, "invalid reason phrase", 0), false;
  response_.status = status;
  response_.reason = std::string(reason);
  response_.keep_alive = minor == 1;
  request_.minor_version = minor;
  return true;
}

bool HttpParser::header_line(std::string_view line, bool trailer) {
  if (line[0] == ' ' || line[0] == '\t') return fail(400, "obsolete line folding", 0), false;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail(400, "header line without a colon", 0), false;
  std::string_view name = line.substr(0, colon);
  if (!is_token(name)) return fail(400, "invalid header name", 0), false;
  std::string_view value = trim(line.substr(colon + 1));
  if (!std::all_of(value.begin(), value.end(), [](char c) { return is_field_char(c); }))
    return fail(400, "invalid character in header value", 0), false;
  if (++header_count_ > limits_.max_headers) return fail(431, "too many header fields", 0), false;
  if (trailer) return true;  // checked, then dropped
  Header h;
  h.name.resize(name.size());
  std::transform(name.begin(), name.end(), h.name.begin(), lower);
  h.value = std::string(value);
  (kind_ == Kind::kRequest ? request_.headers : response_.headers).push_back(std::move(h));
  return true;
}

bool HttpParser::headers_complete() {
  const Headers& hs = kind_ == Kind::kRequest ? request_.headers : response_.headers;
  size_t n_length = 0, n_te = 0, n_host = 0;
  std::string_view length_value, te_value;
  for (const Header& h : hs) {
    if (h.name == "content-length") ++n_length, length_value = h.value;
    else if (h.name == "transfer-encoding") ++n_te, te_value = h.value;
    else if (h.name == "host") ++n_host;
  }
  int minor = request_.minor_version;
  if (n_length > 1) return fail(400, "duplicate Content-Length", 0), false;
  if (n_length && n_te) return fail(400, "both Content-Length and Transfer-Encoding", 0), false;
  uint64_t length = 0;
  if (n_length && !parse_decimal(length_value, length)) return fail(400, "invalid Content-Length", 0), false;
  bool chunked = false;
  if (n_te) {
    if (n_te > 1 || !iequals(trim(te_value), "chunked")) {
      return fail(kind_ == Kind::kRequest ? 501 : 400, "unsupported Transfer-Encoding", 0), false;
    }
    if (minor == 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 message", 0), false;
    chunked = true;
  }

  if (kind_ == Kind::kRequest) {
    if (minor == 1 && n_host != 1) return fail(400, n_host ? "duplicate Host" : "missing Host", 0), false;
    if (length > limits_.max_body) return fail(413, "request body too large", 0), false;
    request_.keep_alive = minor == 1 ? !header_has_token(hs, "connection", "close")
                                     : header_has_token(hs, "connection", "keep-alive");
    if (const std::string* expect = find_header(hs, "expect"))
      request_.expect_continue = minor == 1 && iequals(*expect, "100-continue");
    body_mode_ = chunked ? BodyMode::kChunked : length ? BodyMode::kLength : BodyMode::kNone;
  } else {
    int s = response_.status;
    response_.keep_alive = minor == 1 ? !header_has_token(hs, "connection", "close")
                                      : header_has_token(hs, "connection", "keep-alive");
    if (head_request_ || s < 200 || s == 204 || s == 304) body_mode_ = BodyMode::kNone;
    else if (chunked) body_mode_ = BodyMode::kChunked;
    else if (n_length) body_mode_ = length ? BodyMode::kLength : BodyMode::kNone;
    else body_mode_ = BodyMode::kClose, response_.keep_alive = false;
    if (body_mode_ == BodyMode::kLength && length > limits_.max_body)
      return fail(413, "response body too large", 0), false;
  }
  remaining_ = length;
  switch (body_mode_) {
    case BodyMode::kNone: state_ = State::kDone; break;
    case BodyMode::kLength:
      body().reserve(size_t(std::min<uint64_t>(length, 1 << 20)));
      state_ = State::kBodyLength;
      break;
    case BodyMode::kChunked: state_ = State::kChunkSize; break;
    case BodyMode::kClose: state_ = State::kBodyClose; break;
  }
  return true;
}

bool HttpParser::chunk_size_line(std::string_view line) {
  size_t i = 0;
  uint64_t size = 0;
  while (i < line.size()) {
    char c = line[i];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
          : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) break;
    if (i >= 15) return fail(400, "chunk size too long", 0), false;
    size = size * 16 + uint64_t(d);
    ++i;
  }
  if (i == 0) return fail(400, "invalid chunk size", 0), false;
  // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): checked
  // loosely (no CTLs, must start with ';'), then ignored.
  std::string_view ext = trim(line.substr(i));
  if (!ext.empty() && ext[0] != ';') return fail(400, "invalid chunk extension", 0), false;
  if (!std::all_of(ext.begin(), ext.end(), [](char c) { return is_field_char(c); }))
    return fail(400, "invalid chunk extension", 0), false;
  if (size > limits_.max_body || body().size() + size > limits_.max_body)
    return fail(413, kind_ == Kind::kRequest ? "request body too large" : "response body too large", 0), false;
  remaining_ = size;
  state_ = size == 0 ? State::kTrailers : State::kChunkData;
  return true;
}

HttpParser::Step HttpParser::parse(std::string_view in) {
  size_t pos = 0;
  for (;;) {
    std::string_view rest = in.substr(pos);
    switch (state_) {
      case State::kError:
        return {Event::kError, pos};
      case State::kDone:
        return {Event::kMessage, pos};

      case State::kStart:
      case State::kHeaderLine:
      case State::kChunkSize:
      case State::kTrailers: {
        bool bad = false;
        size_t len = next_line(rest, bad);
        if (len == std::string_view::npos) {
          // Incomplete line: enforce the limit on what is buffered so far,
          // exactly as the complete line would be judged (its last byte may
          // be the CR, and the LF is still to come).
          if (state_ == State::kStart && pending_ > limits_.max_request_line + 1)
            return fail(kind_ == Kind::kRequest ? 414 : 400,
                        kind_ == Kind::kRequest ? "request line too long" : "status line too long", pos);
          if ((state_ == State::kHeaderLine || state_ == State::kTrailers) &&
              header_bytes_ + pending_ + 1 > limits_.max_header_bytes)
            return fail(431, "header section too large", pos);
          if (state_ == State::kChunkSize && pending_ > kMaxChunkLine + 1)
            return fail(400, "chunk size line too long", pos);
          return {Event::kNeedMore, pos};
        }
        if (bad) return fail(400, "line not terminated by CRLF", pos);
        std::string_view line = rest.substr(0, len);
        pos += len + 2;
        if (state_ == State::kStart) {
          if (line.empty()) {
            // RFC 9112 §2.2: ignore a few empty lines before a request line.
            if (kind_ == Kind::kRequest && ++blank_lines_ <= kMaxBlankLines) continue;
            return fail(400, "empty start line", pos);
          }
          if (line.size() > limits_.max_request_line)
            return fail(kind_ == Kind::kRequest ? 414 : 400, "request line too long", pos);
          if (!start_line(line)) return {Event::kError, pos};
          state_ = State::kHeaderLine;
          continue;
        }
        if (state_ == State::kChunkSize) {
          if (len > kMaxChunkLine) return fail(400, "chunk size line too long", pos);
          if (!chunk_size_line(line)) return {Event::kError, pos};
          continue;
        }
        header_bytes_ += len + 2;
        if (header_bytes_ > limits_.max_header_bytes) return fail(431, "header section too large", pos);
        if (line.empty()) {
          if (state_ == State::kTrailers) {
            state_ = State::kDone;
            continue;
          }
          if (!headers_complete()) return {Event::kError, pos};
          return {Event::kHeaders, pos};
        }
        if (!header_line(line, state_ == State::kTrailers)) return {Event::kError, pos};
        continue;
      }

      case State::kBodyLength:
      case State::kChunkData: {
        size_t n = size_t(std::min<uint64_t>(remaining_, rest.size()));
        body().append(rest.data(), n);
        pos += n;
        remaining_ -= n;
        if (remaining_ > 0) return {Event::kNeedMore, pos};
        state_ = state_ == State::kBodyLength ? State::kDone : State::kChunkDataEnd;
        continue;
      }
      case State::kChunkDataEnd:
        if (rest.size() < 2) {
          if (!rest.empty() && rest[0] != '\r') return fail(400, "chunk not terminated by CRLF", pos);
          return {Event::kNeedMore, pos};
        }
        if (rest[0] != '\r' || rest[1] != '\n') return fail(400, "chunk not terminated by CRLF", pos);
        pos += 2;
        state_ = State::kChunkSize;
        continue;
      case State::kBodyClose:
        if (body().size() + rest.size() > limits_.max_body)
          return fail(413, "response body too large", pos);
        body().append(rest.data(), rest.size());
        return {Event::kNeedMore, in.size()};
    }
  }
}

HttpParser::Event HttpParser::finish() {
  switch (state_) {
    case State::kBodyClose:
      state_ = State::kDone;
      return Event::kMessage;
    case State::kDone:
      return Event::kMessage;
    case State::kError:
      return Event::kError;
    case State::kStart:
      if (pending_ == 0 && blank_lines_ == 0) return Event::kNeedMore;
      [[fallthrough]];
    default:
      fail(400, "connection closed before the message was complete", 0);
      return Event::kError;
  }
}

}  // namespace silk::net
