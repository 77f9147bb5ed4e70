; entry-host.asm - VM-entry checks on the host-state area (SDM 26.2.2 host control registers and MSRs, 26.2.3
; host segment and descriptor-table registers, 26.2.4 address-space size), each through real execution: a fresh
; valid VMCS, one host field changed, VMLAUNCH. Every failure is VMfailValid(8); a few boundary cases show the
; nearest valid value entering the guest. Check ids of ../shared/reference/vm-entry-checks.md in brackets.
; Golden output: entry-host.out (Bochs 2.7 corei7_skylake_x; SDM corrections, if any, in README.md).
%include "oracle.inc"
%include "vmx.inc"
%include "entry-cases.inc"

VMCS_HOST_PERF_GLOBAL   equ 0x2C04
NONCANONICAL            equ 0x0000800000000000
EXIT_LOAD_PERF_GLOBAL   equ 1 << 12
EXIT_LOAD_PAT           equ 1 << 19

%macro EXIT_OR 1
        VMR VMCS_EXIT_CTLS
        or eax, %1
        VMW VMCS_EXIT_CTLS, rax
%endmacro
; HOST_NONCANONICAL field: write a non-canonical address into a host field
%macro HOST_NONCANONICAL 1
        mov rax, NONCANONICAL
        VMW %1, rax
%endmacro

main:
        ENTRY_PAYLOAD_BEGIN "entry-host"

        CASE "valid state [VM entry; guest HLT exit 12]"
        LAUNCH

        ; ---- 26.2.2 host control registers and MSRs
        CASE "[HST-01] host CR0.PG clear"
        mov rax, cr0
        btr eax, 31
        VMW VMCS_HOST_CR0, rax
        LAUNCH
        CASE "[HST-02] host CR0 with bit 32 set (IA32_VMX_CR0_FIXED1 has 0 there)"
        mov rax, cr0
        bts rax, 32
        VMW VMCS_HOST_CR0, rax
        LAUNCH
        CASE "[HST-04] host CR4.SMXE set (IA32_VMX_CR4_FIXED1 has 0 there)"
        mov rax, cr4
        bts rax, 14
        VMW VMCS_HOST_CR4, rax
        LAUNCH
        CASE "[HST-08] host IA32_SYSENTER_EIP not canonical"
        HOST_NONCANONICAL VMCS_HOST_SYSENTER_EIP
        LAUNCH
        CASE "[HST-08 boundary] host IA32_SYSENTER_EIP at the top of the lower canonical half [VM entry]"
        mov rax, 0x00007FFFFFFFFFFF
        VMW VMCS_HOST_SYSENTER_EIP, rax
        LAUNCH
        CASE "[HST-12] load IA32_PERF_GLOBAL_CTRL with reserved bit 63"
        EXIT_OR EXIT_LOAD_PERF_GLOBAL
        mov rax, 1 << 63
        VMW VMCS_HOST_PERF_GLOBAL, rax
        LAUNCH
        CASE "[HST-12 boundary] load IA32_PERF_GLOBAL_CTRL enabling 4 GP and 3 fixed counters [VM entry]"
        EXIT_OR EXIT_LOAD_PERF_GLOBAL
        mov rax, 0x000000070000000F
        VMW VMCS_HOST_PERF_GLOBAL, rax
        LAUNCH
        CASE "[HST-13] load IA32_PAT with memory type 3 in byte 5"
        EXIT_OR EXIT_LOAD_PAT
        mov rax, 0x0007030600070406
        VMW VMCS_HOST_PAT, rax
        LAUNCH
        CASE "[HST-14] load IA32_EFER with reserved bit 1"
        EXIT_OR EXIT_LOAD_EFER
        VMW VMCS_HOST_EFER, 0xD02
        LAUNCH
        CASE "[HST-15] load IA32_EFER with LMA clear in a 64-bit host"
        EXIT_OR EXIT_LOAD_EFER
        VMW VMCS_HOST_EFER, 0x900
        LAUNCH
        CASE "[HST-16] load IA32_EFER with LME clear in a 64-bit host"
        EXIT_OR EXIT_LOAD_EFER
        VMW VMCS_HOST_EFER, 0xC00
        LAUNCH

        ; ---- 26.2.3 host segment and descriptor-table registers
        CASE "[HSEG-01] host ES selector with RPL 1"
        VMW VMCS_HOST_ES_SEL, SEL_DATA | 1
        LAUNCH
        CASE "[HSEG-02] host CS selector with TI set"
        VMW VMCS_HOST_CS_SEL, SEL_CODE64 | 4
        LAUNCH
        CASE "[HSEG-04] host DS selector with RPL 3"
        VMW VMCS_HOST_DS_SEL, SEL_DATA | 3
        LAUNCH
        CASE "[HSEG-05] host FS selector with TI set"
        VMW VMCS_HOST_FS_SEL, SEL_DATA | 4
        LAUNCH
        CASE "[HSEG-06] host GS selector with RPL 2"
        VMW VMCS_HOST_GS_SEL, SEL_DATA | 2
        LAUNCH
        CASE "[HSEG-07] host TR selector with RPL 3"
        VMW VMCS_HOST_TR_SEL, SEL_TSS | 3
        LAUNCH
        CASE "[HSEG-09] host TR selector 0"
        VMW VMCS_HOST_TR_SEL, 0
        LAUNCH
        CASE "[HSEG-12] host GS base not canonical"
        HOST_NONCANONICAL VMCS_HOST_GS_BASE
        LAUNCH
        CASE "[HSEG-13] host TR base not canonical"
        HOST_NONCANONICAL VMCS_HOST_TR_BASE
        LAUNCH
        CASE "[HSEG-14] host GDTR base not canonical"
        HOST_NONCANONICAL VMCS_HOST_GDTR_BASE
        LAUNCH
        CASE "[HSEG-15] host IDTR base not canonical"
        HOST_NONCANONICAL VMCS_HOST_IDTR_BASE
        LAUNCH

        ; ---- 26.2.4 address-space size
        CASE "[HASZ-03] host address-space size 0 while the VMM is in IA-32e mode"
        VMR VMCS_EXIT_CTLS
        and eax, ~EXIT_HOST_ADDR_SPACE
        VMW VMCS_EXIT_CTLS, rax
        LAUNCH
        CASE "[HASZ-08] host RIP not canonical"
        mov rax, NONCANONICAL
        mov [host_rip_override], rax
        LAUNCH
        mov qword [host_rip_override], 0

        ENTRY_PAYLOAD_END
