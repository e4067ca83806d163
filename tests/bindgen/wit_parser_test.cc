// The WIT parser: every file of slight v0.5.1 parses and resolves, the AST has
// what the files say, and bad input is refused with file:line:col.
#include <gtest/gtest.h>

#include <dirent.h>

#include <string>
#include <vector>

#include "slight/wit/parser.h"

namespace silk::slight::wit {
namespace {

std::vector<std::string> all_wit_files(const char* dir = SILK_WIT_DIR) {
  std::vector<std::string> out;
  DIR* d = opendir(dir);
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 4 && n.ends_with(".wit")) out.push_back(std::string(dir) + "/" + n);
  }
  closedir(d);
  return out;
}

TEST(WitParser, EveryFileOfSlightParsesAndResolves) {
  auto files = all_wit_files();
  ASSERT_GE(files.size(), 12u);
  for (auto& f : files) {
    auto pkg = Package::load({f});
    ASSERT_TRUE(pkg.ok()) << f << ": " << pkg.error().message;
  }
  auto all = Package::load(files);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ((*all)->interfaces().size(), files.size());
  // The shared reference copy (the repo's src/slight/wit/slight-v0.5.1 is a verbatim copy of it).
  for (auto& f : all_wit_files(SILK_SHARED_WIT_DIR)) {
    auto pkg = Package::load({f});
    EXPECT_TRUE(pkg.ok()) << f << ": " << pkg.error().message;
  }
}

TEST(WitParser, KeyvalueAst) {
  auto pkg = Package::load({std::string(SILK_WIT_DIR) + "/keyvalue.wit"});
  ASSERT_TRUE(pkg.ok()) << pkg.error().message;
  const Interface* kv = (*pkg)->roots()[0];
  EXPECT_EQ(kv->name, "keyvalue");
  ASSERT_EQ(kv->types.size(), 2u);
  const TypeDef& res = kv->types[0];
  EXPECT_EQ(res.kind, DefKind::Resource);
  EXPECT_EQ(res.name, "keyvalue");
  EXPECT_EQ(res.docs, "a keyvalue interface\n");
  ASSERT_EQ(res.functions.size(), 5u);
  EXPECT_TRUE(res.functions[0].is_static);
  EXPECT_EQ(res.functions[0].name, "open");
  EXPECT_EQ(res.functions[0].docs, "open a key-value store\n");
  EXPECT_EQ(res.functions[0].result.kind, TypeKind::Expected);
  EXPECT_EQ(res.functions[0].result.args[0].name, "keyvalue");
  EXPECT_EQ(res.functions[2].name, "set");
  EXPECT_TRUE(res.functions[2].is_method());
  ASSERT_EQ(res.functions[2].params.size(), 2u);
  EXPECT_EQ(res.functions[2].params[1].type.kind, TypeKind::List);
  EXPECT_EQ(res.functions[2].params[1].type.args[0].kind, TypeKind::U8);
  EXPECT_EQ(res.functions[2].result.args[0].kind, TypeKind::Unit);
  EXPECT_EQ(res.functions[2].loc.line, 10u);
  EXPECT_EQ(res.functions[2].loc.col, 2u);
  const TypeDef& err = kv->types[1];
  EXPECT_EQ(err.kind, DefKind::Variant);
  ASSERT_EQ(err.cases.size(), 8u);
  EXPECT_EQ(err.cases[7].name, "unexpected-error");
  EXPECT_EQ(err.cases[7].type->kind, TypeKind::String);
}

TEST(WitParser, UseFollowsFilesAndAliases) {
  auto pkg = Package::load({std::string(SILK_WIT_DIR) + "/http-server.wit"});
  ASSERT_TRUE(pkg.ok()) << pkg.error().message;
  ASSERT_EQ((*pkg)->interfaces().size(), 2u);
  EXPECT_EQ((*pkg)->interfaces()[0]->name, "http-types");  // dependencies first
  const Interface* hs = (*pkg)->find("http-server");
  auto r = (*pkg)->resolve(*hs, "http-router-error");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->iface->name, "http-types");
  EXPECT_EQ(r->def->kind, DefKind::Variant);
  EXPECT_FALSE((*pkg)->resolve(*hs, "method"));  // not imported by http-server
  auto uri = (*pkg)->resolve(*hs, "uri");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->def->kind, DefKind::Alias);
  EXPECT_EQ(uri->def->alias.kind, TypeKind::String);
}

TEST(WitParser, BlockCommentsFlagsUnionsAndEscapes) {
  const char* text = R"(
/* outer /* nested */ still comment */
flags perms { read, write, exec }
union num { u32, float64, string }
record r { %type: option<tuple<u8, s16>>, e: expected<_, string> }
type h = handle res
resource res
free: func(a: perms, b: num) -> r
)";
  auto pkg = Package::load_texts({{"t.wit", text}}, {"t.wit"});
  ASSERT_TRUE(pkg.ok()) << pkg.error().message;
  const Interface* t = (*pkg)->roots()[0];
  ASSERT_EQ(t->types.size(), 5u);
  EXPECT_EQ(t->types[0].kind, DefKind::Flags);
  EXPECT_EQ(t->types[0].cases.size(), 3u);
  EXPECT_EQ(t->types[1].kind, DefKind::Union);
  EXPECT_EQ(t->types[1].cases[2].type->kind, TypeKind::String);
  EXPECT_EQ(t->types[2].fields[0].name, "type");
  EXPECT_EQ(t->types[2].fields[1].type.args[0].kind, TypeKind::Unit);
  EXPECT_EQ(t->types[3].alias.name, "res");
  ASSERT_EQ(t->functions.size(), 1u);
  EXPECT_EQ(t->functions[0].params.size(), 2u);
}

struct BadCase {
  const char* text;
  const char* error;
};

TEST(WitParser, ErrorsNameFileLineColumn) {
  const BadCase cases[] = {
      {"resource r {\n  f: func(a: string -> unit\n}", "bad.wit:2:21: expected ')', found '->'"},
      {"record r { a: nope }", "bad.wit:1:15: unknown type 'nope'"},
      {"variant v { a(string), a }", "bad.wit:1:24: duplicate case 'a'"},
      {"use { x } from missing", "bad.wit:1:1: cannot load 'missing' used here"},
      {"f: func() -> list<u8, u8>", "bad.wit:1:14: list takes 1 type argument(s), found 2"},
      {"record r {}\nrecord r {}", "bad.wit:2:1: duplicate name 'r'"},
      {"/* never closed", "bad.wit:1:1: unterminated block comment"},
      {"f: func() -> u8 $", "bad.wit:1:17: unexpected character '$'"},
      {"g: async func()", "bad.wit:1:4: async functions are not supported"},
  };
  for (auto& c : cases) {
    auto pkg = Package::load_texts({{"bad.wit", c.text}}, {"bad.wit"});
    ASSERT_FALSE(pkg.ok()) << c.text;
    EXPECT_TRUE(pkg.error().message.starts_with(c.error)) << "got: " << pkg.error().message << "\nwanted: " << c.error;
  }
}

TEST(WitParser, MissingFileIsAnIoError) {
  auto pkg = Package::load({"/nonexistent/x.wit"});
  ASSERT_FALSE(pkg.ok());
  EXPECT_EQ(pkg.error().kind, wasm::ErrorKind::Io);
  EXPECT_EQ(pkg.error().message, "/nonexistent/x.wit: cannot read file");
}

}  // namespace
}  // namespace silk::slight::wit
