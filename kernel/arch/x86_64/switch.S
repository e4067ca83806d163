// switch_context(save_rsp, resume_rsp) (arch/user.h): the kernel-context
// switch between threads. Only the System V callee-saved registers need
// saving: the caller saved the rest. A new thread's stack is laid out by
// prepare_thread_start (user.cc) so that the `ret` below enters
// thread_first_return, which leaves through trap_return with its TrapFrame.

    .section .text, "ax", @progbits
    .code64
    .globl switch_context
switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

    // A new thread's first run: RSP points at its TrapFrame.
    .globl thread_first_return
thread_first_return:
    jmp trap_return

    .section .note.GNU-stack, "", @progbits
