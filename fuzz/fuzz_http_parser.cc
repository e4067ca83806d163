// libFuzzer target for silk::net::HttpParser. The first byte picks the mode
// (request/response, HEAD) and how the rest is cut into pieces; the rest is
// the bytes from the wire. Checked:
//  * no crash, sanitizer report or hang on any input;
//  * the parse does not depend on how the input is split: fed whole and fed
//    in small pieces, the same messages come out, and both fail or neither;
//  * every request parsed round-trips through serialize_response and the
//    response parser with its body intact.
//
// Build: cmake -DSILK_FUZZ=ON (build-fuzz/), ninja fuzz_http_parser; run:
//   build-fuzz/fuzz/fuzz_http_parser -dict=fuzz/http.dict -max_len=4096 \
//     -max_total_time=300 fuzz/corpus-http
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_parser.h"
#include "net/http_server.h"

namespace {

using namespace silk::net;

struct Outcome {
  std::vector<std::string> messages;  // a flat rendering of each message
  bool failed = false;
  std::vector<Request> requests;
};

std::string render(const Headers& headers, const std::string& body) {
  std::string s;
  for (const Header& h : headers) s += h.name + "\x01" + h.value + "\x02";
  s += "\x03" + body;
  return s;
}

Outcome run(std::string_view input, HttpParser::Kind kind, bool head, size_t step, const ParserLimits& limits) {
  HttpParser parser(kind, limits);
  parser.set_head_request(head);
  Outcome out;
  std::string buf;
  size_t fed = 0;
  for (;;) {
    size_t n = step == 0 ? input.size() - fed : std::min(step, input.size() - fed);
    buf.append(input.data() + fed, n);
    fed += n;
    for (;;) {
      HttpParser::Step s = parser.parse(buf);
      if (s.consumed > buf.size()) std::abort();
      buf.erase(0, s.consumed);
      if (s.event == HttpParser::Event::kError) {
        if (parser.status() < 400 || parser.status() > 599 || parser.reason().empty()) std::abort();
        out.failed = true;
        return out;
      }
      if (s.event == HttpParser::Event::kNeedMore) break;
      if (s.event == HttpParser::Event::kHeaders) continue;
      if (kind == HttpParser::Kind::kRequest) {
        Request r = parser.take_request();
        out.messages.push_back(r.method + " " + r.target + " " + std::to_string(r.minor_version) +
                               (r.keep_alive ? "k" : "c") + render(r.headers, r.body));
        out.requests.push_back(std::move(r));
      } else {
        Response r = parser.take_response();
        out.messages.push_back(std::to_string(r.status) + r.reason + render(r.headers, r.body));
      }
      if (out.messages.size() > 64) return out;
    }
    if (fed == input.size()) break;
  }
  if (kind == HttpParser::Kind::kResponse) {
    HttpParser::Event e = parser.finish();
    if (e == HttpParser::Event::kMessage) {
      Response r = parser.take_response();
      out.messages.push_back(std::to_string(r.status) + r.reason + render(r.headers, r.body));
    } else if (e == HttpParser::Event::kError) {
      out.failed = true;
    }
  }
  return out;
}

void round_trip(const Request& request) {
  Response response;
  response.status = 200;
  response.headers = request.headers;
  response.body = request.body;
  for (bool chunked : {false, true}) {
    WireOptions wire;
    wire.chunked = chunked;
    wire.date = "Thu, 01 Jan 2026 00:00:00 GMT";
    std::string bytes = serialize_response(response, wire);
    HttpParser parser(HttpParser::Kind::kResponse);
    HttpParser::Step s = parser.parse(bytes);
    if (s.event == HttpParser::Event::kHeaders) s = parser.parse(std::string_view(bytes).substr(s.consumed));
    if (s.event != HttpParser::Event::kMessage) {
      std::fprintf(stderr, "serialized response does not parse: %s\n", parser.reason().c_str());
      std::abort();
    }
    if (parser.take_response().body != request.body) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t mode = data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  HttpParser::Kind kind = (mode & 1) ? HttpParser::Kind::kResponse : HttpParser::Kind::kRequest;
  bool head = (mode & 2) != 0;
  size_t step = size_t((mode >> 2) % 7) + 1;
  // Small limits, so the fuzzer reaches every limit.
  ParserLimits limits;
  limits.max_request_line = 256;
  limits.max_header_bytes = 1024;
  limits.max_headers = 16;
  limits.max_body = 2048;

  Outcome whole = run(input, kind, head, 0, limits);
  Outcome pieces = run(input, kind, head, step, limits);
  if (whole.messages != pieces.messages || whole.failed != pieces.failed) {
    std::fprintf(stderr, "split-dependent parse: whole %zu messages%s, pieces(%zu) %zu messages%s\n",
                 whole.messages.size(), whole.failed ? " + error" : "", step, pieces.messages.size(),
                 pieces.failed ? " + error" : "");
    std::abort();
  }
  for (const Request& r : whole.requests) round_trip(r);
  return 0;
}
