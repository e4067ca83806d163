// SYSCALL entry (Intel SDM vol. 2B, SYSCALL): the CPU leaves RIP in RCX and
// RFLAGS in R11, loads CS/SS from STAR and masks RFLAGS with FMASK (IF, DF,
// TF, AC, NT cleared); RSP is still the user's. One CPU and no preemption,
// so a global holds the user RSP while the entry switches to the kernel's
// syscall stack (no swapgs: the kernel does not use GS). The registers are
// saved as a SyscallFrame (syscalls.h); syscall_dispatch puts the result in
// its rax; every register but RAX, RCX and R11 comes back unchanged, as on
// Linux. Return is sysretq (RCX/R11 from the frame; user RIP is canonical
// because only the CPU wrote it).

    .section .text, "ax", @progbits
    .code64
    .globl syscall_entry
syscall_entry:
    movq %rsp, syscall_user_rsp(%rip)
    movq $syscall_stack_top, %rsp
    pushq syscall_user_rsp(%rip)
    pushq %r11
    pushq %rcx
    pushq %rax
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %r10
    pushq %r8
    pushq %r9
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    // 16 words: RSP stays 16-byte aligned for the call.
    movq %rsp, %rdi
    call syscall_dispatch
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    popq %r9
    popq %r8
    popq %r10
    popq %rdx
    popq %rsi
    popq %rdi
    popq %rax
    popq %rcx
    popq %r11
    popq %rsp
    sysretq

    .section .bss
    .balign 8
syscall_user_rsp:
    .quad 0

    // The process's kernel stack: system calls, and exceptions from ring 3
    // (TSS.RSP0). Not zeroed at boot.
    .section .stacks.syscall, "aw", @nobits
    .balign 4096
    .skip 32768
    .globl syscall_stack_top
syscall_stack_top:
