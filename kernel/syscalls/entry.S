// SYSCALL entry (Intel SDM vol. 2B, SYSCALL): the CPU leaves RIP in RCX and
// RFLAGS in R11, loads CS/SS from STAR and masks RFLAGS with FMASK (IF, DF,
// TF, AC, NT cleared); RSP is still the user's. One CPU and no preemption,
// so a global holds the user RSP while the entry switches to the running
// thread's kernel stack (kernel_stack_top; no swapgs: the kernel does not
// use GS).
//
// The entry builds the same TrapFrame an exception from ring 3 gets
// (arch/x86_64/trap_frame.h): the five words of an interrupt frame (SS, RSP,
// RFLAGS = R11, CS, RIP = RCX), error code 0, kVectorSyscall, then the
// general registers in isr_common's order. syscall_dispatch runs the call
// (the result goes to the frame's RAX) and may change any of it (signal
// delivery, rt_sigreturn); it returns nonzero when SYSRET can restore the
// frame (RCX = RIP, R11 = RFLAGS, RIP canonical: arch::can_sysret), else
// the return goes through trap_return's IRETQ, which restores everything.

    .section .text, "ax", @progbits
    .code64
    .globl syscall_entry
syscall_entry:
    movq %rsp, syscall_user_rsp(%rip)
    movq kernel_stack_top(%rip), %rsp
    pushq $0x1b                     // SS: user data, RPL 3 (gdt.h kUserData)
    pushq syscall_user_rsp(%rip)
    pushq %r11                      // RFLAGS
    pushq $0x23                     // CS: user code, RPL 3 (gdt.h kUserCode)
    pushq %rcx                      // RIP
    pushq $0                        // error code
    pushq $256                      // vector: kVectorSyscall
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    // 22 words: RSP stays 16-byte aligned for the call.
    movq %rsp, %rdi
    call syscall_dispatch
    testl %eax, %eax
    jz trap_return
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    // RSP -> vector, error code, RIP, CS, RFLAGS, RSP, SS. RCX and R11 hold
    // RIP and RFLAGS (arch::can_sysret checked), so only RSP is left.
    movq 40(%rsp), %rsp
    sysretq

    .section .bss
    .balign 8
syscall_user_rsp:
    .quad 0

    // The running thread's kernel stack top (arch::set_kernel_stack): where
    // system calls and exceptions from ring 3 put their TrapFrame. The first
    // thread's is syscall_stack_top below.
    .section .data
    .balign 8
    .globl kernel_stack_top
kernel_stack_top:
    .quad syscall_stack_top

    // The process's kernel stack: system calls, and exceptions from ring 3
    // (TSS.RSP0; the #PF entry moves its frame here from its IST stack).
    // Not zeroed at boot.
    .section .stacks.syscall, "aw", @nobits
    .balign 4096
    .skip 32768
    .globl syscall_stack_top
syscall_stack_top:
