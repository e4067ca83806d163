// The embedding API (wasm/engine.h) driven the way silk's runtime uses it:
// loading errors, typed calls, host functions (typed imports, re-entry,
// guest allocation during a host call, host errors), globals, tables,
// exports, linking between instances, eager translation. Modules are built
// from text with wat2wasm (see wat_helper.h). The execution-heavy cases
// (traps, exhaustion, memory limits, bounds checks, interrupts, tail calls)
// are in interpreter_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
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
using test::wat;

// 1. Loading errors ------------------------------------------------------------

TEST(EngineApiLoad, BadMagicIsMalformed) {
  const std::vector<uint8_t> bytes = {0x00, 'a', 's', 'X', 0x01, 0x00, 0x00, 0x00};
  auto r = load_module(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed) << r.error().describe();
  EXPECT_EQ(r.error().message, "magic header not detected");
  EXPECT_EQ(r.error().offset, 0u) << r.error().describe();

  auto empty = load_module(std::span<const uint8_t>{});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::Malformed) << empty.error().describe();
}

TEST(EngineApiLoad, TypeMismatchIsInvalidAndNamesSectionFunctionOffset) {
  // Function 2 (one import, one good function before it) adds an i64 to an
  // i32. --no-check: wat2wasm would refuse to write it otherwise.
  std::vector<uint8_t> bytes = wat(R"(
    (module
      (import "env" "f" (func))
      (func (result i32) i32.const 1)
      (func (result i32) i64.const 1 i32.const 2 i32.add))
  )", "--no-check");
  ASSERT_FALSE(bytes.empty());
  const uint8_t bad[] = {0x42, 0x01, 0x41, 0x02, 0x6a};  // i64.const 1 i32.const 2 i32.add
  auto it = std::search(bytes.begin(), bytes.end(), std::begin(bad), std::end(bad));
  ASSERT_NE(it, bytes.end());
  const uint64_t add_offset = uint64_t(it - bytes.begin()) + 4;

  auto r = load_module(bytes);
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_EQ(e.kind, ErrorKind::Invalid) << e.describe();
  EXPECT_EQ(e.message, "type mismatch") << e.describe();
  EXPECT_EQ(e.section, "code");
  EXPECT_EQ(e.func_index, 2u);
  EXPECT_EQ(e.offset, add_offset) << e.describe();
  char hex[32];
  snprintf(hex, sizeof hex, "offset 0x%llx", static_cast<unsigned long long>(add_offset));
  EXPECT_EQ(e.describe(), std::string("invalid: type mismatch (section code, function 2, ") + hex + ")");
}

// 2. Typed calls --------------------------------------------------------------

constexpr const char* kTypedCalls = R"(
  (module
    (func (export "add_i32") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "neg_i32") (param i32) (result i32) i32.const 0 local.get 0 i32.sub)
    (func (export "mul_i64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul)
    (func (export "div_f32") (param f32 f32) (result f32) local.get 0 local.get 1 f32.div)
    (func (export "id_f32") (param f32) (result f32) local.get 0)
    (func (export "sqrt_f64") (param f64) (result f64) local.get 0 f64.sqrt)
    (func (export "reverse") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
      local.get 3 local.get 2 local.get 1 local.get 0)
    (func (export "divmod") (param i32 i32) (result i32 i32)
      local.get 0 local.get 1 i32.div_u local.get 0 local.get 1 i32.rem_u)
    (func (export "nothing")))
)";

TEST(EngineApiCall, TypedArgumentsAndResults) {
  Store store;
  Instance* inst = test::instantiate(store, kTypedCalls);
  ASSERT_TRUE(inst);
  EXPECT_EQ(call_i32(store, inst->function("add_i32"), {Value::i32(40), Value::i32(2)}), 42u);
  EXPECT_EQ(call_i32(store, inst->function("add_i32"), {Value::i32(0xffffffff), Value::i32(2)}), 1u);
  // i32 results are zero-extended into Value::bits.
  Value neg = test::call1(store, inst->function("neg_i32"), {Value::i32(5)});
  EXPECT_EQ(neg.type, ValType::I32);
  EXPECT_EQ(neg.bits, 0xfffffffbu);
  EXPECT_EQ(call_i64(store, inst->function("mul_i64"), {Value::i64(0x100000000ull), Value::i64(3)}), 0x300000000ull);

  Value q = test::call1(store, inst->function("div_f32"), {Value::f32(1.0f), Value::f32(4.0f)});
  EXPECT_EQ(q.type, ValType::F32);
  EXPECT_EQ(q.as_f32(), 0.25f);
  // A NaN payload crosses the API untouched.
  Value nan = test::call1(store, inst->function("id_f32"), {Value::f32_bits(0x7fa00001)});
  EXPECT_EQ(nan.bits, 0x7fa00001u);
  Value r = test::call1(store, inst->function("sqrt_f64"), {Value::f64(2.25)});
  EXPECT_EQ(r.type, ValType::F64);
  EXPECT_EQ(r.as_f64(), 1.5);

  auto none = store.call(inst->function("nothing"), {});
  ASSERT_TRUE(none.ok()) << describe(none);
  EXPECT_TRUE(none->empty());
}

TEST(EngineApiCall, MultiValueResults) {
  Store store;
  Instance* inst = test::instantiate(store, kTypedCalls);
  ASSERT_TRUE(inst);
  std::vector<Value> args = {Value::i32(0x80000001), Value::i64(0xfedcba9876543210ull), Value::f32(-2.5f),
                             Value::f64(1e300)};
  auto r = store.call(inst->function("reverse"), args);
  ASSERT_TRUE(r.ok()) << describe(r);
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].type, ValType::F64);
  EXPECT_EQ((*r)[0].as_f64(), 1e300);
  EXPECT_EQ((*r)[1].type, ValType::F32);
  EXPECT_EQ((*r)[1].as_f32(), -2.5f);
  EXPECT_EQ((*r)[2].type, ValType::I64);
  EXPECT_EQ((*r)[2].as_i64(), 0xfedcba9876543210ull);
  EXPECT_EQ((*r)[3].type, ValType::I32);
  EXPECT_EQ((*r)[3].bits, 0x80000001u);

  auto dm = store.call(inst->function("divmod"), std::vector<Value>{Value::i32(47), Value::i32(5)});
  ASSERT_TRUE(dm.ok()) << describe(dm);
  ASSERT_EQ(dm->size(), 2u);
  EXPECT_EQ((*dm)[0].as_i32(), 9u);
  EXPECT_EQ((*dm)[1].as_i32(), 2u);
}

TEST(EngineApiCall, WrongArgumentsAreUsageErrors) {
  Store store;
  Instance* inst = test::instantiate(store, kTypedCalls);
  ASSERT_TRUE(inst);
  Function* add = inst->function("add_i32");
  ASSERT_TRUE(add);

  auto too_few = store.call(add, std::vector<Value>{Value::i32(1)});
  ASSERT_FALSE(too_few.ok());
  EXPECT_EQ(too_few.error().kind, ErrorKind::Usage) << too_few.error().describe();
  auto too_many = store.call(add, std::vector<Value>{Value::i32(1), Value::i32(2), Value::i32(3)});
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().kind, ErrorKind::Usage) << too_many.error().describe();
  auto wrong_type = store.call(add, std::vector<Value>{Value::i32(1), Value::i64(2)});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().kind, ErrorKind::Usage) << wrong_type.error().describe();
  auto f_for_i = store.call(add, std::vector<Value>{Value::f32(1), Value::i32(2)});
  ASSERT_FALSE(f_for_i.ok());
  EXPECT_EQ(f_for_i.error().kind, ErrorKind::Usage);
  auto null_fn = store.call(nullptr, {});
  ASSERT_FALSE(null_fn.ok());
  EXPECT_EQ(null_fn.error().kind, ErrorKind::Usage);

  // The store is unaffected.
  EXPECT_EQ(call_i32(store, add, {Value::i32(1), Value::i32(2)}), 3u);
}

// 3. Host functions ------------------------------------------------------------

TEST(EngineApiHost, TypedImportSeesArgumentsCallerAndMemory) {
  Store store;
  std::vector<Value> seen;
  Instance* seen_caller = nullptr;
  Memory* seen_memory = nullptr;
  int calls = 0;
  Function* mix = store.create_host_function(
      FuncType{{ValType::I32, ValType::I64, ValType::F32, ValType::F64}, {ValType::I64, ValType::F64}},
      [&](HostCall& call, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        ++calls;
        seen.assign(args.begin(), args.end());
        seen_caller = call.caller;
        seen_memory = call.memory;
        if (results.size() != 2 || results[0].type != ValType::I64 || results[1].type != ValType::F64)
          return make_error(ErrorKind::Trap, "results not pre-sized/typed");
        results[0] = Value::i64(args[0].as_i32() + args[1].as_i64());
        results[1] = Value::f64(double(args[2].as_f32()) * args[3].as_f64());
        return {};
      },
      "mix");
  EXPECT_EQ(function_name(mix), "mix");
  EXPECT_EQ(function_type(mix).to_string(), FuncType({{ValType::I32, ValType::I64, ValType::F32, ValType::F64},
                                                       {ValType::I64, ValType::F64}})
                                                .to_string());

  Instance* inst = test::instantiate(store, R"(
    (module
      (import "env" "mix" (func $mix (param i32 i64 f32 f64) (result i64 f64)))
      (memory (export "memory") 1)
      (func (export "run") (result i64)
        (local $f f64)
        i32.const -1 i64.const 10 f32.const 1.5 f64.const 4 call $mix
        local.set $f
        ;; result: i64 + trunc(f)
        local.get $f i64.trunc_f64_s i64.add))
  )", {Extern::func(mix)});
  ASSERT_TRUE(inst);
  EXPECT_EQ(call_i64(store, inst->function("run")), 0xffffffffull + 10 + 6);
  ASSERT_EQ(calls, 1);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].type, ValType::I32);
  EXPECT_EQ(seen[0].bits, 0xffffffffu);  // zero-extended, not sign-extended
  EXPECT_EQ(seen[1].type, ValType::I64);
  EXPECT_EQ(seen[1].as_i64(), 10u);
  EXPECT_EQ(seen[2].type, ValType::F32);
  EXPECT_EQ(seen[2].as_f32(), 1.5f);
  EXPECT_EQ(seen[3].type, ValType::F64);
  EXPECT_EQ(seen[3].as_f64(), 4.0);
  EXPECT_EQ(seen_caller, inst);
  EXPECT_EQ(seen_memory, inst->memory("memory"));
  EXPECT_EQ(seen_memory, inst->default_memory());

  // Called straight from the embedder: no caller.
  auto direct = store.call(mix, std::vector<Value>{Value::i32(1), Value::i64(2), Value::f32(2), Value::f64(3)});
  ASSERT_TRUE(direct.ok()) << describe(direct);
  ASSERT_EQ(direct->size(), 2u);
  EXPECT_EQ((*direct)[0].as_i64(), 3u);
  EXPECT_EQ((*direct)[1].as_f64(), 6.0);
  EXPECT_EQ(seen_caller, nullptr);
  EXPECT_EQ(seen_memory, nullptr);
}

TEST(EngineApiHost, ManyParamsAndResults) {
  // More than 16 params + results: the host call path's heap buffer.
  Store store;
  FuncType t;
  for (int i = 0; i < 12; ++i) t.params.push_back(ValType::I64);
  for (int i = 0; i < 12; ++i) t.results.push_back(ValType::I64);
  Function* rev = store.create_host_function(t, [](HostCall&, std::span<const Value> args, std::span<Value> results) {
    for (size_t i = 0; i < 12; ++i) results[i] = Value::i64(args[11 - i].as_i64() * 10);
    return Result<void>();
  });
  std::string params, pushes;
  for (int i = 0; i < 12; ++i) {
    params += " i64";
    pushes += " i64.const " + std::to_string(i + 1);
  }
  // result k (0-based) is (12 - k) * 10; fold: acc = acc * 3 + r (popping from the top)
  Instance* inst = test::instantiate(store, R"(
    (module
      (import "env" "rev" (func $rev (param)" + params + R"() (result)" + params + R"()))
      (func (export "run") (result i64) (local $acc i64) (local $i i32)
        )" + pushes + R"( call $rev
        )" + [] {
        std::string s;
        for (int i = 0; i < 12; ++i) s += " local.get $acc i64.add i64.const 3 i64.mul local.set $acc\n";
        return s;
      }() + R"(
        local.get $acc))
  )", {Extern::func(rev)});
  ASSERT_TRUE(inst);
  // Pops results top-first: r11, r10, ..., r0 where rk = (12-k)*10.
  uint64_t acc = 0;
  for (int k = 11; k >= 0; --k) acc = (uint64_t(12 - k) * 10 + acc) * 3;
  EXPECT_EQ(call_i64(store, inst->function("run")), acc);
}

TEST(EngineApiHost, ReentersGuestSeveralLevelsDeep) {
  Store store;
  Function* down = nullptr;
  int depth = 0, max_depth = 0;
  Function* host = store.create_host_function(
      FuncType{{ValType::I32}, {ValType::I32}},
      [&](HostCall& call, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        ++depth;
        max_depth = std::max(max_depth, depth);
        EXPECT_NE(call.caller, nullptr);
        auto r = call.store.call(down, std::vector<Value>{Value::i32(args[0].as_i32() - 1)});
        --depth;
        if (!r) return r.take_error();
        results[0] = Value::i32((*r)[0].as_i32() + 100);
        return {};
      });
  // down(0) = 0; down(n) = host(n) + n * locals-that-must-survive.
  Instance* inst = test::instantiate(store, R"(
    (module
      (import "env" "host" (func $host (param i32) (result i32)))
      (func $down (export "down") (param $n i32) (result i32)
        (local $a i32) (local $b i64) (local $c f64)
        local.get $n i32.eqz
        if (result i32)
          i32.const 0
        else
          local.get $n i32.const 7 i32.mul local.set $a
          local.get $n i64.extend_i32_u i64.const 1000 i64.mul local.set $b
          local.get $n f64.convert_i32_u local.set $c
          local.get $n call $host
          ;; the frame survived the nested calls
          local.get $a i32.add
          local.get $b i64.const 1000 i64.div_u i32.wrap_i64 i32.add
          local.get $c i32.trunc_f64_u i32.add
        end))
  )", {Extern::func(host)});
  ASSERT_TRUE(inst);
  down = inst->function("down");
  // Each level n adds 100 + 7n + n + n = 100 + 9n.
  uint32_t expected = 0;
  for (uint32_t n = 1; n <= 8; ++n) expected += 100 + 9 * n;
  EXPECT_EQ(call_i32(store, down, {Value::i32(8)}), expected);
  EXPECT_EQ(max_depth, 8);
  EXPECT_EQ(depth, 0);
  // And again, to see the store's stacks came back to their start.
  EXPECT_EQ(call_i32(store, down, {Value::i32(8)}), expected);
  EXPECT_EQ(call_i32(store, down, {Value::i32(0)}), 0u);
}

// A guest with a bump allocator (canonical_abi_realloc) that grows memory.
constexpr const char* kAllocGuest = R"(
  (module
    (import "env" "fill" (func $fill (param i32) (result i32)))
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func $realloc (export "canonical_abi_realloc")
        (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
      (local $ptr i32) (local $end i32)
      global.get $bump local.get $align i32.add i32.const 1 i32.sub
      i32.const 0 local.get $align i32.sub i32.and
      local.tee $ptr local.get $new_size i32.add local.set $end
      block $done
        loop $more
          local.get $end memory.size i32.const 16 i32.shl i32.le_u br_if $done
          i32.const 1 memory.grow i32.const -1 i32.eq if unreachable end
          br $more
        end
      end
      local.get $end global.set $bump
      local.get $ptr)
    ;; Asks the host for {len} bytes; returns sum of them (host wrote them).
    (func (export "run") (param $len i32) (result i32)
      (local $p i32) (local $i i32) (local $sum i32)
      local.get $len call $fill local.set $p
      block $done
        loop $next
          local.get $i local.get $len i32.ge_u br_if $done
          local.get $sum local.get $p local.get $i i32.add i32.load8_u i32.add local.set $sum
          local.get $i i32.const 1 i32.add local.set $i
          br $next
        end
      end
      local.get $sum)
    (func (export "pages") (result i32) memory.size))
)";

TEST(EngineApiHost, GuestMemoryGrowsDuringHostCall) {
  Store store;
  uint64_t size_before = 0, size_after = 0;
  uint32_t got_ptr = 0;
  Function* fill = store.create_host_function(
      FuncType{{ValType::I32}, {ValType::I32}},
      [&](HostCall& call, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        if (!call.memory || !call.caller) return make_error(ErrorKind::Trap, "no caller memory");
        uint32_t len = args[0].as_i32();
        size_before = memory_size_bytes(call.memory);
        Function* realloc = call.caller->function("canonical_abi_realloc");
        if (!realloc) return make_error(ErrorKind::Trap, "no canonical_abi_realloc");
        auto r = call.store.call(realloc, std::vector<Value>{Value::i32(0), Value::i32(0), Value::i32(8),
                                                             Value::i32(len)});
        if (!r) return r.take_error();
        uint32_t ptr = (*r)[0].as_i32();
        got_ptr = ptr;
        // Memory grew under our feet: re-read base and size.
        size_after = memory_size_bytes(call.memory);
        if (uint64_t(ptr) + len > size_after) return make_error(ErrorKind::Trap, "allocation out of bounds");
        uint8_t* data = memory_data(call.memory);
        for (uint32_t i = 0; i < len; ++i) data[ptr + i] = uint8_t(i * 7 + 3);
        results[0] = Value::i32(ptr);
        return {};
      });
  Instance* inst = test::instantiate(store, kAllocGuest, {Extern::func(fill)});
  ASSERT_TRUE(inst);
  const uint32_t len = 3 * 65536 + 100;
  uint32_t expected = 0;
  for (uint32_t i = 0; i < len; ++i) expected += uint8_t(i * 7 + 3);
  EXPECT_EQ(call_i32(store, inst->function("run"), {Value::i32(len)}), expected);
  EXPECT_EQ(size_before, 65536u);
  EXPECT_EQ(got_ptr, 1024u);
  EXPECT_EQ(size_after, 4u * 65536);  // 1024 + len rounds up to 4 pages
  EXPECT_EQ(call_i32(store, inst->function("pages")), 4u);
  Memory* mem = inst->memory("memory");
  ASSERT_TRUE(mem);
  EXPECT_EQ(memory_size_bytes(mem), 4u * 65536);
  EXPECT_EQ(memory_data(mem)[got_ptr + len - 1], uint8_t((len - 1) * 7 + 3));

  // A second allocation continues after the first and grows again.
  EXPECT_EQ(call_i32(store, inst->function("run"), {Value::i32(65536)}), [] {
    uint32_t s = 0;
    for (uint32_t i = 0; i < 65536; ++i) s += uint8_t(i * 7 + 3);
    return s;
  }());
  EXPECT_EQ(got_ptr, 1024u + len + 4);  // aligned to 8
  EXPECT_EQ(call_i32(store, inst->function("pages")), 5u);
}

TEST(EngineApiHost, HostErrorTrapsAndStoreStaysUsable) {
  Store store;
  bool fail = true;
  Function* maybe = store.create_host_function(
      FuncType{{ValType::I32}, {ValType::I32}},
      [&](HostCall&, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        if (fail) return make_error(ErrorKind::Trap, "host says no to " + std::to_string(args[0].as_i32()));
        results[0] = Value::i32(args[0].as_i32() * 2);
        return {};
      });
  Instance* inst = test::instantiate(store, R"(
    (module
      (import "env" "maybe" (func $maybe (param i32) (result i32)))
      (global $after (export "after") (mut i32) (i32.const 0))
      (func $inner (param i32) (result i32)
        local.get 0 call $maybe
        i32.const 1 global.set $after)   ;; not reached when the host fails
      (func (export "run") (param i32) (result i32) local.get 0 call $inner)
      (func (export "ok") (result i32) i32.const 11))
  )", {Extern::func(maybe)});
  ASSERT_TRUE(inst);
  Function* run = inst->function("run");
  for (int i = 0; i < 3; ++i) {
    auto r = store.call(run, std::vector<Value>{Value::i32(21)});
    EXPECT_TRUE(failed_with(r, ErrorKind::Trap, "host says no to 21"));
    EXPECT_EQ(global_get(inst->global("after")).as_i32(), 0u);
    EXPECT_EQ(call_i32(store, inst->function("ok")), 11u);
  }
  fail = false;
  EXPECT_EQ(call_i32(store, run, {Value::i32(21)}), 42u);
  EXPECT_EQ(global_get(inst->global("after")).as_i32(), 1u);

  // Called directly from the embedder, the host's error comes back as is.
  fail = true;
  auto direct = store.call(maybe, std::vector<Value>{Value::i32(5)});
  EXPECT_TRUE(failed_with(direct, ErrorKind::Trap, "host says no to 5"));
  fail = false;
  EXPECT_EQ(call_i32(store, maybe, {Value::i32(5)}), 10u);
}

TEST(EngineApiHost, ErrorFromNestedGuestPropagatesThroughHost) {
  // guest -> host -> guest (traps) -> host returns that error -> guest traps.
  Store store;
  Function* bad = nullptr;
  Function* relay = store.create_host_function(
      FuncType{{}, {}}, [&](HostCall& call, std::span<const Value>, std::span<Value>) -> Result<void> {
        auto r = call.store.call(bad, {});
        if (!r) return r.take_error();
        return {};
      });
  Instance* inst = test::instantiate(store, R"(
    (module
      (import "env" "relay" (func $relay))
      (func (export "bad") (result i32) i32.const 1 i32.const 0 i32.div_u)
      (func (export "run") call $relay)
      (func (export "ok") (result i32) i32.const 3))
  )", {Extern::func(relay)});
  ASSERT_TRUE(inst);
  bad = inst->function("bad");
  EXPECT_TRUE(failed_with(store.call(inst->function("run"), {}), ErrorKind::Trap, "integer divide by zero"));
  EXPECT_EQ(call_i32(store, inst->function("ok")), 3u);
}

// 9. Globals, tables, exports ------------------------------------------------

constexpr const char* kObjects = R"(
  (module
    (type $v_i (func (result i32)))
    (global $g (export "g") (mut i32) (i32.const 7))
    (global (export "c") i64 (i64.const 42))
    (global (export "f") (mut f64) (f64.const 1.5))
    (func (export "get_g") (result i32) global.get $g)
    (func (export "set_g") (param i32) local.get 0 global.set $g)
    (table $t (export "t") 4 8 funcref)
    (elem (i32.const 1) $seven $eight)
    (func $seven (export "seven") (result i32) i32.const 7)
    (func $eight (result i32) i32.const 8)
    (func (export "call_t") (param i32) (result i32) local.get 0 call_indirect (type $v_i))
    (memory (export "mem") 1))
)";

TEST(EngineApiObjects, Globals) {
  Store store;
  Instance* inst = test::instantiate(store, kObjects);
  ASSERT_TRUE(inst);
  Global* g = inst->global("g");
  Global* c = inst->global("c");
  Global* f = inst->global("f");
  ASSERT_TRUE(g && c && f);
  EXPECT_EQ(global_type(g).type, ValType::I32);
  EXPECT_TRUE(global_type(g).mutable_);
  EXPECT_FALSE(global_type(c).mutable_);
  EXPECT_EQ(global_get(g).as_i32(), 7u);
  EXPECT_EQ(global_get(c).as_i64(), 42u);
  EXPECT_EQ(global_get(f).as_f64(), 1.5);

  ASSERT_TRUE(global_set(g, Value::i32(9)).ok());
  EXPECT_EQ(call_i32(store, inst->function("get_g")), 9u);
  ASSERT_TRUE(store.call(inst->function("set_g"), std::vector<Value>{Value::i32(11)}).ok());
  EXPECT_EQ(global_get(g).as_i32(), 11u);

  EXPECT_TRUE(failed_with(global_set(c, Value::i64(1)), ErrorKind::Usage, "global is immutable"));
  EXPECT_EQ(global_get(c).as_i64(), 42u);
  auto mistyped = global_set(g, Value::i64(1));
  ASSERT_FALSE(mistyped.ok());
  EXPECT_EQ(mistyped.error().kind, ErrorKind::Usage);
  EXPECT_EQ(global_get(g).as_i32(), 11u);
  ASSERT_TRUE(global_set(f, Value::f64(-0.0)).ok());
  EXPECT_TRUE(std::signbit(global_get(f).as_f64()));

  // A store-created global.
  Global* mine = store.create_global(GlobalType{ValType::I64, true}, Value::i64(5));
  EXPECT_EQ(global_get(mine).as_i64(), 5u);
  ASSERT_TRUE(global_set(mine, Value::i64(6)).ok());
  EXPECT_EQ(global_get(mine).as_i64(), 6u);
}

TEST(EngineApiObjects, Tables) {
  Store store;
  Instance* inst = test::instantiate(store, kObjects);
  ASSERT_TRUE(inst);
  Table* t = inst->table("t");
  ASSERT_TRUE(t);
  EXPECT_EQ(table_size(t), 4u);
  EXPECT_EQ(table_type(t).elem, ValType::FuncRef);
  EXPECT_TRUE(table_type(t).limits.has_max);
  EXPECT_EQ(table_type(t).limits.max, 8u);

  auto e0 = table_get(t, 0);
  ASSERT_TRUE(e0.ok()) << describe(e0);
  EXPECT_TRUE(e0->is_null());
  auto e1 = table_get(t, 1);
  ASSERT_TRUE(e1.ok()) << describe(e1);
  EXPECT_EQ(e1->type, ValType::FuncRef);
  ASSERT_FALSE(e1->is_null());
  EXPECT_EQ(e1->as_funcref(), inst->function("seven"));
  EXPECT_EQ(call_i32(store, e1->as_funcref()), 7u);
  auto e2 = table_get(t, 2);
  ASSERT_TRUE(e2.ok());
  ASSERT_FALSE(e2->is_null());
  EXPECT_EQ(call_i32(store, e2->as_funcref()), 8u);  // not exported, reachable through the table

  auto oob = table_get(t, 4);
  ASSERT_FALSE(oob.ok());
  EXPECT_EQ(oob.error().kind, ErrorKind::Trap);

  // table_set: a wasm function and a host function, then call_indirect.
  ASSERT_TRUE(table_set(t, 0, Value::funcref(e2->as_funcref())).ok());
  EXPECT_EQ(call_i32(store, inst->function("call_t"), {Value::i32(0)}), 8u);
  Function* host = store.create_host_function(FuncType{{}, {ValType::I32}},
                                              [](HostCall&, std::span<const Value>, std::span<Value> results) {
                                                results[0] = Value::i32(99);
                                                return Result<void>();
                                              });
  ASSERT_TRUE(table_set(t, 3, Value::funcref(host)).ok());
  EXPECT_EQ(call_i32(store, inst->function("call_t"), {Value::i32(3)}), 99u);
  ASSERT_TRUE(table_set(t, 1, Value::null_of(ValType::FuncRef)).ok());
  auto null_call = store.call(inst->function("call_t"), std::vector<Value>{Value::i32(1)});
  ASSERT_FALSE(null_call.ok());
  EXPECT_EQ(null_call.error().kind, ErrorKind::Trap);
  EXPECT_EQ(null_call.error().message.rfind("uninitialized element", 0), 0u) << null_call.error().describe();

  auto wrong = table_set(t, 0, Value::externref(1));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, ErrorKind::Usage);
  EXPECT_FALSE(table_set(t, 4, Value::null_of(ValType::FuncRef)).ok());

  // A store-created table.
  auto mine = store.create_table(TableType{ValType::ExternRef, Limits{2, false, 0}}, Value::externref(0));
  ASSERT_TRUE(mine.ok()) << describe(mine);
  EXPECT_EQ(table_size(*mine), 2u);
  ASSERT_TRUE(table_set(*mine, 1, Value::externref(0x1234)).ok());
  EXPECT_EQ(table_get(*mine, 1)->bits, 0x1234u);
  EXPECT_EQ(table_get(*mine, 1)->type, ValType::ExternRef);
}

TEST(EngineApiObjects, ExportLookup) {
  Store store;
  Instance* inst = test::instantiate(store, kObjects);
  ASSERT_TRUE(inst);
  EXPECT_NE(inst->function("seven"), nullptr);
  EXPECT_NE(inst->memory("mem"), nullptr);
  EXPECT_NE(inst->global("g"), nullptr);
  EXPECT_NE(inst->table("t"), nullptr);
  EXPECT_EQ(inst->default_memory(), inst->memory("mem"));
  // Missing, or present with another kind.
  EXPECT_EQ(inst->function("missing"), nullptr);
  EXPECT_EQ(inst->function("g"), nullptr);
  EXPECT_EQ(inst->memory("t"), nullptr);
  EXPECT_EQ(inst->global("seven"), nullptr);
  EXPECT_EQ(inst->table("mem"), nullptr);
  EXPECT_FALSE(inst->find_export("nope").has_value());
  auto t = inst->find_export("t");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->kind, ExternKind::Table);
  EXPECT_EQ(t->object, inst->table("t"));
  EXPECT_EQ(function_type(inst->function("seven")), (FuncType{{}, {ValType::I32}}));

  auto exports = module_exports(inst->module());
  std::vector<std::pair<std::string, ExternKind>> got;
  for (const ExportInfo& e : exports) got.emplace_back(e.name, e.kind);
  std::vector<std::pair<std::string, ExternKind>> want = {
      {"g", ExternKind::Global},    {"c", ExternKind::Global},    {"f", ExternKind::Global},
      {"get_g", ExternKind::Func},  {"set_g", ExternKind::Func},  {"t", ExternKind::Table},
      {"seven", ExternKind::Func},  {"call_t", ExternKind::Func}, {"mem", ExternKind::Memory}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(module_imports(inst->module()).empty());
}

TEST(EngineApiObjects, ImportListing) {
  auto m = compile(R"(
    (module
      (import "env" "f" (func (param i32 f64) (result i64)))
      (import "env" "mem" (memory 2 10))
      (import "other" "tab" (table 3 externref))
      (import "env" "g" (global (mut f32))))
  )");
  ASSERT_TRUE(m);
  auto imports = module_imports(*m);
  ASSERT_EQ(imports.size(), 4u);
  EXPECT_EQ(imports[0].module, "env");
  EXPECT_EQ(imports[0].name, "f");
  EXPECT_EQ(imports[0].kind, ExternKind::Func);
  EXPECT_EQ(imports[0].func, (FuncType{{ValType::I32, ValType::F64}, {ValType::I64}}));
  EXPECT_EQ(imports[1].kind, ExternKind::Memory);
  EXPECT_EQ(imports[1].memory.limits, (Limits{2, true, 10}));
  EXPECT_EQ(imports[2].module, "other");
  EXPECT_EQ(imports[2].kind, ExternKind::Table);
  EXPECT_EQ(imports[2].table.elem, ValType::ExternRef);
  EXPECT_EQ(imports[2].table.limits.min, 3u);
  EXPECT_FALSE(imports[2].table.limits.has_max);
  EXPECT_EQ(imports[3].kind, ExternKind::Global);
  EXPECT_EQ(imports[3].global.type, ValType::F32);
  EXPECT_TRUE(imports[3].global.mutable_);
  EXPECT_TRUE(module_exports(*m).empty());
}

// 10. Linking ------------------------------------------------------------------

constexpr const char* kProvider = R"(
  (module
    (type $i_i (func (param i32) (result i32)))
    (func (export "twice") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
    (memory (export "mem") 1 4)
    (table (export "tab") 2 funcref)
    (global (export "glob") (mut i32) (i32.const 5))
    (func (export "read") (param i32) (result i32) local.get 0 i32.load)
    (func (export "call_tab") (param i32 i32) (result i32) local.get 1 local.get 0 call_indirect (type $i_i)))
)";

std::vector<Extern> provider_exports(Instance* a) {
  return {Extern::func(a->function("twice")), Extern::memory(a->memory("mem")), Extern::table(a->table("tab")),
          Extern::global(a->global("glob"))};
}

TEST(EngineApiLink, ImportsFunctionMemoryTableGlobalFromAnotherInstance) {
  Store store;
  Instance* a = test::instantiate(store, kProvider);
  ASSERT_TRUE(a);
  Instance* b = test::instantiate(store, R"(
    (module
      (type $i_i (func (param i32) (result i32)))
      (import "a" "twice" (func $twice (param i32) (result i32)))
      (import "a" "mem" (memory 1))
      (import "a" "tab" (table 2 funcref))
      (import "a" "glob" (global $g (mut i32)))
      (elem (i32.const 0) $twice $quad)
      (func $quad (param i32) (result i32) local.get 0 call $twice call $twice)
      (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
      (func (export "load") (param i32) (result i32) local.get 0 i32.load)
      (func (export "bump") global.get $g i32.const 1 i32.add global.set $g)
      (func (export "grow") (result i32) i32.const 1 memory.grow)
      (func (export "via_table") (param i32 i32) (result i32) local.get 1 local.get 0 call_indirect (type $i_i)))
  )", provider_exports(a));
  ASSERT_TRUE(b);

  // Memory: B's stores are A's.
  ASSERT_TRUE(store.call(b->function("store"), std::vector<Value>{Value::i32(16), Value::i32(1234)}).ok());
  EXPECT_EQ(call_i32(store, a->function("read"), {Value::i32(16)}), 1234u);
  // Growth through B is visible to A, and the new page is usable by both.
  EXPECT_EQ(call_i32(store, b->function("grow")), 1u);
  EXPECT_EQ(memory_size_bytes(a->memory("mem")), 2u * 65536);
  ASSERT_TRUE(store.call(b->function("store"), std::vector<Value>{Value::i32(70000), Value::i32(77)}).ok());
  EXPECT_EQ(call_i32(store, a->function("read"), {Value::i32(70000)}), 77u);
  // Global.
  ASSERT_TRUE(store.call(b->function("bump"), {}).ok());
  EXPECT_EQ(global_get(a->global("glob")).as_i32(), 6u);
  // Table, written by B's element segment: both call through it, crossing instances.
  EXPECT_EQ(call_i32(store, b->function("via_table"), {Value::i32(1), Value::i32(3)}), 12u);
  EXPECT_EQ(call_i32(store, a->function("call_tab"), {Value::i32(1), Value::i32(3)}), 12u);
  EXPECT_EQ(call_i32(store, a->function("call_tab"), {Value::i32(0), Value::i32(3)}), 6u);
  auto slot0 = table_get(a->table("tab"), 0);
  ASSERT_TRUE(slot0.ok());
  EXPECT_EQ(slot0->as_funcref(), a->function("twice"));
}

TEST(EngineApiLink, MismatchedImportsAreUnlinkable) {
  Store store;
  Instance* a = test::instantiate(store, kProvider);
  ASSERT_TRUE(a);
  auto expect_unlinkable = [&](const char* text, std::vector<Extern> imports) {
    auto m = compile(text);
    ASSERT_TRUE(m);
    auto r = store.instantiate(m, imports);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().kind, ErrorKind::Unlinkable) << r.error().describe();
  };
  // Function type mismatch.
  expect_unlinkable(R"((module (import "a" "twice" (func (param i64) (result i32)))))",
                    {Extern::func(a->function("twice"))});
  // Wrong kind.
  expect_unlinkable(R"((module (import "a" "twice" (func (param i32) (result i32)))))",
                    {Extern::memory(a->memory("mem"))});
  // Memory too small / max too large.
  expect_unlinkable(R"((module (import "a" "mem" (memory 2))))", {Extern::memory(a->memory("mem"))});
  expect_unlinkable(R"((module (import "a" "mem" (memory 1 2))))", {Extern::memory(a->memory("mem"))});
  // Global mutability and type.
  expect_unlinkable(R"((module (import "a" "glob" (global i32))))", {Extern::global(a->global("glob"))});
  expect_unlinkable(R"((module (import "a" "glob" (global (mut i64)))))", {Extern::global(a->global("glob"))});
  // Table element type.
  expect_unlinkable(R"((module (import "a" "tab" (table 2 externref))))", {Extern::table(a->table("tab"))});
  // Count.
  expect_unlinkable(R"((module (import "a" "twice" (func (param i32) (result i32)))))", {});
  // A null object.
  expect_unlinkable(R"((module (import "a" "twice" (func (param i32) (result i32)))))",
                    {Extern::func(nullptr)});
  // A host function with the wrong type.
  Function* host = store.create_host_function(FuncType{{ValType::I32}, {}},
                                              [](HostCall&, std::span<const Value>, std::span<Value>) {
                                                return Result<void>();
                                              });
  expect_unlinkable(R"((module (import "a" "twice" (func (param i32) (result i32)))))", {Extern::func(host)});

  // The right imports still link afterwards.
  Instance* ok = test::instantiate(store, R"((module (import "a" "twice" (func (param i32) (result i32)))))",
                                   {Extern::func(a->function("twice"))});
  EXPECT_NE(ok, nullptr);
}

TEST(EngineApiLink, StartTrapKeepsEarlierSegmentWrites) {
  Store store;
  Instance* a = test::instantiate(store, kProvider);
  ASSERT_TRUE(a);
  auto m = compile(R"(
    (module
      (import "a" "mem" (memory 1))
      (import "a" "tab" (table 2 funcref))
      (elem (i32.const 1) $f)
      (data (i32.const 100) "hello")
      (func $f (result i32) i32.const 77)
      (func $start i32.const 200 i32.const 0x21 i32.store8 unreachable)
      (start $start))
  )");
  ASSERT_TRUE(m);
  auto r = store.instantiate(m, std::vector<Extern>{Extern::memory(a->memory("mem")), Extern::table(a->table("tab"))});
  EXPECT_TRUE(failed_with(r, ErrorKind::Trap, "unreachable"));
  // The data segment, the element segment and the start function's own store stay.
  const uint8_t* mem = memory_data(a->memory("mem"));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(mem + 100), 5), "hello");
  EXPECT_EQ(mem[200], 0x21);
  auto f = table_get(a->table("tab"), 1);
  ASSERT_TRUE(f.ok());
  ASSERT_FALSE(f->is_null());
  EXPECT_EQ(call_i32(store, f->as_funcref()), 77u);
  // Reachable through A's call_indirect too (type (result i32) doesn't match A's $i_i).
  auto mismatch = store.call(a->function("call_tab"), std::vector<Value>{Value::i32(1), Value::i32(0)});
  EXPECT_TRUE(failed_with(mismatch, ErrorKind::Trap, "indirect call type mismatch"));
}

TEST(EngineApiLink, OutOfBoundsSegmentTrapsAfterEarlierSegments) {
  // Spec (bulk memory): segments apply in order; a later out-of-bounds one
  // traps, earlier writes stay.
  Store store;
  Instance* a = test::instantiate(store, kProvider);
  ASSERT_TRUE(a);
  auto m = compile(R"(
    (module
      (import "a" "mem" (memory 1))
      (data (i32.const 10) "abc")
      (data (i32.const 65534) "xyz"))
  )");
  ASSERT_TRUE(m);
  auto r = store.instantiate(m, std::vector<Extern>{Extern::memory(a->memory("mem"))});
  EXPECT_TRUE(failed_with(r, ErrorKind::Trap, "out of bounds memory access"));
  const uint8_t* mem = memory_data(a->memory("mem"));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(mem + 10), 3), "abc");
  EXPECT_EQ(mem[65534], 0);  // nothing of the failing segment
}

// 11. Eager translation ------------------------------------------------------

std::string hundred_functions() {
  // f0(x) = host(x); f_i(x) = f_{i-1}(x) + i (i = 1..99), all exported.
  std::string s = "(module (import \"env\" \"base\" (func $base (param i32) (result i32)))\n";
  s += "(func $f0 (export \"f0\") (param i32) (result i32) local.get 0 call $base)\n";
  for (int i = 1; i < 100; ++i) {
    s += "(func $f" + std::to_string(i) + " (export \"f" + std::to_string(i) +
         "\") (param i32) (result i32) (local i64 f64) local.get 0 call $f" + std::to_string(i - 1) +
         " i32.const " + std::to_string(i) + " i32.add)\n";
  }
  return s + ")";
}

TEST(EngineApiTranslate, TranslateAllThenCall) {
  auto m = compile(hundred_functions());
  ASSERT_TRUE(m);
  ASSERT_EQ(module_exports(*m).size(), 100u);
  auto t = translate_all(*m);
  ASSERT_TRUE(t.ok()) << describe(t);
  ASSERT_TRUE(translate_all(*m).ok());  // idempotent

  for (BoundsChecks mode : {BoundsChecks::Guard, BoundsChecks::Explicit}) {
    Store store(StoreOptions{.bounds_checks = mode});
    Function* base = store.create_host_function(FuncType{{ValType::I32}, {ValType::I32}},
                                                [](HostCall&, std::span<const Value> args, std::span<Value> results) {
                                                  results[0] = Value::i32(args[0].as_i32() * 1000);
                                                  return Result<void>();
                                                });
    auto inst = store.instantiate(m, std::vector<Extern>{Extern::func(base)});
    ASSERT_TRUE(inst.ok()) << describe(inst);
    EXPECT_EQ(call_i32(store, (*inst)->function("f99"), {Value::i32(2)}), 2000u + 99 * 100 / 2);
    EXPECT_EQ(call_i32(store, (*inst)->function("f0"), {Value::i32(3)}), 3000u);
    EXPECT_EQ(call_i32(store, (*inst)->function("f50"), {Value::i32(1)}), 1000u + 50 * 51 / 2);
  }
}

TEST(EngineApiTranslate, LazyTranslationBeforeAndAfterTranslateAll) {
  // Call some functions (translated lazily), then translate_all, then call
  // the rest: both paths give the same code.
  auto m = compile(hundred_functions());
  ASSERT_TRUE(m);
  Store store;
  Function* base = store.create_host_function(FuncType{{ValType::I32}, {ValType::I32}},
                                              [](HostCall&, std::span<const Value> args, std::span<Value> results) {
                                                results[0] = args[0];
                                                return Result<void>();
                                              });
  auto inst = store.instantiate(m, std::vector<Extern>{Extern::func(base)});
  ASSERT_TRUE(inst.ok()) << describe(inst);
  EXPECT_EQ(call_i32(store, (*inst)->function("f10"), {Value::i32(0)}), 55u);
  ASSERT_TRUE(translate_all(*m).ok());
  EXPECT_EQ(call_i32(store, (*inst)->function("f10"), {Value::i32(0)}), 55u);
  EXPECT_EQ(call_i32(store, (*inst)->function("f20"), {Value::i32(0)}), 210u);
}

}  // namespace
}  // namespace silk::wasm
