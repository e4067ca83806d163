// silk::wasm::interp — the internal code stream that tier 0 executes.
//
// A translated function is an array of 64-bit Words. Each instruction starts
// with the address of its handler (direct threading), followed by immediate
// words: frame-slot operands as byte offsets from the frame pointer (two
// 32-bit offsets per word), constants, branch targets (Word pointers).
//
// Every handler has the same signature and ends by tail-calling the next
// instruction's handler ([[clang::musttail]]); preserve_none lets the VM
// state (ip, fp, mem, ctx, acc) stay in registers across the whole chain with
// no prologue or epilogue. {acc} is the integer accumulator: an instruction
// whose result the very next instruction consumes leaves it there instead of
// in a frame slot (no store/load round trip through memory). A handler returns only to end the chain: TrapCode::None
// from `return`, or a trap code.
//
// Frame layout (64-bit slots, fp points at slot 0):
//   [ params | declared locals | operand stack (max height) ]
// A call passes arguments in place: the callee's fp is the caller's slot of
// its first argument, and the callee leaves its results at its fp[0..n).
#pragma once

#include <cstdint>
#include <cstring>

#include "wasm/runtime/trap.h"

namespace silk::wasm {
struct InstanceCtx;
}

namespace silk::wasm::interp {

union Word;

#define SILK_HANDLER_ATTR __attribute__((preserve_none))
using Handler = SILK_HANDLER_ATTR TrapCode (*)(const Word* ip, uint64_t* fp, uint8_t* mem, InstanceCtx* ctx,
                                               uint64_t acc);

union Word {
  Handler handler;
  uint64_t u64;
  struct {
    uint32_t a, b;
  } s;  // two slot offsets / indices
  const Word* target;
  void* ptr;
};
static_assert(sizeof(Word) == 8);

// Reads/writes a value of type T in the frame slot at byte offset {off}.
template <typename T>
inline T slot_read(const uint64_t* fp, uint32_t off) {
  T v;
  // SAFETY: {off} was produced by the translator from a validated function
  // and lies inside the frame, whose size op_enter checked.
  std::memcpy(&v, reinterpret_cast<const char*>(fp) + off, sizeof(T));
  return v;
}
template <typename T>
inline void slot_write(uint64_t* fp, uint32_t off, T v) {
  std::memcpy(reinterpret_cast<char*>(fp) + off, &v, sizeof(T));
}

}  // namespace silk::wasm::interp
