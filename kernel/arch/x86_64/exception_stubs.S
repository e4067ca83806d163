// The 32 CPU exception vectors (Intel SDM vol. 3A, 6.3.1): each stub pushes a
// zero error code where the CPU pushes none, then the vector number, and
// joins isr_common, which saves the general registers as a TrapFrame
// (arch/x86_64/trap_frame.h) and calls exception_dispatch(frame). A handler
// that returns resumes the (possibly changed) frame with iretq: trap_return,
// which the SYSCALL entry also uses when SYSRET cannot restore its frame.
//
// From ring 3 the frame always ends up at the top of the process's kernel
// stack (kernel_stack_top, TSS.RSP0), where arch::user_frame() finds it.
// The CPU puts it there itself for the gates without an IST stack; #PF runs
// on an IST stack (so a kernel stack overflow is reported), and a #PF from
// ring 3 is moved to the kernel stack before anything can nest: a kernel #PF
// while serving it (a user address in a system call) reuses the IST stack.

    .section .text, "ax", @progbits
    .code64

.macro ISR_NOERR n
    .balign 16
isr_\n:
    pushq $0
    pushq $\n
    jmp isr_common
.endm
.macro ISR_ERR n
    .balign 16
isr_\n:
    pushq $\n
    jmp isr_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31

isr_common:
    // 5 CPU words + error code + vector = 56 bytes, + 15 registers = 176:
    // a multiple of 16, and the CPU aligned RSP to 16 before pushing, so the
    // call below is made with the ABI's 16-byte alignment.
    testb $3, 24(%rsp)              // CS of the interrupted code
    jz 1f
    // From ring 3: copy vector, error code and the CPU's 5 words to the top
    // of the kernel stack (a no-op copy unless this is the IST #PF), with
    // RAX parked in the slot its push below would use.
    // RBX holds the running thread's kernel_stack_top meanwhile (parked in
    // isr_scratch: one CPU, nothing can interrupt these instructions).
    movq %rbx, isr_scratch(%rip)
    movq kernel_stack_top(%rip), %rbx
    movq %rax, -64(%rbx)
    movq 0(%rsp), %rax
    movq %rax, -56(%rbx)
    movq 8(%rsp), %rax
    movq %rax, -48(%rbx)
    movq 16(%rsp), %rax
    movq %rax, -40(%rbx)
    movq 24(%rsp), %rax
    movq %rax, -32(%rbx)
    movq 32(%rsp), %rax
    movq %rax, -24(%rbx)
    movq 40(%rsp), %rax
    movq %rax, -16(%rbx)
    movq 48(%rsp), %rax
    movq %rax, -8(%rbx)
    leaq -56(%rbx), %rsp
    movq isr_scratch(%rip), %rbx
    movq -8(%rsp), %rax
1:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call exception_dispatch
    .globl trap_return
trap_return:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp                   // vector and error code
    iretq

    .section .bss
    .balign 8
isr_scratch:
    .quad 0

    .section .rodata
    .balign 8
    .globl isr_stub_table
isr_stub_table:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad isr_\n
.endr
