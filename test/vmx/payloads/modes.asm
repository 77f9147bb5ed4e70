; modes.asm - guest modes other than 64-bit (SDM 26.3.1, 26.3.2.4): a 32-bit protected-mode guest with PAE
; paging (PDPTEs loaded from guest CR3), one with 32-bit paging (4-MiB pages), a PAE guest whose PDPTE has a
; reserved bit (VM-entry failure, qualification 2), and a triple fault in the guest (exit 2).
; Golden output: modes.out (Bochs 2.7 corei7_skylake_x).
%include "oracle.inc"
%include "vmx.inc"

PAE_PDPT        equ FREE_MEM + 0x5000           ; 32-byte aligned, 4 entries
PAE_PD          equ FREE_MEM + 0x6000           ; 512 x 2-MiB pages = 0-1 GiB
PD32            equ FREE_MEM + 0x7000           ; 32-bit paging: PDE 0 = 4-MiB page

%macro FRESH 2
        PRINTLN "--- ", %1
        lea rdi, [rel %2]
        call fresh_vmcs
%endmacro

main:
        PRINTLN "=== modes ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        call build_tables

        FRESH "32-bit guest, PAE paging: CPUID exit, then HLT", g32
        call make_32bit
        VMW VMCS_GUEST_CR3, PAE_PDPT
        ENTER_REPORT 0, "VMLAUNCH"
        call skip_instruction
        ENTER_REPORT 1, "VMRESUME"
        PRINT "  guest CR0="
        VMR VMCS_GUEST_CR0
        PHEX32 rax
        PRINT " CR4="
        VMR VMCS_GUEST_CR4
        PHEX32 rax
        PRINT " CS access rights="
        VMR VMCS_GUEST_CS_AR
        PHEX32 rax
        call newline

        FRESH "32-bit guest, 32-bit paging with a 4-MiB page", g32
        call make_32bit
        mov rax, cr4
        btr rax, 5                              ; no PAE
        bts rax, 4                              ; PSE
        VMW VMCS_GUEST_CR4, rax
        VMW VMCS_GUEST_CR3, PD32
        ENTER_REPORT 0, "VMLAUNCH"

        FRESH "PAE guest whose PDPTE 1 sets reserved bit 1 [exit 0x80000021, qualification 2]", g32
        call make_32bit
        VMW VMCS_GUEST_CR3, PAE_PDPT
        or qword [abs PAE_PDPT + 8], 3
        ENTER_REPORT 0, "VMLAUNCH"
        and qword [abs PAE_PDPT + 8], ~2

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], (1 << 1) | (1 << 7)      ; enable EPT, unrestricted guest
        FRESH "unrestricted guest in unpaged protected mode (CR0.PE=1, PG=0) with EPT: CPUID exit", g32
        call make_32bit
        VMW VMCS_GUEST_CR0, 0x31
        mov rax, cr4
        btr rax, 5
        VMW VMCS_GUEST_CR4, rax
        call ept_identity
        ENTER_REPORT 0, "VMLAUNCH"
        mov dword [want_proc2], 0
        mov dword [want_proc], PROC_HLT_EXITING

        mov dword [want_proc], PROC_HLT_EXITING | PROC_TSC_OFFSETTING
        FRESH "RDTSC with TSC offsetting, offset 2^62 [no exit; bit 62 of the guest's TSC]", g_rdtsc
        mov rax, 1 << 62
        VMW VMCS_TSC_OFFSET, rax
        ENTER_REPORT 0, "VMLAUNCH"
        mov eax, [g_rdx]
        shr eax, 30
        and eax, 1
        PRINT "  guest TSC bit 62 = "
        PDEC rax
        call newline
        mov dword [want_proc], PROC_HLT_EXITING

        FRESH "triple fault: UD2 with an empty guest IDT [exit 2]", g_ud2
        VMW VMCS_GUEST_IDTR_LIMIT, 0
        ENTER_REPORT 0, "VMLAUNCH"

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

fresh_vmcs:
        push rdi
        mov rdi, VMCS_A
        call vmx_init_region
        mov qword [ptr_tmp], VMCS_A
        vmclear [ptr_tmp]
        vmptrld [ptr_tmp]
        pop rdi
        mov rsi, GUEST_STACK_TOP
        call vmcs_setup
        ret

; make_32bit: "IA-32e mode guest" = 0, CS = the stub's 32-bit code segment (28h)
make_32bit:
        VMR VMCS_ENTRY_CTLS
        and eax, ~ENTRY_IA32E_GUEST
        VMW VMCS_ENTRY_CTLS, rax
        VMW VMCS_GUEST_CS_SEL, SEL_CODE32
        VMW VMCS_GUEST_CS_AR, 0xC09B
        ret

build_tables:
        mov rdi, PAE_PD
        xor eax, eax
.pd:    mov rdx, rax
        shl rdx, 21
        or rdx, 0x83
        mov [rdi + rax * 8], rdx
        inc eax
        cmp eax, 512
        jb .pd
        mov qword [abs PAE_PDPT], PAE_PD | 1
        mov qword [abs PAE_PDPT + 8], 0
        mov qword [abs PAE_PDPT + 16], 0
        mov qword [abs PAE_PDPT + 24], 0
        mov rdi, PD32
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [abs PD32], 0x83
        ret

g_ud2:
        ud2
g_rdtsc:
        rdtsc
        hlt

; EPT identity map of 0-4 GiB with 1-GiB pages
EPT_PML4        equ FREE_MEM + 0x8000
EPT_PDPT        equ FREE_MEM + 0x9000
ept_identity:
        mov rdi, EPT_PDPT
        xor eax, eax
.map:   mov rdx, rax
        shl rdx, 30
        or rdx, 0x80 | (6 << 3) | 7
        mov [rdi + rax * 8], rdx
        inc eax
        cmp eax, 4
        jb .map
        mov qword [abs EPT_PML4], EPT_PDPT | 7
        VMW VMCS_EPTP, EPT_PML4 | (3 << 3) | 6
        ret

        bits 32
g32:
        xor eax, eax
        xor ecx, ecx
        cpuid
        hlt
        bits 64

        align 8
ptr_tmp: dq 0
