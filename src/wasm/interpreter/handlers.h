// silk::wasm::interp — the tier-0 instruction handlers the translator emits.
//
// Instruction layouts (Word 0 is always the handler; [a|b] is one Word
// holding two 32-bit fields; slot operands are byte offsets from fp):
//   unary                 [src|dst]
//   binary                [lhs|rhs] [dst|-]
//   binary, i32/i64 imm   [lhs|dst] [imm]
//   load                  [addr|dst] [offset]
//   store                 [addr|value] [offset]
//   const                 [dst|-] [bits]
//   copy                  [src|dst]      copyN: N [src|dst] words, N = 2..4, copied in order
//   select                [a|b] [cond|dst]
//   br                    [target]
//   br_if / br_unless     [cond|-] [target]   (*_acc: the condition is the accumulator)
//   compare + branch      [lhs|rhs] [target]       (branches when true)
//   compare imm + branch  [lhs|-] [imm] [target]
//   br_table              [index|count] [target]*(count+1)
//   enter                 [zero_slots|first_zero_off] [frame_bytes] [consts|first_const_off] [const table]
//   return, loop_check, unreachable       (no immediates)
// Branches to a loop header (back edges) use the *_back variants, which poll
// the interrupt flag: every loop iteration crosses one.
//   call / return_call    [func|argbase]
//   call_indirect (+ret)  [type|table] [argbase|index]
//   global_get/set        [global|slot]
//   memory_size           [dst|-]      memory_grow [delta|dst]
//   memory_fill           [dst|value] [len|-]
//   memory_copy           [dst|src] [len|-]
//   memory_init           [dst|src] [len|segment]
//   data_drop / elem_drop [segment|-]
//   table_get             [index|dst] [table|-]   table_set [index|value] [table|-]
//   table_size            [table|dst]             table_grow [init|delta] [table|dst]
//   table_fill            [index|value] [len|table]
//   table_copy            [dst|src] [len|-] [dst_table|src_table]
//   table_init            [dst|src] [len|segment] [table|-]
//   ref_is_null           [src|dst]    ref_func [func|dst]
#pragma once

#include "wasm/code_reader.h"
#include "wasm/engine.h"
#include "wasm/interpreter/code.h"

namespace silk::wasm::interp {

#define SILK_DECLARE_HANDLER(name) \
  SILK_HANDLER_ATTR TrapCode name(const Word* ip, uint64_t* fp, uint8_t* mem, InstanceCtx* ctx, uint64_t acc);

SILK_DECLARE_HANDLER(op_unreachable)
SILK_DECLARE_HANDLER(op_enter)
SILK_DECLARE_HANDLER(op_return)
SILK_DECLARE_HANDLER(op_loop_check)
SILK_DECLARE_HANDLER(op_br)
SILK_DECLARE_HANDLER(op_br_if)
SILK_DECLARE_HANDLER(op_br_unless)
SILK_DECLARE_HANDLER(op_br_back)
SILK_DECLARE_HANDLER(op_br_if_back)
SILK_DECLARE_HANDLER(op_br_unless_back)
SILK_DECLARE_HANDLER(op_br_if_acc)
SILK_DECLARE_HANDLER(op_br_unless_acc)
SILK_DECLARE_HANDLER(op_br_if_acc_back)
SILK_DECLARE_HANDLER(op_br_table)
SILK_DECLARE_HANDLER(op_copy)
SILK_DECLARE_HANDLER(op_copy2)
SILK_DECLARE_HANDLER(op_copy3)
SILK_DECLARE_HANDLER(op_copy4)
SILK_DECLARE_HANDLER(op_const)
SILK_DECLARE_HANDLER(op_select)
SILK_DECLARE_HANDLER(op_call)
SILK_DECLARE_HANDLER(op_call_indirect)
SILK_DECLARE_HANDLER(op_return_call)
SILK_DECLARE_HANDLER(op_return_call_indirect)
SILK_DECLARE_HANDLER(op_lazy_translate)
SILK_DECLARE_HANDLER(op_global_get)
SILK_DECLARE_HANDLER(op_global_set)
SILK_DECLARE_HANDLER(op_memory_size)
SILK_DECLARE_HANDLER(op_memory_grow)
SILK_DECLARE_HANDLER(op_memory_fill)
SILK_DECLARE_HANDLER(op_memory_copy)
SILK_DECLARE_HANDLER(op_memory_init)
SILK_DECLARE_HANDLER(op_data_drop)
SILK_DECLARE_HANDLER(op_table_get)
SILK_DECLARE_HANDLER(op_table_set)
SILK_DECLARE_HANDLER(op_table_size)
SILK_DECLARE_HANDLER(op_table_grow)
SILK_DECLARE_HANDLER(op_table_fill)
SILK_DECLARE_HANDLER(op_table_copy)
SILK_DECLARE_HANDLER(op_table_init)
SILK_DECLARE_HANDLER(op_elem_drop)
SILK_DECLARE_HANDLER(op_ref_is_null)
SILK_DECLARE_HANDLER(op_ref_func)

// The handler of a numeric op (a non-empty opcodes.def sig, not a memory op):
// unary or binary layout per its sig. Null if {op} is not one.
Handler numeric_handler(Opcode op);
// The `binary, imm` variant of {op}, or null when there is none.
Handler numeric_imm_handler(Opcode op);
// Where a binary op's operands come from: S = frame slot, A = the
// accumulator, I = immediate. Layouts: SS/AS/SA as `binary`, SI/AI as
// `binary, imm` (an operand taken from the accumulator leaves its field unused).
enum class Operands : uint8_t { SS, AS, SA, SI, AI };
// Where a result goes: its dst slot, the accumulator, or both (a value that
// local.tee stores and the next instruction also consumes).
enum class Dst : uint8_t { Slot, Acc, Both };

// A load under the given bounds-check mode, its address from the
// accumulator or a slot, its result to the accumulator (integer loads only,
// else null) or a slot.
Handler load_handler(Opcode op, BoundsChecks mode, bool addr_acc, Dst dst);
// A store: SS, AS (address in the accumulator) or SA (integer value in the
// accumulator; null for float stores).
Handler store_handler(Opcode op, BoundsChecks mode, Operands operands);
// The integer unary op {op} reading its operand from the accumulator or a
// slot and writing its result to the accumulator or a slot ([src|dst]).
// Null for ops without such forms (floats, traps).
Handler unary_variant_handler(Opcode op, bool src_acc, Dst dst);
// The {operands} form of the integer op {op}, writing its result to the
// accumulator ({to_acc}) or to its dst slot. Null when {op} (floats, traps)
// has no accumulator forms.
Handler binary_variant_handler(Opcode op, Operands operands, Dst dst);
// A fused compare-and-branch, branching when the compare is true, with the
// {operands} layout ([lhs|rhs] [target] or [lhs|-] [imm] [target]);
// {back_edge} selects the polling variant. Null when {op} has no fused form.
Handler compare_branch_handler(Opcode op, Operands operands, bool back_edge);
// The compare that is true exactly when {op} is false (i32/i64 integer
// compares only), or Opcode::Count.
Opcode negated_compare(Opcode op);

}  // namespace silk::wasm::interp
