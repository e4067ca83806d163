// silk::slight — keyvalue.redis: REDIS_ADDRESS parsing (the URL forms of the
// redis crate that slight uses) and the backend's behaviour.
//
// Accepted REDIS_ADDRESS forms:
//   redis://[[user]:password@]host[:port][/db]   (port 6379, db 0 by default;
//                                                 user and password %-decoded)
//   rediss://... the same over TLS: certificates checked against OpenSSL's
//                default CA store (SSL_CERT_FILE / SSL_CERT_DIR apply) and
//                the host name or IP; "rediss://...#insecure" skips the
//                checks, as in the redis crate
//   host[:port]  (silk extension: no scheme)
//   [v6addr] in place of host
// Refused with a message at open: redis+unix:// and unix:// (not supported
// yet), other schemes, bad ports or database numbers. Messages never show the
// password.
//
// Behaviour (ABI.md §6.1): key "<open-name>:<key>"; get of a missing key is
// key-not-found (an existing empty value is returned as empty — slight
// wrongly reports it missing); keys() lists "<open-name>:*" with SCAN (the
// open name's glob characters escaped), prefix stripped; delete of a missing
// key succeeds. One connection per backend, made at the first operation and
// re-made at the next operation after any connection failure; an operation
// that fails on a reused connection is retried once on a fresh one (every
// operation is idempotent), so a Redis restart between operations is not
// seen by the guest. AUTH [user] password and SELECT db after each connect.
// Timeouts (RedisTimeouts): connect covers TCP and the TLS handshake, command covers one command's
// write and reply; host name resolution (getaddrinfo) has no timeout of its own.
//
// hiredis (Debian 12's 0.14, which has no TLS) formats commands and parses
// replies; the socket, TLS (OpenSSL) and the deadlines are silk's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace silk::slight {

struct RedisAddress {
  std::string host;  // no brackets for IPv6
  uint16_t port = 6379;
  std::string user;  // empty: AUTH <password> (the default user)
  std::string password;
  bool has_password = false;
  int64_t db = 0;
  bool tls = false;       // rediss://
  bool insecure = false;  // rediss://...#insecure: no certificate checks

  std::string display() const;  // "host:port[/db]", never the password
};

Result<RedisAddress> parse_redis_address(std::string_view text);

}  // namespace silk::slight
