; entry-ctl.asm - VM-entry checks on the VM-execution, VM-exit and VM-entry control fields (SDM 26.2.1), each
; through real execution: a fresh valid VMCS (vmcs_setup), one control-field change, VMLAUNCH. Every case fails
; with VMfailValid(7). The check ids of ../shared/reference/vm-entry-checks.md are in brackets; entry.asm has
; the first set of control checks, this payload the rest that corei7_skylake_x can reach.
; Golden output: entry-ctl.out (Bochs 2.7 corei7_skylake_x; SDM corrections, if any, in README.md).
%include "oracle.inc"
%include "vmx.inc"
%include "entry-cases.inc"

VMCS_PROC2              equ 0x401E
VMCS_VIRTUAL_APIC       equ 0x2012
VMCS_APIC_ACCESS        equ 0x2014
VMCS_VMFUNC_CTLS        equ 0x2018
VMCS_EPTP_LIST          equ 0x2024
VMCS_VMREAD_BITMAP      equ 0x2026
VMCS_VMWRITE_BITMAP     equ 0x2028
VMCS_VE_INFO            equ 0x202A
VMCS_PML_ADDRESS        equ 0x200E
P2_VIRT_APIC_ACCESSES   equ 1 << 0
P2_EPT                  equ 1 << 1
P2_X2APIC               equ 1 << 4
P2_APIC_REG_VIRT        equ 1 << 8
P2_VID                  equ 1 << 9
P2_VMFUNC               equ 1 << 13
P2_SHADOWING            equ 1 << 14
P2_PML                  equ 1 << 17
P2_VE                   equ 1 << 18
PROC_TPR_SHADOW         equ 1 << 21
PAGE_A                  equ FREE_MEM + 0x6000   ; a page-aligned scratch page (virtual-APIC page, bitmaps...)
PAGE_B                  equ FREE_MEM + 0x7000
BEYOND                  equ 1 << 40             ; the first address past corei7_skylake_x's 40-bit width

; PROC_OR bits: primary processor-based controls |= bits
%macro PROC_OR 1
        VMR VMCS_PROC_CTLS
        or eax, %1
        VMW VMCS_PROC_CTLS, rax
%endmacro
; SECONDARY bits: activate the secondary controls and set them to bits
%macro SECONDARY 1
        PROC_OR PROC_SECONDARY
        VMW VMCS_PROC2, %1
%endmacro
%macro EXIT_OR 1
        VMR VMCS_EXIT_CTLS
        or eax, %1
        VMW VMCS_EXIT_CTLS, rax
%endmacro
%macro PIN_OR 1
        VMR VMCS_PIN_CTLS
        or eax, %1
        VMW VMCS_PIN_CTLS, rax
%endmacro
; VALID_EPT: an EPTP with write-back memory type and a 4-level walk (contents are not read by the checks)
%macro VALID_EPT 0
        VMW VMCS_EPTP, PAGE_B + (3 << 3) + 6
%endmacro

main:
        ENTRY_PAYLOAD_BEGIN "entry-ctl"

        CASE "valid state [VM entry; guest HLT exit 12]"
        LAUNCH

        ; ---- 26.2.1.1 VM-execution controls
        CASE "[CTL-01] pin-based controls without default1 bit 1"
        VMW VMCS_PIN_CTLS, 0x14
        LAUNCH
        CASE "[CTL-06] CR3-target count 5 (IA32_VMX_MISC allows 4)"
        VMW VMCS_CR3_TARGET_COUNT, 5
        LAUNCH
        CASE "[CTL-06 boundary] CR3-target count 4 [VM entry]"
        VMW VMCS_CR3_TARGET_COUNT, 4
        LAUNCH
        CASE "[CTL-08] I/O bitmap B not 4-KiB aligned"
        PROC_OR PROC_USE_IO_BITMAPS
        VMW VMCS_IO_BITMAP_A, PAGE_A
        VMW VMCS_IO_BITMAP_B, PAGE_B + 0x10
        LAUNCH
        CASE "[CTL-09] I/O bitmap A beyond the physical-address width"
        PROC_OR PROC_USE_IO_BITMAPS
        mov rax, BEYOND
        VMW VMCS_IO_BITMAP_A, rax
        VMW VMCS_IO_BITMAP_B, PAGE_B
        LAUNCH
        CASE "[CTL-11] virtual-APIC address not 4-KiB aligned"
        PROC_OR PROC_TPR_SHADOW
        VMW VMCS_VIRTUAL_APIC, PAGE_A + 0x80
        LAUNCH
        CASE "[CTL-12] TPR threshold with bits 31:4 set"
        PROC_OR PROC_TPR_SHADOW
        VMW VMCS_VIRTUAL_APIC, PAGE_A
        VMW VMCS_TPR_THRESHOLD, 0x10
        LAUNCH
        CASE "[CTL-13] TPR threshold 5 above VTPR[7:4] = 3"
        mov byte [abs PAGE_A + 0x80], 0x30
        PROC_OR PROC_TPR_SHADOW
        VMW VMCS_VIRTUAL_APIC, PAGE_A
        VMW VMCS_TPR_THRESHOLD, 5
        LAUNCH
        CASE "[CTL-13 boundary] TPR threshold 3 equal to VTPR[7:4] [VM entry]"
        PROC_OR PROC_TPR_SHADOW
        VMW VMCS_VIRTUAL_APIC, PAGE_A
        VMW VMCS_TPR_THRESHOLD, 3
        LAUNCH
        mov byte [abs PAGE_A + 0x80], 0
        CASE "[CTL-16] APIC-access address not 4-KiB aligned"
        SECONDARY P2_VIRT_APIC_ACCESSES
        VMW VMCS_APIC_ACCESS, PAGE_A + 0x800
        LAUNCH
        CASE "[CTL-17] virtualize x2APIC mode without the TPR shadow"
        SECONDARY P2_X2APIC
        LAUNCH
        CASE "[CTL-18] APIC-register virtualization without the TPR shadow"
        SECONDARY P2_APIC_REG_VIRT
        LAUNCH
        CASE "[CTL-19] virtual-interrupt delivery without the TPR shadow"
        PIN_OR PIN_EXT_INT_EXITING
        SECONDARY P2_VID
        LAUNCH
        CASE "[CTL-20] virtualize x2APIC mode with virtualize APIC accesses"
        PROC_OR PROC_TPR_SHADOW
        VMW VMCS_VIRTUAL_APIC, PAGE_A
        SECONDARY P2_X2APIC | P2_VIRT_APIC_ACCESSES
        VMW VMCS_APIC_ACCESS, PAGE_B
        LAUNCH
        CASE "[CTL-21] virtual-interrupt delivery without external-interrupt exiting"
        PROC_OR PROC_TPR_SHADOW
        VMW VMCS_VIRTUAL_APIC, PAGE_A
        SECONDARY P2_VID
        LAUNCH
        CASE "[CTL-21 boundary] virtual-interrupt delivery with external-interrupt exiting [VM entry]"
        PIN_OR PIN_EXT_INT_EXITING
        PROC_OR PROC_TPR_SHADOW
        VMW VMCS_VIRTUAL_APIC, PAGE_A
        SECONDARY P2_VID
        LAUNCH
        CASE "[CTL-29] EPTP with a 5-level walk (not supported)"
        SECONDARY P2_EPT
        VMW VMCS_EPTP, PAGE_B + (4 << 3) + 6
        LAUNCH
        CASE "[CTL-31] EPTP with reserved bit 8 set"
        SECONDARY P2_EPT
        VMW VMCS_EPTP, PAGE_B + (1 << 8) + (3 << 3) + 6
        LAUNCH
        CASE "[CTL-32] enable PML without enable EPT"
        SECONDARY P2_PML
        VMW VMCS_PML_ADDRESS, PAGE_A
        LAUNCH
        CASE "[CTL-33] PML address not 4-KiB aligned"
        SECONDARY P2_EPT | P2_PML
        VALID_EPT
        VMW VMCS_PML_ADDRESS, PAGE_A + 8
        LAUNCH
        CASE "[CTL-38] VM-function controls with unsupported bit 1"
        SECONDARY P2_VMFUNC
        VMW VMCS_VMFUNC_CTLS, 2
        LAUNCH
        CASE "[CTL-39] EPTP switching without enable EPT"
        SECONDARY P2_VMFUNC
        VMW VMCS_VMFUNC_CTLS, 1
        VMW VMCS_EPTP_LIST, PAGE_A
        LAUNCH
        CASE "[CTL-40] EPTP-list address not 4-KiB aligned"
        SECONDARY P2_VMFUNC | P2_EPT
        VALID_EPT
        VMW VMCS_VMFUNC_CTLS, 1
        VMW VMCS_EPTP_LIST, PAGE_A + 0x100
        LAUNCH
        CASE "[CTL-41] VMREAD-bitmap address not 4-KiB aligned"
        SECONDARY P2_SHADOWING
        VMW VMCS_VMREAD_BITMAP, PAGE_A + 4
        VMW VMCS_VMWRITE_BITMAP, PAGE_B
        LAUNCH
        CASE "[CTL-42] VMWRITE-bitmap address beyond the physical-address width"
        SECONDARY P2_SHADOWING
        VMW VMCS_VMREAD_BITMAP, PAGE_A
        mov rax, BEYOND + 0x1000
        VMW VMCS_VMWRITE_BITMAP, rax
        LAUNCH
        CASE "[CTL-43] #VE information address not 4-KiB aligned"
        SECONDARY P2_EPT | P2_VE
        VALID_EPT
        VMW VMCS_VE_INFO, PAGE_A + 0x40
        LAUNCH

        ; ---- 26.2.1.2 VM-exit controls
        CASE "[XCTL-01] primary VM-exit controls without default1 bit 0"
        VMR VMCS_EXIT_CTLS
        and eax, ~1
        VMW VMCS_EXIT_CTLS, rax
        LAUNCH
        CASE "[XCTL-05] VM-exit MSR-store address beyond the physical-address width"
        VMW VMCS_EXIT_MSR_STORE_CNT, 1
        mov rax, BEYOND
        VMW VMCS_EXIT_MSR_STORE, rax
        LAUNCH
        CASE "[XCTL-06] VM-exit MSR-store area ending beyond the physical-address width"
        VMW VMCS_EXIT_MSR_STORE_CNT, 2
        mov rax, BEYOND - 16
        VMW VMCS_EXIT_MSR_STORE, rax
        LAUNCH
        CASE "[XCTL-07] VM-exit MSR-load address not 16-byte aligned"
        VMW VMCS_EXIT_MSR_LOAD_CNT, 1
        VMW VMCS_EXIT_MSR_LOAD, MSR_AREA + 4
        LAUNCH
        CASE "[XCTL-08] VM-exit MSR-load address beyond the physical-address width"
        VMW VMCS_EXIT_MSR_LOAD_CNT, 1
        mov rax, BEYOND + 0x100
        VMW VMCS_EXIT_MSR_LOAD, rax
        LAUNCH
        CASE "[XCTL-09] VM-exit MSR-load area ending beyond the physical-address width"
        VMW VMCS_EXIT_MSR_LOAD_CNT, 3
        mov rax, BEYOND - 32
        VMW VMCS_EXIT_MSR_LOAD, rax
        LAUNCH

        ; ---- 26.2.1.3 VM-entry controls
        CASE "[ECTL-01] VM-entry controls without default1 bit 0"
        VMR VMCS_ENTRY_CTLS
        and eax, ~1
        VMW VMCS_ENTRY_CTLS, rax
        LAUNCH
        CASE "[ECTL-09] interruption information with reserved bit 12"
        VMW VMCS_ENTRY_INTR_INFO, 0x80001306
        LAUNCH
        CASE "[ECTL-10] #GP error code with bits 31:16 set"
        VMW VMCS_ENTRY_INTR_INFO, 0x80000B0D
        VMW VMCS_ENTRY_EXC_ERR, 0x10000
        LAUNCH
        CASE "[ECTL-13] VM-entry MSR-load address not 16-byte aligned"
        VMW VMCS_ENTRY_MSR_LOAD_CNT, 1
        VMW VMCS_ENTRY_MSR_LOAD, MSR_AREA + 8
        LAUNCH
        CASE "[ECTL-14] VM-entry MSR-load address beyond the physical-address width"
        VMW VMCS_ENTRY_MSR_LOAD_CNT, 1
        mov rax, BEYOND
        VMW VMCS_ENTRY_MSR_LOAD, rax
        LAUNCH
        CASE "[ECTL-15] VM-entry MSR-load area ending beyond the physical-address width"
        VMW VMCS_ENTRY_MSR_LOAD_CNT, 2
        mov rax, BEYOND - 16
        VMW VMCS_ENTRY_MSR_LOAD, rax
        LAUNCH
        CASE "[ECTL-17] deactivate dual-monitor treatment outside SMM"
        VMR VMCS_ENTRY_CTLS
        or eax, 1 << 11
        VMW VMCS_ENTRY_CTLS, rax
        LAUNCH

        ENTRY_PAYLOAD_END
