; entry-ins.asm - what VMLAUNCH and VMRESUME check themselves, before the VM-entry checks of SDM 26.2 (SDM 26.1;
; 30.3 "VMLAUNCH/VMRESUME"), in the order the SDM gives: #UD outside VMX operation, VMfailInvalid without a
; current VMCS, VMfailValid(26) right after MOV SS, VMfailValid(4)/(5) for the wrong launch state; and control
; settings that must not fail: secondary controls while "activate secondary controls" is 0, an EPTP with
; accessed/dirty flags on a model that supports them, TSC scaling with multiplier 0. The check ids of
; ../shared/reference/vm-entry-checks.md are in brackets.
; Golden output: entry-ins.out (Bochs 2.7 corei7_skylake_x; SDM corrections in README.md).
%include "oracle.inc"
%include "vmx.inc"
%include "entry-cases.inc"

VMCS_PROC2_FIELD        equ 0x401E
VMCS_TSC_MULTIPLIER     equ 0x2032
P2_EPT                  equ 1 << 1
P2_TSC_SCALING          equ 1 << 25

; RAW_LAUNCH: VMLAUNCH right where it stands (no vm_enter prologue), reported; a guest that is entered comes back
; through a HLT exit to `%%entered` and says so
%macro RAW_LAUNCH 0
        mov rax, VMCS_HOST_RSP
        vmwrite rax, rsp
        mov rax, VMCS_HOST_RIP
        lea rbx, [rel %%entered]
        vmwrite rax, rbx
        mov ax, ss
        mov ss, ax
        vmlaunch
        VMX_RESULT "VMLAUNCH"
        jmp %%done
%%entered:
        PRINT "VMLAUNCH: VM exit: "
        call print_exit
%%done:
%endmacro

main:
        PRINTLN "=== entry-ins ==="
        call vmx_enable

        PRINTLN "--- [INS-01] VMLAUNCH outside VMX operation [#UD]"
        TRY .ud
        vmlaunch
        END_TRY
        PRINTLN "no fault"
        jmp .vmxon
.ud:    call print_fault
        call newline

.vmxon: mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"

        PRINTLN "--- [INS-04] VMLAUNCH and VMRESUME without a current VMCS [VMfailInvalid]"
        vmlaunch
        VMX_RESULT "VMLAUNCH"
        vmresume
        VMX_RESULT "VMRESUME"

        CASE "[INS-06] VMLAUNCH right after MOV SS [VMfailValid 26, before the launch-state check]"
        RAW_LAUNCH
        CASE "[INS-06] after MOV SS even with a broken control field [VMfailValid 26, not 7]"
        VMW VMCS_PIN_CTLS, 0
        RAW_LAUNCH

        CASE "[INS-07] VMLAUNCH of a launched VMCS [VMfailValid 4]"
        LAUNCH
        LAUNCH
        CASE "[INS-08] VMRESUME of a clear VMCS [VMfailValid 5]"
        ENTER_REPORT 1, "VMRESUME"
        CASE "[INS-08 boundary] VMRESUME after a VM exit [VM entry; guest HLT exit 12]"
        LAUNCH
        ENTER_REPORT 1, "VMRESUME"

        CASE "[CTL-04] secondary controls with unsupported bits while primary bit 31 is 0 [VM entry; HLT exit]"
        VMR VMCS_PROC_CTLS
        and eax, ~PROC_SECONDARY
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_PROC2_FIELD, 0xFFFFFFFF
        LAUNCH

        CASE "[CTL-30 boundary] EPTP with accessed/dirty flags, IA32_VMX_EPT_VPID_CAP[21] = 1 [VM entry; HLT exit]"
        VMR VMCS_PROC_CTLS
        or eax, PROC_SECONDARY
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_PROC2_FIELD, P2_EPT
        call ept_tables
        VMW VMCS_EPTP, EPTP_IDENTITY | (1 << 6)
        LAUNCH

        ; the SDM has no check on the TSC multiplier; Bochs 2.7 fails a zero multiplier (README.md)
        CASE "[CTL-46] use TSC scaling with TSC multiplier 0 [SDM: VM entry; HLT exit]"
        VMR VMCS_PROC_CTLS
        or eax, PROC_SECONDARY
        VMW VMCS_PROC_CTLS, rax
        VMW VMCS_PROC2_FIELD, P2_TSC_SCALING
        VMW VMCS_TSC_MULTIPLIER, 0
        LAUNCH

        ENTRY_PAYLOAD_END
