; modes.asm - guest modes other than 64-bit (SDM 26.3.1, 26.3.2.4): a 32-bit protected-mode guest with PAE
; paging (PDPTEs loaded from guest CR3), one with 32-bit paging (4-MiB pages), a PAE guest whose PDPTE has a
; reserved bit (VM-entry failure, qualification 2), and a triple fault in the guest (exit 2).
; Golden output: modes.out (Bochs 2.7 corei7_skylake_x).
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"

PD32            equ FREE_MEM + 0x7000           ; 32-bit paging: PDE 0 = 4-MiB page

main:
        PRINTLN "=== modes ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        call build_tables

        CASE "32-bit guest, PAE paging: CPUID exit, then HLT", g32
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

        CASE "32-bit guest, 32-bit paging with a 4-MiB page", g32
        call make_32bit
        mov rax, cr4
        btr rax, 5                              ; no PAE
        bts rax, 4                              ; PSE
        VMW VMCS_GUEST_CR4, rax
        VMW VMCS_GUEST_CR3, PD32
        ENTER_REPORT 0, "VMLAUNCH"

        CASE "PAE guest whose PDPTE 1 sets reserved bit 1 [exit 0x80000021, qualification 2]", g32
        call make_32bit
        VMW VMCS_GUEST_CR3, PAE_PDPT
        or qword [abs PAE_PDPT + 8], 3
        ENTER_REPORT 0, "VMLAUNCH"
        and qword [abs PAE_PDPT + 8], ~2

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], (1 << 1) | (1 << 7)      ; enable EPT, unrestricted guest
        CASE "unrestricted guest in unpaged protected mode (CR0.PE=1, PG=0) with EPT: CPUID exit", g32
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
        CASE "RDTSC with TSC offsetting, offset 2^62 [no exit; bit 62 of the guest's TSC]", g_rdtsc
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

        CASE "triple fault: UD2 with an empty guest IDT [exit 2]", g_ud2
        VMW VMCS_GUEST_IDTR_LIMIT, 0
        ENTER_REPORT 0, "VMLAUNCH"

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

build_tables:
        mov edx, 0x83
        call pae_tables
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

        bits 32
g32:
        xor eax, eax
        xor ecx, ecx
        cpuid
        hlt
        bits 64

        align 8
