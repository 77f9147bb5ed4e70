; entry-modes.asm - VM-entry checks that only guests outside 64-bit mode reach (SDM 26.3.1.2 for virtual-8086
; and unrestricted real-mode guests, 26.3.1.6 for PDPTEs with PAE paging), each next to a valid guest of the
; same mode that enters: a virtual-8086 guest (its HLT faults, #GP exits through the exception bitmap), an
; unrestricted real-mode guest with EPT (HLT exit), a PAE guest with EPT whose PDPTEs come from the VMCS
; (CPUID exit). Check ids of ../shared/reference/vm-entry-checks.md in brackets.
; Golden output: entry-modes.out (Bochs 2.7 corei7_skylake_x; SDM corrections, if any, in README.md).
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"

VMCS_PROC2              equ 0x401E
VMCS_GUEST_PDPTE0       equ 0x280A
VMCS_GUEST_PDPTE1       equ 0x280C
VMCS_GUEST_PDPTE2       equ 0x280E
VMCS_GUEST_PDPTE3       equ 0x2810
P2_EPT                  equ 1 << 1
P2_URG                  equ 1 << 7
SEG16                   equ PAYLOAD_BASE >> 4   ; real-mode / virtual-8086 segment of the payload

; CASE "title": a case whose guest starts at g32
%macro CASE 1
        CASE %1, g32
%endmacro
%macro LAUNCH 0
        ENTER_REPORT 0, "VMLAUNCH"
%endmacro

main:
        PRINTLN "=== entry-modes ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        call build_tables

        ; ---- virtual-8086 guest (RFLAGS.VM=1) under PAE paging
        CASE "virtual-8086 guest [VM entry; its HLT raises #GP: exit 0, vector 13]"
        call make_v86
        LAUNCH
        CASE "[GSEG-04] virtual-8086 DS base not selector x 16"
        call make_v86
        VMW VMCS_GUEST_DS_BASE, (SEG16 << 4) + 0x10
        LAUNCH
        CASE "[GSEG-09] virtual-8086 ES limit FFFFFh"
        call make_v86
        VMW VMCS_GUEST_ES_LIMIT, 0xFFFFF
        LAUNCH
        CASE "[GSEG-10] virtual-8086 CS access rights FBh (code) instead of F3h"
        call make_v86
        VMW VMCS_GUEST_CS_AR, 0xFB
        LAUNCH
        CASE "[GSEG-10] virtual-8086 SS access rights 93h (DPL 0)"
        call make_v86
        VMW VMCS_GUEST_SS_AR, 0x93
        LAUNCH

        ; ---- unrestricted guest in real mode (CR0.PE=0, PG=0) with EPT
        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], P2_EPT | P2_URG
        CASE "unrestricted real-mode guest [VM entry; HLT exit 12]"
        call make_real
        LAUNCH
        CASE "[GSEG-16] real-mode CS of type 3 with DPL 1"
        call make_real
        VMW VMCS_GUEST_CS_AR, 0xB3
        LAUNCH
        CASE "[GSEG-20] SS DPL 1 with CR0.PE=0"
        call make_real
        VMW VMCS_GUEST_SS_AR, 0xB3
        LAUNCH
        mov dword [want_proc2], 0

        ; ---- PAE paging with EPT: the PDPTEs are the VMCS fields, memory is not read (26.3.1.6)
        mov dword [want_proc2], P2_EPT
        CASE "PAE guest with EPT, PDPTEs from the VMCS [VM entry; CPUID exit 10]"
        call make_pae_ept
        LAUNCH
        CASE "[PDPTE-03] GUEST_PDPTE1 present with reserved bit 1 [qualification 2]"
        call make_pae_ept
        VMW VMCS_GUEST_PDPTE1, PAE_PD | 3
        LAUNCH
        CASE "[PDPTE-03] GUEST_PDPTE3 present beyond the physical-address width [qualification 2]"
        call make_pae_ept
        mov rax, (1 << 40) | PAE_PD | 1
        VMW VMCS_GUEST_PDPTE3, rax
        LAUNCH
        CASE "[PDPTE-03 boundary] a bad PDPTE in memory is not read when EPT is on [VM entry; CPUID exit 10]"
        call make_pae_ept
        or qword [abs PAE_PDPT + 8], 3
        LAUNCH
        and qword [abs PAE_PDPT + 8], ~2
        mov dword [want_proc2], 0
        mov dword [want_proc], PROC_HLT_EXITING

        ; ---- PAE paging without EPT: the PDPTEs are read from guest CR3
        CASE "[PDPTE-02] PDPTE 2 in memory present with bit 7 set [qualification 2]"
        call make_32bit
        VMW VMCS_GUEST_CR3, PAE_PDPT
        mov qword [abs PAE_PDPT + 16], PAE_PD | 0x81
        LAUNCH
        mov qword [abs PAE_PDPT + 16], 0
        CASE "[PDPTE-02 boundary] a not-present PDPTE may hold any value [VM entry; CPUID exit 10]"
        call make_32bit
        VMW VMCS_GUEST_CR3, PAE_PDPT
        mov qword [abs PAE_PDPT + 24], -2
        LAUNCH
        mov qword [abs PAE_PDPT + 24], 0

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

; make_pae_ept: a 32-bit PAE guest with EPT (identity map), PDPTE0 = the 0-1 GiB page directory
make_pae_ept:
        call make_32bit
        call ept_identity
        VMW VMCS_GUEST_CR3, PAE_PDPT
        VMW VMCS_GUEST_PDPTE0, PAE_PD | 1
        VMW VMCS_GUEST_PDPTE1, 0
        VMW VMCS_GUEST_PDPTE2, 0
        VMW VMCS_GUEST_PDPTE3, 0
        ret

; V86SEG seg: selector SEG16, base SEG16 x 16, limit FFFFh, access rights F3h
%macro V86SEG 1
        VMW VMCS_GUEST_%1_SEL, SEG16
        VMW VMCS_GUEST_%1_BASE, SEG16 << 4
        VMW VMCS_GUEST_%1_LIMIT, 0xFFFF
        VMW VMCS_GUEST_%1_AR, 0xF3
%endmacro
; make_v86: a virtual-8086 guest at SEG16:(g16 - PAYLOAD_BASE) under PAE paging; #GP exits
make_v86:
        call make_32bit
        VMW VMCS_GUEST_CR3, PAE_PDPT
        VMW VMCS_GUEST_RFLAGS, 0x20002
        V86SEG CS
        V86SEG SS
        V86SEG DS
        V86SEG ES
        V86SEG FS
        V86SEG GS
        VMW VMCS_GUEST_RIP, g16 - PAYLOAD_BASE
        VMW VMCS_GUEST_RSP, 0xFFF0
        VMW VMCS_EXCEPTION_BITMAP, 1 << 13
        ret

; REALSEG seg, sel, ar: a real-mode segment (base = sel x 16, limit FFFFh)
%macro REALSEG 3
        VMW VMCS_GUEST_%1_SEL, %2
        VMW VMCS_GUEST_%1_BASE, %2 << 4
        VMW VMCS_GUEST_%1_LIMIT, 0xFFFF
        VMW VMCS_GUEST_%1_AR, %3
%endmacro
; make_real: an unrestricted guest in real mode at SEG16:(g16 - PAYLOAD_BASE), EPT identity map
make_real:
        VMR VMCS_ENTRY_CTLS
        and eax, ~ENTRY_IA32E_GUEST
        VMW VMCS_ENTRY_CTLS, rax
        call ept_identity
        VMW VMCS_GUEST_CR0, 0x30
        mov rax, cr4
        btr rax, 5
        VMW VMCS_GUEST_CR4, rax
        REALSEG CS, SEG16, 0x9B
        REALSEG SS, 0, 0x93
        REALSEG DS, 0, 0x93
        REALSEG ES, 0, 0x93
        REALSEG FS, 0, 0x93
        REALSEG GS, 0, 0x93
        VMW VMCS_GUEST_RIP, g16 - PAYLOAD_BASE
        VMW VMCS_GUEST_RSP, 0x7000
        ret

build_tables:
        mov edx, 0x87                           ; present, writable, user (the V86 guest runs at CPL 3), 2 MiB
        call pae_tables
        ret

        bits 32
g32:
        xor eax, eax
        xor ecx, ecx
        cpuid
        hlt
        bits 16
g16:
        hlt
        bits 64

        align 8
