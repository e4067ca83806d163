// Instantiation cost of silk modules (Google Benchmark).
//
//   build/bench/instantiate_bench [--module=APP.wasm] [benchmark flags...]
//
// Measures, for the small module (bench/small_module.wat) and for one WASI
// workload (bench/wasm/fib.wasm by default, its imports bound to stub host
// functions):
//   LoadModule          load_module(bytes): decode + validate
//   Instantiate         Store::instantiate of a prepared (loaded) module into an
//                       existing Store (memories, globals, tables, segments)
//   StoreInstantiate    a fresh Store + instantiate + Store teardown: what a
//                       runtime pays per request if it uses one Store per request
//   FirstCall           instantiate + the first call of an export (includes the
//                       lazy translation of the functions it runs)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "wasm/engine.h"

using namespace silk::wasm;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "instantiate_bench: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::shared_ptr<const Module> load_or_die(const std::vector<uint8_t>& bytes, const std::string& what) {
  auto m = load_module(bytes);
  if (!m.ok()) {
    std::fprintf(stderr, "instantiate_bench: %s: %s\n", what.c_str(), m.error().describe().c_str());
    std::exit(2);
  }
  return m.value();
}

// Stub host functions for every function import (results zero); other import
// kinds are not needed by our modules.
std::vector<Extern> stub_imports(Store& store, const Module& module) {
  std::vector<Extern> externs;
  for (const ImportInfo& imp : module_imports(module)) {
    if (imp.kind != ExternKind::Func) {
      std::fprintf(stderr, "instantiate_bench: unsupported import kind for %s.%s\n", imp.module.c_str(),
                   imp.name.c_str());
      std::exit(2);
    }
    externs.push_back(Extern::func(store.create_host_function(
        imp.func, [](HostCall&, std::span<const Value>, std::span<Value> results) -> Result<void> {
          for (Value& r : results) r.bits = 0;
          return {};
        })));
  }
  return externs;
}

struct Subject {
  std::string name;
  std::vector<uint8_t> bytes;
  std::shared_ptr<const Module> module;
  std::string first_call;  // an export with no parameters, or ""
};

void bm_load_module(benchmark::State& state, const Subject* s) {
  for (auto _ : state) {
    auto m = load_module(s->bytes);
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(s->bytes.size()));
}

void bm_instantiate(benchmark::State& state, const Subject* s) {
  // Instances accumulate in a Store until it is destroyed: replace the Store
  // (outside the timed region) every kBatch instances.
  constexpr int kBatch = 256;
  auto store = std::make_unique<Store>();
  auto imports = stub_imports(*store, *s->module);
  int in_store = 0;
  for (auto _ : state) {
    if (in_store == kBatch) {
      state.PauseTiming();
      store.reset();
      store = std::make_unique<Store>();
      imports = stub_imports(*store, *s->module);
      in_store = 0;
      state.ResumeTiming();
    }
    auto inst = store->instantiate(s->module, imports);
    if (!inst.ok()) {
      state.SkipWithError(inst.error().describe().c_str());
      break;
    }
    ++in_store;
  }
  store.reset();  // after the loop: not timed
}

void bm_store_instantiate(benchmark::State& state, const Subject* s) {
  for (auto _ : state) {
    Store store;
    auto imports = stub_imports(store, *s->module);
    auto inst = store.instantiate(s->module, imports);
    if (!inst.ok()) {
      state.SkipWithError(inst.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(inst.value());
  }
}

void bm_first_call(benchmark::State& state, const Subject* s) {
  for (auto _ : state) {
    Store store;
    auto imports = stub_imports(store, *s->module);
    auto inst = store.instantiate(s->module, imports);
    if (!inst.ok()) {
      state.SkipWithError(inst.error().describe().c_str());
      break;
    }
    auto r = store.call(inst.value()->function(s->first_call), {});
    if (!r.ok()) {
      state.SkipWithError(r.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload = SILK_BENCH_DIR "/wasm/fib.wasm";
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--module=", 9) == 0) {
      workload = argv[i] + 9;
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = int(rest.size());

  static std::vector<Subject> subjects;
  subjects.reserve(2);
  subjects.push_back({"small", read_file(SILK_BENCH_DIR "/small_module.wasm"), nullptr, "checksum"});
  if (std::ifstream(workload).good()) {
    std::string base = workload.substr(workload.find_last_of('/') + 1);
    subjects.push_back({base, read_file(workload), nullptr, ""});
  } else {
    std::fprintf(stderr, "instantiate_bench: %s not found; only the small module is measured\n",
                 workload.c_str());
  }
  for (Subject& s : subjects) {
    s.module = load_or_die(s.bytes, s.name);
    const Subject* p = &s;
    benchmark::RegisterBenchmark(("LoadModule/" + s.name).c_str(), bm_load_module, p)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("Instantiate/" + s.name).c_str(), bm_instantiate, p)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("StoreInstantiate/" + s.name).c_str(), bm_store_instantiate, p)
        ->Unit(benchmark::kMicrosecond);
    if (!s.first_call.empty())
      benchmark::RegisterBenchmark(("FirstCall/" + s.name).c_str(), bm_first_call, p)
          ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&rest_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
