// PVH boot (QEMU -M microvm, Firecracker): the 32-bit entry named by the
// XEN_ELFNOTE_PHYS32_ENTRY note. Per the PVH boot ABI (xen/include/public/
// arch-x86/hvm/start_info.h, "Boot ABI"): 32-bit protected mode, paging off,
// flat CS/DS, EBX = physical address of struct hvm_start_info, no stack.
//
// We build our own GDT, identity-map the low 4 GiB with 1 GiB or 2 MiB pages (the
// start info, its memory map and command line, and QEMU's initrd all sit
// below 4 GiB), enable PAE, EFER.LME and paging, and jump to 64-bit code that
// calls kernel_entry(kBootPvh, start_info). kmain then switches to page
// tables of its own (mm/address_space).

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define BOOT_PATH_PVH 1

// The note: namesz 4 ("Xen\0"), descsz 8, type 18, desc = entry address.
// The desc is 8 bytes as in Linux (_ASM_PTR): QEMU reads a size_t from it.
    .section .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 8
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .balign 4
    .quad pvh_start32
    .balign 4

    .section .text.boot32, "ax", @progbits
    .code32
    .globl pvh_start32
pvh_start32:
    cli
    cld
    mov %ebx, %esi                  // start_info: survives rep stos (uses edi/ecx/eax)

    // Zero .bss (holds the page tables and the boot stack).
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl

    // PML4[0] -> PDPT. With 1 GiB pages (CPUID 0x80000001 EDX bit 26):
    // PDPT[0..3] = i GiB | PS|RW|P. Otherwise PDPT[0..3] -> PD[0..3] with
    // PD[i] = i * 2 MiB | PS|RW|P (2048 stores: slow where ring 0 is emulated).
    mov $pvh_pdpt, %eax
    or $0x3, %eax
    mov %eax, pvh_pml4
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb 3f
    mov $0x80000001, %eax
    cpuid
    bt $26, %edx
    jnc 3f
    mov $0x83, %eax
    xor %ecx, %ecx
4:  mov %eax, pvh_pdpt(,%ecx,8)
    add $0x40000000, %eax
    inc %ecx
    cmp $4, %ecx
    jb 4b
    jmp 5f
3:  mov $pvh_pd, %eax
    or $0x3, %eax
    xor %ecx, %ecx
1:  mov %eax, pvh_pdpt(,%ecx,8)
    add $0x1000, %eax
    inc %ecx
    cmp $4, %ecx
    jb 1b
    mov $0x83, %eax
    xor %ecx, %ecx
2:  mov %eax, pvh_pd(,%ecx,8)
    add $0x200000, %eax
    inc %ecx
    cmp $2048, %ecx
    jb 2b
5:
    mov %cr4, %eax
    or $0x20, %eax                  // CR4.PAE
    mov %eax, %cr4
    mov $pvh_pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx           // IA32_EFER
    rdmsr
    or $0x100, %eax                 // LME
    wrmsr
    lgdt pvh_gdt_pointer
    mov %cr0, %eax
    or $0x80000001, %eax            // PG | PE
    mov %eax, %cr0
    ljmp $0x08, $pvh_start64

    .code64
pvh_start64:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    mov $boot_stack_top, %rsp
    xor %ebp, %ebp
    mov $BOOT_PATH_PVH, %edi
    mov %esi, %esi                  // zero-extend start_info into rsi
    call kernel_entry
6:  cli
    hlt
    jmp 6b

    .section .rodata
    .balign 16
pvh_gdt:
    .quad 0                         // null
    .quad 0x00af9a000000ffff        // 0x08: 64-bit code
    .quad 0x00cf92000000ffff        // 0x10: data
pvh_gdt_end:
    .balign 4
pvh_gdt_pointer:
    .word pvh_gdt_end - pvh_gdt - 1
    .long pvh_gdt

    .section .bss, "aw", @nobits
    .balign 4096
pvh_pml4:   .skip 4096
pvh_pdpt:   .skip 4096
    // Fully written when used: not zeroed.
    .section .stacks.pvh_pd, "aw", @nobits
    .balign 4096
pvh_pd:     .skip 4 * 4096
