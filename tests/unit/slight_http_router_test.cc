// The http-server capability's pure parts (src/slight/host/http_server_host.h):
// routing as routerify does it (slight's handler-selection bug fixed), serve()
// addresses, handler export names and slight's 500 bodies.
#include <gtest/gtest.h>

#include "slight/host/http_server_host.h"

namespace silk::slight {
namespace {

using http_types::Method;
using Params = std::vector<std::pair<std::string, std::string>>;

std::vector<HttpRoute> demo_routes() {
  return {
      {Method::Get, "/hello", "handle_hello"},
      {Method::Get, "/person/:name", "handle_person"},
      {Method::Put, "/hello", "handle_put_hello"},
      {Method::Get, "/files/*", "handle_files"},
      {Method::Get, "/a/:x/b/:y", "handle_ab"},
      {Method::Delete, "/hello/:name", "handle_delete"},
  };
}

std::optional<size_t> index_of(Method m, std::string_view target, Params* params = nullptr) {
  auto match = match_route(demo_routes(), m, target);
  if (!match) return std::nullopt;
  if (params) *params = match->params;
  return match->index;
}

TEST(SlightHttpRouter, ExactPathsTrailingSlashAndQuery) {
  EXPECT_EQ(index_of(Method::Get, "/hello"), 0u);
  EXPECT_EQ(index_of(Method::Get, "/hello/"), 0u);
  EXPECT_EQ(index_of(Method::Get, "/hello?x=1"), 0u);
  EXPECT_EQ(index_of(Method::Get, "/hello/?x=/y"), 0u);
  EXPECT_EQ(index_of(Method::Get, "/Hello"), std::nullopt);  // case-sensitive
  EXPECT_EQ(index_of(Method::Get, "/hello/x"), std::nullopt);
  EXPECT_EQ(index_of(Method::Get, "/hell"), std::nullopt);
  EXPECT_EQ(index_of(Method::Get, "/"), std::nullopt);
  EXPECT_EQ(index_of(Method::Get, "http://example.com/hello?q"), 0u);  // absolute-form
}

TEST(SlightHttpRouter, DispatchesToTheMatchedRoutesHandler) {
  // slight took the first route whose PATH matched (GET's handler for PUT);
  // silk takes the route whose method and path match.
  EXPECT_EQ(index_of(Method::Put, "/hello"), 2u);
  EXPECT_EQ(index_of(Method::Post, "/hello"), std::nullopt);
  EXPECT_EQ(index_of(Method::Head, "/hello"), std::nullopt);  // HEAD is not GET
  Params p;
  EXPECT_EQ(index_of(Method::Delete, "/hello/joe", &p), 5u);  // not /hello's handler
  EXPECT_EQ(p, (Params{{"name", "joe"}}));
}

TEST(SlightHttpRouter, Params) {
  Params p;
  EXPECT_EQ(index_of(Method::Get, "/person/joe", &p), 1u);
  EXPECT_EQ(p, (Params{{"name", "joe"}}));
  EXPECT_EQ(index_of(Method::Get, "/person/joe/", &p), 1u);
  EXPECT_EQ(p, (Params{{"name", "joe"}}));
  EXPECT_EQ(index_of(Method::Get, "/person/J%C3%BCrgen%20X?x=1", &p), 1u);
  EXPECT_EQ(p, (Params{{"name", "J\xc3\xbcrgen X"}}));
  EXPECT_EQ(index_of(Method::Get, "/person/"), std::nullopt);  // one non-empty segment
  EXPECT_EQ(index_of(Method::Get, "/person/a/b"), std::nullopt);
  EXPECT_EQ(index_of(Method::Get, "/a/1/b/2", &p), 4u);
  EXPECT_EQ(p, (Params{{"x", "1"}, {"y", "2"}}));
  EXPECT_EQ(index_of(Method::Get, "/files/x/y/z.txt", &p), 3u);
  EXPECT_EQ(p, (Params{{"*", "x/y/z.txt"}}));
  EXPECT_EQ(index_of(Method::Get, "/files/", &p), std::nullopt);  // "/files/*/" needs "/files/" + ".*" + "/"
  // %2F decodes to '/', which then separates segments (routerify matches the decoded path).
  EXPECT_EQ(index_of(Method::Get, "/person/a%2Fb"), std::nullopt);
  // Not UTF-8 once decoded: matches nothing.
  EXPECT_EQ(index_of(Method::Get, "/person/%ff"), std::nullopt);
}

TEST(SlightHttpRouter, FirstRegisteredWins) {
  std::vector<HttpRoute> routes = {{Method::Get, "/x/:id", "a"}, {Method::Get, "/x/special", "b"}};
  auto m = match_route(routes, Method::Get, "/x/special");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->index, 0u);
}

TEST(SlightHttpRouter, PercentDecode) {
  EXPECT_EQ(percent_decode_path("/a%20b"), "/a b");
  EXPECT_EQ(percent_decode_path("/a%2"), "/a%2");    // incomplete escape stays
  EXPECT_EQ(percent_decode_path("/a%zz"), "/a%zz");  // invalid escape stays
  EXPECT_EQ(percent_decode_path("/%e2%82%ac"), "/\xe2\x82\xac");
  EXPECT_EQ(percent_decode_path("/%c0%80"), std::nullopt);  // overlong
}

TEST(SlightHttpRouter, ServeAddresses) {
  using P = std::pair<std::string, uint16_t>;
  EXPECT_EQ(parse_serve_address("0.0.0.0:3000"), P("0.0.0.0", 3000));
  EXPECT_EQ(parse_serve_address("localhost:8080"), P("localhost", 8080));
  EXPECT_EQ(parse_serve_address("[::1]:8080"), P("::1", 8080));
  EXPECT_EQ(parse_serve_address("127.0.0.1:0"), P("127.0.0.1", 0));
  EXPECT_EQ(parse_serve_address("::1:8080"), std::nullopt);
  EXPECT_EQ(parse_serve_address("localhost"), std::nullopt);
  EXPECT_EQ(parse_serve_address("localhost:"), std::nullopt);
  EXPECT_EQ(parse_serve_address("localhost:65536"), std::nullopt);
  EXPECT_EQ(parse_serve_address("localhost:80a"), std::nullopt);
  EXPECT_EQ(parse_serve_address(":80"), std::nullopt);
}

TEST(SlightHttpRouter, HandlerNamesAndErrorBodies) {
  EXPECT_EQ(handler_export_name("handle_person_with_name"), "handle-person-with-name");
  EXPECT_EQ(internal_error_body(http_types::HttpError::unexpected_error("boom")),
            R"x(Internal Server Error: UnexpectedError("UnexpectedError(\"boom\")"))x");
  EXPECT_EQ(internal_error_body(http_types::HttpError::status_error(418)),
            R"x(Internal Server Error: UnexpectedError("StatusError(418)"))x");
  EXPECT_EQ(internal_error_body(http_types::HttpError::invalid_url("a\"b\n")),
            R"x(Internal Server Error: UnexpectedError("InvalidUrl(\"a\\\"b\\n\")"))x");
  EXPECT_EQ(internal_error_body_for_trap("unreachable"), R"x(Internal Server Error: UnexpectedError("unreachable"))x");
}

}  // namespace
}  // namespace silk::slight
