// keyvalue-demo: what slight's keyvalue demo does, in C against slight's
// keyvalue.wit (bindings from `silk bindgen --c`). It opens the store
// "my-container" (or $KV_NAME), sets, gets, deletes a key, sets three more
// and lists the keys (or, with KV_SET=key=value or KV_GET=key, does just
// that). Where the data lives is the slightfile's business:
// filesystem, memory or Redis, the app does not change.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyvalue.h"

static const char *const kErrorCases[] = {
    "key-not-found", "invalid-key",          "invalid-value", "connection-error",
    "authentication-error", "timeout-error", "io-error",      "unexpected-error",
};

// Every keyvalue-error case carries a string; print "<case>: <message>".
static void print_error(const char *what, const keyvalue_keyvalue_error_t *err) {
  const keyvalue_string_t *msg = &err->val.unexpected_error;
  printf("%s: error %s: %.*s\n", what, err->tag < 8 ? kErrorCases[err->tag] : "?", (int)msg->len, msg->ptr);
}

static int set(keyvalue_keyvalue_t kv, const char *key, const char *value) {
  keyvalue_string_t k;
  keyvalue_string_set(&k, key);
  keyvalue_list_u8_t v = {(uint8_t *)value, strlen(value)};
  keyvalue_expected_unit_keyvalue_error_t r;
  keyvalue_keyvalue_set(kv, &k, &v, &r);
  if (r.is_err) {
    print_error("set", &r.val.err);
    keyvalue_expected_unit_keyvalue_error_free(&r);
    return -1;
  }
  printf("set %s = %s\n", key, value);
  return 0;
}

// Prints the value of {key}; returns 0, or -1 after printing the error.
static int get(keyvalue_keyvalue_t kv, const char *key) {
  keyvalue_string_t k;
  keyvalue_string_set(&k, key);
  keyvalue_expected_list_u8_keyvalue_error_t r;
  keyvalue_keyvalue_get(kv, &k, &r);
  char what[256];
  snprintf(what, sizeof what, "get %s", key);
  int rc = 0;
  if (r.is_err) {
    print_error(what, &r.val.err);
    rc = -1;
  } else {
    printf("%s = %.*s\n", what, (int)r.val.ok.len, (const char *)r.val.ok.ptr);
  }
  keyvalue_expected_list_u8_keyvalue_error_free(&r);
  return rc;
}

static int delete_key(keyvalue_keyvalue_t kv, const char *key) {
  keyvalue_string_t k;
  keyvalue_string_set(&k, key);
  keyvalue_expected_unit_keyvalue_error_t r;
  keyvalue_keyvalue_delete(kv, &k, &r);
  if (r.is_err) {
    print_error("delete", &r.val.err);
    keyvalue_expected_unit_keyvalue_error_free(&r);
    return -1;
  }
  printf("deleted %s\n", key);
  return 0;
}

int main(void) {
  const char *name = getenv("KV_NAME");  // slight gives no environment: silk run --env KV_NAME=...
  if (!name || !*name) name = "my-container";

  keyvalue_string_t n;
  keyvalue_string_set(&n, name);
  keyvalue_expected_keyvalue_keyvalue_error_t opened;
  keyvalue_keyvalue_open(&n, &opened);
  if (opened.is_err) {
    char what[256];
    snprintf(what, sizeof what, "open %s", name);
    print_error(what, &opened.val.err);
    return 1;
  }
  keyvalue_keyvalue_t kv = opened.val.ok;
  printf("opened %s\n", name);

  // One operation instead of the demo (used to check that a store outlives
  // the process, e.g. a VM's disk across reboots): KV_SET=key=value, KV_GET=key.
  const char *put = getenv("KV_SET");
  const char *want = getenv("KV_GET");
  if (put && *put) {
    char key[256];
    const char *eq = strchr(put, '=');
    size_t len = eq ? (size_t)(eq - put) : strlen(put);
    if (len >= sizeof key) len = sizeof key - 1;
    memcpy(key, put, len);
    key[len] = '\0';
    return set(kv, key, eq ? eq + 1 : "") == 0 ? 0 : 1;
  }
  if (want && *want) return get(kv, want) == 0 ? 0 : 1;

  if (set(kv, "hello-spiderlightning", "Hello, SpiderLightning!") != 0) return 1;
  if (get(kv, "hello-spiderlightning") != 0) return 1;
  if (delete_key(kv, "hello-spiderlightning") != 0) return 1;
  if (get(kv, "hello-spiderlightning") == 0) {
    printf("the deleted key is still there\n");
    return 1;
  }
  if (set(kv, "key1", "value1") != 0 || set(kv, "key2", "value2") != 0 || set(kv, "key3", "value3") != 0) return 1;

  keyvalue_expected_list_string_keyvalue_error_t keys;
  keyvalue_keyvalue_keys(kv, &keys);
  if (keys.is_err) {
    print_error("keys", &keys.val.err);
    return 1;
  }
  printf("keys:");
  for (size_t i = 0; i < keys.val.ok.len; i++) printf(" %.*s", (int)keys.val.ok.ptr[i].len, keys.val.ok.ptr[i].ptr);
  printf("\n");
  keyvalue_expected_list_string_keyvalue_error_free(&keys);

  keyvalue_keyvalue_free(&kv);
  return 0;
}
