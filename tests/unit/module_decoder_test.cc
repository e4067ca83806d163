// Tests for decode_module (src/wasm/module_decoder.cc) and the LEB128 rules of
// BinaryReader it relies on. Modules are written out byte by byte with the
// small builder below, so the tests need no external tool.
#include "wasm/module_decoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "wasm/binary_reader.h"

namespace silk::wasm {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes leb(uint32_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes section(uint8_t id, const Bytes& contents) {
  return cat({{id}, leb(uint32_t(contents.size())), contents});
}

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = kHeader;
  for (const Bytes& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

Bytes str(const std::string& s) { return cat({leb(uint32_t(s.size())), Bytes(s.begin(), s.end())}); }

// Sections most tests need: one type () -> (), one function, its empty body.
const Bytes kTypeVoid = section(1, {0x01, 0x60, 0x00, 0x00});
const Bytes kOneFunc = section(3, {0x01, 0x00});
const Bytes kOneBody = section(10, {0x01, 0x02, 0x00, 0x0b});

std::unique_ptr<Module> decode_ok(const Bytes& bytes) {
  auto r = decode_module(bytes);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? std::move(r.value()) : nullptr;
}

Error decode_err(const Bytes& bytes) {
  auto r = decode_module(bytes);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return Error{};
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
  return r.error();
}

// ---------------------------------------------------------------------------
// LEB128 (spec 5.2.2), through BinaryReader directly.

TEST(BinaryReaderLeb128, NonMinimalEncodingsAreAccepted) {
  Bytes b = {0x82, 0x80, 0x80, 0x80, 0x00};
  BinaryReader r(b);
  auto v = r.u32();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 2u);
  EXPECT_TRUE(r.at_end());

  Bytes neg = {0xff, 0xff, 0xff, 0xff, 0x7f};  // -1 in five bytes
  BinaryReader rs(neg);
  auto s = rs.s32();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, -1);
}

TEST(BinaryReaderLeb128, ExtremeValues) {
  Bytes max32 = {0xff, 0xff, 0xff, 0xff, 0x0f};
  BinaryReader r(max32);
  EXPECT_EQ(*r.u32(), 0xffffffffu);

  Bytes min32 = {0x80, 0x80, 0x80, 0x80, 0x78};
  BinaryReader rs(min32);
  EXPECT_EQ(*rs.s32(), INT32_MIN);

  Bytes max64 = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  BinaryReader r64(max64);
  EXPECT_EQ(*r64.u64(), ~uint64_t{0});

  Bytes min64 = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f};
  BinaryReader rs64(min64);
  EXPECT_EQ(*rs64.s64(), INT64_MIN);
}

TEST(BinaryReaderLeb128, OverlongIsRejected) {
  Bytes b = {0x82, 0x80, 0x80, 0x80, 0x80, 0x00};
  BinaryReader r(b, 100);
  auto v = r.u32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "integer representation too long");
  EXPECT_EQ(v.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(v.error().offset, 105u);  // the fifth byte, at base 100

  Bytes b64(11, 0x80);
  b64.back() = 0x00;
  BinaryReader r64(b64);
  EXPECT_EQ(r64.s64().error().message, "integer representation too long");
}

TEST(BinaryReaderLeb128, UnterminatedIsUnexpectedEnd) {
  Bytes b = {0x82, 0x80};
  BinaryReader r(b);
  auto v = r.u32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "unexpected end");
  EXPECT_EQ(v.error().offset, 2u);
}

TEST(BinaryReaderLeb128, UnusedBitsMustBeZeroOrSignExtension) {
  Bytes u = {0x82, 0x80, 0x80, 0x80, 0x10};  // bit 32 set
  BinaryReader ru(u);
  EXPECT_EQ(ru.u32().error().message, "integer too large");

  Bytes s = {0xff, 0xff, 0xff, 0xff, 0x4f};  // -1 with unused bits not all set
  BinaryReader rs(s);
  EXPECT_EQ(rs.s32().error().message, "integer too large");

  Bytes s2 = {0x80, 0x80, 0x80, 0x80, 0x70};  // 0 with unused bits set
  BinaryReader rs2(s2);
  EXPECT_EQ(rs2.s32().error().message, "integer too large");

  Bytes s64 = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  BinaryReader r64(s64);
  EXPECT_EQ(r64.s64().error().message, "integer too large");
}

// ---------------------------------------------------------------------------
// Well-formed modules.

TEST(ModuleDecoder, EmptyModule) {
  auto m = decode_ok(kHeader);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bytes, kHeader);
  EXPECT_TRUE(m->types.empty());
  EXPECT_FALSE(m->start.has_value());
  EXPECT_FALSE(m->data_count.has_value());
  EXPECT_TRUE(m->declared_func_refs.empty());
}

TEST(ModuleDecoder, TypesAndImports) {
  Bytes bytes = module({
      section(1, {0x02, 0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7d,  // (i32 i64) -> f32
                  0x60, 0x00, 0x02, 0x70, 0x6f}),             // () -> (funcref externref)
      section(2, cat({{0x04},
                      str("m"), str("f"), {0x00, 0x01},                    // func type 1
                      str("m"), str("t"), {0x01, 0x70, 0x01, 0x02, 0x03},  // table funcref 2..3
                      str("m"), str("mem"), {0x02, 0x00, 0x05},            // memory 5..
                      str("m"), str("g"), {0x03, 0x7c, 0x01}})),           // global mut f64
  });
  auto m = decode_ok(bytes);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->types.size(), 2u);
  EXPECT_EQ(m->types[0].to_string(), "(i32 i64) -> (f32)");
  EXPECT_EQ(m->types[1].to_string(), "() -> (funcref externref)");
  ASSERT_EQ(m->imports.size(), 4u);
  EXPECT_EQ(m->imports[0].module, "m");
  EXPECT_EQ(m->imports[0].name, "f");
  EXPECT_EQ(m->imports[0].kind, ExternKind::Func);
  EXPECT_EQ(m->imports[0].type_index, 1u);
  EXPECT_EQ(m->imports[1].kind, ExternKind::Table);
  EXPECT_EQ(m->imports[2].name, "mem");
  EXPECT_EQ(m->imports[3].kind, ExternKind::Global);

  EXPECT_EQ(m->num_imported_funcs, 1u);
  EXPECT_EQ(m->num_imported_tables, 1u);
  EXPECT_EQ(m->num_imported_memories, 1u);
  EXPECT_EQ(m->num_imported_globals, 1u);
  EXPECT_EQ(m->func_types, std::vector<uint32_t>{1});
  ASSERT_EQ(m->tables.size(), 1u);
  EXPECT_EQ(m->tables[0].elem, ValType::FuncRef);
  EXPECT_EQ(m->tables[0].limits, (Limits{2, true, 3}));
  ASSERT_EQ(m->memories.size(), 1u);
  EXPECT_EQ(m->memories[0].limits, (Limits{5, false, 0}));
  ASSERT_EQ(m->global_types.size(), 1u);
  EXPECT_EQ(m->global_types[0].type, ValType::F64);
  EXPECT_TRUE(m->global_types[0].mutable_);
  EXPECT_TRUE(m->globals.empty());
}

TEST(ModuleDecoder, EverySection) {
  Bytes bytes = module({
      section(0, cat({str("producers"), {0x01, 0x02, 0x03}})),
      section(1, {0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f}),
      section(2, cat({{0x01}, str("env"), str("imp"), {0x00, 0x00}})),
      section(3, {0x02, 0x01, 0x00}),
      section(4, {0x01, 0x6f, 0x00, 0x04}),                  // externref table, min 4
      section(5, {0x01, 0x01, 0x01, 0x02}),                  // memory 1..2
      section(6, {0x02, 0x7f, 0x00, 0x41, 0x2a, 0x0b,        // i32 const 42
                  0x70, 0x01, 0xd2, 0x02, 0x0b}),            // mut funcref = ref.func 2
      section(7, cat({{0x02}, str("f"), {0x00, 0x01}, str("m"), {0x02, 0x00}})),
      section(8, {0x02}),
      section(12, {0x01}),
      section(10, {0x02,
                   0x06, 0x02, 0x01, 0x7f, 0x02, 0x7e, 0x0b,  // locals i32, i64 i64
                   0x04, 0x00, 0x20, 0x00, 0x0b}),            // local.get 0
      section(11, cat({{0x01, 0x01}, str("hi")})),
  });
  auto m = decode_ok(bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->num_funcs(), 3u);
  EXPECT_EQ(m->func_types, (std::vector<uint32_t>{0, 1, 0}));
  ASSERT_EQ(m->tables.size(), 1u);
  EXPECT_EQ(m->tables[0].elem, ValType::ExternRef);
  EXPECT_EQ(m->memories[0].limits, (Limits{1, true, 2}));

  ASSERT_EQ(m->globals.size(), 2u);
  EXPECT_EQ(m->globals[1].type.type, ValType::FuncRef);
  EXPECT_TRUE(m->globals[1].type.mutable_);
  const ConstExpr& init = m->globals[0].init;
  ASSERT_EQ(init.size, 3u);
  EXPECT_EQ(m->bytes[init.offset], 0x41);
  EXPECT_EQ(m->bytes[init.offset + 2], 0x0b);
  EXPECT_EQ(m->global_types.size(), 2u);

  ASSERT_EQ(m->exports.size(), 2u);
  EXPECT_EQ(m->exports[0].name, "f");
  EXPECT_EQ(m->exports[0].index, 1u);
  EXPECT_EQ(m->exports[1].kind, ExternKind::Memory);
  EXPECT_EQ(m->start, 2u);
  EXPECT_EQ(m->data_count, 1u);

  ASSERT_EQ(m->bodies.size(), 2u);
  const FunctionBody& b0 = m->bodies[0];
  EXPECT_EQ(b0.locals, (std::vector<ValType>{ValType::I32, ValType::I64, ValType::I64}));
  EXPECT_EQ(m->bytes[b0.body_start], 0x06);   // the size field
  EXPECT_EQ(b0.offset, b0.body_start + 6);    // size, run count, two runs
  EXPECT_EQ(b0.end, b0.offset + 1);
  const FunctionBody& b1 = m->bodies[1];
  EXPECT_TRUE(b1.locals.empty());
  EXPECT_EQ(b1.end - b1.offset, 3u);
  EXPECT_EQ(m->bytes[b1.end - 1], 0x0b);

  ASSERT_EQ(m->datas.size(), 1u);
  EXPECT_EQ(m->datas[0].mode, SegmentMode::Passive);
  EXPECT_EQ(std::string(m->bytes.begin() + m->datas[0].data_offset,
                        m->bytes.begin() + m->datas[0].data_offset + m->datas[0].data_size),
            "hi");

  // Exported function 1 and ref.func 2 in a global; the import is not mentioned.
  EXPECT_EQ(m->declared_func_refs, (std::vector<bool>{false, true, true}));
}

TEST(ModuleDecoder, CustomSectionsMayAppearAnywhere) {
  Bytes custom = section(0, cat({str("x"), {0xff}}));
  auto m = decode_ok(module({custom, kTypeVoid, custom, kOneFunc, custom, kOneBody, custom}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bodies.size(), 1u);
}

// ---------------------------------------------------------------------------
// Element segments (spec 5.5.12): all eight encodings.

std::unique_ptr<Module> decode_elem(const Bytes& segment) {
  return decode_ok(module({
      kTypeVoid,
      section(3, {0x03, 0x00, 0x00, 0x00}),
      section(4, {0x02, 0x70, 0x00, 0x01, 0x70, 0x00, 0x01}),
      section(9, cat({{0x01}, segment})),
      section(10, {0x03, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b}),
  }));
}

const Bytes kOffset0 = {0x41, 0x00, 0x0b};        // i32.const 0
const Bytes kRefFunc1 = {0xd2, 0x01, 0x0b};       // ref.func 1
const Bytes kRefNull = {0xd0, 0x70, 0x0b};        // ref.null func

TEST(ModuleDecoderElem, Form0ActiveTable0Indices) {
  auto m = decode_elem(cat({{0x00}, kOffset0, {0x02, 0x02, 0x00}}));
  ASSERT_TRUE(m);
  const ElemSegment& s = m->elems[0];
  EXPECT_EQ(s.mode, SegmentMode::Active);
  EXPECT_EQ(s.table_index, 0u);
  EXPECT_EQ(s.elem_type, ValType::FuncRef);
  EXPECT_EQ(s.offset.size, 3u);
  EXPECT_EQ(m->bytes[s.offset.offset], 0x41);
  EXPECT_FALSE(s.uses_exprs);
  EXPECT_EQ(s.func_indices, (std::vector<uint32_t>{2, 0}));
  EXPECT_EQ(m->declared_func_refs, (std::vector<bool>{true, false, true}));
}

TEST(ModuleDecoderElem, Form1PassiveIndices) {
  auto m = decode_elem({0x01, 0x00, 0x01, 0x01});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->elems[0].mode, SegmentMode::Passive);
  EXPECT_EQ(m->elems[0].func_indices, std::vector<uint32_t>{1});
  EXPECT_EQ(m->declared_func_refs, (std::vector<bool>{false, true, false}));
}

TEST(ModuleDecoderElem, Form2ActiveTableIndexIndices) {
  auto m = decode_elem(cat({{0x02, 0x01}, kOffset0, {0x00, 0x01, 0x00}}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->elems[0].mode, SegmentMode::Active);
  EXPECT_EQ(m->elems[0].table_index, 1u);
  EXPECT_EQ(m->elems[0].func_indices, std::vector<uint32_t>{0});
}

TEST(ModuleDecoderElem, Form3DeclarativeIndices) {
  auto m = decode_elem({0x03, 0x00, 0x01, 0x02});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->elems[0].mode, SegmentMode::Declarative);
  EXPECT_EQ(m->declared_func_refs, (std::vector<bool>{false, false, true}));
}

TEST(ModuleDecoderElem, Form4ActiveTable0Exprs) {
  auto m = decode_elem(cat({{0x04}, kOffset0, {0x02}, kRefFunc1, kRefNull}));
  ASSERT_TRUE(m);
  const ElemSegment& s = m->elems[0];
  EXPECT_EQ(s.mode, SegmentMode::Active);
  EXPECT_EQ(s.table_index, 0u);
  EXPECT_EQ(s.elem_type, ValType::FuncRef);
  ASSERT_TRUE(s.uses_exprs);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.exprs[0].size, 3u);
  EXPECT_EQ(m->bytes[s.exprs[0].offset], 0xd2);
  EXPECT_EQ(m->bytes[s.exprs[1].offset], 0xd0);
  EXPECT_EQ(m->declared_func_refs, (std::vector<bool>{false, true, false}));
}

TEST(ModuleDecoderElem, Form5PassiveExprs) {
  auto m = decode_elem(cat({{0x05, 0x6f, 0x01}, {0xd0, 0x6f, 0x0b}}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->elems[0].mode, SegmentMode::Passive);
  EXPECT_EQ(m->elems[0].elem_type, ValType::ExternRef);
  EXPECT_EQ(m->elems[0].size(), 1u);
}

TEST(ModuleDecoderElem, Form6ActiveTableIndexExprs) {
  auto m = decode_elem(cat({{0x06, 0x01}, kOffset0, {0x70, 0x01}, kRefFunc1}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->elems[0].mode, SegmentMode::Active);
  EXPECT_EQ(m->elems[0].table_index, 1u);
  EXPECT_TRUE(m->elems[0].uses_exprs);
}

TEST(ModuleDecoderElem, Form7DeclarativeExprs) {
  auto m = decode_elem(cat({{0x07, 0x70, 0x02}, kRefFunc1, {0xd2, 0x00, 0x0b}}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->elems[0].mode, SegmentMode::Declarative);
  EXPECT_EQ(m->declared_func_refs, (std::vector<bool>{true, true, false}));
}

TEST(ModuleDecoderElem, MalformedKinds) {
  auto with_elem = [](const Bytes& seg) {
    return module({kTypeVoid, kOneFunc, section(9, cat({{0x01}, seg})), kOneBody});
  };
  EXPECT_EQ(decode_err(with_elem({0x08})).message, "malformed elements segment kind");
  EXPECT_EQ(decode_err(with_elem({0x01, 0x01, 0x00})).message, "malformed element kind");
  Error e = decode_err(with_elem({0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b}));
  EXPECT_EQ(e.message, "malformed reference type");
  EXPECT_EQ(e.section, "element");
  e = decode_err(with_elem({0x05, 0x70, 0x01, 0xf3, 0x00, 0x0b}));
  EXPECT_EQ(e.message, "illegal opcode");
  // header, type, function, then id, size, count, flags, reftype, count
  EXPECT_EQ(e.offset, kHeader.size() + kTypeVoid.size() + kOneFunc.size() + 6);
}

// ---------------------------------------------------------------------------
// Data segments (spec 5.5.14): the three encodings.

TEST(ModuleDecoderData, AllThreeForms) {
  Bytes bytes = module({
      section(5, {0x02, 0x00, 0x01, 0x00, 0x01}),
      section(11, cat({{0x03},
                       {0x00}, kOffset0, str("ab"),
                       {0x01}, str("c"),
                       {0x02, 0x01, 0x41, 0x08, 0x0b}, str("")})),
  });
  auto m = decode_ok(bytes);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->datas.size(), 3u);
  const DataSegment& d0 = m->datas[0];
  EXPECT_EQ(d0.mode, SegmentMode::Active);
  EXPECT_EQ(d0.memory_index, 0u);
  EXPECT_EQ(d0.offset.size, 3u);
  EXPECT_EQ(d0.data_size, 2u);
  EXPECT_EQ(m->bytes[d0.data_offset], 'a');
  EXPECT_EQ(m->datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(m->bytes[m->datas[1].data_offset], 'c');
  EXPECT_EQ(m->datas[2].mode, SegmentMode::Active);
  EXPECT_EQ(m->datas[2].memory_index, 1u);
  EXPECT_EQ(m->bytes[m->datas[2].offset.offset + 1], 0x08);
  EXPECT_EQ(m->datas[2].data_size, 0u);
  EXPECT_FALSE(m->data_count.has_value());
}

TEST(ModuleDecoderData, BadFlagsAndTruncatedPayload) {
  EXPECT_EQ(decode_err(module({section(11, {0x01, 0x03})})).message, "malformed data segment kind");
  Error e = decode_err(module({section(11, {0x01, 0x01, 0x05, 'a'})}));
  EXPECT_EQ(e.section, "data");
  EXPECT_EQ(e.offset, 13u);  // where the 5 promised bytes should start
}

// ---------------------------------------------------------------------------
// The name section (spec 7.4.1).

Bytes name_section(const Bytes& subsections) { return section(0, cat({str("name"), subsections})); }

TEST(ModuleDecoderNames, ModuleAndFunctionNames) {
  Bytes module_name = section(0, str("mod"));
  Bytes func_names = section(1, cat({{0x02}, {0x00}, str("main"), {0x01}, str("helper")}));
  Bytes local_names = section(2, {0x00});
  auto m = decode_ok(module({kTypeVoid, section(3, {0x02, 0x00, 0x00}),
                             section(10, {0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b}),
                             name_section(cat({module_name, func_names, local_names}))}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->module_name, "mod");
  EXPECT_EQ(m->function_name(0), "main");
  EXPECT_EQ(m->function_name(1), "helper");
  EXPECT_EQ(m->function_name(2), "");
}

TEST(ModuleDecoderNames, MalformedNameSectionIsIgnored) {
  // Truncated function-name map, out-of-order subsections, bad UTF-8.
  Bytes truncated = section(1, cat({{0x02}, {0x00}, str("main")}));
  Bytes out_of_order = cat({section(1, {0x00}), section(0, str("m"))});
  Bytes bad_utf8 = section(0, {0x01, 0xff});
  for (const Bytes& subs : {truncated, out_of_order, bad_utf8, Bytes{0x00, 0x7f}}) {
    auto m = decode_ok(module({kTypeVoid, kOneFunc, kOneBody, name_section(subs)}));
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->module_name.empty());
    EXPECT_TRUE(m->function_names.empty());
  }
}

TEST(ModuleDecoderNames, CustomSectionNameMustBeUtf8) {
  Error e = decode_err(module({section(0, {0x02, 0xc0, 0x80})}));
  EXPECT_EQ(e.message, "malformed UTF-8 encoding");
  EXPECT_EQ(e.section, "custom");
  EXPECT_EQ(e.offset, 11u);
}

// ---------------------------------------------------------------------------
// Malformed modules: message, section and offset.

TEST(ModuleDecoderMalformed, Header) {
  EXPECT_EQ(decode_err({}).message, "unexpected end");
  EXPECT_EQ(decode_err({0x00, 0x61, 0x73}).message, "unexpected end");
  Error e = decode_err({0x00, 0x41, 0x53, 0x4d, 0x01, 0x00, 0x00, 0x00});
  EXPECT_EQ(e.message, "magic header not detected");
  EXPECT_EQ(e.offset, 0u);
  e = decode_err({0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00});
  EXPECT_EQ(e.message, "unknown binary version");
  EXPECT_EQ(e.offset, 4u);
  EXPECT_EQ(decode_err({0x00, 0x61, 0x73, 0x6d, 0x01, 0x00}).message, "unexpected end");
}

TEST(ModuleDecoderMalformed, SectionIdAndBounds) {
  Error e = decode_err(module({{0x0d, 0x00}}));
  EXPECT_EQ(e.message, "malformed section id");
  EXPECT_EQ(e.offset, 8u);
  e = decode_err(module({{0x01, 0x05, 0x00}}));
  EXPECT_EQ(e.message, "length out of bounds");
  EXPECT_EQ(e.section, "type");
  // One type declared, two given: bytes left over inside the section.
  e = decode_err(module({section(1, {0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00})}));
  EXPECT_EQ(e.message, "section size mismatch");
  EXPECT_EQ(e.offset, 14u);
  // Two types declared, one given: the reader stops at the section's end even
  // though more bytes follow in the module.
  e = decode_err(module({section(1, {0x02, 0x60, 0x00, 0x00}), section(3, {0x00})}));
  EXPECT_EQ(e.message, "unexpected end");
  EXPECT_EQ(e.section, "type");
  EXPECT_EQ(e.offset, 14u);
}

TEST(ModuleDecoderMalformed, SectionOrder) {
  Error e = decode_err(module({kOneFunc, kTypeVoid}));
  EXPECT_EQ(e.message, "unexpected content after last section");
  EXPECT_EQ(e.section, "type");
  EXPECT_EQ(e.offset, 8u + kOneFunc.size());
  EXPECT_EQ(decode_err(module({kTypeVoid, kTypeVoid})).message,
            "unexpected content after last section");
  // Data count goes before code, not after.
  EXPECT_EQ(decode_err(module({kTypeVoid, kOneFunc, kOneBody, section(12, {0x00})})).message,
            "unexpected content after last section");
  EXPECT_TRUE(decode_ok(module({kTypeVoid, kOneFunc, section(12, {0x00}), kOneBody})));
}

TEST(ModuleDecoderMalformed, FunctionAndCodeCounts) {
  Error e = decode_err(module({kTypeVoid, kOneFunc}));
  EXPECT_EQ(e.message, "function and code section have inconsistent lengths");
  e = decode_err(module({kOneBody}));
  EXPECT_EQ(e.message, "function and code section have inconsistent lengths");
  EXPECT_EQ(e.section, "code");
  EXPECT_EQ(e.offset, 10u);
  EXPECT_TRUE(decode_ok(module({section(10, {0x00})})));
}

TEST(ModuleDecoderMalformed, DataCount) {
  Bytes mem = section(5, {0x01, 0x00, 0x01});
  Error e = decode_err(module({mem, section(12, {0x02}), section(11, {0x01, 0x01, 0x00})}));
  EXPECT_EQ(e.message, "data count and data section have inconsistent lengths");
  EXPECT_EQ(e.section, "data");
  EXPECT_EQ(decode_err(module({mem, section(12, {0x01})})).message,
            "data count and data section have inconsistent lengths");
  EXPECT_TRUE(decode_ok(module({mem, section(12, {0x00})})));
}

TEST(ModuleDecoderMalformed, CodeEntries) {
  Bytes two_funcs = section(3, {0x02, 0x00, 0x00});
  // Function 1 (after one import) lacks its final `end`.
  Bytes import = section(2, cat({{0x01}, str("m"), str("f"), {0x00, 0x00}}));
  Bytes code = section(10, {0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x01});
  Error e = decode_err(module({kTypeVoid, import, two_funcs, code}));
  EXPECT_EQ(e.message, "END opcode expected");
  EXPECT_EQ(e.section, "code");
  EXPECT_EQ(e.func_index, 2u);
  EXPECT_EQ(e.offset, module({kTypeVoid, import, two_funcs, code}).size() - 1);

  // A body size running past the section.
  e = decode_err(module({kTypeVoid, kOneFunc, section(10, {0x01, 0x05, 0x00, 0x0b})}));
  EXPECT_EQ(e.func_index, 0u);
  EXPECT_EQ(e.message, "unexpected end of section or function");
  // No instructions at all.
  EXPECT_EQ(decode_err(module({kTypeVoid, kOneFunc, section(10, {0x01, 0x01, 0x00})})).message,
            "unexpected end of section or function");
}

TEST(ModuleDecoderMalformed, TooManyLocals) {
  // 0xffffffff + 2 locals: the u32 sum overflows.
  Bytes code = section(10, {0x01, 0x0a, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x02, 0x7e, 0x0b});
  Error e = decode_err(module({kTypeVoid, kOneFunc, code}));
  EXPECT_EQ(e.message, "too many locals");
  EXPECT_EQ(e.func_index, 0u);
  // Just over the cap.
  Bytes over = cat({{0x01}, leb(50001), {0x7f, 0x0b}});
  Bytes code2 = section(10, cat({{0x01}, leb(uint32_t(over.size())), over}));
  EXPECT_EQ(decode_err(module({kTypeVoid, kOneFunc, code2})).message, "too many locals");
  // At the cap: fine, and expanded.
  Bytes at = cat({{0x02}, leb(49999), {0x7f, 0x01, 0x7c, 0x0b}});
  Bytes code3 = section(10, cat({{0x01}, leb(uint32_t(at.size())), at}));
  auto m = decode_ok(module({kTypeVoid, kOneFunc, code3}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bodies[0].locals.size(), 50000u);
  EXPECT_EQ(m->bodies[0].locals.back(), ValType::F64);
}

TEST(ModuleDecoderMalformed, ImportsGlobalsAndLimits) {
  Error e = decode_err(module({section(2, cat({{0x01}, str("a"), str("b"), {0x04}}))}));
  EXPECT_EQ(e.message, "malformed import kind");
  EXPECT_EQ(e.section, "import");
  EXPECT_EQ(e.offset, 15u);
  EXPECT_EQ(decode_err(module({section(6, {0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b})})).message,
            "malformed mutability");
  EXPECT_EQ(decode_err(module({section(5, {0x01, 0x02, 0x00})})).message, "integer too large");
  EXPECT_EQ(decode_err(module({section(5, {0x01, 0x03, 0x00, 0x00})})).message, "integer too large");
  EXPECT_EQ(decode_err(module({section(4, {0x01, 0x70, 0x81, 0x00, 0x00})})).message,
            "integer representation too long");
  EXPECT_EQ(decode_err(module({section(4, {0x01, 0x7f, 0x00, 0x00})})).message,
            "malformed reference type");
  EXPECT_EQ(decode_err(module({section(1, {0x01, 0x61, 0x00, 0x00})})).message,
            "malformed function type");
  EXPECT_EQ(decode_err(module({section(7, cat({{0x01}, str("e"), {0x04, 0x00}}))})).message,
            "malformed export kind");
  e = decode_err(module({section(2, cat({{0x01}, str("a"), {0x01, 0xff}, {0x00, 0x00}}))}));
  EXPECT_EQ(e.message, "malformed UTF-8 encoding");
}

TEST(ModuleDecoderMalformed, ConstExprRunsOffTheSection) {
  // Global initializer without `end`: the walk stops at the section boundary
  // even though the next section's bytes follow.
  Error e = decode_err(module({section(6, {0x01, 0x7f, 0x00, 0x41, 0x00}), section(0, str("x"))}));
  EXPECT_EQ(e.message, "unexpected end");
  EXPECT_EQ(e.section, "global");
  EXPECT_EQ(e.offset, 15u);
}

TEST(ModuleDecoderMalformed, HugeCountsDoNotAllocate) {
  // Counts of 2^32-1 with almost no bytes behind them.
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 11}) {
    Error e = decode_err(module({section(id, {0xff, 0xff, 0xff, 0xff, 0x0f})}));
    EXPECT_EQ(e.message, "unexpected end") << int(id);
  }
}

}  // namespace
}  // namespace silk::wasm
