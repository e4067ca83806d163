// WASI through the engine: errno mapping, import resolution (names, types,
// wasi_unstable), guest pointers checked (EFAULT), proc_exit as a trap, and
// wasi_unstable's whence order and filestat layout.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "wasi/errno.h"
#include "wasi/wasi.h"
#include "wat_helper.h"

namespace silk::wasi {
namespace {

using wasm::Value;

TEST(WasiErrnoTest, HostErrnoMapsToWitxValues) {
  EXPECT_EQ(errno_from_host(0), Errno::kSUCCESS);
  EXPECT_EQ(uint16_t(errno_from_host(ENOENT)), 44);
  EXPECT_EQ(uint16_t(errno_from_host(EBADF)), 8);
  EXPECT_EQ(uint16_t(errno_from_host(EFAULT)), 21);
  EXPECT_EQ(uint16_t(errno_from_host(ELOOP)), 32);
  EXPECT_EQ(uint16_t(errno_from_host(ENOTEMPTY)), 55);
  EXPECT_EQ(uint16_t(errno_from_host(EOPNOTSUPP)), 58);  // ENOTSUP aliases it on Linux
  EXPECT_EQ(uint16_t(errno_from_host(EWOULDBLOCK)), 6);
  EXPECT_EQ(errno_from_host(-1), Errno::kIO);
  EXPECT_EQ(errno_from_host(100000), Errno::kIO);
  EXPECT_EQ(uint16_t(Errno::kNOTCAPABLE), 76);
  EXPECT_STREQ(errno_name(Errno::kNOTDIR), "NOTDIR");
}

constexpr const char* kModule = R"(
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $useek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $stat (param i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $ustat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "f.txt")
  (data (i32.const 16) "0123456789")
  ;; rights: fd_read, seek, tell, write, filestat_get. iovec at 100 -> 10 bytes at 16; results at 200+
  (func (export "open") (result i32)
    (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 1)
                (i64.const 2097254) (i64.const 0) (i32.const 0) (i32.const 200)))
  (func (export "open_out_of_bounds") (result i32)
    (call $open (i32.const 3) (i32.const 0) (i32.const 65534) (i32.const 5) (i32.const 1)
                (i64.const 2097254) (i64.const 0) (i32.const 0) (i32.const 200)))
  (func (export "write") (result i32)
    (i32.store (i32.const 100) (i32.const 16)) (i32.store (i32.const 104) (i32.const 10))
    (call $write (i32.load (i32.const 200)) (i32.const 100) (i32.const 1) (i32.const 204)))
  (func (export "write_bad_iovec") (result i32)
    (i32.store (i32.const 100) (i32.const 65530)) (i32.store (i32.const 104) (i32.const 10))
    (call $write (i32.load (i32.const 200)) (i32.const 100) (i32.const 1) (i32.const 204)))
  (func (export "write_bad_result_ptr") (result i32)
    (i32.store (i32.const 100) (i32.const 16)) (i32.store (i32.const 104) (i32.const 10))
    (call $write (i32.load (i32.const 200)) (i32.const 100) (i32.const 1) (i32.const 65535)))
  (func (export "seek") (param i64 i32) (result i64)
    (drop (call $seek (i32.load (i32.const 200)) (local.get 0) (local.get 1) (i32.const 208)))
    (i64.load (i32.const 208)))
  (func (export "unstable_seek") (param i64 i32) (result i64)
    (drop (call $useek (i32.load (i32.const 200)) (local.get 0) (local.get 1) (i32.const 208)))
    (i64.load (i32.const 208)))
  ;; size field: offset 32 in preview1's filestat, 24 in wasi_unstable's
  (func (export "size") (result i64)
    (drop (call $stat (i32.load (i32.const 200)) (i32.const 300))) (i64.load (i32.const 332)))
  (func (export "unstable_size") (result i64)
    (drop (call $ustat (i32.load (i32.const 200)) (i32.const 400))) (i64.load (i32.const 424)))
  (func (export "exit") (call $exit (i32.const 42)))
  (func (export "raise") (result i32) (call $raise (i32.const 6)))
  (func (export "random_past_end") (result i32) (call $random (i32.const 65500) (i32.const 37)))
  (func (export "random_to_end") (result i32) (call $random (i32.const 65500) (i32.const 36)))
)
)";

class WasiCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/silk_wasi_calls_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    WasiOptions options;
    options.args = {"test"};
    options.preopens = {{dir_, "."}};
    auto ctx = WasiContext::create(options);
    ASSERT_TRUE(ctx.ok()) << ctx.error().describe();
    wasi_ = std::move(ctx.value());
    module_ = wasm::test::compile(kModule);
    ASSERT_NE(module_, nullptr);
    std::vector<wasm::Extern> imports;
    for (const wasm::ImportInfo& import : wasm::module_imports(*module_)) {
      auto f = wasi_->resolve_import(store_, import);
      ASSERT_TRUE(f.ok()) << f.error().describe();
      imports.push_back(wasm::Extern::func(f.value()));
    }
    auto inst = store_.instantiate(module_, imports);
    ASSERT_TRUE(inst.ok()) << inst.error().describe();
    inst_ = inst.value();
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  uint32_t call_i32(const char* name) { return wasm::test::call_i32(store_, inst_->function(name)); }
  uint64_t call_i64(const char* name, std::vector<Value> args = {}) {
    return wasm::test::call_i64(store_, inst_->function(name), std::move(args));
  }

  std::string dir_;
  std::unique_ptr<WasiContext> wasi_;
  std::shared_ptr<const wasm::Module> module_;
  wasm::Store store_;
  wasm::Instance* inst_ = nullptr;
};

TEST_F(WasiCallsTest, WriteSeekStatInBothLayouts) {
  ASSERT_EQ(call_i32("open"), 0u);
  ASSERT_EQ(call_i32("write"), 0u);
  EXPECT_EQ(call_i64("seek", {Value::i64(3), Value::i32(0)}), 3u);            // preview1 SET
  EXPECT_EQ(call_i64("seek", {Value::i64(0), Value::i32(2)}), 10u);           // preview1 END
  EXPECT_EQ(call_i64("unstable_seek", {Value::i64(4), Value::i32(2)}), 4u);   // unstable SET
  EXPECT_EQ(call_i64("unstable_seek", {Value::i64(-1), Value::i32(1)}), 9u);  // unstable END
  EXPECT_EQ(call_i64("unstable_seek", {Value::i64(-2), Value::i32(0)}), 7u);  // unstable CUR
  EXPECT_EQ(call_i64("size"), 10u);
  EXPECT_EQ(call_i64("unstable_size"), 10u);
}

TEST_F(WasiCallsTest, BadGuestPointersAreEFAULT) {
  EXPECT_EQ(call_i32("open_out_of_bounds"), 21u);
  ASSERT_EQ(call_i32("open"), 0u);
  EXPECT_EQ(call_i32("write_bad_iovec"), 21u);
  EXPECT_EQ(call_i32("write_bad_result_ptr"), 21u);
}

TEST_F(WasiCallsTest, ProcRaiseIsNotSupportedAndRandomChecksItsRange) {
  EXPECT_EQ(call_i32("raise"), 52u);  // ENOSYS: no host signals from the sandbox
  EXPECT_EQ(call_i32("random_past_end"), 21u);
  EXPECT_EQ(call_i32("random_to_end"), 0u);
}

TEST_F(WasiCallsTest, ProcExitIsATrapThatRecordsTheCode) {
  EXPECT_FALSE(wasi_->exit_code().has_value());
  auto r = store_.call(inst_->function("exit"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, wasm::ErrorKind::Trap);
  EXPECT_EQ(r.error().message, "exit 42");
  EXPECT_EQ(wasi_->exit_code(), 42);
}

TEST(WasiImportTest, UnknownNamesAndWrongTypesAreUnlinkable) {
  auto ctx = WasiContext::create({}).value();
  wasm::Store store;
  wasm::ImportInfo import;
  import.module = "wasi_snapshot_preview1";
  import.name = "fd_close";
  import.kind = wasm::ExternKind::Func;
  import.func = {{wasm::ValType::I32}, {wasm::ValType::I32}};
  EXPECT_TRUE(ctx->resolve_import(store, import).ok());
  import.module = "wasi_unstable";
  EXPECT_TRUE(ctx->resolve_import(store, import).ok());
  import.func = {{wasm::ValType::I64}, {wasm::ValType::I32}};
  auto wrong = ctx->resolve_import(store, import);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, wasm::ErrorKind::Unlinkable);
  import.name = "fd_teleport";
  EXPECT_EQ(ctx->resolve_import(store, import).error().kind, wasm::ErrorKind::Unlinkable);
  import.module = "env";
  import.name = "fd_close";
  EXPECT_FALSE(WasiContext::is_wasi_module("env"));
  EXPECT_EQ(ctx->resolve_import(store, import).error().kind, wasm::ErrorKind::Unlinkable);
}

}  // namespace
}  // namespace silk::wasi

// --- contexts sharing one base (slight's per-request instances) ---------------

namespace silk::wasi {
namespace {

constexpr const char* kSharingModule = R"(
(module
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "a")
  (func (export "close_preopen") (result i32) (call $close (i32.const 3)))
  (func (export "open_a") (result i32)
    (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0)
                (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200)))
  ;; bytes fd_readdir put in a buffer of {size} from cookie 0, or -1 on an error
  (func (export "readdir") (param $size i32) (result i32)
    (if (call $readdir (i32.const 3) (i32.const 1024) (local.get $size) (i64.const 0) (i32.const 300))
      (then (return (i32.const -1))))
    (i32.load (i32.const 300)))
)
)";

class WasiSharingTest : public ::testing::Test {
 protected:
  struct App {
    std::unique_ptr<WasiContext> wasi;
    wasm::Store store;
    wasm::Instance* inst = nullptr;
  };
  void SetUp() override {
    char tmpl[] = "/tmp/silk_wasi_sharing_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (const char* name : {"a", "b", "c"}) {
      int fd = ::open((dir_ + "/" + name).c_str(), O_CREAT | O_WRONLY, 0644);
      ASSERT_GE(fd, 0);
      ::close(fd);
    }
    WasiOptions options;
    options.preopens = {{dir_, "."}};
    auto base = WasiContext::create(options);
    ASSERT_TRUE(base.ok()) << base.error().describe();
    base_ = std::move(base.value());
    module_ = wasm::test::compile(kSharingModule);
    ASSERT_NE(module_, nullptr);
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::unique_ptr<App> make_app() {
    auto app = std::make_unique<App>();
    app->wasi = WasiContext::create_sharing(*base_, {"app"}, {});
    std::vector<wasm::Extern> imports;
    for (const wasm::ImportInfo& import : wasm::module_imports(*module_)) {
      auto f = app->wasi->resolve_import(app->store, import);
      if (!f.ok()) return nullptr;
      imports.push_back(wasm::Extern::func(f.value()));
    }
    auto inst = app->store.instantiate(module_, imports);
    if (!inst.ok()) return nullptr;
    app->inst = inst.value();
    return app;
  }
  static uint32_t call(App& app, const char* name, std::vector<Value> args = {}) {
    auto r = app.store.call(app.inst->function(name), args);
    return r.ok() && !r.value().empty() ? r.value()[0].as_i32() : 0xdeadu;
  }

  std::string dir_;
  std::unique_ptr<WasiContext> base_;
  std::shared_ptr<const wasm::Module> module_;
};

TEST_F(WasiSharingTest, AGuestCloseLeavesTheSharedPreopenOpen) {
  auto first = make_app();
  auto second = make_app();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(call(*first, "close_preopen"), 0u);
  EXPECT_EQ(call(*first, "open_a"), uint32_t(Errno::kBADF));  // gone from the first context only
  EXPECT_EQ(call(*second, "open_a"), 0u);
  first.reset();  // a context ending closes nothing of the base's
  auto third = make_app();
  ASSERT_TRUE(third);
  EXPECT_EQ(call(*third, "open_a"), 0u);
}

TEST_F(WasiSharingTest, EachContextReadsTheWholeDirectory) {
  auto first = make_app();
  auto second = make_app();
  ASSERT_TRUE(first && second);
  uint32_t whole = call(*second, "readdir", {Value::i32(4096)});
  ASSERT_NE(whole, uint32_t(-1));
  EXPECT_GT(whole, 5u * 24u);  // ".", "..", a, b, c: a 24-byte dirent each, plus names
  EXPECT_EQ(call(*first, "readdir", {Value::i32(30)}), 30u);  // part of one entry: the stream moved
  EXPECT_EQ(call(*second, "readdir", {Value::i32(4096)}), whole);
  EXPECT_EQ(call(*first, "readdir", {Value::i32(4096)}), whole);
}

}  // namespace
}  // namespace silk::wasi
