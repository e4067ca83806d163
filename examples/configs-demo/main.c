// configs-demo: what slight's configs demo does, in C against slight's
// configs.wit (bindings from `silk bindgen --c`). It opens the configs store
// "my-configs", reads a config value (key HELLO, or $CONFIG_KEY) and prints
// it; with $CONFIG_SET=VALUE it first sets that key. Which store answers
// (environment variables, user secrets in the slightfile, local values) is
// the slightfile's business.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs.h"

static const char *const kErrorCases[] = {"not-found", "invalid-value", "permission-denied", "io-error",
                                          "unexpected-error"};

static void print_error(const char *what, const configs_configs_error_t *err) {
  const configs_string_t *msg = &err->val.unexpected_error;
  printf("%s: error %s: %.*s\n", what, err->tag < 5 ? kErrorCases[err->tag] : "?", (int)msg->len, msg->ptr);
}

int main(void) {
  const char *key = getenv("CONFIG_KEY");  // slight gives no environment: silk run --env CONFIG_KEY=...
  if (!key || !*key) key = "HELLO";
  char what[256];

  configs_string_t n;
  configs_string_set(&n, "my-configs");
  configs_expected_configs_configs_error_t opened;
  configs_configs_open(&n, &opened);
  if (opened.is_err) {
    print_error("open my-configs", &opened.val.err);
    return 1;
  }
  configs_configs_t cfg = opened.val.ok;

  configs_string_t k;
  configs_string_set(&k, key);
  const char *new_value = getenv("CONFIG_SET");
  if (new_value) {
    configs_list_u8_t v = {(uint8_t *)new_value, strlen(new_value)};
    configs_expected_unit_configs_error_t set;
    configs_configs_set(cfg, &k, &v, &set);
    snprintf(what, sizeof what, "set %s", key);
    if (set.is_err) {
      print_error(what, &set.val.err);
      configs_expected_unit_configs_error_free(&set);
      return 1;
    }
    printf("%s = %s\n", what, new_value);
  }

  configs_expected_list_u8_configs_error_t got;
  configs_configs_get(cfg, &k, &got);
  snprintf(what, sizeof what, "get %s", key);
  if (got.is_err) {
    print_error(what, &got.val.err);
    configs_expected_list_u8_configs_error_free(&got);
    return 1;
  }
  printf("%s = %.*s\n", what, (int)got.val.ok.len, (const char *)got.val.ok.ptr);
  configs_expected_list_u8_configs_error_free(&got);
  configs_configs_free(&cfg);
  return 0;
}
