// slightfile.toml loading and validation (ABI.md §4), config value resolution
// (§4.3), the configs stores (§6.2) and usersecrets encryption (Appendix C).
// The good/bad files are slight's own test files, in SILK_SLIGHT_DIR.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "slight/slightfile/config.h"
#include "slight/slightfile/slightfile.h"
#include "slight/slightfile/usersecrets.h"

namespace fs = std::filesystem;
using namespace silk::slight;

namespace {

const fs::path kSlightfiles = fs::path(SILK_SLIGHT_DIR) / "slightfiles";

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Each test gets its own $TMPDIR (where .slightkey lives) and scratch folder.
class SlightfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/silk-slightfile-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    if (const char* old = getenv("TMPDIR")) old_tmpdir_ = old;
    setenv("TMPDIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (old_tmpdir_) setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    else unsetenv("TMPDIR");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  Slightfile load_ok(const std::string& path) {
    auto file = load_slightfile(path);
    EXPECT_TRUE(file.ok()) << file.error().message;
    return file.ok() ? std::move(file).value() : Slightfile{};
  }
  std::string load_error(const std::string& path) {
    auto file = load_slightfile(path);
    EXPECT_FALSE(file.ok()) << path << " loaded";
    return file.ok() ? std::string() : file.error().message;
  }

  fs::path dir_;
  std::optional<std::string> old_tmpdir_;
};

TEST_F(SlightfileTest, EveryGoodFileLoads) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kSlightfiles / "good")) {
    auto file = load_slightfile(entry.path().string());
    EXPECT_TRUE(file.ok()) << entry.path() << ": " << (file.ok() ? "" : file.error().message);
    ++count;
  }
  EXPECT_GE(count, 10);
}

TEST_F(SlightfileTest, EveryBadFileIsRefusedWithItsReason) {
  // Why each of slight's bad files is bad (ABI.md §4.4).
  const std::map<std::string, std::string> expected = {
      {"empty.toml", "missing field `specversion`"},
      {"no-spec.toml", "missing field `specversion`"},
      {"not-supported.toml", "unknown variant `0.46543` for `specversion`"},
      {"v1_v2.toml", "v1_v2.toml:3: you are using a 0.1 specversion, but you are using a 0.2 capability format"},
      {"v2_v1.toml", "v2_v1.toml:3: you are using a 0.2 specversion, but you are using a 0.1 capability format"},
      {"dup-1.toml", "dup-1.toml:10: the namespace * is already defined in the slightfile (\"*\" must be the only keyvalue capability; 'my-container' is at line 3)"},
      {"dup-2.toml", "dup-2.toml:7: the namespace my-container is already defined in the slightfile"},
      {"dup-3.toml", "dup-3.toml:7: the namespace my-container is already defined in the slightfile"},
  };
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kSlightfiles / "bad")) {
    std::string name = entry.path().filename().string();
    auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << "no expectation for bad/" << name;
    std::string message = load_error(entry.path().string());
    EXPECT_NE(message.find(it->second), std::string::npos) << name << ": " << message;
    EXPECT_EQ(message.rfind(entry.path().string(), 0), 0u) << "message does not start with the file: " << message;
    ++count;
  }
  EXPECT_EQ(count, int(expected.size()));
}

TEST_F(SlightfileTest, TypedModel) {
  Slightfile file = load_ok((kSlightfiles / "good/keyvalue_redis_slightfile.toml").string());
  EXPECT_EQ(file.version, SpecVersion::V0_2);
  ASSERT_EQ(file.capabilities.size(), 2u);
  const Capability& cap = file.capabilities[0];
  EXPECT_EQ(cap.resource, "keyvalue.redis");
  EXPECT_EQ(cap.info->backend, Backend::KeyValueRedis);
  EXPECT_EQ(cap.info->group, CapabilityGroup::KeyValue);
  EXPECT_EQ(cap.name, "my-container");
  EXPECT_EQ(cap.line, 3u);
  ASSERT_TRUE(cap.configs.has_value());
  EXPECT_EQ(cap.configs->at("REDIS_ADDRESS"), "redis://127.0.0.1:6379");
  EXPECT_FALSE(cap.v1_form);

  Slightfile v01 = load_ok((kSlightfiles / "good/keyvalue_azblob_slightfile_v01.toml").string());
  EXPECT_EQ(v01.version, SpecVersion::V0_1);
  EXPECT_EQ(v01.secret_store, "configs.azapp");
  ASSERT_EQ(v01.capabilities.size(), 1u);
  EXPECT_TRUE(v01.capabilities[0].v1_form);
  EXPECT_EQ(v01.capabilities[0].name, "keyvalue.azblob");

  Slightfile empty = load_ok((kSlightfiles / "good/empty.toml").string());
  EXPECT_TRUE(empty.capabilities.empty());
}

TEST_F(SlightfileTest, ResourceTableAliasesAndGroups) {
  EXPECT_EQ(find_resource("kv.redis")->backend, Backend::KeyValueRedis);
  EXPECT_EQ(find_resource("kv.redis")->name, "keyvalue.redis");
  EXPECT_EQ(find_resource("lockd.etcd")->group, CapabilityGroup::DistributedLocking);
  EXPECT_EQ(find_resource("mq.filesystem")->group, CapabilityGroup::Messaging);
  EXPECT_EQ(find_resource("http")->group, CapabilityGroup::Http);
  EXPECT_EQ(find_resource("keyvalue.memory")->support, Support::Supported);
  EXPECT_EQ(find_resource("configs.local")->support, Support::Supported);
  EXPECT_EQ(find_resource("Keyvalue.redis"), nullptr);
  EXPECT_STREQ(import_module(CapabilityGroup::Http), "http-server");
  EXPECT_STREQ(import_module(CapabilityGroup::Blob), "blob-store");
  EXPECT_STREQ(import_module(CapabilityGroup::DistributedLocking), "distributed-locking");
}

TEST_F(SlightfileTest, ErrorsNameTheirPlace) {
  std::string msg = load_error(write("a.toml", "specversion = \"0.2\"\n[[capability]]\nresource = \"nope\"\nname = \"x\"\n"));
  EXPECT_NE(msg.find("a.toml:3:12: unknown resource 'nope'"), std::string::npos) << msg;

  msg = load_error(write("b.toml", "specversion = \"0.2\"\n[[capability\n"));
  EXPECT_NE(msg.find("b.toml:2:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("TOML error"), std::string::npos) << msg;

  msg = load_error(write("c.toml", "specversion = 0.2\n"));
  EXPECT_NE(msg.find("c.toml:1:15: `specversion` must be a string"), std::string::npos) << msg;

  msg = load_error(write("d.toml", "specversion = \"0.2\"\n[[capability]]\nresource = \"keyvalue.redis\"\n"));
  EXPECT_NE(msg.find("d.toml:2:1: capability 'keyvalue.redis' has no `name`"), std::string::npos) << msg;

  msg = load_error(write("e.toml", "specversion = \"0.2\"\n[[capability]]\nresource = \"keyvalue.redis\"\n"
                                   "name = \"a\"\nconfigs = { PORT = 6379 }\n"));
  EXPECT_NE(msg.find("config 'PORT' of capability 'a' must be a string"), std::string::npos) << msg;

  msg = load_error(write("f.toml", "specversion = \"0.1\"\nsecret_store = \"configs.vault\"\n"));
  EXPECT_NE(msg.find("f.toml:2:16: unknown secret_store 'configs.vault'"), std::string::npos) << msg;

  msg = load_error(write("g.toml", "specversion = \"0.2\"\n[[secret_settings]]\nname = \"x\"\n"));
  EXPECT_NE(msg.find("g.toml:2:1: a `secret_settings` entry has no `value`"), std::string::npos) << msg;

  // A 0.2 entry whose name is a resource string is the 0.1 form (serde's untagged order).
  msg = load_error(write("h.toml", "specversion = \"0.2\"\n[[capability]]\nresource = \"keyvalue.filesystem\"\n"
                                   "name = \"keyvalue.filesystem\"\n"));
  EXPECT_NE(msg.find("0.1 capability format"), std::string::npos) << msg;

  // Unknown keys are ignored, as in slight.
  load_ok(write("i.toml", "specversion = \"0.2\"\nextra = 1\n[[capability]]\nresource = \"http\"\nname = \"api\"\n"
                          "colour = \"blue\"\n"));
}

TEST_F(SlightfileTest, NamespacesArePerGroup) {
  load_ok(write("a.toml", "specversion = \"0.2\"\n"
                          "[[capability]]\nresource = \"keyvalue.filesystem\"\nname = \"same\"\n"
                          "[[capability]]\nresource = \"configs.envvars\"\nname = \"same\"\n"
                          "[[capability]]\nresource = \"keyvalue.redis\"\nname = \"other\"\n"));
  std::string msg = load_error(write("b.toml", "specversion = \"0.2\"\n"
                                               "[[capability]]\nresource = \"kv.filesystem\"\nname = \"same\"\n"
                                               "[[capability]]\nresource = \"keyvalue.memory\"\nname = \"same\"\n"));
  EXPECT_NE(msg.find("b.toml:5: the namespace same is already defined in the slightfile (first at line 2)"),
            std::string::npos)
      << msg;
}

TEST_F(SlightfileTest, OpenNameLookup) {
  Slightfile file = load_ok(write("a.toml", "specversion = \"0.2\"\n"
                                            "[[capability]]\nresource = \"keyvalue.filesystem\"\nname = \"a\"\n"
                                            "[[capability]]\nresource = \"keyvalue.redis\"\nname = \"b\"\n"
                                            "[[capability]]\nresource = \"configs.envvars\"\nname = \"*\"\n"));
  EXPECT_EQ(file.find(CapabilityGroup::KeyValue, "a"), &file.capabilities[0]);
  EXPECT_EQ(file.find(CapabilityGroup::KeyValue, "b"), &file.capabilities[1]);
  EXPECT_EQ(file.find(CapabilityGroup::KeyValue, "c"), nullptr);  // slight: host panic
  EXPECT_EQ(file.find(CapabilityGroup::Configs, "anything"), &file.capabilities[2]);
  EXPECT_EQ(file.find(CapabilityGroup::Sql, "a"), nullptr);
  EXPECT_TRUE(file.has(CapabilityGroup::Configs));
  EXPECT_FALSE(file.has(CapabilityGroup::Http));

  // 0.1: each capability is stored under its resource string; any other name
  // reaches the group's last capability.
  Slightfile v01 = load_ok(write("b.toml", "specversion = \"0.1\"\n"
                                           "[[capability]]\nname = \"keyvalue.filesystem\"\n"
                                           "[[capability]]\nname = \"kv.redis\"\n"));
  EXPECT_EQ(v01.find(CapabilityGroup::KeyValue, "keyvalue.filesystem"), &v01.capabilities[0]);
  EXPECT_EQ(v01.find(CapabilityGroup::KeyValue, "my-container"), &v01.capabilities[1]);
}

TEST_F(SlightfileTest, StartupRefusesWhatSilkCannotRun) {
  auto check = [&](const std::string& text) {
    Slightfile file = load_ok(write("s.toml", text));
    auto result = check_supported(file);
    return result.ok() ? std::string("ok") : result.error().message;
  };
  auto cap = [](const std::string& resource) {
    return "specversion = \"0.2\"\n[[capability]]\nresource = \"" + resource + "\"\nname = \"x\"\n";
  };
  for (const char* r : {"keyvalue.filesystem", "kv.filesystem", "keyvalue.redis", "kv.redis", "keyvalue.memory",
                        "configs.envvars", "configs.usersecrets", "configs.local", "http", "http-client"})
    EXPECT_EQ(check(cap(r)), "ok") << r;
  for (const char* r : {"messaging.filesystem", "mq.filesystem", "messaging.mosquitto", "messaging.nats",
                        "distributed_locking.etcd", "lockd.etcd", "sql.postgres"}) {
    std::string msg = check(cap(r));
    EXPECT_NE(msg.find("s.toml:2: resource '" + std::string(r) + "' is not supported by silk yet"), std::string::npos)
        << msg;
  }
  for (const char* r : {"keyvalue.azblob", "kv.azblob", "keyvalue.awsdynamodb", "messaging.azsbus",
                        "configs.azapp", "blobstore.aws_s3"}) {
    std::string msg = check(cap(r));
    EXPECT_NE(msg.find("is not supported: cloud store ("), std::string::npos) << msg;
  }
  for (const char* r : {"keyvalue.dapr", "messaging.confluent_apache_kafka", "blobstore.azblob"})
    EXPECT_NE(check(cap(r)).find("is not supported"), std::string::npos) << r;

  EXPECT_NE(check("specversion = \"0.1\"\nsecret_store = \"configs.azapp\"\n").find("cloud store"), std::string::npos);
  EXPECT_NE(check(cap("keyvalue.redis") + "configs = { REDIS_ADDRESS = \"${azapp.R}\" }\n")
                .find("config 'REDIS_ADDRESS' of capability 'x' reads ${azapp.R}: not supported: cloud store"),
            std::string::npos);
  EXPECT_NE(check(cap("keyvalue.redis") + "configs = { REDIS_ADDRESS = \"${cruel}\" }\n").find("names no store"),
            std::string::npos);
  EXPECT_NE(check(cap("keyvalue.redis") + "configs = { A = \"${vault.x}\" }\n").find("unknown configuration type 'vault'"),
            std::string::npos);

  // slight's good files: loadable, but the cloud ones are refused at start-up.
  auto startup = [](const char* name) {
    auto file = load_slightfile((kSlightfiles / "good" / name).string());
    EXPECT_TRUE(file.ok());
    auto r = check_supported(*file);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  EXPECT_EQ(startup("empty.toml"), "ok");
  EXPECT_EQ(startup("keyvalue_redis_slightfile.toml"), "ok");
  EXPECT_NE(startup("smoke.toml").find("'keyvalue.azblob' is not supported: cloud store (Azure Blob Storage)"),
            std::string::npos);
  EXPECT_NE(startup("keyvalue_awsdynamodb_slightfile.toml").find("cloud store (AWS DynamoDB)"), std::string::npos);
  EXPECT_NE(startup("msg.toml").find("'messaging.mosquitto' is not supported by silk yet"), std::string::npos);
}

TEST_F(SlightfileTest, ConfigReferences) {
  auto ref = [](const char* raw) {
    auto r = parse_config_reference(raw);
    if (!r) return "error: " + r.error().message;
    const char* stores[] = {"envvars", "usersecrets", "local", "azapp"};
    return std::string(stores[int(r->store)]) + "|" + r->name;
  };
  EXPECT_EQ(ref("${envvars.HOME}"), "envvars|HOME");
  EXPECT_EQ(ref("${usersecrets.pw}"), "usersecrets|pw");
  EXPECT_EQ(ref("${local.x}"), "local|x");
  EXPECT_EQ(ref("${azapp.hello}"), "azapp|hello");
  EXPECT_EQ(ref("world"), "local|world");
  EXPECT_EQ(ref("redis://127.0.0.1:6379"), "local|redis://127.0.0.1:6379");
  EXPECT_EQ(ref("${}"), "local|${}");
  EXPECT_NE(ref("${cruel}").find("names no store"), std::string::npos);
  // Split at the last dot: "envvars.a" is no store.
  EXPECT_NE(ref("${envvars.a.b}").find("unknown configuration type 'envvars.a'"), std::string::npos);
  EXPECT_NE(ref("${configs.envvars.X}").find("unknown configuration type"), std::string::npos);
  EXPECT_EQ(ref("${local.x.}"), "local|x.");  // the last dot with a character after it
}

TEST_F(SlightfileTest, ResolvesConfigValues) {
  setenv("SILK_TEST_REDIS_URL", "redis://10.0.0.1:6379", 1);
  unsetenv("SILK_TEST_MISSING");
  std::string path = write("slightfile.toml",
                           "specversion = \"0.2\"\n"
                           "[[capability]]\nresource = \"keyvalue.redis\"\nname = \"kv\"\n"
                           "  [capability.configs]\n"
                           "  FROM_ENV = \"${envvars.SILK_TEST_REDIS_URL}\"\n"
                           "  LITERAL = \"redis://127.0.0.1:6379\"\n"
                           "  LOCAL = \"${local.plain-value}\"\n"
                           "  MISSING_ENV = \"${envvars.SILK_TEST_MISSING}\"\n"
                           "  CRUEL = \"${cruel}\"\n"
                           "  SECRET = \"${usersecrets.password}\"\n"
                           "[[capability]]\nresource = \"keyvalue.filesystem\"\nname = \"fs\"\n");
  Slightfile file = load_ok(path);
  const Capability& kv = file.capabilities[0];
  auto get = [&](const Capability& cap, const char* key) {
    auto r = resolve_config(file, cap, key);
    return r.ok() ? *r : "error: " + r.error().message;
  };
  EXPECT_EQ(get(kv, "FROM_ENV"), "redis://10.0.0.1:6379");
  EXPECT_EQ(get(kv, "LITERAL"), "redis://127.0.0.1:6379");
  EXPECT_EQ(get(kv, "LOCAL"), "plain-value");
  std::string where = path + ":2";
  EXPECT_EQ(get(kv, "MISSING_ENV"), "error: config 'MISSING_ENV' of capability 'kv' (" + where +
                                        "): environment variable 'SILK_TEST_MISSING': environment variable not found");
  EXPECT_NE(get(kv, "CRUEL").find("config 'CRUEL' of capability 'kv' (" + where + "): '${cruel}' names no store"),
            std::string::npos);
  EXPECT_EQ(get(kv, "NOPE"), "error: config 'NOPE' of capability 'kv' (" + where + "): no config named 'NOPE' found");
  EXPECT_NE(get(file.capabilities[1], "X").find("needs a [capability.configs] section"), std::string::npos);
  // No secret yet (and no key): a clear error naming the key.
  EXPECT_NE(get(kv, "SECRET").find("config 'SECRET' of capability 'kv'"), std::string::npos);

  ASSERT_TRUE(usersecrets::write_secret(path, "password", "hunter2").ok());
  Slightfile reloaded = load_ok(path);
  auto secret = resolve_config(reloaded, reloaded.capabilities[0], "SECRET");
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(*secret, "hunter2");
}

TEST_F(SlightfileTest, Spec01ReadsFromTheSecretStore) {
  setenv("REDIS_ADDRESS", "redis://from-env:1", 1);
  Slightfile file = load_ok(write("a.toml", "specversion = \"0.1\"\nsecret_store = \"configs.envvars\"\n"
                                            "[[capability]]\nname = \"keyvalue.redis\"\n"));
  auto value = resolve_config(file, file.capabilities[0], "REDIS_ADDRESS");
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, "redis://from-env:1");

  Slightfile local = load_ok(write("b.toml", "specversion = \"0.1\"\nsecret_store = \"configs.local\"\n"
                                             "[[capability]]\nname = \"keyvalue.redis\"\n"));
  EXPECT_EQ(*resolve_config(local, local.capabilities[0], "redis://literal"), "redis://literal");

  // 0.1 without secret_store: [capability.configs] is needed, and the 0.1 form has none.
  Slightfile bare = load_ok(write("c.toml", "specversion = \"0.1\"\n[[capability]]\nname = \"keyvalue.redis\"\n"));
  auto missing = resolve_config(bare, bare.capabilities[0], "REDIS_ADDRESS");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("needs a [capability.configs] section"), std::string::npos);
}

TEST_F(SlightfileTest, AppendixCTestVector) {
  EXPECT_EQ(usersecrets::encrypt("magickey", "articles"), "2E87Wx52-Tvo");
  auto plain = usersecrets::decrypt("magickey", "2E87Wx52-Tvo");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(*plain, "articles");
}

TEST_F(SlightfileTest, EncryptionRoundTrips) {
  const std::string key = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy";
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(char(i));
  for (const std::string& text : {std::string(), std::string("a"), std::string("hunter2"),
                                  std::string("redis://user:p@ss@host:6379/0"), binary, std::string(1000, 'x')}) {
    std::string encrypted = usersecrets::encrypt(key, text);
    for (char c : encrypted) EXPECT_TRUE(isalnum(uint8_t(c)) || c == '-' || c == '_') << encrypted;
    auto decrypted = usersecrets::decrypt(key, encrypted);
    ASSERT_TRUE(decrypted.ok()) << decrypted.error().message;
    EXPECT_EQ(*decrypted, text);
  }
  EXPECT_FALSE(usersecrets::decrypt(key, "").ok());
  EXPECT_FALSE(usersecrets::decrypt(key, "a+b/c=").ok());
  // Another key: refused (the CRC-8 check byte) rather than garbage, almost always.
  EXPECT_FALSE(usersecrets::decrypt("another-key-entirely", usersecrets::encrypt(key, "hunter2")).ok());
}

TEST_F(SlightfileTest, SecretWriteThenRead) {
  std::string path = write("slightfile.toml",
                           "specversion = \"0.2\"\n"
                           "# a comment (lost on rewrite, as in slight)\n"
                           "[[capability]]\nresource = \"configs.usersecrets\"\nname = \"secrets\"\n"
                           "[[capability]]\nresource = \"keyvalue.redis\"\nname = \"kv\"\n"
                           "  [capability.configs]\n  REDIS_ADDRESS = \"${usersecrets.redis}\"\n");
  ASSERT_FALSE(fs::exists(usersecrets::key_path()));
  ASSERT_TRUE(usersecrets::write_secret(path, "redis", "redis://secret-host:6379").ok());

  // The key: 30 alphanumerics, private.
  EXPECT_EQ(usersecrets::key_path(), (dir_ / ".slightkey").string());
  std::string key = read_text(usersecrets::key_path());
  ASSERT_EQ(key.size(), 30u);
  for (char c : key) EXPECT_TRUE(isalnum(uint8_t(c)));
  struct stat st;
  ASSERT_EQ(stat(usersecrets::key_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Slightfile file = load_ok(path);
  ASSERT_EQ(file.secret_settings.size(), 1u);
  EXPECT_EQ(file.secret_settings[0].name, "redis");
  EXPECT_EQ(file.secret_settings[0].value, usersecrets::encrypt(key, "redis://secret-host:6379"));
  EXPECT_EQ(file.capabilities.size(), 2u);
  EXPECT_FALSE(file.secret_store.has_value());  // 0.2: untouched

  EXPECT_EQ(*usersecrets::read_secret(path, "redis"), "redis://secret-host:6379");
  EXPECT_EQ(*resolve_config(file, file.capabilities[1], "REDIS_ADDRESS"), "redis://secret-host:6379");
  EXPECT_EQ(*configs_get(file, file.capabilities[0], "redis"), "redis://secret-host:6379");

  // configs::set on usersecrets: a second secret, then overwrite the first.
  ASSERT_TRUE(configs_set(file, file.capabilities[0], "token", "t0k3n").ok());
  ASSERT_TRUE(usersecrets::write_secret(path, "redis", "redis://other:1").ok());
  Slightfile after = load_ok(path);
  ASSERT_EQ(after.secret_settings.size(), 2u);
  EXPECT_EQ(after.secret_settings[0].name, "redis");
  EXPECT_EQ(*configs_get(after, after.capabilities[0], "redis"), "redis://other:1");
  EXPECT_EQ(*configs_get(after, after.capabilities[0], "token"), "t0k3n");
  auto missing = configs_get(after, after.capabilities[0], "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no secret named 'nope'"), std::string::npos);

  // A key that is not the one the secrets were written with.
  std::ofstream(usersecrets::key_path(), std::ios::trunc) << "a-different-key-xxxxxxxxxxxxxx";
  EXPECT_FALSE(configs_get(after, after.capabilities[0], "token").ok());
}

TEST_F(SlightfileTest, SecretOnSpec01SetsTheSecretStore) {
  std::ofstream(dir_ / ".slightkey") << "magickey";
  std::string path = write("v01.toml", "specversion = \"0.1\"\n[[capability]]\nname = \"kv.redis\"\n");
  ASSERT_TRUE(usersecrets::write_secret(path, "REDIS_ADDRESS", "articles").ok());
  Slightfile file = load_ok(path);
  EXPECT_EQ(file.secret_store, "configs.usersecrets");
  ASSERT_EQ(file.secret_settings.size(), 1u);
  EXPECT_EQ(file.secret_settings[0].value, "2E87Wx52-Tvo");
  EXPECT_EQ(*resolve_config(file, file.capabilities[0], "REDIS_ADDRESS"), "articles");
}

TEST_F(SlightfileTest, SecretRefusesABadSlightfile) {
  std::string path = write("bad.toml", "specversion = \"9\"\n");
  auto r = usersecrets::write_secret(path, "k", "v");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown variant"), std::string::npos);
  EXPECT_EQ(read_text(path), "specversion = \"9\"\n");
  EXPECT_FALSE(usersecrets::write_secret((dir_ / "absent.toml").string(), "k", "v").ok());
}

TEST_F(SlightfileTest, EnvVarsAndLocalStores) {
  Slightfile file = load_ok(write("a.toml", "specversion = \"0.2\"\n"
                                            "[[capability]]\nresource = \"configs.envvars\"\nname = \"env\"\n"
                                            "[[capability]]\nresource = \"configs.local\"\nname = \"local\"\n"
                                            "  [capability.configs]\n  greeting = \"hello\"\n"
                                            "  home = \"${envvars.SILK_TEST_HOME}\"\n"));
  const Capability& env = file.capabilities[0];
  const Capability& local = file.capabilities[1];
  unsetenv("SILK_TEST_VAR");
  auto missing = configs_get(file, env, "SILK_TEST_VAR");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "environment variable not found");
  ASSERT_TRUE(configs_set(file, env, "SILK_TEST_VAR", "v1").ok());
  EXPECT_EQ(*configs_get(file, env, "SILK_TEST_VAR"), "v1");
  EXPECT_FALSE(configs_set(file, env, "A=B", "x").ok());

  setenv("SILK_TEST_HOME", "/home/x", 1);
  EXPECT_EQ(*configs_get(file, local, "greeting"), "hello");
  EXPECT_EQ(*configs_get(file, local, "home"), "/home/x");
  EXPECT_FALSE(configs_get(file, local, "absent").ok());
  EXPECT_FALSE(configs_set(file, local, "greeting", "x").ok());
}

}  // namespace
