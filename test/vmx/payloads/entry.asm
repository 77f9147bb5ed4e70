; entry.asm - VM-entry checks through real execution (SDM 26.2-26.4): each case starts from a fresh, valid
; VMCS (vmcs_setup), changes one field, and executes VMLAUNCH. Controls fail with VMfailValid(7), host state
; with VMfailValid(8), guest state with a VM-entry failure (exit reason 0x80000021 and a qualification), MSR
; loading with exit reason 0x80000022 (qualification = number of the failing entry). The check ids of
; ../shared/reference/vm-entry-checks.md are in brackets.
; Golden output: entry.out (Bochs 2.7 corei7_skylake_x; SDM corrections in README.md).
%include "oracle.inc"
%include "vmx.inc"
%include "entry-cases.inc"

VMCS_VPID_FIELD         equ 0x0000
VMCS_PROC2_FIELD        equ 0x401E
VMCS_MSR_BITMAP_FIELD   equ 0x2004
VMCS_GUEST_PENDING      equ 0x6822
VMCS_HOST_SYSENTER_ESP_ equ 0x6C10


main:
        ENTRY_PAYLOAD_BEGIN "entry"

        CASE "valid state [VM entry; guest HLT exit 12]"
        LAUNCH

        ; ---- 26.2.1 controls -> VMfailValid(7)
        CASE "[CTL-02] primary controls without default1 bit 1"
        VMW VMCS_PROC_CTLS, 0x04006170
        LAUNCH
        CASE "[CTL-03] secondary controls with an unsupported bit (31)"
        VMR VMCS_PROC_CTLS
        or eax, PROC_SECONDARY
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_PROC2_FIELD, 1 << 31
        LAUNCH
        CASE "[CTL-07] I/O bitmap A not 4-KiB aligned"
        VMR VMCS_PROC_CTLS
        or eax, PROC_USE_IO_BITMAPS
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_IO_BITMAP_A, FREE_MEM + 0x6008
        VMW VMCS_IO_BITMAP_B, FREE_MEM + 0x7000
        LAUNCH
        CASE "[CTL-10] MSR bitmap not 4-KiB aligned"
        VMR VMCS_PROC_CTLS
        or eax, PROC_USE_MSR_BITMAPS
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_MSR_BITMAP_FIELD, FREE_MEM + 0x6010
        LAUNCH
        CASE "[CTL-14] virtual NMIs without NMI exiting"
        VMW VMCS_PIN_CTLS, 0x16 | PIN_VIRTUAL_NMIS
        LAUNCH
        CASE "[CTL-15] NMI-window exiting without virtual NMIs"
        VMR VMCS_PROC_CTLS
        or eax, 1 << 22
        VMW VMCS_PROC_CTLS, rax
        LAUNCH
        CASE "[CTL-27] enable VPID with VPID 0"
        VMR VMCS_PROC_CTLS
        or eax, PROC_SECONDARY
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_PROC2_FIELD, 1 << 5
        VMW VMCS_VPID_FIELD, 0
        LAUNCH
        CASE "[CTL-28] EPTP with memory type 1"
        VMR VMCS_PROC_CTLS
        or eax, PROC_SECONDARY
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_PROC2_FIELD, 1 << 1
        VMW VMCS_EPTP, FREE_MEM + 0x6000 + (3 << 3) + 1
        LAUNCH
        CASE "[CTL-34] unrestricted guest without EPT"
        VMR VMCS_PROC_CTLS
        or eax, PROC_SECONDARY
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_PROC2_FIELD, 1 << 7
        LAUNCH
        CASE "[XCTL-03] save preemption timer without activating it"
        VMR VMCS_EXIT_CTLS
        or eax, 1 << 22
        VMW VMCS_EXIT_CTLS, rax
        LAUNCH
        CASE "[XCTL-04] VM-exit MSR-store area not 16-byte aligned"
        VMW VMCS_EXIT_MSR_STORE_CNT, 1
        VMW VMCS_EXIT_MSR_STORE, MSR_AREA + 8
        LAUNCH
        CASE "[ECTL-02] injection with reserved type 1"
        VMW VMCS_ENTRY_INTR_INFO, 0x80000100
        LAUNCH
        CASE "[ECTL-04] NMI injection with vector 3"
        VMW VMCS_ENTRY_INTR_INFO, 0x80000203
        LAUNCH
        CASE "[ECTL-05] hardware exception with vector 32"
        VMW VMCS_ENTRY_INTR_INFO, 0x80000320
        LAUNCH
        CASE "[ECTL-07] #GP injected without an error code"
        VMW VMCS_ENTRY_INTR_INFO, 0x8000030D
        LAUNCH
        CASE "[ECTL-08] #UD injected with an error code"
        VMW VMCS_ENTRY_INTR_INFO, 0x80000B06
        LAUNCH
        CASE "[ECTL-11] software interrupt with instruction length 16"
        VMW VMCS_ENTRY_INTR_INFO, 0x80000480
        VMW VMCS_ENTRY_INSTR_LEN, 16
        LAUNCH
        CASE "[ECTL-16] entry to SMM outside SMM"
        VMR VMCS_ENTRY_CTLS
        or eax, 1 << 10
        VMW VMCS_ENTRY_CTLS, rax
        LAUNCH

        ; ---- 26.2.2-26.2.4 host state -> VMfailValid(8)
        CASE "[HST-03] host CR4.VMXE clear"
        mov rax, cr4
        btr rax, 13
        VMW VMCS_HOST_CR4, rax
        LAUNCH
        CASE "[HST-05] host CR3 beyond the physical-address width"
        VMW VMCS_HOST_CR3, 1 << 52
        LAUNCH
        CASE "[HST-07] host IA32_SYSENTER_ESP not canonical"
        mov rax, 0x0000800000000000
        VMW VMCS_HOST_SYSENTER_ESP_, rax
        LAUNCH
        CASE "[HSEG-03] host SS selector with TI set"
        VMW VMCS_HOST_SS_SEL, 0x14
        LAUNCH
        CASE "[HSEG-08] host CS selector 0"
        VMW VMCS_HOST_CS_SEL, 0
        LAUNCH
        CASE "[HSEG-11] host FS base not canonical"
        mov rax, 0x0000800000000000
        VMW VMCS_HOST_FS_BASE, rax
        LAUNCH
        CASE "[HASZ-07] 64-bit host with CR4.PAE clear"
        mov rax, cr4
        btr rax, 5
        VMW VMCS_HOST_CR4, rax
        LAUNCH

        ; ---- 26.3 guest state -> exit reason 0x80000021
        CASE "[GCR-01] guest CR0.NE clear"
        mov rax, cr0
        btr rax, 5
        VMW VMCS_GUEST_CR0, rax
        LAUNCH
        CASE "[GCR-04] guest CR4.VMXE clear"
        mov rax, cr4
        btr rax, 13
        VMW VMCS_GUEST_CR4, rax
        LAUNCH
        CASE "[GCR-09] IA-32e mode guest with CR4.PAE clear"
        mov rax, cr4
        btr rax, 5
        VMW VMCS_GUEST_CR4, rax
        LAUNCH
        CASE "[GCR-12] load debug controls with DR7 bits 63:32 set"
        VMR VMCS_ENTRY_CTLS
        or eax, 1 << 2
        VMW VMCS_ENTRY_CTLS, rax
        mov rax, 0x100000400
        VMW VMCS_GUEST_DR7, rax
        LAUNCH
        CASE "[GCR-19] load IA32_PAT with an invalid memory type (2)"
        VMR VMCS_ENTRY_CTLS
        or eax, 1 << 14
        VMW VMCS_ENTRY_CTLS, rax
        mov rax, 0x0007040600070402
        VMW VMCS_GUEST_PAT, rax
        LAUNCH
        CASE "[GCR-21] load IA32_EFER with LMA clear in an IA-32e guest"
        VMR VMCS_ENTRY_CTLS
        or eax, ENTRY_LOAD_EFER
        VMW VMCS_ENTRY_CTLS, rax
        VMW VMCS_GUEST_EFER, 0
        LAUNCH
        CASE "[GSEG-11] guest CS type 8 (not accessed)"
        VMW VMCS_GUEST_CS_AR, 0xA098
        LAUNCH
        CASE "[GSEG-12] guest SS type 1"
        VMW VMCS_GUEST_SS_AR, 0xC091
        LAUNCH
        CASE "[GSEG-13] guest DS not accessed"
        VMW VMCS_GUEST_DS_AR, 0xC092
        LAUNCH
        CASE "[GSEG-24] guest CS with L=1 and D=1"
        VMW VMCS_GUEST_CS_AR, 0xE09B
        LAUNCH
        CASE "[GSEG-27] guest TR type 3 in an IA-32e guest"
        VMW VMCS_GUEST_TR_AR, 0x83
        LAUNCH
        CASE "[GSEG-32] guest TR unusable"
        VMW VMCS_GUEST_TR_AR, 0x1008B
        LAUNCH
        CASE "[GDT-03] guest GDTR limit above FFFFh"
        VMW VMCS_GUEST_GDTR_LIMIT, 0x10000
        LAUNCH
        CASE "[GRF-03] guest RFLAGS bit 15 set"
        VMW VMCS_GUEST_RFLAGS, 0x8002
        LAUNCH
        CASE "[GRF-05] guest RFLAGS.VM in an IA-32e guest"
        VMW VMCS_GUEST_RFLAGS, 0x20002
        LAUNCH
        CASE "[GRF-06] injecting an external interrupt with RFLAGS.IF=0"
        VMW VMCS_ENTRY_INTR_INFO, 0x80000020
        LAUNCH
        CASE "[GNR-03] activity HLT with blocking by STI"
        VMW VMCS_GUEST_RFLAGS, 0x202
        VMW VMCS_GUEST_INTERRUPTIBILITY, 1
        VMW VMCS_GUEST_ACTIVITY, 1
        LAUNCH
        CASE "[GNR-09] blocking by STI and by MOV SS"
        VMW VMCS_GUEST_RFLAGS, 0x202
        VMW VMCS_GUEST_INTERRUPTIBILITY, 3
        LAUNCH
        CASE "[GNR-10] blocking by STI with RFLAGS.IF=0"
        VMW VMCS_GUEST_INTERRUPTIBILITY, 1
        LAUNCH
        CASE "[GNR-18] pending debug exceptions with reserved bit 4"
        VMW VMCS_GUEST_PENDING, 0x10
        LAUNCH
        CASE "[GNR-22] VMCS link pointer not 4-KiB aligned [qualification 4]"
        VMW VMCS_LINK_POINTER, FREE_MEM + 0x5008
        LAUNCH
        CASE "[GNR-24] VMCS link pointer to a region with another revision [qualification 4]"
        mov dword [abs MSR_AREA], 0x12345
        VMW VMCS_LINK_POINTER, MSR_AREA
        LAUNCH

        ; ---- 26.4 MSR loading -> exit reason 0x80000022, qualification = entry number
        CASE "[MSR-02] second VM-entry MSR-load entry is IA32_FS_BASE [qualification 2]"
        mov rdi, MSR_AREA
        call zero_msr_area
        mov dword [abs MSR_AREA + 0], 0x174          ; IA32_SYSENTER_CS <- 0 (valid)
        mov dword [abs MSR_AREA + 16], 0xC0000100    ; IA32_FS_BASE: not allowed
        VMW VMCS_ENTRY_MSR_LOAD_CNT, 2
        VMW VMCS_ENTRY_MSR_LOAD, MSR_AREA
        LAUNCH
        CASE "[MSR-01] VM-entry MSR-load entry with reserved bits 63:32 set [qualification 1]"
        mov rdi, MSR_AREA
        call zero_msr_area
        mov dword [abs MSR_AREA + 0], 0x174
        mov dword [abs MSR_AREA + 4], 1
        VMW VMCS_ENTRY_MSR_LOAD_CNT, 1
        VMW VMCS_ENTRY_MSR_LOAD, MSR_AREA
        LAUNCH

        ENTRY_PAYLOAD_END
