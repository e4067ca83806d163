#include "cli/spectest_host.h"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/json_value.h"

namespace silk::cli {

using wasm::ValType;

namespace {

wasm::Function* make_print(wasm::Store& store, std::string name, std::vector<ValType> params,
                           bool print) {
  wasm::FuncType type{std::move(params), {}};
  auto fn = [print, name](wasm::HostCall&, std::span<const wasm::Value> args,
                          std::span<wasm::Value>) -> wasm::Result<void> {
    if (!print) return {};
    std::string line = "spectest." + name + "(";
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) line += ", ";
      line += format_value(args[i]);
    }
    std::printf("%s)\n", line.c_str());
    return {};
  };
  return store.create_host_function(std::move(type), std::move(fn), "spectest." + name);
}

}  // namespace

wasm::Result<SpectestHost> SpectestHost::create(wasm::Store& store, bool print) {
  SpectestHost host;
  auto& ex = host.exports_;
  ex["print"] = wasm::Extern::func(make_print(store, "print", {}, print));
  ex["print_i32"] = wasm::Extern::func(make_print(store, "print_i32", {ValType::I32}, print));
  ex["print_i64"] = wasm::Extern::func(make_print(store, "print_i64", {ValType::I64}, print));
  ex["print_f32"] = wasm::Extern::func(make_print(store, "print_f32", {ValType::F32}, print));
  ex["print_f64"] = wasm::Extern::func(make_print(store, "print_f64", {ValType::F64}, print));
  ex["print_i32_f32"] =
      wasm::Extern::func(make_print(store, "print_i32_f32", {ValType::I32, ValType::F32}, print));
  ex["print_f64_f64"] =
      wasm::Extern::func(make_print(store, "print_f64_f64", {ValType::F64, ValType::F64}, print));

  ex["global_i32"] = wasm::Extern::global(
      store.create_global({ValType::I32, false}, wasm::Value::i32(666)));
  ex["global_i64"] = wasm::Extern::global(
      store.create_global({ValType::I64, false}, wasm::Value::i64(666)));
  ex["global_f32"] = wasm::Extern::global(
      store.create_global({ValType::F32, false}, wasm::Value::f32_bits(std::bit_cast<uint32_t>(666.6f))));
  ex["global_f64"] = wasm::Extern::global(
      store.create_global({ValType::F64, false}, wasm::Value::f64_bits(std::bit_cast<uint64_t>(666.6))));

  wasm::TableType table_type{ValType::FuncRef, {10, true, 20}};
  wasm::Table* table = SILK_TRY(store.create_table(table_type));
  ex["table"] = wasm::Extern::table(table);

  wasm::MemoryType memory_type{{1, true, 2}};
  wasm::Memory* memory = SILK_TRY(store.create_memory(memory_type));
  ex["memory"] = wasm::Extern::memory(memory);
  return host;
}

std::optional<wasm::Extern> SpectestHost::find(std::string_view name) const {
  auto it = exports_.find(name);
  if (it == exports_.end()) return std::nullopt;
  return it->second;
}

}  // namespace silk::cli
