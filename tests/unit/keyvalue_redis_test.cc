// keyvalue.redis against a real redis-server on a free loopback port
// (redis_server.h): namespacing, binary values, passwords, Redis going away
// and coming back. REDIS_ADDRESS parsing needs no server.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <optional>

#include "redis_server.h"
#include "slight/keyvalue/keyvalue_backend.h"
#include "slight/keyvalue/keyvalue_redis.h"

using namespace silk::slight;
using silk::testing::RedisServer;

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// --- REDIS_ADDRESS -------------------------------------------------------------

TEST(RedisAddress, Forms) {
  auto a = parse_redis_address("redis://127.0.0.1:6380");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6380);
  EXPECT_FALSE(a->has_password);
  EXPECT_EQ(a->db, 0);

  a = parse_redis_address("redis://localhost");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "localhost");
  EXPECT_EQ(a->port, 6379);

  a = parse_redis_address("redis://:s%40cret@h:1/2");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->user, "");
  EXPECT_EQ(a->password, "s@cret");
  EXPECT_TRUE(a->has_password);
  EXPECT_EQ(a->db, 2);

  a = parse_redis_address("redis://alice:pw@h:1/");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->user, "alice");
  EXPECT_EQ(a->password, "pw");
  EXPECT_EQ(a->db, 0);

  a = parse_redis_address("redis://[::1]:7000");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 7000);
  EXPECT_EQ(a->display(), "[::1]:7000");

  a = parse_redis_address("127.0.0.1:6379");  // silk extension: no scheme
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
}

TEST(RedisAddress, Tls) {
  auto a = parse_redis_address("rediss://:pw@example.com:6380/1");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->tls);
  EXPECT_FALSE(a->insecure);
  EXPECT_EQ(a->password, "pw");
  EXPECT_EQ(a->db, 1);
  a = parse_redis_address("rediss://example.com/#insecure");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->insecure);
  EXPECT_EQ(a->port, 6379);
  a = parse_redis_address("redis://h#insecure");  // meaningless without TLS
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->tls || a->insecure);
}

TEST(RedisAddress, RefusedWithAClearMessage) {
  for (const char* bad : {"http://h", "redis://", "redis://h:0", "redis://h:99999", "redis://h:x",
                          "redis://h/db", "redis://[::1", "unix:///tmp/redis.sock", ""}) {
    EXPECT_FALSE(parse_redis_address(bad).ok()) << bad;
  }
  auto bad = parse_redis_address("redis://:hunter2@h:99999");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.find("hunter2"), std::string::npos) << "password leaked: " << bad.error().message;
  auto store = open_redis_store("http://h", "s");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind, KeyValueErrorKind::UnexpectedError);
}

// --- against redis-server ------------------------------------------------------

class KeyValueRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RedisServer::binary().empty()) {
      GTEST_SKIP() << "redis-server is not installed (Debian package redis-server): redis tests skipped";
    }
    std::string err = server_.start();
    ASSERT_EQ(err, "");
    env_.redis_timeouts.connect = std::chrono::milliseconds(1000);
    env_.redis_timeouts.command = std::chrono::milliseconds(500);
  }

  std::unique_ptr<KeyValueBackend> open(std::string_view name, std::string address = "") {
    auto store = open_redis_store(address.empty() ? server_.url() : address, name, env_);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string raw_get(const std::string& key) {
    redisReply* r = server_.command({"GET", key});
    std::string out = r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "<none>";
    if (r) freeReplyObject(r);
    return out;
  }

  RedisServer server_;
  KeyValueEnvironment env_;
};

TEST_F(KeyValueRedisTest, SetGetKeysDelete) {
  auto kv = open("store");
  ASSERT_TRUE(kv->set("b", bytes("2")).ok());
  ASSERT_TRUE(kv->set("a", bytes("1")).ok());
  EXPECT_EQ(kv->get("a").value(), bytes("1"));
  auto keys = kv->keys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys.value(), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(kv->remove("a").ok());
  auto missing = kv->get("a");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, KeyValueErrorKind::KeyNotFound);
  EXPECT_TRUE(kv->remove("a").ok());  // delete of a missing key: ok, as slight
  EXPECT_EQ(kv->keys().value(), (std::vector<std::string>{"b"}));
}

TEST_F(KeyValueRedisTest, KeysArePrefixedWithTheOpenName) {
  auto kv = open("my-container");
  ASSERT_TRUE(kv->set("k", bytes("v")).ok());
  EXPECT_EQ(raw_get("my-container:k"), "v");
  auto other = open("other");
  EXPECT_EQ(other->get("k").error().kind, KeyValueErrorKind::KeyNotFound);
  EXPECT_TRUE(other->keys().value().empty());
  // Glob characters in the name match only themselves.
  auto star = open("a*");
  auto ab = open("ab");
  ASSERT_TRUE(ab->set("x", bytes("1")).ok());
  ASSERT_TRUE(star->set("y", bytes("2")).ok());
  EXPECT_EQ(star->keys().value(), (std::vector<std::string>{"y"}));
  // Keys containing ':' or '/' are plain keys here.
  ASSERT_TRUE(kv->set("x:y/../z", bytes("w")).ok());
  EXPECT_EQ(raw_get("my-container:x:y/../z"), "w");
}

TEST_F(KeyValueRedisTest, ManyKeysListedOnce) {
  auto kv = open("many");
  for (int i = 0; i < 2500; i++) ASSERT_TRUE(kv->set("k" + std::to_string(i), bytes("v")).ok());
  auto keys = kv->keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value().size(), 2500u);
}

TEST_F(KeyValueRedisTest, BinaryValuesAndEmptyValue) {
  auto kv = open("bin");
  std::vector<uint8_t> value = {0, 'a', 0, 0, 255, '\r', '\n', 0};
  ASSERT_TRUE(kv->set("k", value).ok());
  EXPECT_EQ(kv->get("k").value(), value);
  std::string nul_key("a\0b", 3);
  ASSERT_TRUE(kv->set(nul_key, value).ok());
  EXPECT_EQ(kv->get(nul_key).value(), value);
  EXPECT_EQ(kv->get("a").error().kind, KeyValueErrorKind::KeyNotFound);
  ASSERT_TRUE(kv->set("empty", {}).ok());
  auto empty = kv->get("empty");
  ASSERT_TRUE(empty.ok()) << "an empty value is a value (slight says 'key not found')";
  EXPECT_TRUE(empty.value().empty());
}

TEST_F(KeyValueRedisTest, WrongTypeIsUnexpectedError) {
  redisReply* r = server_.command({"LPUSH", "t:list", "x"});
  ASSERT_NE(r, nullptr);
  freeReplyObject(r);
  auto kv = open("t");
  auto got = kv->get("list");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, KeyValueErrorKind::UnexpectedError);
  EXPECT_NE(got.error().message.find("WRONGTYPE"), std::string::npos) << got.error().message;
  EXPECT_TRUE(kv->set("k", bytes("v")).ok());  // the connection is still good
}

TEST_F(KeyValueRedisTest, DatabaseNumber) {
  auto kv = open("s", server_.url() + "/3");
  ASSERT_TRUE(kv->set("k", bytes("v")).ok());
  EXPECT_EQ(raw_get("s:k"), "<none>");  // not in db 0
  redisReply* r = server_.command({"EVAL", "redis.call('SELECT', 3) return redis.call('GET', 's:k')", "0"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(std::string(r->str ? r->str : "", r->len), "v");
  freeReplyObject(r);
}

TEST_F(KeyValueRedisTest, Password) {
  RedisServer secured("s3cret");
  ASSERT_EQ(secured.start(), "");
  std::string where = "127.0.0.1:" + std::to_string(secured.port());

  auto good = open("p", "redis://:s3cret@" + where);
  ASSERT_TRUE(good->set("k", bytes("v")).ok());
  EXPECT_EQ(good->get("k").value(), bytes("v"));

  auto with_user = open("p", "redis://default:s3cret@" + where);
  EXPECT_EQ(with_user->get("k").value(), bytes("v"));

  auto wrong = open("p", "redis://:nope@" + where);
  auto w = wrong->get("k");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, KeyValueErrorKind::AuthenticationError) << w.error().message;
  EXPECT_EQ(w.error().message.find("nope"), std::string::npos);

  auto none = open("p", "redis://" + where);
  auto n = none->set("k", bytes("x"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().kind, KeyValueErrorKind::AuthenticationError) << n.error().message;
  EXPECT_EQ(good->get("k").value(), bytes("v"));
}

TEST_F(KeyValueRedisTest, RedisDownIsConnectionErrorAndRecovers) {
  auto kv = open("d");
  ASSERT_TRUE(kv->set("k", bytes("v")).ok());
  int port = server_.port();
  server_.stop();

  auto started = std::chrono::steady_clock::now();
  auto get = kv->get("k");
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().kind, KeyValueErrorKind::ConnectionError) << get.error().message;
  auto set = kv->set("k", bytes("w"));
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().kind, KeyValueErrorKind::ConnectionError);
  EXPECT_EQ(kv->keys().error().kind, KeyValueErrorKind::ConnectionError);
  EXPECT_EQ(kv->remove("k").error().kind, KeyValueErrorKind::ConnectionError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));

  // A store opened while Redis is down: open succeeds (no connection yet).
  auto late = open("d");
  EXPECT_EQ(late->get("k").error().kind, KeyValueErrorKind::ConnectionError);

  ASSERT_EQ(server_.start(port), "");  // same port, empty (no persistence)
  EXPECT_EQ(kv->get("k").error().kind, KeyValueErrorKind::KeyNotFound);
  ASSERT_TRUE(kv->set("k", bytes("again")).ok());
  EXPECT_EQ(late->get("k").value(), bytes("again"));
}

TEST_F(KeyValueRedisTest, RestartBetweenOperationsIsNotSeen) {
  auto kv = open("r");
  ASSERT_TRUE(kv->set("k", bytes("v")).ok());  // connection made
  int port = server_.port();
  server_.stop();
  ASSERT_EQ(server_.start(port), "");
  // The old connection is dead; the operation is retried on a fresh one.
  ASSERT_TRUE(kv->set("k", bytes("v2")).ok());
  EXPECT_EQ(raw_get("r:k"), "v2");
}

TEST_F(KeyValueRedisTest, UnresponsiveRedisIsTimeoutError) {
  auto kv = open("slow");
  ASSERT_TRUE(kv->set("k", bytes("v")).ok());
  server_.pause();
  auto started = std::chrono::steady_clock::now();
  auto get = kv->get("k");
  auto elapsed = std::chrono::steady_clock::now() - started;
  server_.resume();
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().kind, KeyValueErrorKind::TimeoutError) << get.error().message;
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_EQ(kv->get("k").value(), bytes("v"));  // reconnects once Redis answers again
}

TEST_F(KeyValueRedisTest, NobodyListeningIsConnectionError) {
  auto kv = open("n", "redis://127.0.0.1:" + std::to_string(RedisServer::free_port()));
  auto got = kv->get("k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, KeyValueErrorKind::ConnectionError) << got.error().message;
}

TEST_F(KeyValueRedisTest, OpenFromSlightfile) {
  setenv("SILK_KV_TEST_REDIS", server_.url().c_str(), 1);
  auto file = parse_slightfile(
      "specversion = \"0.2\"\n[[capability]]\nresource = \"kv.redis\"\nname = \"my-container\"\n"
      "[capability.configs]\nREDIS_ADDRESS = \"${envvars.SILK_KV_TEST_REDIS}\"\n",
      "t.toml");
  ASSERT_TRUE(file.ok()) << file.error().message;
  const Capability* cap = file->find(CapabilityGroup::KeyValue, "my-container");
  ASSERT_NE(cap, nullptr);
  auto kv = open_keyvalue(*file, *cap, "my-container", env_);
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  ASSERT_TRUE(kv.value()->set("k", bytes("v")).ok());
  EXPECT_EQ(raw_get("my-container:k"), "v");

  unsetenv("SILK_KV_TEST_REDIS");
  auto missing = open_keyvalue(*file, *cap, "my-container", env_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, KeyValueErrorKind::UnexpectedError);
  EXPECT_NE(missing.error().message.find("SILK_KV_TEST_REDIS"), std::string::npos) << missing.error().message;
}

}  // namespace

// --- rediss:// -----------------------------------------------------------------

namespace {

// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI.
class KeyValueRedisTlsTest : public KeyValueRedisTest {
 protected:
  void SetUp() override {
    if (RedisServer::binary().empty()) GTEST_SKIP() << "redis-server is not installed: redis tests skipped";
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "the openssl command (Debian package openssl) is not installed: TLS tests skipped";
    }
    char templ[] = "/tmp/silk-kv-tls-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
                      " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
                      dir_ + "/key.pem -out " + dir_ + "/cert.pem >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    server_.enable_tls(dir_ + "/cert.pem", dir_ + "/key.pem");
    ASSERT_EQ(server_.start(), "");
    env_.redis_timeouts.connect = std::chrono::milliseconds(2000);
    env_.redis_timeouts.command = std::chrono::milliseconds(2000);
    if (const char* old = getenv("SSL_CERT_FILE")) old_cert_file_ = old;
  }
  void TearDown() override {
    if (old_cert_file_) setenv("SSL_CERT_FILE", old_cert_file_->c_str(), 1); else unsetenv("SSL_CERT_FILE");
    if (!dir_.empty()) std::system(("rm -rf " + dir_).c_str());
  }
  std::string tls_url(const std::string& host = "127.0.0.1") {
    return "rediss://" + host + ":" + std::to_string(server_.tls_port());
  }

  std::string dir_;
  std::optional<std::string> old_cert_file_;
};

}  // namespace

TEST_F(KeyValueRedisTlsTest, TrustedCertificate) {
  setenv("SSL_CERT_FILE", (dir_ + "/cert.pem").c_str(), 1);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    auto kv = open("tls", tls_url(host));
    auto set = kv->set("k", bytes(std::string("v\0w", 3)));
    ASSERT_TRUE(set.ok()) << set.error().message;
    EXPECT_EQ(kv->get("k").value(), bytes(std::string("v\0w", 3)));
    EXPECT_EQ(kv->keys().value(), (std::vector<std::string>{"k"}));
    ASSERT_TRUE(kv->remove("k").ok());
    EXPECT_EQ(kv->get("k").error().kind, KeyValueErrorKind::KeyNotFound);
  }
}

TEST_F(KeyValueRedisTlsTest, UntrustedCertificateIsConnectionError) {
  setenv("SSL_CERT_FILE", "/nonexistent", 1);
  auto kv = open("tls", tls_url());
  auto got = kv->get("k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, KeyValueErrorKind::ConnectionError);
  EXPECT_NE(got.error().message.find("certificate"), std::string::npos) << got.error().message;
  // "#insecure": no checks, as the redis crate.
  auto insecure = open("tls", tls_url() + "/#insecure");
  auto set = insecure->set("k", bytes("v"));
  ASSERT_TRUE(set.ok()) << set.error().message;
}

TEST_F(KeyValueRedisTlsTest, TlsClientAgainstPlainPortFailsCleanly) {
  env_.redis_timeouts.connect = env_.redis_timeouts.command = std::chrono::milliseconds(300);
  auto kv = open("tls", "rediss://127.0.0.1:" + std::to_string(server_.port()) + "/#insecure");
  auto started = std::chrono::steady_clock::now();
  auto got = kv->get("k");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.error().kind == KeyValueErrorKind::ConnectionError ||
              got.error().kind == KeyValueErrorKind::TimeoutError)
      << got.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}
