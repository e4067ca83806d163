/* bytecode_vm [n] — a small stack-based bytecode interpreter (switch dispatch)
 * running a program that sums Collatz stopping times for 1..n and mixes a
 * rolling hash: the workload of an interpreter inside the interpreter. kind: int */
#include "bench_util.h"

enum Op {
  PUSH, LOAD, STORE, ADD, SUB, MUL, AND, XOR, SHR, SHL, LT, NE, JZ, JNZ, JMP, INC, DUP, POP, HALT
};

typedef struct {
  int64_t* code;
  int len;
} Program;

static int64_t run(const int64_t* code, int64_t* reg) {
  int64_t stack[64];
  int sp = 0, pc = 0;
  for (;;) {
    int64_t op = code[pc++];
    switch (op) {
      case PUSH: stack[sp++] = code[pc++]; break;
      case LOAD: stack[sp++] = reg[code[pc++]]; break;
      case STORE: reg[code[pc++]] = stack[--sp]; break;
      case ADD: --sp; stack[sp - 1] += stack[sp]; break;
      case SUB: --sp; stack[sp - 1] -= stack[sp]; break;
      case MUL: --sp; stack[sp - 1] *= stack[sp]; break;
      case AND: --sp; stack[sp - 1] &= stack[sp]; break;
      case XOR: --sp; stack[sp - 1] ^= stack[sp]; break;
      case SHR: --sp; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> stack[sp]); break;
      case SHL: --sp; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] << stack[sp]); break;
      case LT: --sp; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case NE: --sp; stack[sp - 1] = stack[sp - 1] != stack[sp]; break;
      case JZ: { int64_t t = code[pc++]; if (stack[--sp] == 0) pc = (int)t; break; }
      case JNZ: { int64_t t = code[pc++]; if (stack[--sp] != 0) pc = (int)t; break; }
      case JMP: pc = (int)code[pc]; break;
      case INC: reg[code[pc]]++; pc++; break;
      case DUP: stack[sp] = stack[sp - 1]; ++sp; break;
      case POP: --sp; break;
      case HALT: return reg[1];
      default: return -1;
    }
  }
}

/* A tiny assembler with back-patched labels. */
typedef struct {
  int64_t code[256];
  int len;
} Asm;
static void emit(Asm* a, int64_t v) { a->code[a->len++] = v; }
static int here(Asm* a) { return a->len; }

int main(int argc, char** argv) {
  int64_t n = bench_size(argc, argv, 150000);
  /* registers: r0 = i, r1 = acc, r2 = n, r3 = x, r4 = steps */
  Asm a = {{0}, 0};
  emit(&a, PUSH); emit(&a, 1); emit(&a, STORE); emit(&a, 0);  /* i = 1 */
  emit(&a, PUSH); emit(&a, 0); emit(&a, STORE); emit(&a, 1);  /* acc = 0 */
  int outer = here(&a);
  emit(&a, LOAD); emit(&a, 0); emit(&a, LOAD); emit(&a, 2); emit(&a, LT);
  emit(&a, JZ); int patch_end = here(&a); emit(&a, 0);
  emit(&a, LOAD); emit(&a, 0); emit(&a, STORE); emit(&a, 3);  /* x = i */
  emit(&a, PUSH); emit(&a, 0); emit(&a, STORE); emit(&a, 4);  /* steps = 0 */
  int inner = here(&a);
  emit(&a, LOAD); emit(&a, 3); emit(&a, PUSH); emit(&a, 1); emit(&a, NE);
  emit(&a, JZ); int patch_inner_end = here(&a); emit(&a, 0);
  emit(&a, INC); emit(&a, 4);
  emit(&a, LOAD); emit(&a, 3); emit(&a, PUSH); emit(&a, 1); emit(&a, AND);
  emit(&a, JNZ); int patch_odd = here(&a); emit(&a, 0);
  emit(&a, LOAD); emit(&a, 3); emit(&a, PUSH); emit(&a, 1); emit(&a, SHR);  /* x >>= 1 */
  emit(&a, STORE); emit(&a, 3);
  emit(&a, JMP); emit(&a, inner);
  a.code[patch_odd] = here(&a);
  emit(&a, LOAD); emit(&a, 3); emit(&a, DUP); emit(&a, PUSH); emit(&a, 1); emit(&a, SHL);
  emit(&a, ADD); emit(&a, PUSH); emit(&a, 1); emit(&a, ADD);                  /* x = 3x + 1 */
  emit(&a, STORE); emit(&a, 3);
  emit(&a, JMP); emit(&a, inner);
  a.code[patch_inner_end] = here(&a);
  /* acc = (acc * 31) ^ steps */
  emit(&a, LOAD); emit(&a, 1); emit(&a, PUSH); emit(&a, 31); emit(&a, MUL);
  emit(&a, LOAD); emit(&a, 4); emit(&a, XOR); emit(&a, STORE); emit(&a, 1);
  emit(&a, INC); emit(&a, 0);
  emit(&a, JMP); emit(&a, outer);
  a.code[patch_end] = here(&a);
  emit(&a, HALT);

  int64_t reg[8] = {0, 0, n, 0, 0, 0, 0, 0};
  double t0 = bench_now_ms();
  int64_t r = run(a.code, reg);
  double t1 = bench_now_ms();
  bench_report_u64((uint64_t)r, t1 - t0);
  return 0;
}
