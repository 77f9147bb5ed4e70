; A minimal VT-x hypervisor in NASM: boot sector style real -> protected -> long mode, VMXON, VMCS setup,
; VMLAUNCH, an exit handler, and the GDT and paging structures as data.
%define CR0_PE          (1 << 0)
%define CR0_PG          (1 << 31)
%define CR4_PAE         (1 << 5)
%define CR4_VMXE        (1 << 13)
IA32_EFER               equ 0xC0000080
IA32_FEATURE_CONTROL    equ 0x3A
IA32_VMX_BASIC          equ 0x480
%assign VMCS_GUEST_RIP  0x681E
%assign VMCS_GUEST_RSP  VMCS_GUEST_RIP - 2
VMCS_HOST_RIP           equ 0x6C16
VMCS_EXIT_REASON        equ 0x4402

%macro VMWRITE 2
        mov rax, %1
        vmwrite rax, %2
%endmacro

%macro CHECK_VM 0-1 fail
        jbe %1
%endmacro

        bits 16
        org 0x7C00
start:
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7C00
        lgdt [gdt_desc]
        mov eax, cr0
        or eax, CR0_PE
        mov cr0, eax
        jmp 0x08:pm32

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov eax, cr4
        or eax, CR4_PAE | CR4_VMXE
        mov cr4, eax
        mov eax, pml4
        mov cr3, eax
        mov ecx, IA32_EFER
        rdmsr
        bts eax, 8
        wrmsr
        mov eax, cr0
        or eax, CR0_PG
        mov cr0, eax
        jmp 0x18:lm64

        bits 64
lm64:
        mov rsp, stack_top
        mov ecx, IA32_FEATURE_CONTROL
        rdmsr
        test eax, 1
        jnz .locked
        or eax, 5
        wrmsr
.locked:
        mov ecx, IA32_VMX_BASIC
        rdmsr
        mov [rel vmxon_region], eax
        mov [rel vmcs_region], eax
        vmxon [rel vmxon_ptr]
        CHECK_VM
        vmclear [rel vmcs_ptr]
        vmptrld [rel vmcs_ptr]
        CHECK_VM fail
        lea rbx, [rel guest]
        VMWRITE VMCS_GUEST_RIP, rbx
        lea rbx, [rel guest_stack]
        VMWRITE VMCS_GUEST_RSP, rbx
        lea rbx, [rel exit_handler]
        VMWRITE VMCS_HOST_RIP, rbx
        vmlaunch
        jmp fail

exit_handler:
        mov rax, VMCS_EXIT_REASON
        vmread rbx, rax
        cmp rbx, 18
        jne .other
        mov rax, VMCS_GUEST_RIP
        vmread rcx, rax
        add rcx, 3
        vmwrite rax, rcx
        vmresume
.other:
        invept rax, [rel ept_desc]
        invvpid rax, [rel ept_desc]
        vmptrst [rel vmcs_ptr]
        vmxoff
fail:
        mov dx, 0x3F8
        mov al, 'F'
        out dx, al
        hlt
        jmp fail

guest:
        xor eax, eax
        cpuid
        vmcall
%rep 3
        nop
%endrep
        jmp guest

        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF
        dq 0x00CF92000000FFFF
        dq 0x00AF9A000000FFFF
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd gdt
vmxon_ptr: dq vmxon_region
vmcs_ptr:  dq vmcs_region
ept_desc:  dq 0, 0
msg:    db "VMX ok", 0
        align 4096
pml4:   dq pdpt + 3
        times 511 dq 0
pdpt:   dq 0x83
        times 511 dq 0
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
        times 512 db 0
stack_top:
guest_stack equ stack_top - 256
