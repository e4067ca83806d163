// http-server-demo: slight's http-server demo in C against slight's
// http-server.wit / http-handler.wit / keyvalue.wit (bindings from
// `silk bindgen --c`). on-server-init registers the routes and serves; slight
// then calls each route's handler export on a fresh instance per request.
//
//   GET    /hello          "hello" (echoes the request headers, as slight's demo does)
//   GET    /foo            the value of key "foo" in keyvalue "my-container" (404 if missing)
//   PUT    /bar            writes the request body to key "foo"
//   GET    /person/:name   the route parameter
//   POST   /upload         "received N bytes"
//   DELETE /delete-file    deletes key "foo" ("deleted")
// and, for silk's tests (not in slight's demo):
//   GET    /error          returns Err(unexpected-error "boom") -> 500
//   GET    /trap           traps (unreachable) -> 500; the next request is unaffected
//   GET    /sleep/:ms      sleeps ms milliseconds, then "slept" (concurrency)
//   GET    /counter        a global incremented per call: always 1 (a fresh instance per request)
//
// The address is $HTTP_ADDRESS, else slight's demo's 0.0.0.0:3000. (slight
// gives guests an empty environment; silk run --env HTTP_ADDRESS=... sets it.)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http-handler.h"
#include "http-server-export.h"
#include "http-server.h"
#include "keyvalue.h"

// --- responses -------------------------------------------------------------

// A response owning copies of {body} and a content-type header (the host
// frees what a handler returns with canonical_abi_free).
static void respond(http_handler_expected_response_http_error_t *ret, uint16_t status, const char *body) {
  ret->is_err = false;
  ret->val.ok.status = status;
  http_handler_tuple2_string_string_t *h = canonical_abi_realloc(NULL, 0, 4, sizeof *h);
  http_handler_string_dup(&h->f0, "content-type");
  http_handler_string_dup(&h->f1, "text/plain");
  ret->val.ok.headers.is_some = true;
  ret->val.ok.headers.val.ptr = h;
  ret->val.ok.headers.val.len = 1;
  ret->val.ok.body.is_some = body != NULL;
  if (body) {
    size_t n = strlen(body);
    ret->val.ok.body.val.ptr = canonical_abi_realloc(NULL, 0, 1, n);
    memcpy(ret->val.ok.body.val.ptr, body, n);
    ret->val.ok.body.val.len = n;
  }
}

static void fail(http_handler_expected_response_http_error_t *ret, const char *message) {
  ret->is_err = true;
  ret->val.err.tag = HTTP_HANDLER_HTTP_ERROR_UNEXPECTED_ERROR;
  http_handler_string_dup(&ret->val.err.val.unexpected_error, message);
}

static const char *const kKvErrors[] = {
    "key-not-found", "invalid-key",          "invalid-value", "connection-error",
    "authentication-error", "timeout-error", "io-error",      "unexpected-error",
};

// keyvalue error -> "keyvalue <op>: <case>: <message>" as an http-error.
static void fail_kv(http_handler_expected_response_http_error_t *ret, const char *op, keyvalue_keyvalue_error_t *e) {
  char msg[512];
  const keyvalue_string_t *m = &e->val.unexpected_error;
  snprintf(msg, sizeof msg, "keyvalue %s: %s: %.*s", op, e->tag < 8 ? kKvErrors[e->tag] : "?", (int)m->len, m->ptr);
  fail(ret, msg);
}

static int open_store(keyvalue_keyvalue_t *kv, http_handler_expected_response_http_error_t *ret) {
  keyvalue_string_t name;
  keyvalue_string_set(&name, "my-container");
  keyvalue_expected_keyvalue_keyvalue_error_t opened;
  keyvalue_keyvalue_open(&name, &opened);
  if (opened.is_err) {
    fail_kv(ret, "open", &opened.val.err);
    keyvalue_expected_keyvalue_keyvalue_error_free(&opened);
    return -1;
  }
  *kv = opened.val.ok;
  return 0;
}

// The value of param {name}, or NULL.
static const http_handler_string_t *param(const http_handler_request_t *req, const char *name) {
  for (size_t i = 0; i < req->params.len; ++i) {
    const http_handler_string_t *k = &req->params.ptr[i].f0;
    if (k->len == strlen(name) && memcmp(k->ptr, name, k->len) == 0) return &req->params.ptr[i].f1;
  }
  return NULL;
}

// --- handlers --------------------------------------------------------------

static void handle_hello(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  printf("I just got a request uri: %.*s method: %d\n", (int)req->uri.len, req->uri.ptr, req->method);
  fflush(stdout);
  ret->is_err = false;
  ret->val.ok.status = 200;
  ret->val.ok.headers.is_some = true;  // the request's headers, as slight's demo does
  ret->val.ok.headers.val = req->headers;
  req->headers.ptr = NULL;
  req->headers.len = 0;
  ret->val.ok.body.is_some = true;
  ret->val.ok.body.val.ptr = canonical_abi_realloc(NULL, 0, 1, 5);
  memcpy(ret->val.ok.body.val.ptr, "hello", 5);
  ret->val.ok.body.val.len = 5;
  http_handler_request_free(req);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-hello", handle_hello)

static void handle_foo(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  http_handler_request_free(req);
  keyvalue_keyvalue_t kv;
  if (open_store(&kv, ret)) return;
  keyvalue_string_t key;
  keyvalue_string_set(&key, "foo");
  keyvalue_expected_list_u8_keyvalue_error_t got;
  keyvalue_keyvalue_get(kv, &key, &got);
  if (!got.is_err) {
    char *text = malloc(got.val.ok.len + 1);
    memcpy(text, got.val.ok.ptr, got.val.ok.len);
    text[got.val.ok.len] = 0;
    respond(ret, 200, text);
    free(text);
  } else if (got.val.err.tag == KEYVALUE_KEYVALUE_ERROR_KEY_NOT_FOUND) {
    respond(ret, 404, "Not Found");
  } else {
    fail_kv(ret, "get", &got.val.err);
  }
  keyvalue_expected_list_u8_keyvalue_error_free(&got);
  keyvalue_keyvalue_free(&kv);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-foo", handle_foo)

static void handle_bar(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  keyvalue_keyvalue_t kv;
  if (open_store(&kv, ret)) {
    http_handler_request_free(req);
    return;
  }
  keyvalue_string_t key;
  keyvalue_string_set(&key, "foo");
  keyvalue_list_u8_t value = {NULL, 0};
  if (req->body.is_some) value = (keyvalue_list_u8_t){req->body.val.ptr, req->body.val.len};
  keyvalue_expected_unit_keyvalue_error_t set;
  keyvalue_keyvalue_set(kv, &key, &value, &set);
  if (set.is_err) fail_kv(ret, "set", &set.val.err);
  else respond(ret, 200, NULL);
  keyvalue_expected_unit_keyvalue_error_free(&set);
  keyvalue_keyvalue_free(&kv);
  http_handler_request_free(req);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-bar", handle_bar)

static void handle_person(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  const http_handler_string_t *name = param(req, "name");
  char text[512];
  snprintf(text, sizeof text, "%.*s", name ? (int)name->len : 0, name ? name->ptr : "");
  respond(ret, 200, text);
  http_handler_request_free(req);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-person-with-name", handle_person)

static void upload(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  char text[64];
  snprintf(text, sizeof text, "received %zu bytes", req->body.is_some ? req->body.val.len : (size_t)0);
  respond(ret, 200, text);
  http_handler_request_free(req);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("upload", upload)

static void delete_file(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  http_handler_request_free(req);
  keyvalue_keyvalue_t kv;
  if (open_store(&kv, ret)) return;
  keyvalue_string_t key;
  keyvalue_string_set(&key, "foo");
  keyvalue_expected_unit_keyvalue_error_t del;
  keyvalue_keyvalue_delete(kv, &key, &del);
  if (del.is_err) fail_kv(ret, "delete", &del.val.err);
  else respond(ret, 200, "deleted");
  keyvalue_expected_unit_keyvalue_error_free(&del);
  keyvalue_keyvalue_free(&kv);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("delete-file-handler", delete_file)

static void handle_error(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  http_handler_request_free(req);
  fail(ret, "boom");
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-error", handle_error)

static void handle_trap(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  (void)req;
  (void)ret;
  __builtin_trap();
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-trap", handle_trap)

static void handle_sleep(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  const http_handler_string_t *ms = param(req, "ms");
  long n = 0;
  for (size_t i = 0; ms && i < ms->len && ms->ptr[i] >= '0' && ms->ptr[i] <= '9'; ++i) n = n * 10 + (ms->ptr[i] - '0');
  struct timespec ts = {n / 1000, (n % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  respond(ret, 200, "slept");
  http_handler_request_free(req);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-sleep", handle_sleep)

static int counter;
static void handle_counter(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  char text[32];
  snprintf(text, sizeof text, "%d", ++counter);
  respond(ret, 200, text);
  http_handler_request_free(req);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-counter", handle_counter)

// --- on-server-init ----------------------------------------------------------

// router = router.<method>(route, handler), or an error message.
typedef void (*route_fn)(http_server_router_t, http_server_string_t *, http_server_string_t *,
                         http_server_expected_router_http_router_error_t *);
static int add(http_server_router_t *router, route_fn fn, const char *route, const char *handler) {
  http_server_string_t r, h;
  http_server_string_set(&r, route);
  http_server_string_set(&h, handler);
  http_server_expected_router_http_router_error_t next;
  fn(*router, &r, &h, &next);
  if (next.is_err) {
    http_server_expected_router_http_router_error_free(&next);
    return -1;
  }
  *router = next.val.ok;  // builder style: a new router each time
  return 0;
}

static void init(http_server_export_expected_unit_string_t *ret) {
  http_server_expected_router_http_router_error_t made;
  http_server_router_new(&made);
  if (made.is_err) {
    ret->is_err = true;
    http_server_export_string_dup(&ret->val.err, "router::new failed");
    return;
  }
  http_server_router_t router = made.val.ok;
  if (add(&router, http_server_router_get, "/hello", "handle_hello") ||
      add(&router, http_server_router_get, "/person/:name", "handle_person_with_name") ||
      add(&router, http_server_router_get, "/foo", "handle_foo") ||
      add(&router, http_server_router_put, "/bar", "handle_bar") ||
      add(&router, http_server_router_post, "/upload", "upload") ||
      add(&router, http_server_router_delete, "/delete-file", "delete_file_handler") ||
      add(&router, http_server_router_get, "/error", "handle_error") ||
      add(&router, http_server_router_get, "/trap", "handle_trap") ||
      add(&router, http_server_router_get, "/sleep/:ms", "handle_sleep") ||
      add(&router, http_server_router_get, "/counter", "handle_counter")) {
    ret->is_err = true;
    http_server_export_string_dup(&ret->val.err, "registering a route failed");
    return;
  }
  const char *address = getenv("HTTP_ADDRESS");
  if (!address || !*address) address = "0.0.0.0:3000";
  http_server_string_t addr;
  http_server_string_set(&addr, address);
  http_server_expected_server_http_router_error_t served;
  http_server_server_serve(&addr, router, &served);
  if (served.is_err) {
    char msg[512];
    const http_server_string_t *m = &served.val.err.val.unexpected_error;
    snprintf(msg, sizeof msg, "serve %s: %.*s", address,
             served.val.err.tag == HTTP_SERVER_HTTP_ROUTER_ERROR_STATUS_ERROR ? 0 : (int)m->len,
             served.val.err.tag == HTTP_SERVER_HTTP_ROUTER_ERROR_STATUS_ERROR ? "" : m->ptr);
    http_server_expected_server_http_router_error_free(&served);
    ret->is_err = true;
    http_server_export_string_dup(&ret->val.err, msg);
    return;
  }
  printf("serving on %s\n", address);
  fflush(stdout);
  ret->is_err = false;
}
HTTP_SERVER_EXPORT_EXPORT_ON_SERVER_INIT("on-server-init", init)
