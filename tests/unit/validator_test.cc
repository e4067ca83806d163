// validate_module: invalid modules must fail with the spec test suite's
// wording, the right kind, function index and offset; tricky valid modules
// (unreachable code, multi-value, br_table) must pass. Modules are written as
// bytes here, so the test needs no text-format tool.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "wasm/module_decoder.h"
#include "wasm/validator.h"

namespace silk::wasm {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes leb(uint32_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
  return out;
}

Bytes section(uint8_t id, const Bytes& payload) { return cat({{id}, leb(uint32_t(payload.size())), payload}); }

// A vector of {n} already-encoded entries.
Bytes vec(std::initializer_list<Bytes> items) {
  Bytes out = leb(uint32_t(items.size()));
  for (const Bytes& i : items) out.insert(out.end(), i.begin(), i.end());
  return out;
}

Bytes functype(Bytes params, Bytes results) {
  return cat({{0x60}, leb(uint32_t(params.size())), params, leb(uint32_t(results.size())), results});
}

// A function body: {locals} is the encoded local declarations (count first).
Bytes body(Bytes code, Bytes locals = {0x00}) {
  Bytes b = cat({locals, code});
  return cat({leb(uint32_t(b.size())), b});
}

const Bytes kHeader = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
constexpr uint8_t I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, FUNCREF = 0x70, EXTERNREF = 0x6f;

// One function of type {type} with body {code}, plus extra sections {before}
// (placed after the function section: table, memory, global, export, start,
// elem, data count) and {after} (after the code section: data).
Bytes one_func(Bytes type, Bytes code, Bytes before = {}, Bytes after = {}, Bytes locals = {0x00}) {
  return cat({kHeader, section(1, vec({type})), section(3, vec({{0x00}})), before,
              section(10, vec({body(code, locals)})), after});
}

Result<void> check(const Bytes& bytes) {
  auto m = decode_module(bytes);
  EXPECT_TRUE(m.ok()) << m.error().describe();
  if (!m.ok()) return m.take_error();
  return validate_module(**m);
}

void expect_valid(const Bytes& bytes) {
  Result<void> r = check(bytes);
  EXPECT_TRUE(r.ok()) << r.error().describe();
}

void expect_error(const Bytes& bytes, ErrorKind kind, const std::string& message,
                  uint32_t func_index = Error::kNoIndex) {
  Result<void> r = check(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, kind) << r.error().describe();
  EXPECT_EQ(r.error().message, message) << r.error().describe();
  EXPECT_EQ(r.error().func_index, func_index) << r.error().describe();
}

void expect_invalid(const Bytes& bytes, const std::string& message, uint32_t func_index = Error::kNoIndex) {
  expect_error(bytes, ErrorKind::Invalid, message, func_index);
}

const Bytes kVoid = functype({}, {});
const Bytes kToI32 = functype({}, {I32});
const Bytes kMemory = section(5, vec({{0x00, 0x01}}));

// ---------------------------------------------------------------- bodies

TEST(Validator, TypeMismatchReportsFunctionAndOffset) {
  // i64.const 1; i32.const 2; i32.add
  Bytes m = one_func(kToI32, {0x42, 0x01, 0x41, 0x02, 0x6a, 0x0b});
  Result<void> r = check(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(r.error().message, "type mismatch");
  EXPECT_EQ(r.error().section, "code");
  EXPECT_EQ(r.error().func_index, 0u);
  EXPECT_EQ(r.error().offset, m.size() - 2);  // the i32.add
}

TEST(Validator, FunctionIndexCountsImports) {
  Bytes import = section(2, vec({cat({{0x01, 'm', 0x01, 'f', 0x00, 0x00}})}));
  Bytes m = cat({kHeader, section(1, vec({kVoid})), import, section(3, vec({{0x00}, {0x00}})),
                 section(10, vec({body({0x0b}), body({0x41, 0x00, 0x0b})}))});
  expect_invalid(m, "type mismatch", 2);  // the second defined function leaves a value
}

TEST(Validator, MissingResult) { expect_invalid(one_func(kToI32, {0x0b}), "type mismatch", 0); }

TEST(Validator, UnknownLocal) {
  expect_invalid(one_func(functype({I32}, {}), {0x20, 0x02, 0x1a, 0x0b}, {}, {}, {0x01, 0x01, I64}),
                 "unknown local 2", 0);
}

TEST(Validator, LocalTypes) {
  // param i32, local i64: local.get 1 is i64, not i32.
  expect_invalid(one_func(functype({I32}, {I32}), {0x20, 0x01, 0x0b}, {}, {}, {0x01, 0x01, I64}),
                 "type mismatch", 0);
}

TEST(Validator, UnknownGlobal) { expect_invalid(one_func(kToI32, {0x23, 0x00, 0x0b}), "unknown global 0", 0); }

TEST(Validator, GlobalIsImmutable) {
  Bytes global = section(6, vec({{I32, 0x00, 0x41, 0x00, 0x0b}}));
  expect_invalid(one_func(kVoid, {0x41, 0x01, 0x24, 0x00, 0x0b}, global), "global is immutable", 0);
}

TEST(Validator, UnknownLabel) { expect_invalid(one_func(kVoid, {0x0c, 0x01, 0x0b}), "unknown label 1", 0); }

TEST(Validator, BrTableArityMismatch) {
  // block (result i32) block  i32.const 0 br_table 0 1  end ... end
  Bytes code = {0x02, I32, 0x02, 0x40, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b, 0x41, 0x00, 0x0b, 0x1a, 0x0b};
  expect_invalid(one_func(kVoid, code), "type mismatch", 0);
}

TEST(Validator, BrTableChecksEveryTargetInUnreachableCode) {
  // block (result i32) block (result f32) unreachable f32.const 0 i32.const 0
  // br_table 0 1: the f32 operand does not fit the i32 target.
  Bytes code = {0x02, I32, 0x02, F32, 0x00, 0x43, 0, 0, 0, 0, 0x41, 0x00,
                0x0e, 0x01, 0x00, 0x01, 0x0b, 0x1a, 0x41, 0x00, 0x0b, 0x1a, 0x0b};
  expect_invalid(one_func(kVoid, code), "type mismatch", 0);
}

TEST(Validator, IfWithoutElseMustPassParamsThrough) {
  // if (result i32) i32.const 1 end: the missing else yields no i32.
  Bytes code = {0x41, 0x01, 0x04, I32, 0x41, 0x01, 0x0b, 0x1a, 0x0b};
  expect_invalid(one_func(kVoid, code), "type mismatch", 0);
}

TEST(Validator, UntypedSelectRejectsReferences) {
  Bytes code = {0xd0, FUNCREF, 0xd0, FUNCREF, 0x41, 0x01, 0x1b, 0x1a, 0x0b};
  expect_invalid(one_func(kVoid, code), "type mismatch", 0);
}

TEST(Validator, TypedSelectArity) {
  Bytes code = {0x41, 0x01, 0x41, 0x01, 0x41, 0x01, 0x1c, 0x02, I32, I32, 0x1a, 0x0b};
  expect_invalid(one_func(kVoid, code), "invalid result arity", 0);
}

TEST(Validator, AlignmentLargerThanNatural) {
  Bytes code = {0x41, 0x00, 0x28, 0x03, 0x00, 0x1a, 0x0b};  // i32.load align=8
  expect_invalid(one_func(kVoid, code, kMemory), "alignment must not be larger than natural", 0);
}

TEST(Validator, LoadWithoutMemory) {
  expect_invalid(one_func(kVoid, {0x41, 0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b}), "unknown memory 0", 0);
}

TEST(Validator, UnknownFunction) { expect_invalid(one_func(kVoid, {0x10, 0x05, 0x0b}), "unknown function 5", 0); }

TEST(Validator, CallIndirectNeedsFuncrefTable) {
  Bytes table = section(4, vec({{EXTERNREF, 0x00, 0x01}}));
  expect_invalid(one_func(kVoid, {0x41, 0x00, 0x11, 0x00, 0x00, 0x0b}, table), "type mismatch", 0);
}

TEST(Validator, TableGetUnknownTable) {
  expect_invalid(one_func(kVoid, {0x41, 0x00, 0x25, 0x00, 0x1a, 0x0b}), "unknown table 0", 0);
}

TEST(Validator, ReturnCallResultsMustMatch) {
  // func 0: [] -> [] does `return_call 1`, where func 1 returns i32.
  Bytes m = cat({kHeader, section(1, vec({kVoid, kToI32})), section(3, vec({{0x00}, {0x01}})),
                 section(10, vec({body({0x12, 0x01, 0x0b}), body({0x41, 0x00, 0x0b})}))});
  expect_invalid(m, "type mismatch", 0);
}

TEST(Validator, UndeclaredFunctionReference) {
  expect_invalid(one_func(kVoid, {0xd2, 0x00, 0x1a, 0x0b}), "undeclared function reference", 0);
}

TEST(Validator, UnknownElemSegment) {
  expect_invalid(one_func(kVoid, {0xfc, 0x0d, 0x00, 0x0b}), "unknown elem segment 0", 0);
}

TEST(Validator, UnknownDataSegment) {
  Bytes data_count = section(12, {0x00});
  expect_invalid(one_func(kVoid, {0xfc, 0x09, 0x00, 0x0b}, cat({kMemory, data_count})), "unknown data segment 0", 0);
}

TEST(Validator, DataDropNeedsDataCountSection) {
  Bytes data = section(11, vec({{0x01, 0x00}}));  // one passive segment
  expect_error(one_func(kVoid, {0xfc, 0x09, 0x00, 0x0b}, kMemory, data), ErrorKind::Malformed,
               "data count section required", 0);
}

TEST(Validator, IllegalOpcodeIsMalformed) {
  expect_error(one_func(kVoid, {0xff, 0x0b}), ErrorKind::Malformed, "illegal opcode", 0);
}

TEST(Validator, BytesAfterFinalEndAreMalformed) {
  expect_error(one_func(kVoid, {0x0b, 0x01, 0x0b}), ErrorKind::Malformed, "section size mismatch", 0);
}

TEST(Validator, MalformedBodyOutranksEarlierInvalidOne) {
  Bytes m = cat({kHeader, section(1, vec({kVoid})), section(3, vec({{0x00}, {0x00}})),
                 section(10, vec({body({0x41, 0x00, 0x0b}), body({0xff, 0x0b})}))});
  expect_error(m, ErrorKind::Malformed, "illegal opcode", 1);
}

TEST(Validator, ElseOutsideIfIsMalformed) {
  expect_error(one_func(kVoid, {0x05, 0x0b}), ErrorKind::Malformed, "END opcode expected", 0);
}

// ---------------------------------------------------------------- module level

Bytes globals_module(std::initializer_list<Bytes> globals, Bytes imports = {}) {
  return cat({kHeader, imports, section(6, vec(globals))});
}

TEST(Validator, GlobalInitMustBeConstant) {
  // i32.const 0; i32.ctz
  expect_invalid(globals_module({{I32, 0x00, 0x41, 0x00, 0x67, 0x0b}}), "constant expression required");
}

TEST(Validator, GlobalInitMayOnlyReadImportedGlobals) {
  expect_invalid(globals_module({{I32, 0x00, 0x41, 0x00, 0x0b}, {I32, 0x00, 0x23, 0x00, 0x0b}}), "unknown global 0");
}

TEST(Validator, GlobalInitMayNotReadMutableGlobals) {
  Bytes import = section(2, vec({{0x01, 'm', 0x01, 'g', 0x03, I32, 0x01}}));
  expect_invalid(globals_module({{I32, 0x00, 0x23, 0x00, 0x0b}}, import), "constant expression required");
}

TEST(Validator, GlobalInitType) {
  expect_invalid(globals_module({{I32, 0x00, 0x42, 0x00, 0x0b}}), "type mismatch");
  expect_invalid(globals_module({{I32, 0x00, 0x41, 0x00, 0x41, 0x00, 0x0b}}), "type mismatch");
}

TEST(Validator, ExtendedConstArithmetic) {
  Bytes import = section(2, vec({{0x01, 'm', 0x01, 'g', 0x03, I64, 0x00}}));
  // global.get 0; i64.const 3; i64.mul; i64.const 1; i64.add
  expect_valid(globals_module({{I64, 0x00, 0x23, 0x00, 0x42, 0x03, 0x7e, 0x42, 0x01, 0x7c, 0x0b}}, import));
  // i32.const 1; i64.const 1; i64.sub
  expect_invalid(globals_module({{I64, 0x00, 0x41, 0x01, 0x42, 0x01, 0x7d, 0x0b}}), "type mismatch");
}

TEST(Validator, DuplicateExportName) {
  Bytes exports = section(7, vec({{0x01, 'a', 0x00, 0x00}, {0x01, 'a', 0x00, 0x00}}));
  expect_invalid(one_func(kVoid, {0x0b}, exports), "duplicate export name");
}

TEST(Validator, ExportOfUnknownMemory) {
  expect_invalid(one_func(kVoid, {0x0b}, section(7, vec({{0x01, 'm', 0x02, 0x00}}))), "unknown memory 0");
}

TEST(Validator, StartFunctionType) {
  Bytes m = cat({kHeader, section(1, vec({kToI32})), section(3, vec({{0x00}})), section(8, {0x00}),
                 section(10, vec({body({0x41, 0x00, 0x0b})}))});
  expect_invalid(m, "start function");
}

TEST(Validator, MultipleMemories) {
  expect_invalid(cat({kHeader, section(5, vec({{0x00, 0x01}, {0x00, 0x01}}))}), "multiple memories");
}

TEST(Validator, MemoryLimits) {
  expect_invalid(cat({kHeader, section(5, vec({cat({{0x00}, leb(65537)})}))}),
                 "memory size must be at most 65536 pages (4GiB)");
  expect_invalid(cat({kHeader, section(5, vec({{0x01, 0x02, 0x01}}))}),
                 "size minimum must not be greater than maximum");
}

TEST(Validator, TableLimits) {
  expect_invalid(cat({kHeader, section(4, vec({{FUNCREF, 0x01, 0x02, 0x01}}))}),
                 "size minimum must not be greater than maximum");
}

TEST(Validator, ElemTypeMustMatchTable) {
  Bytes table = section(4, vec({{FUNCREF, 0x00, 0x01}}));
  // flags 5... active form 6: table 0, offset, externref exprs.
  Bytes elem = section(9, vec({{0x06, 0x00, 0x41, 0x00, 0x0b, EXTERNREF, 0x01, 0xd0, EXTERNREF, 0x0b}}));
  expect_invalid(cat({kHeader, table, elem}), "type mismatch");
}

TEST(Validator, ElemOffsetMustBeI32) {
  Bytes table = section(4, vec({{FUNCREF, 0x00, 0x01}}));
  Bytes elem = section(9, vec({{0x00, 0x42, 0x00, 0x0b, 0x00}}));
  expect_invalid(cat({kHeader, table, elem}), "type mismatch");
}

TEST(Validator, DataNeedsMemory) {
  expect_invalid(cat({kHeader, section(11, vec({{0x00, 0x41, 0x00, 0x0b, 0x00}}))}), "unknown memory 0");
}

// ---------------------------------------------------------------- valid

TEST(Validator, UnreachableCodeIsPolymorphic) {
  // unreachable; i32.add; drop; select; i64.eqz (on Unknown) -> i32
  expect_valid(one_func(kToI32, {0x00, 0x6a, 0x1a, 0x1b, 0x50, 0x0b}));
  // br 0 then anything that pops: the stack below is polymorphic.
  expect_valid(one_func(kToI32, {0x02, I32, 0x41, 0x00, 0x0c, 0x00, 0x6a, 0x0b, 0x0b}));
  // return with the right value, then an f32 left over is still checked at end.
  expect_invalid(one_func(kToI32, {0x41, 0x00, 0x0f, 0x43, 0, 0, 0, 0, 0x0b}), "type mismatch", 0);
}

TEST(Validator, UnreachableSelectOfReference) {
  // unreachable; ref.null func; select: t1 is funcref -> rejected even here.
  expect_invalid(one_func(kVoid, {0x00, 0xd0, FUNCREF, 0x1b, 0x1a, 0x0b}), "type mismatch", 0);
  // typed select of funcref is fine.
  expect_valid(one_func(kVoid, {0xd0, FUNCREF, 0xd0, FUNCREF, 0x41, 0x01, 0x1c, 0x01, FUNCREF, 0x1a, 0x0b}));
}

TEST(Validator, MultiValueBlocksWithParams) {
  // type 1: [i32 i32] -> [i32 i32]; block type 1 swaps nothing but passes both.
  Bytes pair = functype({I32, I32}, {I32, I32});
  Bytes m = cat({kHeader, section(1, vec({kToI32, pair})), section(3, vec({{0x00}})),
                 section(10, vec({body({0x41, 0x01, 0x41, 0x02, 0x02, 0x01, 0x0b,  // block (type 1)
                                        0x03, 0x01, 0x0b,                          // loop (type 1)
                                        0x41, 0x01, 0x04, 0x01, 0x05, 0x0b,        // if (type 1) else end
                                        0x6a, 0x0b})}))});
  expect_valid(m);
}

TEST(Validator, BranchToLoopTakesParams) {
  Bytes loop_t = functype({I32}, {I32});
  // i32.const 0; loop (type 1): i32.const 1; i32.sub; local.tee... br_if 0 needs [i32 (param)] + cond
  Bytes m = cat({kHeader, section(1, vec({kToI32, loop_t})), section(3, vec({{0x00}})),
                 section(10, vec({body({0x41, 0x00, 0x03, 0x01, 0x22, 0x00, 0x20, 0x00, 0x0d, 0x00, 0x0b, 0x0b},
                                       {0x01, 0x01, I32})}))});
  expect_valid(m);
}

TEST(Validator, BrTableInUnreachableCodeWithDifferentTypes) {
  // block (result i32) block (result f32) unreachable br_table 0 1: same arity,
  // operands Unknown, valid.
  Bytes code = {0x02, I32, 0x02, F32, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b, 0x1a, 0x41, 0x00, 0x0b, 0x1a, 0x0b};
  expect_valid(one_func(kVoid, code));
}

TEST(Validator, TailCallsAndTables) {
  Bytes table = section(4, vec({{FUNCREF, 0x00, 0x01}}));
  Bytes elem = section(9, vec({{0x00, 0x41, 0x00, 0x0b, 0x01, 0x00}}));
  // return_call_indirect type 0 table 0 (recursion), ref.func 0 (declared by elem), table.set
  Bytes code = {0x41, 0x00, 0xd2, 0x00, 0x26, 0x00, 0x41, 0x00, 0x13, 0x00, 0x00, 0x0b};
  Bytes m = cat({kHeader, section(1, vec({kVoid})), section(3, vec({{0x00}})), table, elem,
                 section(10, vec({body(code)}))});
  expect_valid(m);
}

}  // namespace
}  // namespace silk::wasm
