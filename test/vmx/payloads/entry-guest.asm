; entry-guest.asm - VM-entry checks on the guest-state area (SDM 26.3.1: control registers, MSRs, segment and
; descriptor-table registers, RIP/RFLAGS, non-register state) and on VM-entry MSR loading (26.4), each through
; real execution: a fresh valid VMCS (a 64-bit ring-0 guest), one change, VMLAUNCH. Guest-state failures are
; VM-entry failures with exit reason 0x80000021 (qualification 0, or 4 for the VMCS link pointer); MSR-loading
; failures have exit reason 0x80000022 and the number of the failing entry as qualification. Check ids of
; ../shared/reference/vm-entry-checks.md in brackets.
; Golden output: entry-guest.out (Bochs 2.7 corei7_skylake_x; SDM corrections, if any, in README.md).
%include "oracle.inc"
%include "vmx.inc"
; The guest's own IDT, every vector's handler g_hlt: an event Bochs delivers where the SDM fails the entry
; ends in a HLT exit instead of going through the stub's IDT, which would end the payload.
%define OWN_GUEST_IDT FREE_MEM + 0x9000
%include "entry-cases.inc"

VMCS_PROC2              equ 0x401E
VMCS_GUEST_PERF_GLOBAL  equ 0x2808
P2_EPT                  equ 1 << 1
P2_URG                  equ 1 << 7
ENTRY_LOAD_DEBUG        equ 1 << 2
ENTRY_LOAD_PERF_GLOBAL  equ 1 << 13
NONCANONICAL            equ 0x0000800000000000
BEYOND                  equ 1 << 40             ; the first address past corei7_skylake_x's 40-bit width
LINK_REGION             equ FREE_MEM + 0x8000

%macro ENTRY_OR 1
        VMR VMCS_ENTRY_CTLS
        or eax, %1
        VMW VMCS_ENTRY_CTLS, rax
%endmacro
; UNRESTRICTED: unrestricted guest with EPT (a valid EPTP), so that CR0.PE/PG are not fixed to 1
%macro UNRESTRICTED 0
        VMR VMCS_PROC_CTLS
        or eax, PROC_SECONDARY
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_PROC2, P2_EPT | P2_URG
        VMW VMCS_EPTP, EPT_PML4 + (3 << 3) + 6
%endmacro
%macro GUEST_NONCANONICAL 1
        mov rax, NONCANONICAL
        VMW %1, rax
%endmacro
; MSR_ENTRY index, value: a one-entry VM-entry MSR-load list
%macro MSR_ENTRY 2
        mov rdi, MSR_AREA
        call zero_msr_area
        mov dword [abs MSR_AREA], %1
        mov rax, %2
        mov [abs MSR_AREA + 8], rax
        VMW VMCS_ENTRY_MSR_LOAD_CNT, 1
        VMW VMCS_ENTRY_MSR_LOAD, MSR_AREA
%endmacro

main:
        ENTRY_PAYLOAD_BEGIN "entry-guest"
        call build_guest_idt

        CASE "valid state [VM entry; guest HLT exit 12]"
        LAUNCH

        ; ---- 26.3.1.1 control registers, debug registers and MSRs
        CASE "[GCR-02] guest CR0 with bit 32 set (IA32_VMX_CR0_FIXED1 has 0 there)"
        mov rax, cr0
        bts rax, 32
        VMW VMCS_GUEST_CR0, rax
        LAUNCH
        CASE "[GCR-03] unrestricted guest with CR0.PG=1 and PE=0"
        UNRESTRICTED
        mov rax, cr0
        btr eax, 0
        VMW VMCS_GUEST_CR0, rax
        LAUNCH
        CASE "[GCR-05] guest CR4.SMXE set (IA32_VMX_CR4_FIXED1 has 0 there)"
        mov rax, cr4
        bts rax, 14
        VMW VMCS_GUEST_CR4, rax
        LAUNCH
        CASE "[GCR-07] load debug controls with IA32_DEBUGCTL bit 63 set"
        ENTRY_OR ENTRY_LOAD_DEBUG
        mov rax, 1 << 63
        VMW VMCS_GUEST_DEBUGCTL, rax
        LAUNCH
        CASE "[GCR-08] IA-32e mode guest with CR0.PG=0 (unrestricted guest)"
        UNRESTRICTED
        mov rax, cr0
        btr eax, 31
        VMW VMCS_GUEST_CR0, rax
        LAUNCH
        CASE "[GCR-10] guest CR4.PCIDE=1 without IA-32e mode guest"
        VMR VMCS_ENTRY_CTLS
        and eax, ~ENTRY_IA32E_GUEST
        VMW VMCS_ENTRY_CTLS, rax
        mov rax, cr4
        bts rax, 17
        VMW VMCS_GUEST_CR4, rax
        LAUNCH
        CASE "[GCR-11] guest CR3 with bit 52 set"
        mov rax, cr3
        bts rax, 52
        VMW VMCS_GUEST_CR3, rax
        LAUNCH
        CASE "[GCR-13] guest IA32_SYSENTER_ESP not canonical"
        GUEST_NONCANONICAL VMCS_GUEST_SYSENTER_ESP
        LAUNCH
        CASE "[GCR-14] guest IA32_SYSENTER_EIP not canonical"
        GUEST_NONCANONICAL VMCS_GUEST_SYSENTER_EIP
        LAUNCH
        CASE "[GCR-18] load IA32_PERF_GLOBAL_CTRL with reserved bit 63"
        ENTRY_OR ENTRY_LOAD_PERF_GLOBAL
        mov rax, 1 << 63
        VMW VMCS_GUEST_PERF_GLOBAL, rax
        LAUNCH
        CASE "[GCR-20] load IA32_EFER with reserved bit 1"
        ENTRY_OR ENTRY_LOAD_EFER
        VMW VMCS_GUEST_EFER, 0xD02
        LAUNCH
        CASE "[GCR-22] load IA32_EFER with LMA=1 but LME=0 while CR0.PG=1"
        ENTRY_OR ENTRY_LOAD_EFER
        VMW VMCS_GUEST_EFER, 0xC00
        LAUNCH

        ; ---- 26.3.1.2 segment registers
        CASE "[GSEG-01] guest TR selector with TI set"
        VMW VMCS_GUEST_TR_SEL, SEL_TSS | 4
        LAUNCH
        CASE "[GSEG-02] usable guest LDTR with TI set in its selector"
        VMW VMCS_GUEST_LDTR_SEL, 0x0C
        VMW VMCS_GUEST_LDTR_AR, 0x82
        LAUNCH
        CASE "[GSEG-03] guest SS selector RPL 3 with CS RPL 0"
        VMW VMCS_GUEST_SS_SEL, SEL_DATA | 3
        LAUNCH
        CASE "[GSEG-05] guest FS base not canonical"
        GUEST_NONCANONICAL VMCS_GUEST_FS_BASE
        LAUNCH
        CASE "[GSEG-06] usable guest LDTR with a base that is not canonical"
        VMW VMCS_GUEST_LDTR_AR, 0x82
        GUEST_NONCANONICAL VMCS_GUEST_LDTR_BASE
        LAUNCH
        CASE "[GSEG-07] guest CS base with bit 32 set"
        mov rax, 1 << 32
        VMW VMCS_GUEST_CS_BASE, rax
        LAUNCH
        CASE "[GSEG-08] guest SS base with bit 32 set"
        mov rax, 1 << 32
        VMW VMCS_GUEST_SS_BASE, rax
        LAUNCH
        CASE "[GSEG-14] guest DS an execute-only code segment"
        VMW VMCS_GUEST_DS_AR, 0xC099
        LAUNCH
        CASE "[GSEG-15] guest DS a system segment (S=0)"
        VMW VMCS_GUEST_DS_AR, 0xC083
        LAUNCH
        CASE "[GSEG-17] non-conforming guest CS with DPL 3 and SS DPL 0"
        VMW VMCS_GUEST_CS_AR, 0xA0FB
        LAUNCH
        CASE "[GSEG-18] conforming guest CS with DPL 3 above SS DPL 0"
        VMW VMCS_GUEST_CS_AR, 0xA0FF
        LAUNCH
        CASE "[GSEG-19] guest SS DPL 3 with selector RPL 0"
        VMW VMCS_GUEST_CS_AR, 0xA0FB
        VMW VMCS_GUEST_SS_AR, 0xC0F3
        LAUNCH
        CASE "[GSEG-21] guest DS DPL 0 below its selector's RPL 3"
        VMW VMCS_GUEST_DS_SEL, SEL_DATA | 3
        LAUNCH
        CASE "[GSEG-22] guest DS not present"
        VMW VMCS_GUEST_DS_AR, 0xC013
        LAUNCH
        CASE "[GSEG-23] guest DS access rights with bit 8 set"
        VMW VMCS_GUEST_DS_AR, 0xC193
        LAUNCH
        CASE "[GSEG-25] guest DS limit FFFFFFFFh with G=0"
        VMW VMCS_GUEST_DS_AR, 0x4093
        LAUNCH
        CASE "[GSEG-26] guest DS access rights with bit 17 set"
        VMW VMCS_GUEST_DS_AR, 0x2C093
        LAUNCH
        CASE "[GSEG-28] guest TR with S=1"
        VMW VMCS_GUEST_TR_AR, 0x9B
        LAUNCH
        CASE "[GSEG-29] guest TR not present"
        VMW VMCS_GUEST_TR_AR, 0x0B
        LAUNCH
        CASE "[GSEG-30] guest TR access rights with bit 8 set"
        VMW VMCS_GUEST_TR_AR, 0x18B
        LAUNCH
        CASE "[GSEG-31] guest TR limit 67h with G=1"
        VMW VMCS_GUEST_TR_AR, 0x808B
        LAUNCH
        CASE "[GSEG-33] guest TR access rights with bit 17 set"
        VMW VMCS_GUEST_TR_AR, 0x2008B
        LAUNCH
        CASE "[GSEG-34] usable guest LDTR of type 3"
        VMW VMCS_GUEST_LDTR_AR, 0x83
        LAUNCH
        CASE "[GSEG-35] usable guest LDTR with S=1"
        VMW VMCS_GUEST_LDTR_AR, 0x92
        LAUNCH
        CASE "[GSEG-36] usable guest LDTR not present"
        VMW VMCS_GUEST_LDTR_AR, 0x02
        LAUNCH
        CASE "[GSEG-37] usable guest LDTR with access-rights bit 8 set"
        VMW VMCS_GUEST_LDTR_AR, 0x182
        LAUNCH
        CASE "[GSEG-38] usable guest LDTR with limit 0 and G=1"
        VMW VMCS_GUEST_LDTR_AR, 0x8082
        LAUNCH
        CASE "[GSEG-39] usable guest LDTR with access-rights bit 17 set"
        VMW VMCS_GUEST_LDTR_AR, 0x20082
        LAUNCH
        CASE "[GSEG-34 boundary] a usable empty LDT (type 2, present) [VM entry]"
        VMW VMCS_GUEST_LDTR_AR, 0x82
        LAUNCH

        ; ---- 26.3.1.3 descriptor-table registers
        CASE "[GDT-01] guest GDTR base not canonical"
        GUEST_NONCANONICAL VMCS_GUEST_GDTR_BASE
        LAUNCH
        CASE "[GDT-02] guest IDTR base not canonical"
        GUEST_NONCANONICAL VMCS_GUEST_IDTR_BASE
        LAUNCH
        CASE "[GDT-04] guest IDTR limit 10000h"
        VMW VMCS_GUEST_IDTR_LIMIT, 0x10000
        LAUNCH

        ; ---- 26.3.1.4 RIP and RFLAGS
        CASE "[GRF-01] guest RIP above 4 GiB in compatibility mode (CS.L=0)"
        VMW VMCS_GUEST_CS_AR, 0xC09B
        mov rax, 1 << 32
        VMW VMCS_GUEST_RIP, rax
        LAUNCH
        CASE "[GRF-04] guest RFLAGS bit 1 clear"
        VMW VMCS_GUEST_RFLAGS, 0
        LAUNCH

        ; ---- 26.3.1.5 non-register state
        CASE "[GNR-01] activity state 4"
        VMW VMCS_GUEST_ACTIVITY, 4
        LAUNCH
        CASE "[GNR-02] activity state HLT at CPL 3"
        VMW VMCS_GUEST_CS_SEL, SEL_UCODE64 | 3
        VMW VMCS_GUEST_CS_AR, 0xA0FB
        VMW VMCS_GUEST_SS_SEL, SEL_UDATA | 3
        VMW VMCS_GUEST_SS_AR, 0xC0F3
        VMW VMCS_GUEST_ACTIVITY, 1
        LAUNCH
        CASE "[GNR-04] activity state HLT while injecting #UD"
        VMW VMCS_GUEST_ACTIVITY, 1
        VMW VMCS_ENTRY_INTR_INFO, 0x80000306
        LAUNCH
        CASE "[GNR-05] activity state shutdown while injecting an external interrupt"
        VMW VMCS_GUEST_RFLAGS, 0x202
        VMW VMCS_GUEST_ACTIVITY, 2
        VMW VMCS_ENTRY_INTR_INFO, 0x80000030
        LAUNCH
        CASE "[GNR-06] activity state wait-for-SIPI while injecting an NMI"
        VMW VMCS_GUEST_ACTIVITY, 3
        VMW VMCS_ENTRY_INTR_INFO, 0x80000202
        LAUNCH
        CASE "[GNR-08] interruptibility state with reserved bit 5"
        VMW VMCS_GUEST_INTERRUPTIBILITY, 1 << 5
        LAUNCH
        CASE "[GNR-11] injecting an external interrupt with blocking by STI"
        VMW VMCS_GUEST_RFLAGS, 0x202
        VMW VMCS_GUEST_INTERRUPTIBILITY, 1
        VMW VMCS_ENTRY_INTR_INFO, 0x80000030
        LAUNCH
        CASE "[GNR-12] injecting an NMI with blocking by MOV SS"
        VMW VMCS_GUEST_INTERRUPTIBILITY, 2
        VMW VMCS_ENTRY_INTR_INFO, 0x80000202
        LAUNCH
        CASE "[GNR-13] blocking by SMI outside SMM"
        VMW VMCS_GUEST_INTERRUPTIBILITY, 4
        LAUNCH
        CASE "[GNR-16] injecting an NMI with virtual-NMI blocking"
        VMR VMCS_PIN_CTLS
        or eax, PIN_NMI_EXITING | PIN_VIRTUAL_NMIS
        VMW VMCS_PIN_CTLS, rax
        VMW VMCS_GUEST_INTERRUPTIBILITY, 8
        VMW VMCS_ENTRY_INTR_INFO, 0x80000202
        LAUNCH
        CASE "[GNR-19] blocking by STI with RFLAGS.TF=1 but pending BS=0"
        VMW VMCS_GUEST_RFLAGS, 0x302
        VMW VMCS_GUEST_INTERRUPTIBILITY, 1
        LAUNCH
        CASE "[GNR-20] blocking by STI with RFLAGS.TF=0 but pending BS=1"
        VMW VMCS_GUEST_RFLAGS, 0x202
        VMW VMCS_GUEST_INTERRUPTIBILITY, 1
        VMW VMCS_GUEST_PENDING_DBG, 0x4000
        LAUNCH
        CASE "[GNR-21] pending RTM debug exception on a processor without RTM"
        VMW VMCS_GUEST_PENDING_DBG, 0x11000
        LAUNCH
        CASE "[GNR-23] VMCS link pointer beyond the physical-address width [qualification 4]"
        mov rax, BEYOND
        VMW VMCS_LINK_POINTER, rax
        LAUNCH
        CASE "[GNR-25] VMCS link pointer to a shadow VMCS without VMCS shadowing [qualification 4]"
        mov rdi, LINK_REGION
        call vmx_init_region
        or dword [abs LINK_REGION], 0x80000000
        VMW VMCS_LINK_POINTER, LINK_REGION
        LAUNCH
        CASE "[GNR-26] VMCS link pointer equal to the current-VMCS pointer [qualification 4]"
        VMW VMCS_LINK_POINTER, VMCS_A
        LAUNCH

        ; ---- 26.4 MSR loading (qualification = entry number)
        CASE "[MSR-03] VM-entry MSR-load entry for x2APIC TPR (808h) [qualification 1]"
        MSR_ENTRY 0x808, 0
        LAUNCH
        CASE "[MSR-04] VM-entry MSR-load entry for IA32_SMM_MONITOR_CTL outside SMM [qualification 1]"
        MSR_ENTRY 0x9B, 0
        LAUNCH
        CASE "[MSR-05] VM-entry MSR-load of a non-canonical IA32_SYSENTER_EIP [qualification 1]"
        MSR_ENTRY 0x176, NONCANONICAL
        LAUNCH

        ; Last, because Bochs 2.7 enters the guest at the non-canonical RIP (its #GP then ends the payload); the
        ; SDM (26.3.1.4) makes it a VM-entry failure. See README.md.
        CASE "[GRF-02] guest RIP not canonical in 64-bit mode"
        GUEST_NONCANONICAL VMCS_GUEST_RIP
        LAUNCH

        ENTRY_PAYLOAD_END

; build_guest_idt: 256 64-bit interrupt gates (present, DPL 0, selector SEL_CODE64) to g_hlt
build_guest_idt:
        push rax
        push rcx
        push rdi
        mov rdi, OWN_GUEST_IDT
        xor ecx, ecx
.gate:  lea rax, [rel g_hlt]
        mov [rdi], ax                           ; offset 15:0
        mov word [rdi + 2], SEL_CODE64
        mov word [rdi + 4], 0x8E00              ; present, DPL 0, 64-bit interrupt gate
        shr rax, 16
        mov [rdi + 6], ax                       ; offset 31:16
        shr rax, 16
        mov [rdi + 8], eax                      ; offset 63:32
        mov dword [rdi + 12], 0
        add rdi, 16
        inc ecx
        cmp ecx, 256
        jb .gate
        pop rdi
        pop rcx
        pop rax
        ret
