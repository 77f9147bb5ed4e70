// The same boot path in GNU as Intel syntax (.intel_syntax noprefix), switching back to AT&T for a helper.
        .intel_syntax noprefix
        .equ CR4_VMXE, 1 << 13
        .equ IA32_FEATURE_CONTROL, 0x3A
        .equ IA32_VMX_BASIC, 0x480
        .equ VMCS_GUEST_RIP, 0x681E
        .equ VMCS_EXIT_REASON, 0x4402

        .macro VMWRITE_FIELD field, src
        mov rax, \field
        vmwrite rax, \src
        .endm

        .text
        .code32
entry32:
        mov eax, cr4
        or eax, CR4_VMXE | (1 << 5)
        mov cr4, eax
        lgdt [gdt_desc]
        mov ecx, 0xC0000080
        rdmsr
        or eax, 0x100
        wrmsr
        jmp 0x18:entry64

        .code64
entry64:
        lea rsp, [rip + stack_top]
        mov ecx, IA32_FEATURE_CONTROL
        rdmsr
        test al, 1
        jnz .Llocked
        or eax, 5
        wrmsr
.Llocked:
        mov ecx, IA32_VMX_BASIC
        rdmsr
        mov dword ptr [rip + vmxon_region], eax
        mov dword ptr [rip + vmcs_region], eax
        vmxon qword ptr [rip + vmxon_ptr]
        jc .Lfail
        vmptrld qword ptr [rip + vmcs_ptr]
        lea rbx, [rip + guest]
        VMWRITE_FIELD VMCS_GUEST_RIP, rbx
        mov rdx, VMCS_EXIT_REASON
        vmread rcx, rdx
        vmlaunch
.Lfail:
        mov dx, 0x3f8
        mov al, 'E'
        out dx, al
        cli
        hlt
        jmp .Lfail

        .att_syntax
helper:
        movq %cr0, %rax
        movq %cr3, %rbx
        movq %rax, (%rbx,%rcx,8)
        ret
        .intel_syntax noprefix

guest:
        mov eax, 1
        cpuid
        mov rbx, [rsp + 8]
        mov qword ptr [rsp + rcx*8 + 0x40], rbx
        movzx eax, byte ptr [rbx]
        vmcall
        jmp guest

        .data
        .balign 8
gdt:    .quad 0, 0x00cf9a000000ffff, 0x00cf92000000ffff, 0x00af9a000000ffff
gdt_desc:
        .short . - gdt - 1
        .long gdt
vmxon_ptr: .quad vmxon_region
vmcs_ptr:  .quad vmcs_region
        .balign 4096
vmxon_region: .zero 4096
vmcs_region:  .zero 4096
        .skip 1024
stack_top:
