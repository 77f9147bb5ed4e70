# A minimal VT-x hypervisor boot path in GNU as AT&T syntax: real mode -> protected mode -> long mode,
# then VMXON, VMCS setup and VMLAUNCH of a guest that executes CPUID and VMCALL.
        .equ CR0_PE, 1 << 0
        .equ CR0_PG, 1 << 31
        .equ CR4_PAE, 1 << 5
        .equ CR4_VMXE, 1 << 13
        .equ IA32_EFER, 0xC0000080
        .equ IA32_FEATURE_CONTROL, 0x3A
        .equ IA32_VMX_BASIC, 0x480
        .set GUEST_RIP, 0x681E
        .set GUEST_RSP, 0x681C
        HOST_RIP = 0x6C16
        HOST_RSP = 0x6C14

        .macro vmwrite_imm field, value=0
        movq $\field, %rax
        movq \value, %rbx
        vmwrite %rbx, %rax
        .endm

        .text
        .code16
        .globl _start
_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %ss
        movw $0x7c00, %sp
        lgdtl gdt_desc
        movl %cr0, %eax
        orl $CR0_PE, %eax
        movl %eax, %cr0
        ljmp $0x08, $pm32

        .code32
pm32:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl %cr4, %eax
        orl $(CR4_PAE | CR4_VMXE), %eax
        movl %eax, %cr4
        movl $pml4, %eax
        movl %eax, %cr3
        movl $IA32_EFER, %ecx
        rdmsr
        btsl $8, %eax
        wrmsr
        movl %cr0, %eax
        orl $CR0_PG, %eax
        movl %eax, %cr0
        ljmp $0x18, $lm64

        .code64
lm64:
        movq $stack_top, %rsp
        movl $IA32_FEATURE_CONTROL, %ecx
        rdmsr
        testl $1, %eax
        jnz 1f
        orl $5, %eax
        wrmsr
1:      movl $IA32_VMX_BASIC, %ecx
        rdmsr
        movl %eax, vmxon_region(%rip)
        movl %eax, vmcs_region(%rip)
        vmxon vmxon_ptr(%rip)
        jbe fail
        vmclear vmcs_ptr(%rip)
        vmptrld vmcs_ptr(%rip)
        jbe fail
        vmwrite_imm GUEST_RIP, $guest
        vmwrite_imm GUEST_RSP, $guest_stack
        vmwrite_imm HOST_RIP, $exit_handler
        vmwrite_imm HOST_RSP, %rsp
        movq $0x4402, %rdx
        vmread %rdx, %rax
        vmlaunch
        jmp fail

exit_handler:
        movq $0x4402, %rax
        vmread %rax, %rbx
        cmpq $18, %rbx
        jne 2f
        movq $0x681E, %rax
        vmread %rax, %rcx
        addq $3, %rcx
        vmwrite %rcx, %rax
        vmresume
2:      invept ept_desc(%rip), %rax
        invvpid ept_desc(%rip), %rax
        vmptrst vmcs_ptr(%rip)
        vmxoff
fail:
        movw $0x3f8, %dx
        movb $'F', %al
        outb %al, %dx
        hlt
        jmp fail

guest:
        xorl %eax, %eax
        cpuid
        vmcall
        .rept 3
        nop
        .endr
        jmp guest

        .data
        .p2align 3
gdt:    .quad 0
        .quad 0x00cf9a000000ffff
        .quad 0x00cf92000000ffff
        .quad 0x00af9a000000ffff
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt
vmxon_ptr: .quad vmxon_region
vmcs_ptr:  .quad vmcs_region
ept_desc:  .quad 0, 0
msg:    .asciz "VMX ok"
        .balign 4096
pml4:   .quad pdpt + 3
        .fill 511, 8, 0
pdpt:   .quad 0x83
        .fill 511, 8, 0
vmxon_region: .skip 4096
vmcs_region:  .skip 4096
        .space 512
stack_top:
guest_stack = stack_top - 256
