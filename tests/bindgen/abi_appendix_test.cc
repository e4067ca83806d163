// The canonical ABI model against ABI.md Appendix B: for EVERY function of
// slight v0.5.1 (every import, both guest exports) the computed core signature
// (import module, field name, params, results), the return-area size/align and
// layout, and the aggregate types' sizes, alignments and flat types must equal
// the appendix. data/appendix_b.txt is the appendix verbatim (the expectations,
// as data); Model::describe renders the same format.
//
// One cosmetic normalisation: the appendix prints some list aliases with their
// alias name ("headers=list<tuple<string,string>>", but "list<u8>" for body);
// names are not part of the ABI, so "<name>=" before "list<" is ignored.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "slight/abi/canonical_abi.h"

namespace silk::slight::abi {
namespace {

const char* const kInterfaces[] = {"keyvalue", "configs", "distributed-locking", "messaging", "sql",
                                   "http-server", "http-client", "blob-store", "http-handler",
                                   "http-server-export"};

std::string normalize(const std::string& s) {
  static const std::regex alias_prefix("[a-z][a-z0-9-]*=(?=list<)");
  return std::regex_replace(s, alias_prefix, "");
}

struct Block {
  std::string section;  // the "## ..." line
  std::string head;     // the "- ..." line
  std::string text;     // head + layout lines
};

std::vector<Block> read_appendix() {
  std::ifstream f(std::string(SILK_BINDGEN_TEST_DATA) + "/appendix_b.txt");
  std::vector<Block> out;
  std::string line, section;
  while (std::getline(f, line)) {
    if (line.starts_with("## ")) {
      section = line;
    } else if (line.starts_with("- ")) {
      out.push_back({section, line, line + "\n"});
    } else if (!line.empty() && !out.empty()) {
      out.back().text += line + "\n";
    }
  }
  return out;
}

class AppendixB : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> files;
    for (auto* n : kInterfaces) files.push_back(std::string(SILK_WIT_DIR) + "/" + n + ".wit");
    auto p = wit::Package::load(files);
    ASSERT_TRUE(p.ok()) << p.error().message;
    pkg = std::move(p.value());
    model = std::make_unique<Model>(*pkg);
  }
  std::unique_ptr<wit::Package> pkg;
  std::unique_ptr<Model> model;
};

TEST_F(AppendixB, EveryFunctionSignatureAndReturnArea) {
  auto blocks = read_appendix();
  ASSERT_GT(blocks.size(), 50u) << "appendix data missing";
  std::set<std::string> checked;
  static const std::regex import_section("## import module \"([a-z-]+)\"");
  static const std::regex export_section("## guest EXPORT \\(([a-z-]+).*");
  static const std::regex fn_head("- \"([^\"]+)\": .*");
  for (auto& b : blocks) {
    std::smatch m, fm;
    Direction dir;
    std::string iface_name;
    if (std::regex_match(b.section, m, import_section)) dir = Direction::Import, iface_name = m[1];
    else if (std::regex_match(b.section, m, export_section)) dir = Direction::Export, iface_name = m[1];
    else continue;
    ASSERT_TRUE(std::regex_match(b.head, fm, fn_head)) << b.head;
    std::string name = fm[1];
    const wit::Interface* iface = pkg->find(iface_name);
    ASSERT_NE(iface, nullptr) << iface_name;
    // Find the function by its core name (import field or export name).
    const wit::Function* fn = nullptr;
    for (auto& f : iface->functions)
      if (Model::import_name(f) == name) fn = &f;
    for (auto& t : iface->types)
      for (auto& f : t.functions)
        if (Model::import_name(f) == name) fn = &f;
    ASSERT_NE(fn, nullptr) << iface_name << " has no function " << name;
    EXPECT_EQ(normalize(model->describe(*iface, *fn, dir)), normalize(b.text)) << iface_name << "." << name;
    checked.insert(iface_name + "." + name);
  }
  // Every function of every interface was in the appendix.
  size_t total = 0;
  for (auto* n : kInterfaces) {
    const wit::Interface* iface = pkg->find(n);
    for (auto& f : iface->functions) {
      total++;
      EXPECT_TRUE(checked.count(std::string(n) + "." + Model::import_name(f))) << n << "." << f.name;
    }
    for (auto& t : iface->types)
      for (auto& f : t.functions) {
        total++;
        EXPECT_TRUE(checked.count(std::string(n) + "." + Model::import_name(f))) << n << "." << Model::import_name(f);
      }
  }
  EXPECT_EQ(checked.size(), total);
  EXPECT_EQ(total, 47u);
}

TEST_F(AppendixB, AggregateTypeSizes) {
  static const std::regex agg_head("- ([a-z<>,-]+): size=.*");
  int checked = 0;
  for (auto& b : read_appendix()) {
    if (b.section != "## aggregate type sizes") continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(b.head, m, agg_head)) << b.head;
    std::string name = m[1];
    const Ty* t = nullptr;
    if (name == "tuple<string,string>") {
      wit::TypeRef s{wit::TypeKind::String};
      wit::TypeRef tup{wit::TypeKind::Tuple, "", {s, s}};
      t = model->type_of(*pkg->interfaces()[0], tup);
    } else {
      for (auto& i : pkg->interfaces())
        if (auto* d = i->find_local(name)) t = model->type_of(*i, *d);
    }
    ASSERT_NE(t, nullptr) << name;
    std::string flat = "[";
    for (auto c : model->flat(t)) flat += std::string(flat.size() > 1 ? ", " : "") + "'" + to_string(c) + "'";
    flat += "]";
    std::string got = "- " + name + ": size=" + std::to_string(model->size(t)) + " align=" +
                      std::to_string(model->align(t)) + " flat=" + flat + "\n" + model->describe_layout(t, 0, "", 4);
    EXPECT_EQ(normalize(got), normalize(b.text)) << name;
    checked++;
  }
  EXPECT_EQ(checked, 9);
}

TEST_F(AppendixB, ResourceDropImportsAndDirectResults) {
  // statement::prepare is the only import with a direct result (ABI.md §2.3).
  int direct = 0;
  for (auto& i : pkg->interfaces())
    for (auto& t : i->types)
      for (auto& f : t.functions)
        if (!model->signature(*i, f, Direction::Import).retptr) {
          direct++;
          EXPECT_EQ(Model::import_name(f), "statement::prepare");
        }
  EXPECT_EQ(direct, 1);
}

TEST(CanonicalAbi, FlatteningJoinsAndLimits) {
  const char* text = R"(
variant v { a(u32), b(float32), c(u64), d(float64), e(tuple<float32, u8>), f }
record big { a: string, b: string, c: string, d: string, e: string, f: string, g: string, h: string, i: u8 }
f1: func(x: v) -> v
f2: func(x: big) -> u8
flags many { a0, a1, a2, a3, a4, a5, a6, a7, a8 }
flags lots { b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27, b28, b29, b30, b31, b32 }
)";
  auto p = wit::Package::load_texts({{"t.wit", text}}, {"t.wit"});
  ASSERT_TRUE(p.ok()) << p.error().message;
  Model m(**p);
  const wit::Interface& i = *(*p)->roots()[0];
  const Ty* v = m.type_of(i, *i.find_local("v"));
  // i32 tag, then join(u32,f32,u64,f64,f32) = i64, then join(u8) = i32.
  EXPECT_EQ(m.flat(v), (std::vector<CoreType>{CoreType::I32, CoreType::I64, CoreType::I32}));
  EXPECT_EQ(m.size(v), 16u);
  EXPECT_EQ(m.align(v), 8u);
  EXPECT_EQ(m.payload_offset(v), 8u);
  auto s1 = m.signature(i, i.functions[0], Direction::Import);
  EXPECT_TRUE(s1.retptr);
  EXPECT_EQ(s1.params.size(), 4u);
  auto s1e = m.signature(i, i.functions[0], Direction::Export);
  EXPECT_EQ(s1e.results, std::vector<CoreType>{CoreType::I32});
  auto s2 = m.signature(i, i.functions[1], Direction::Import);  // 17 flat params
  EXPECT_TRUE(s2.indirect_params);
  EXPECT_EQ(s2.params, std::vector<CoreType>{CoreType::I32});
  EXPECT_EQ(s2.results, std::vector<CoreType>{CoreType::I32});
  const Ty* many = m.type_of(i, *i.find_local("many"));
  EXPECT_EQ(m.size(many), 2u);
  const Ty* lots = m.type_of(i, *i.find_local("lots"));
  EXPECT_EQ(m.size(lots), 8u);
  EXPECT_EQ(m.flat(lots).size(), 2u);
}

}  // namespace
}  // namespace silk::slight::abi
