// http-client-demo: what slight's http-client demo does, in C against
// slight's http-client.wit and configs.wit (bindings from `silk bindgen --c`).
// It reads the URL to fetch from the configs store "my-configs" (key URL),
// sends a GET with one custom header, and prints the status, the
// content-type and the body. An http-error is printed as
// "request: error <case>: <message>" and the exit status is 1.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs.h"
#include "http-client.h"

static const char *const kHttpErrors[] = {"invalid-url", "timeout-error", "protocol-error", "status-error",
                                          "unexpected-error"};

// The value of config {key} as a NUL-terminated string, or NULL.
static char *config(const char *key) {
  configs_string_t n, k;
  configs_string_set(&n, "my-configs");
  configs_expected_configs_configs_error_t opened;
  configs_configs_open(&n, &opened);
  if (opened.is_err) {
    printf("open my-configs: error %.*s\n", (int)opened.val.err.val.unexpected_error.len,
           opened.val.err.val.unexpected_error.ptr);
    return NULL;
  }
  configs_string_set(&k, key);
  configs_expected_list_u8_configs_error_t got;
  configs_configs_get(opened.val.ok, &k, &got);
  char *value = NULL;
  if (got.is_err) {
    printf("get %s: error %.*s\n", key, (int)got.val.err.val.unexpected_error.len, got.val.err.val.unexpected_error.ptr);
  } else {
    value = malloc(got.val.ok.len + 1);
    memcpy(value, got.val.ok.ptr, got.val.ok.len);
    value[got.val.ok.len] = 0;
  }
  configs_expected_list_u8_configs_error_free(&got);
  configs_configs_free(&opened.val.ok);
  return value;
}

int main(void) {
  char *url = config("URL");
  if (!url) return 1;

  http_client_tuple2_string_string_t header;
  http_client_string_set(&header.f0, "x-demo");
  http_client_string_set(&header.f1, "silk http-client-demo");
  http_client_request_t req = {
      .method = HTTP_CLIENT_METHOD_GET,
      .headers = {&header, 1},
      .params = {NULL, 0},
      .body = {.is_some = false},
  };
  http_client_string_set(&req.uri, url);
  http_client_expected_response_http_error_t ret;
  http_client_request(&req, &ret);
  if (ret.is_err) {
    const http_client_http_error_t *e = &ret.val.err;
    if (e->tag == HTTP_CLIENT_HTTP_ERROR_STATUS_ERROR)
      printf("request: error status-error: %u\n", e->val.status_error);
    else
      printf("request: error %s: %.*s\n", e->tag < 5 ? kHttpErrors[e->tag] : "?", (int)e->val.unexpected_error.len,
             e->val.unexpected_error.ptr);
    http_client_expected_response_http_error_free(&ret);
    free(url);
    return 1;
  }
  const http_client_response_t *resp = &ret.val.ok;
  printf("status %u\n", resp->status);
  if (resp->headers.is_some) {
    for (size_t i = 0; i < resp->headers.val.len; ++i) {
      const http_client_tuple2_string_string_t *h = &resp->headers.val.ptr[i];
      if (h->f0.len == 12 && memcmp(h->f0.ptr, "content-type", 12) == 0)
        printf("content-type %.*s\n", (int)h->f1.len, h->f1.ptr);
    }
  }
  if (resp->body.is_some) printf("body %.*s\n", (int)resp->body.val.len, (const char *)resp->body.val.ptr);
  http_client_expected_response_http_error_free(&ret);
  free(url);
  return 0;
}
