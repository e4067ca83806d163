// Execution through the embedding API: traps with the spec's messages (and
// the store surviving them, including the guard-page siglongjmp path),
// call-stack and value-stack exhaustion, memory limits, explicit bounds
// checks, interruption from another thread, and tail calls that run in
// constant space. Companion of engine_api_test.cc; helpers in wat_helper.h.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "wasm/engine.h"
#include "wat_helper.h"

namespace silk::wasm {
namespace {

using test::call_i32;
using test::call_i64;
using test::compile;
using test::describe;
using test::failed_with;

// 4. Traps -----------------------------------------------------------------------

constexpr const char* kTraps = R"(
  (module
    (type $v_i (func (result i32)))
    (type $i_i (func (param i32) (result i32)))
    (memory (export "memory") 1)
    (table 3 funcref)
    (elem (i32.const 0) $ret7 $takes)   ;; slot 2 stays null
    (func $ret7 (type $v_i) i32.const 7)
    (func $takes (type $i_i) local.get 0)
    (func (export "unreachable") unreachable)
    (func (export "div_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
    (func (export "rem_u64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_u)
    (func (export "div_by_const_zero") (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
    (func (export "trunc") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
    (func (export "trunc64") (param f64) (result i64) local.get 0 i64.trunc_f64_u)
    (func $load (export "load") (param i32) (result i32) local.get 0 i32.load)
    (func $load1 (param i32) (result i32) local.get 0 call $load)
    (func $load2 (param i32) (result i32) local.get 0 call $load1)
    (func (export "deep_load") (param i32) (result i32) local.get 0 call $load2)
    (func (export "load16") (param i32) (result i32) local.get 0 i32.load16_u)
    (func (export "load_far") (param i32) (result i64) local.get 0 i64.load offset=0xfffffff0)
    (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
    (func (export "store64") (param i32 i64) local.get 0 local.get 1 i64.store)
    (func (export "call_i") (param i32) (result i32) local.get 0 call_indirect (type $v_i))
    (func (export "ok") (result i32) i32.const 1))
)";

// Expects the call to trap with {message} and the store to run ok() after.
void expect_trap(Store& store, Instance* inst, const char* name, std::vector<Value> args, const char* message) {
  SCOPED_TRACE(name);
  auto r = store.call(inst->function(name), args);
  EXPECT_TRUE(failed_with(r, ErrorKind::Trap, message));
  EXPECT_EQ(call_i32(store, inst->function("ok")), 1u);
}

void check_trap_messages(BoundsChecks mode) {
  Store store(StoreOptions{.bounds_checks = mode});
  Instance* inst = test::instantiate(store, kTraps);
  ASSERT_TRUE(inst);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  expect_trap(store, inst, "unreachable", {}, "unreachable");
  expect_trap(store, inst, "div_s", {Value::i32(1), Value::i32(0)}, "integer divide by zero");
  expect_trap(store, inst, "rem_u64", {Value::i64(1), Value::i64(0)}, "integer divide by zero");
  expect_trap(store, inst, "div_by_const_zero", {Value::i32(5)}, "integer divide by zero");
  expect_trap(store, inst, "div_s", {Value::i32(0x80000000), Value::i32(0xffffffff)}, "integer overflow");
  expect_trap(store, inst, "trunc", {Value::f32(nan)}, "invalid conversion to integer");
  expect_trap(store, inst, "trunc", {Value::f32(3e9f)}, "integer overflow");
  expect_trap(store, inst, "trunc64", {Value::f64(-1.0)}, "integer overflow");
  expect_trap(store, inst, "load", {Value::i32(0xfffffff0)}, "out of bounds memory access");
  expect_trap(store, inst, "load", {Value::i32(65533)}, "out of bounds memory access");  // straddles the end
  expect_trap(store, inst, "load", {Value::i32(65536)}, "out of bounds memory access");
  expect_trap(store, inst, "load_far", {Value::i32(0xfffffff0)}, "out of bounds memory access");
  expect_trap(store, inst, "load_far", {Value::i32(0x10)}, "out of bounds memory access");
  expect_trap(store, inst, "store", {Value::i32(65536), Value::i32(1)}, "out of bounds memory access");
  expect_trap(store, inst, "store", {Value::i32(65534), Value::i32(0xaabbccdd)}, "out of bounds memory access");
  expect_trap(store, inst, "store64", {Value::i32(65530), Value::i64(~0ull)}, "out of bounds memory access");
  expect_trap(store, inst, "call_i", {Value::i32(1)}, "indirect call type mismatch");
  // The reference interpreter's wording names the index.
  expect_trap(store, inst, "call_i", {Value::i32(2)}, "uninitialized element 2");
  expect_trap(store, inst, "call_i", {Value::i32(3)}, "undefined element 3");
  auto far = store.call(inst->function("call_i"), std::vector<Value>{Value::i32(0xffffffff)});
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().kind, ErrorKind::Trap);
  EXPECT_EQ(far.error().message.rfind("undefined element", 0), 0u) << far.error().describe();

  // A failed store writes nothing (no partial write of a straddling store).
  EXPECT_EQ(call_i32(store, inst->function("load16"), {Value::i32(65534)}), 0u);
  EXPECT_EQ(memory_data(inst->memory("memory"))[65535], 0);
  EXPECT_EQ(memory_data(inst->memory("memory"))[65530], 0);
  // In-bounds edges work.
  EXPECT_EQ(call_i32(store, inst->function("load"), {Value::i32(65532)}), 0u);
  ASSERT_TRUE(store.call(inst->function("store"), std::vector<Value>{Value::i32(65532), Value::i32(0x01020304)}).ok());
  EXPECT_EQ(call_i32(store, inst->function("load"), {Value::i32(65532)}), 0x01020304u);
  EXPECT_EQ(call_i32(store, inst->function("call_i"), {Value::i32(0)}), 7u);
  EXPECT_EQ(call_i32(store, inst->function("div_s"), {Value::i32(0xfffffff9), Value::i32(2)}), 0xfffffffdu);
}

TEST(Interpreter, TrapMessagesGuardMode) { check_trap_messages(BoundsChecks::Guard); }

TEST(Interpreter, RepeatedGuardPageTraps) {
  // A small call-depth limit: if a fault three calls deep left the depth
  // counter (or the value stack top) behind, later calls would exhaust.
  Store store(StoreOptions{.value_stack_bytes = 64 * 1024, .max_call_depth = 8});
  Instance* inst = test::instantiate(store, kTraps);
  ASSERT_TRUE(inst);
  Function* load = inst->function("deep_load");
  Function* store_fn = inst->function("store");
  for (int i = 0; i < 1000; ++i) {
    auto r = store.call(load, std::vector<Value>{Value::i32(0xfffffff0 - uint32_t(i) * 4096)});
    ASSERT_TRUE(failed_with(r, ErrorKind::Trap, "out of bounds memory access")) << "iteration " << i;
    auto w = store.call(store_fn, std::vector<Value>{Value::i32(65536 + uint32_t(i) * 64), Value::i32(i)});
    ASSERT_TRUE(failed_with(w, ErrorKind::Trap, "out of bounds memory access")) << "iteration " << i;
    if (i % 100 == 0) {
      ASSERT_TRUE(store.call(store_fn, std::vector<Value>{Value::i32(8), Value::i32(i)}).ok());
      ASSERT_EQ(call_i32(store, load, {Value::i32(8)}), uint32_t(i));
    }
  }
  EXPECT_EQ(call_i32(store, inst->function("ok")), 1u);
}

TEST(Interpreter, GuardPageTrapInsideReentrantCall) {
  // guest -> host -> guest (faults): the fault unwinds only the inner call;
  // the host sees the trap and carries on, the outer call completes. A small
  // depth limit catches a depth counter not restored by the fault path.
  Store store(StoreOptions{.max_call_depth = 10});
  Function* inner_load = nullptr;
  int traps_seen = 0;
  Function* probe = store.create_host_function(
      FuncType{{ValType::I32}, {ValType::I32}},
      [&](HostCall& call, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        auto r = call.store.call(inner_load, std::vector<Value>{args[0]});
        if (!r) {
          if (r.error().message == "out of bounds memory access") ++traps_seen;
          results[0] = Value::i32(0xdead);
        } else {
          results[0] = (*r)[0];
        }
        return {};
      });
  Instance* inst = test::instantiate(store, R"(
    (module
      (import "env" "probe" (func $probe (param i32) (result i32)))
      (memory 1)
      (data (i32.const 4) "\2a")
      (func (export "load") (param i32) (result i32) local.get 0 i32.load)
      (func (export "run") (result i32) (local $keep i32)
        i32.const 5 local.set $keep
        i32.const 0xfffffff0 call $probe      ;; 0xdead
        i32.const 4 call $probe i32.add        ;; + 42
        local.get $keep i32.add))
  )", {Extern::func(probe)});
  ASSERT_TRUE(inst);
  inner_load = inst->function("load");
  for (int i = 0; i < 100; ++i) ASSERT_EQ(call_i32(store, inst->function("run")), 0xdeadu + 42 + 5);
  EXPECT_EQ(traps_seen, 100);
}

TEST(Interpreter, TrapsInTwoStores) {
  // A fault in one store's memory while another store exists (and owns
  // memories) is attributed to the right store.
  Store a, b;
  Instance* ia = test::instantiate(a, kTraps);
  Instance* ib = test::instantiate(b, kTraps);
  ASSERT_TRUE(ia && ib);
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(failed_with(a.call(ia->function("load"), std::vector<Value>{Value::i32(70000)}), ErrorKind::Trap,
                            "out of bounds memory access"));
    EXPECT_TRUE(failed_with(b.call(ib->function("load"), std::vector<Value>{Value::i32(70000)}), ErrorKind::Trap,
                            "out of bounds memory access"));
  }
  EXPECT_EQ(call_i32(a, ia->function("ok")), 1u);
  EXPECT_EQ(call_i32(b, ib->function("ok")), 1u);
}

// 5. Exhaustion ----------------------------------------------------------------

constexpr const char* kRecursion = R"(
  (module
    (func $forever (export "forever") (param i32) (result i32)
      local.get 0 i32.const 1 i32.add call $forever)
    (func $count (export "count") (param i32) (result i32)
      local.get 0 i32.eqz if (result i32) i32.const 0
      else local.get 0 i32.const 1 i32.sub call $count i32.const 1 i32.add end)
    (func (export "ok") (result i32) i32.const 1))
)";

TEST(Interpreter, DeepRecursionExhaustsDefault) {
  Store store;
  Instance* inst = test::instantiate(store, kRecursion);
  ASSERT_TRUE(inst);
  for (int i = 0; i < 3; ++i) {
    auto r = store.call(inst->function("forever"), std::vector<Value>{Value::i32(0)});
    EXPECT_TRUE(failed_with(r, ErrorKind::Exhaustion, "call stack exhausted"));
    EXPECT_EQ(call_i32(store, inst->function("ok")), 1u);
  }
  // Reasonable depth works, and again after the exhaustion.
  EXPECT_EQ(call_i32(store, inst->function("count"), {Value::i32(10000)}), 10000u);
}

TEST(Interpreter, MaxCallDepthOption) {
  Store store(StoreOptions{.max_call_depth = 50});
  Instance* inst = test::instantiate(store, kRecursion);
  ASSERT_TRUE(inst);
  EXPECT_TRUE(failed_with(store.call(inst->function("forever"), std::vector<Value>{Value::i32(0)}),
                          ErrorKind::Exhaustion, "call stack exhausted"));
  EXPECT_EQ(call_i32(store, inst->function("count"), {Value::i32(40)}), 40u);
  // count(n) nests n calls below the entry function: 50 is the limit.
  EXPECT_EQ(call_i32(store, inst->function("count"), {Value::i32(50)}), 50u);
  EXPECT_TRUE(failed_with(store.call(inst->function("count"), std::vector<Value>{Value::i32(51)}),
                          ErrorKind::Exhaustion, "call stack exhausted"));
  EXPECT_TRUE(failed_with(store.call(inst->function("count"), std::vector<Value>{Value::i32(60)}),
                          ErrorKind::Exhaustion, "call stack exhausted"));
  EXPECT_EQ(call_i32(store, inst->function("count"), {Value::i32(40)}), 40u);
}

std::string huge_frame_module() {
  // $deep has 10,000 i64 locals (80 KB per frame).
  std::string locals;
  for (int i = 0; i < 10000; ++i) locals += " i64";
  return R"(
    (module
      (func $deep (export "deep") (param $n i32) (result i64) (local)" + locals + R"()
        local.get $n i32.eqz if (result i64) i64.const 0
        else
          local.get $n i64.extend_i32_u local.set 9999
          local.get $n i32.const 1 i32.sub call $deep
          local.get 9999 i64.add
          local.get 10000 i64.add   ;; never set: zero
        end)
      (func $forever (export "forever") (param i32) (result i64) (local)" + locals + R"()
        local.get 0 i32.const 1 i32.add call $forever)
      (func (export "ok") (result i32) i32.const 1))
  )";
}

TEST(Interpreter, HugeFramesExhaustValueStack) {
  auto m = compile(huge_frame_module());
  ASSERT_TRUE(m);
  {
    Store store;  // 64 MiB value stack: ~800 frames
    auto inst = store.instantiate(m, {});
    ASSERT_TRUE(inst.ok()) << describe(inst);
    EXPECT_EQ(call_i64(store, (*inst)->function("deep"), {Value::i32(100)}), 5050u);
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(failed_with(store.call((*inst)->function("forever"), std::vector<Value>{Value::i32(0)}),
                              ErrorKind::Exhaustion, "call stack exhausted"));
      EXPECT_EQ(call_i32(store, (*inst)->function("ok")), 1u);
    }
    // Locals are zeroed on entry even when the stack memory was used before.
    EXPECT_EQ(call_i64(store, (*inst)->function("deep"), {Value::i32(100)}), 5050u);
  }
  {
    Store store(StoreOptions{.value_stack_bytes = 1 << 20});  // ~12 frames
    auto inst = store.instantiate(m, {});
    ASSERT_TRUE(inst.ok()) << describe(inst);
    EXPECT_EQ(call_i64(store, (*inst)->function("deep"), {Value::i32(5)}), 15u);
    EXPECT_TRUE(failed_with(store.call((*inst)->function("deep"), std::vector<Value>{Value::i32(100)}),
                            ErrorKind::Exhaustion, "call stack exhausted"));
    EXPECT_EQ(call_i64(store, (*inst)->function("deep"), {Value::i32(5)}), 15u);
  }
}

TEST(Interpreter, GuestHostMutualRecursionExhausts) {
  // guest -> host -> guest -> ... forever: exhaustion, not a native stack overflow.
  Store store;
  Function* again = nullptr;
  int max_nesting = 0, nesting = 0;
  Function* host = store.create_host_function(
      FuncType{{ValType::I32}, {ValType::I32}},
      [&](HostCall& call, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        max_nesting = std::max(max_nesting, ++nesting);
        auto r = call.store.call(again, std::vector<Value>{args[0]});
        --nesting;
        if (!r) return r.take_error();
        results[0] = (*r)[0];
        return {};
      });
  Instance* inst = test::instantiate(store, R"(
    (module
      (import "env" "host" (func $host (param i32) (result i32)))
      (func (export "again") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $host)
      (func (export "ok") (result i32) i32.const 1))
  )", {Extern::func(host)});
  ASSERT_TRUE(inst);
  again = inst->function("again");
  auto r = store.call(again, std::vector<Value>{Value::i32(0)});
  EXPECT_TRUE(failed_with(r, ErrorKind::Exhaustion, "call stack exhausted"));
  EXPECT_GT(max_nesting, 100);
  EXPECT_EQ(nesting, 0);
  EXPECT_EQ(call_i32(store, inst->function("ok")), 1u);
}

TEST(Interpreter, ExhaustionOnSmallThreadStack) {
  // A 512 KiB native stack: the engine must see its real limit.
  struct Ctx {
    std::string outcome;
  } ctx;
  auto body = [](void* p) -> void* {
    auto* c = static_cast<Ctx*>(p);
    Store store;
    auto m = compile(kRecursion);
    if (!m) return nullptr;
    auto inst = store.instantiate(m, {});
    if (!inst) return nullptr;
    auto r = store.call((*inst)->function("forever"), std::vector<Value>{Value::i32(0)});
    c->outcome = describe(r);
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512 * 1024);
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, &attr, body, &ctx), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(ctx.outcome, "exhaustion: call stack exhausted");
}

// 6. Memory limits --------------------------------------------------------------

TEST(Interpreter, MemoryGrowStopsAtStoreCap) {
  Store store(StoreOptions{.max_memory_pages = 4});
  Instance* inst = test::instantiate(store, R"(
    (module
      (memory (export "memory") 1)
      (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
      (func (export "size") (result i32) memory.size)
      (func (export "load") (param i32) (result i32) local.get 0 i32.load))
  )");
  ASSERT_TRUE(inst);
  Function* grow = inst->function("grow");
  EXPECT_EQ(call_i32(store, grow, {Value::i32(2)}), 1u);
  EXPECT_EQ(call_i32(store, grow, {Value::i32(2)}), 0xffffffffu);  // 5 > 4
  EXPECT_EQ(call_i32(store, grow, {Value::i32(0xffffffff)}), 0xffffffffu);
  EXPECT_EQ(call_i32(store, grow, {Value::i32(1)}), 3u);
  EXPECT_EQ(call_i32(store, grow, {Value::i32(1)}), 0xffffffffu);
  EXPECT_EQ(call_i32(store, grow, {Value::i32(0)}), 4u);
  EXPECT_EQ(call_i32(store, inst->function("size")), 4u);
  Memory* mem = inst->memory("memory");
  EXPECT_EQ(memory_grow(mem, 1), -1);
  EXPECT_EQ(memory_grow(mem, 0), 4);
  EXPECT_EQ(memory_size_bytes(mem), 4u * 65536);
  // The last page is usable, past it traps.
  memory_data(mem)[4 * 65536 - 4] = 9;
  EXPECT_EQ(call_i32(store, inst->function("load"), {Value::i32(4 * 65536 - 4)}), 9u);
  EXPECT_TRUE(failed_with(store.call(inst->function("load"), std::vector<Value>{Value::i32(4 * 65536)}),
                          ErrorKind::Trap, "out of bounds memory access"));
}

TEST(Interpreter, MemoryGrowApiAndDeclaredMax) {
  Store store;
  Instance* inst = test::instantiate(store, R"(
    (module
      (memory (export "memory") 1 3)
      (func (export "size") (result i32) memory.size)
      (func (export "load") (param i32) (result i32) local.get 0 i32.load))
  )");
  ASSERT_TRUE(inst);
  Memory* mem = inst->memory("memory");
  EXPECT_EQ(memory_grow(mem, 1), 1);
  EXPECT_EQ(call_i32(store, inst->function("size")), 2u);
  memory_data(mem)[65536 + 100] = 0x5a;  // the new page, written by the host
  EXPECT_EQ(call_i32(store, inst->function("load"), {Value::i32(65536 + 100)}), 0x5au);
  EXPECT_EQ(memory_grow(mem, 2), -1);  // declared max 3
  EXPECT_EQ(memory_grow(mem, 1), 2);
  EXPECT_EQ(memory_grow(mem, 1), -1);
  EXPECT_EQ(call_i32(store, inst->function("size")), 3u);
}

TEST(Interpreter, MemoryMinAboveCapFailsInstantiation) {
  Store store(StoreOptions{.max_memory_pages = 4});
  auto m = compile("(module (memory 8))");
  ASSERT_TRUE(m);
  auto r = store.instantiate(m, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("8 pages"), std::string::npos) << r.error().describe();
  EXPECT_NE(r.error().message.find("4 pages"), std::string::npos) << r.error().describe();
  auto direct = store.create_memory(MemoryType{Limits{5, false, 0}});
  EXPECT_FALSE(direct.ok());
  // Within the cap is fine.
  auto fits = compile("(module (memory 4))");
  ASSERT_TRUE(fits);
  EXPECT_TRUE(store.instantiate(fits, {}).ok());
}

// 7. Explicit bounds checks ----------------------------------------------------

TEST(Interpreter, TrapMessagesExplicitMode) { check_trap_messages(BoundsChecks::Explicit); }

constexpr const char* kSum = R"(
  (module
    (memory (export "memory") 1)
    ;; a[i] = i * i + 3 for i < n (i32), then the i64 sum of a[i] * (i & 7)
    (func (export "run") (param $n i32) (result i64)
      (local $i i32) (local $sum i64)
      (local.set $i (i32.const 0))
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.shl (local.get $i) (i32.const 2))
                   (i32.add (i32.mul (local.get $i) (local.get $i)) (i32.const 3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.set $i (i32.const 0))
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i64.add (local.get $sum)
          (i64.mul (i64.load32_u (i32.shl (local.get $i) (i32.const 2)))
                   (i64.extend_i32_u (i32.and (local.get $i) (i32.const 7))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.get $sum))
    (func (export "grow_and_touch") (result i32)
      (drop (memory.grow (i32.const 1)))
      (i32.store (i32.const 70000) (i32.const 123))
      (i32.load (i32.const 70000))))
)";

// What kSum's run(n) computes.
uint64_t expected_sum(uint32_t n) {
  uint64_t s = 0;
  for (uint32_t i = 0; i < n; ++i) s += uint64_t(uint32_t(i * i + 3)) * (i & 7);
  return s;
}

TEST(Interpreter, GuardAndExplicitModesAgree) {
  auto m = compile(kSum);
  ASSERT_TRUE(m);
  const uint32_t n = 16000;  // 64000 bytes: fits in one page
  uint64_t got[2] = {};
  int k = 0;
  for (BoundsChecks mode : {BoundsChecks::Guard, BoundsChecks::Explicit}) {
    SCOPED_TRACE(mode == BoundsChecks::Guard ? "guard" : "explicit");
    Store store(StoreOptions{.bounds_checks = mode});
    auto inst = store.instantiate(m, {});
    ASSERT_TRUE(inst.ok()) << describe(inst);
    got[k++] = call_i64(store, (*inst)->function("run"), {Value::i32(n)});
    // Too big for one page: traps in both modes.
    EXPECT_TRUE(failed_with(store.call((*inst)->function("run"), std::vector<Value>{Value::i32(16385)}),
                            ErrorKind::Trap, "out of bounds memory access"));
    // After growth the new page is in bounds (explicit mode reads the current size).
    EXPECT_EQ(call_i32(store, (*inst)->function("grow_and_touch")), 123u);
    EXPECT_EQ(call_i64(store, (*inst)->function("run"), {Value::i32(16385)}), expected_sum(16385));
  }
  EXPECT_EQ(got[0], expected_sum(n));
  EXPECT_EQ(got[1], expected_sum(n));
}

// 8. Interruption ----------------------------------------------------------------

constexpr const char* kSpin = R"(
  (module
    (func (export "spin") (loop $l (br $l)))
    (func $nop)
    (func $work (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "call_loop") (local $i i32)
      (loop $l
        (call $nop)
        (local.set $i (call $work (local.get $i)))
        (br $l)))
    (func (export "count") (param $n i32) (result i32) (local $i i32)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.get $i))
    (func $tail (export "tail_loop") (return_call $tail))
    (func (export "ok") (result i32) i32.const 5))
)";

// Calls {f} with a thread that interrupts the store after ~20 ms.
Result<std::vector<Value>> call_interrupted(Store& store, Function* f, double* seconds) {
  auto start = std::chrono::steady_clock::now();
  std::thread interrupter([&store] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    store.request_interrupt();
  });
  auto r = store.call(f, {});
  interrupter.join();
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

TEST(Interpreter, InterruptInfiniteLoop) {
  Store store;
  Instance* inst = test::instantiate(store, kSpin);
  ASSERT_TRUE(inst);
  for (const char* name : {"spin", "call_loop", "tail_loop", "spin"}) {
    SCOPED_TRACE(name);
    double seconds = 0;
    auto r = call_interrupted(store, inst->function(name), &seconds);
    EXPECT_TRUE(failed_with(r, ErrorKind::Trap, "interrupted"));
    EXPECT_GE(seconds, 0.015);
    EXPECT_LT(seconds, 10.0);
    // The flag was cleared: the next calls run to completion.
    EXPECT_EQ(call_i32(store, inst->function("ok")), 5u);
    EXPECT_EQ(call_i32(store, inst->function("count"), {Value::i32(1000000)}), 1000000u);
  }
}

TEST(Interpreter, InterruptInsideHostReentry) {
  // The interrupt reaches wasm running under a host function; the host
  // passes the trap on; the store is usable afterwards.
  Store store;
  Function* spin = nullptr;
  std::string host_saw;
  Function* host = store.create_host_function(
      FuncType{{}, {}}, [&](HostCall& call, std::span<const Value>, std::span<Value>) -> Result<void> {
        auto r = call.store.call(spin, {});
        host_saw = describe(r);
        if (!r) return r.take_error();
        return {};
      });
  Instance* inst = test::instantiate(store, R"(
    (module
      (import "env" "host" (func $host))
      (func (export "spin") (loop $l (br $l)))
      (func (export "run") (call $host))
      (func (export "ok") (result i32) i32.const 5))
  )", {Extern::func(host)});
  ASSERT_TRUE(inst);
  spin = inst->function("spin");
  double seconds = 0;
  auto r = call_interrupted(store, inst->function("run"), &seconds);
  EXPECT_TRUE(failed_with(r, ErrorKind::Trap, "interrupted"));
  EXPECT_EQ(host_saw, "trap: interrupted");
  EXPECT_EQ(call_i32(store, inst->function("ok")), 5u);
}

// 12. Tail calls -------------------------------------------------------------------

constexpr const char* kTail = R"(
  (module
    (type $i_i (func (param i32) (result i32)))
    (import "env" "inc" (func $inc (param i32) (result i32)))
    (import "env" "final" (func $final (param i64 i32) (result i64)))
    (table 2 funcref)
    (elem (i32.const 0) $inc $inc_wasm)
    ;; sum 1..n by self tail calls
    (func $sum (export "sum") (param $n i32) (param $acc i64) (result i64)
      (if (result i64) (i32.eqz (local.get $n))
        (then (local.get $acc))
        (else (return_call $sum (i32.sub (local.get $n) (i32.const 1))
                                (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n)))))))
    ;; even/odd with different arities and frame sizes
    (func $even (export "even") (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 1))
        (else (return_call $odd (i64.const 1) (i32.sub (local.get $n) (i32.const 1)) (f64.const 2)))))
    (func $odd (param i64 i32 f64) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64)
      (if (result i32) (i32.eqz (local.get 1)) (then (i32.const 0))
        (else (return_call $even (i32.sub (local.get 1) (i32.const 1))))))
    ;; countdown ending in a host function in tail position
    (func $down (export "down") (param $n i32) (param $acc i64) (result i64)
      (if (result i64) (i32.eqz (local.get $n))
        (then (return_call $final (local.get $acc) (i32.const 7)))
        (else (return_call $down (i32.sub (local.get $n) (i32.const 1))
                                 (i64.add (local.get $acc) (i64.const 2))))))
    ;; host function in tail position, 1,000,000 times from a loop
    (func $wrap (param i32) (result i32) (return_call $inc (local.get 0)))
    (func $wrap_indirect (param i32) (result i32)
      (return_call_indirect (type $i_i) (local.get 0) (i32.and (local.get 0) (i32.const 1))))
    (func $inc_wasm (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "host_loop") (param $n i32) (result i32) (local $x i32) (local $i i32)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (call $wrap (local.get $x)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.get $x))
    (func (export "indirect_loop") (param $n i32) (result i32) (local $x i32)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $x) (local.get $n)))
        (local.set $x (call $wrap_indirect (local.get $x)))
        (br $l)))
      (local.get $x))
    ;; a tail call into another function's tail-call loop
    (func $relay_sum (export "relay_sum") (param $n i32) (param $acc i64) (result i64)
      (if (result i64) (i32.eqz (local.get $n))
        (then (local.get $acc))
        (else (return_call $sum (local.get $n) (local.get $acc))))))
)";

struct TailFixture {
  // Tiny stacks and depth: any growth per iteration would exhaust them.
  Store store{StoreOptions{.value_stack_bytes = 64 * 1024, .max_call_depth = 50}};
  uint64_t inc_calls = 0;
  Instance* inst = nullptr;

  void setup() {
    Function* inc = store.create_host_function(FuncType{{ValType::I32}, {ValType::I32}},
                                               [this](HostCall&, std::span<const Value> args, std::span<Value> results) {
                                                 ++inc_calls;
                                                 results[0] = Value::i32(args[0].as_i32() + 1);
                                                 return Result<void>();
                                               });
    Function* fin = store.create_host_function(
        FuncType{{ValType::I64, ValType::I32}, {ValType::I64}},
        [](HostCall&, std::span<const Value> args, std::span<Value> results) {
          results[0] = Value::i64(args[0].as_i64() * 10 + args[1].as_i32());
          return Result<void>();
        });
    inst = test::instantiate(store, kTail, {Extern::func(inc), Extern::func(fin)});
  }
};

TEST(Interpreter, TailCallLoopRunsInConstantSpace) {
  TailFixture fx;
  fx.setup();
  ASSERT_TRUE(fx.inst);
  const uint32_t n = 1000000;
  EXPECT_EQ(call_i64(fx.store, fx.inst->function("sum"), {Value::i32(n), Value::i64(0)}),
            uint64_t(n) * (n + 1) / 2);
  EXPECT_EQ(call_i32(fx.store, fx.inst->function("even"), {Value::i32(n)}), 1u);
  EXPECT_EQ(call_i32(fx.store, fx.inst->function("even"), {Value::i32(n + 1)}), 0u);
  EXPECT_EQ(call_i64(fx.store, fx.inst->function("relay_sum"), {Value::i32(n), Value::i64(1)}),
            uint64_t(n) * (n + 1) / 2 + 1);
  // Repeatable: nothing leaked.
  EXPECT_EQ(call_i64(fx.store, fx.inst->function("sum"), {Value::i32(n), Value::i64(0)}),
            uint64_t(n) * (n + 1) / 2);
}

TEST(Interpreter, TailCallsToHostFunctions) {
  TailFixture fx;
  fx.setup();
  ASSERT_TRUE(fx.inst);
  const uint32_t n = 1000000;
  // A wasm tail-call chain ending in a host function.
  EXPECT_EQ(call_i64(fx.store, fx.inst->function("down"), {Value::i32(n), Value::i64(0)}),
            uint64_t(2) * n * 10 + 7);
  // A host function in tail position a million times.
  EXPECT_EQ(call_i32(fx.store, fx.inst->function("host_loop"), {Value::i32(n)}), n);
  EXPECT_EQ(fx.inc_calls, n);
  // return_call_indirect alternating host ($inc, even x) and wasm ($inc_wasm, odd x) targets.
  fx.inc_calls = 0;
  EXPECT_EQ(call_i32(fx.store, fx.inst->function("indirect_loop"), {Value::i32(n)}), n);
  EXPECT_EQ(fx.inc_calls, n / 2);
  EXPECT_EQ(call_i32(fx.store, fx.inst->function("host_loop"), {Value::i32(10)}), 10u);
}

}  // namespace
}  // namespace silk::wasm

namespace silk::wasm::test {

// Objects of one store cannot be imported into another: the other store's
// fault handler would not know the memory, so its guard pages would crash.
TEST(InterpreterIsolation, ImportFromAnotherStoreIsUnlinkable) {
  Store a, b;
  auto mem = b.create_memory(MemoryType{Limits{1, false, 0}});
  ASSERT_TRUE(mem.ok());
  auto module = compile(R"((module (import "env" "mem" (memory 1))
                              (func (export "f") (result i32) i32.const 70000 i32.load)))");
  ASSERT_TRUE(module);
  std::vector<Extern> imports{Extern::memory(*mem)};
  auto inst = a.instantiate(module, imports);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Unlinkable);
  EXPECT_NE(inst.error().message.find("another store"), std::string::npos) << inst.error().message;
}

// A host function that touches guest memory out of bounds has a bug of its
// own: the process must not turn it into a guest trap and carry on.
TEST(InterpreterIsolationDeathTest, HostFaultIsNotAWasmTrap) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Store store;
        Function* bad = store.create_host_function(FuncType{{}, {}}, [](HostCall& call, auto, auto) -> Result<void> {
          volatile uint8_t* p = memory_data(call.memory) + memory_size_bytes(call.memory) + 16;
          *p = 1;  // past the end: a host bug
          return {};
        });
        Instance* inst = instantiate(store, R"((module (import "env" "bad" (func $bad)) (memory 1)
                                                 (func (export "f") call $bad)))",
                                     {Extern::func(bad)});
        if (inst) (void)store.call(inst->function("f"), {});
      },
      "");
}

// An interrupt requested before a call starts (a watchdog whose deadline
// passed first) stops that call; it is cleared when the call returns.
TEST(InterpreterIsolation, InterruptBeforeCallAppliesToThatCallOnly) {
  Store store;
  Instance* inst = instantiate(store, R"((module
      (func (export "spin") (loop (br 0)))
      (func (export "one") (result i32) i32.const 1)))");
  ASSERT_TRUE(inst);
  store.request_interrupt();
  auto r = store.call(inst->function("spin"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "interrupted");
  EXPECT_EQ(call_i32(store, inst->function("one")), 1u);
}

}  // namespace silk::wasm::test

namespace silk::wasm::test {

// A trap carries the wasm call stack, innermost first, named from the name
// section; a guard-page fault and a host re-entry keep the whole stack.
TEST(InterpreterBacktrace, NamesEveryFrameInnermostFirst) {
  auto bytes = wat(R"((module (memory 1)
      (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
      (func $load (param i32) (result i32) local.get 0 i32.load)
      (func $middle (param i32) (result i32) local.get 0 call $inner)
      (func (export "divide") (result i32) i32.const 7 call $middle)
      (func (export "fault") (result i32) i32.const -8 call $load)))",
                   "--debug-names");
  ASSERT_FALSE(bytes.empty());
  auto module = load_module(bytes);
  ASSERT_TRUE(module.ok());
  Store store;
  auto inst = store.instantiate(*module, {});
  ASSERT_TRUE(inst.ok());
  auto r = store.call((*inst)->function("divide"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "integer divide by zero");
  std::vector<std::string> expected{"inner (function 0)", "middle (function 2)", "<unnamed> (function 3)"};
  EXPECT_EQ(r.error().backtrace, expected);
  r = store.call((*inst)->function("fault"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "out of bounds memory access");
  expected = {"load (function 1)", "<unnamed> (function 4)"};
  EXPECT_EQ(r.error().backtrace, expected);
}

}  // namespace silk::wasm::test

namespace silk::wasm::test {

// One module, many threads, each with its own Store: the first calls race to
// translate the same functions; every thread must get correct code.
TEST(InterpreterThreads, ConcurrentFirstCallsShareTranslations) {
  std::string text = "(module";
  for (int i = 0; i < 40; ++i)
    text += " (func (export \"f" + std::to_string(i) + "\") (param i32) (result i32) local.get 0 i32.const " +
            std::to_string(i) + " i32.add)";
  text += ")";
  for (int round = 0; round < 20; ++round) {
    auto module = compile(text);
    ASSERT_TRUE(module);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        Store store;
        auto inst = store.instantiate(module, {});
        if (!inst) {
          ++wrong;
          return;
        }
        for (int i = 0; i < 40; ++i) {
          int k = (i + t * 10) % 40;
          auto r = store.call((*inst)->function("f" + std::to_string(k)), std::vector<Value>{Value::i32(100)});
          if (!r || r->at(0).as_i32() != uint32_t(100 + k)) ++wrong;
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(wrong.load(), 0) << "round " << round;
  }
}

}  // namespace silk::wasm::test

namespace silk::wasm::test {

// Memories come from a pool of reservations shared by all stores: a new
// store's memory must never show what a previous one wrote (small memories
// are cleared with memset, large ones with madvise), in either bounds mode.
TEST(InterpreterPool, ReusedMemoryIsZero) {
  for (BoundsChecks mode : {BoundsChecks::Guard, BoundsChecks::Explicit}) {
    for (int pages : {1, 40}) {  // below and above the memset limit (1 MiB)
      std::string text = "(module (memory " + std::to_string(pages) + ")"
                         "(func (export \"fill\") (memory.fill (i32.const 0) (i32.const 0xAB) (memory.size) (i32.const 65536) (i32.mul)))"
                         "(func (export \"sum\") (result i64) (local $i i32) (local $s i64)"
                         "  (block $done (loop $l"
                         "    (br_if $done (i32.ge_u (local.get $i) (i32.mul (memory.size) (i32.const 65536))))"
                         "    (local.set $s (i64.add (local.get $s) (i64.load8_u (local.get $i))))"
                         "    (local.set $i (i32.add (local.get $i) (i32.const 4093)))"
                         "    (br $l)))"
                         "  (local.get $s)))";
      auto module = compile(text);
      ASSERT_TRUE(module);
      for (int round = 0; round < 3; ++round) {
        Store store(StoreOptions{.bounds_checks = mode});
        auto inst = store.instantiate(module, {});
        ASSERT_TRUE(inst.ok());
        EXPECT_EQ(call_i64(store, (*inst)->function("sum")), 0u) << "pages " << pages << " round " << round;
        ASSERT_TRUE(store.call((*inst)->function("fill"), {}).ok());
        EXPECT_NE(call_i64(store, (*inst)->function("sum")), 0u);
      }
    }
  }
}

}  // namespace silk::wasm::test
