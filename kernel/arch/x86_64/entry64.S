// The ELF entry point, used by silk's own monitor (include/silk/hvt_abi.h):
// the vCPU starts here in 64-bit long mode with RDI = guest-physical address
// of HvtBootInfo, identity-mapped 2 MiB pages over all guest memory, a flat
// GDT (code 0x08, data 0x10), interrupts off. No stack is promised.
//
// Also defines the boot stack (64 KiB) with an unmapped guard page below it
// (mm/address_space leaves [boot_stack_guard, +4 KiB) out of the kernel map,
// so an overflow is a #PF, handled on an IST stack).

#define BOOT_PATH_HVT 0

    .section .text.entry, "ax", @progbits
    .code64
    .globl _start64
_start64:
    cli
    cld
    mov %rdi, %r12                  // boot info: rep stos clobbers rdi

    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    shr $3, %ecx
    xor %eax, %eax
    rep stosq

    mov $boot_stack_top, %rsp
    xor %ebp, %ebp
    mov $BOOT_PATH_HVT, %edi
    mov %r12, %rsi
    call kernel_entry
1:  cli
    hlt
    jmp 1b

    .section .stacks.boot, "aw", @nobits
    .balign 4096
    .globl boot_stack_guard
boot_stack_guard:
    .skip 4096
    .globl boot_stack_bottom
boot_stack_bottom:
    .skip 65536
    .globl boot_stack_top
boot_stack_top:
