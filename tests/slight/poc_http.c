// A hermit-wasm POC-style HTTP app: built for wasm32-unknown-unknown (no WASI,
// no libc), entry point `main(i32, i32)` which registers routes and calls
// server::serve, as the POC's http-server-demo.wasm does (ABI.md §2.7), with
// handlers exported per route. Allocation is a bump allocator over memory.grow.
#include <stddef.h>
#include <stdint.h>

// --- the little libc the bindings need ----------------------------------------
void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}
void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}
size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; --n, ++x, ++y)
    if (*x != *y) return *x - *y;
  return 0;
}
void abort(void) { __builtin_trap(); }

extern unsigned char __heap_base;
static uintptr_t heap_top;
void *malloc(size_t n) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  uintptr_t p = (heap_top + 15) & ~(uintptr_t)15;
  uintptr_t end = p + 16 + n;
  size_t have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1) return NULL;
  *(size_t *)p = n;
  heap_top = end;
  return (void *)(p + 16);
}
void free(void *p) { (void)p; }
void *realloc(void *p, size_t n) {
  void *q = malloc(n);
  if (q && p) {
    size_t old = *(size_t *)((uintptr_t)p - 16);
    memcpy(q, p, old < n ? old : n);
  }
  return q;
}

// --- the app ------------------------------------------------------------------
#include "http-handler.h"
#include "http-server.h"
#include "keyvalue.h"

static void respond(http_handler_expected_response_http_error_t *ret, uint16_t status, const void *body, size_t n) {
  ret->is_err = false;
  ret->val.ok.status = status;
  ret->val.ok.headers.is_some = false;
  ret->val.ok.body.is_some = true;
  ret->val.ok.body.val.ptr = canonical_abi_realloc(NULL, 0, 1, n);
  memcpy(ret->val.ok.body.val.ptr, body, n);
  ret->val.ok.body.val.len = n;
}

static void handle_hello(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  respond(ret, 200, "hello from a wasm32-unknown-unknown module", 42);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-hello", handle_hello)

// GET /kv/:key reads, PUT /kv/:key writes the body (keyvalue "my-container").
static void handle_kv(http_handler_request_t *req, http_handler_expected_response_http_error_t *ret) {
  keyvalue_string_t name, key = {NULL, 0};
  keyvalue_string_set(&name, "my-container");
  for (size_t i = 0; i < req->params.len; ++i)
    if (req->params.ptr[i].f0.len == 3 && memcmp(req->params.ptr[i].f0.ptr, "key", 3) == 0)
      key = (keyvalue_string_t){req->params.ptr[i].f1.ptr, req->params.ptr[i].f1.len};
  keyvalue_expected_keyvalue_keyvalue_error_t opened;
  keyvalue_keyvalue_open(&name, &opened);
  if (opened.is_err) return respond(ret, 500, "open failed", 11);
  if (req->method == HTTP_HANDLER_METHOD_PUT) {
    keyvalue_list_u8_t v = {req->body.val.ptr, req->body.val.len};
    keyvalue_expected_unit_keyvalue_error_t set;
    keyvalue_keyvalue_set(opened.val.ok, &key, &v, &set);
    return set.is_err ? respond(ret, 500, "set failed", 10) : respond(ret, 200, "stored", 6);
  }
  keyvalue_expected_list_u8_keyvalue_error_t got;
  keyvalue_keyvalue_get(opened.val.ok, &key, &got);
  if (got.is_err) return respond(ret, 404, "no such key", 11);
  respond(ret, 200, got.val.ok.ptr, got.val.ok.len);
}
HTTP_HANDLER_EXPORT_HANDLE_HTTP("handle-kv", handle_kv)

static int route(http_server_router_t *r,
                 void (*fn)(http_server_router_t, http_server_string_t *, http_server_string_t *,
                            http_server_expected_router_http_router_error_t *),
                 const char *path, const char *handler) {
  http_server_string_t p, h;
  http_server_string_set(&p, path);
  http_server_string_set(&h, handler);
  http_server_expected_router_http_router_error_t next;
  fn(*r, &p, &h, &next);
  if (next.is_err) return -1;
  *r = next.val.ok;
  return 0;
}

// main(0, 0), as hermit-wasm calls it: registers the routes and serves. The
// module has no WASI (no environment), so the address is read from the
// keyvalue store "my-container", key "address" (silk's tests write it there
// before starting silk), else the POC's "0.0.0.0:3000".
__attribute__((export_name("main"))) int poc_main(int argc, int argv) {
  http_server_expected_router_http_router_error_t made;
  http_server_router_new(&made);
  if (made.is_err) return 1;
  http_server_router_t r = made.val.ok;
  if (route(&r, http_server_router_get, "/hello", "handle_hello") ||
      route(&r, http_server_router_get, "/kv/:key", "handle_kv") ||
      route(&r, http_server_router_put, "/kv/:key", "handle_kv"))
    return 2;
  char address[64] = "0.0.0.0:3000";
  keyvalue_string_t name, key;
  keyvalue_string_set(&name, "my-container");
  keyvalue_string_set(&key, "address");
  keyvalue_expected_keyvalue_keyvalue_error_t opened;
  keyvalue_keyvalue_open(&name, &opened);
  if (!opened.is_err) {
    keyvalue_expected_list_u8_keyvalue_error_t got;
    keyvalue_keyvalue_get(opened.val.ok, &key, &got);
    if (!got.is_err && got.val.ok.len < sizeof address) {
      memcpy(address, got.val.ok.ptr, got.val.ok.len);
      address[got.val.ok.len] = 0;
    }
  }
  http_server_string_t a;
  http_server_string_set(&a, address);
  http_server_expected_server_http_router_error_t served;
  http_server_server_serve(&a, r, &served);
  return served.is_err ? 3 : 0;
}
