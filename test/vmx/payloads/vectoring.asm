; vectoring.asm - IDT-vectoring information (SDM 27.2.3): a VM exit during the delivery of an event records
; that event. A 64-bit guest over an EPT identity map of 0-1 GiB has its IDT at 1 GiB, which EPT does not map:
; delivering an injected #UD, an injected #GP with error code, and a #BP raised by the guest's own INT3 each
; reads the IDT and causes an EPT violation whose IDT-vectoring information names the event.
; Golden output: vectoring.out (Bochs 2.7 corei7_skylake_x).
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"
%define CASE_SETUP ept_low_gib

GUEST_IDT_GPA           equ 0x40000000
VMCS_IDT_VEC_INFO_      equ 0x4408
VMCS_IDT_VEC_ERR_       equ 0x440A
VMCS_GUEST_PHYS         equ 0x2400

main:
        PRINTLN "=== vectoring ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], 1 << 1                    ; enable EPT

        CASE "inject #UD with the guest IDT unmapped in EPT [exit 48, IDT-vectoring 80000306h]", g_hlt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000306
        ENTER_REPORT 0, "VMLAUNCH"
        call vectoring

        CASE "inject #GP with error code 5Ah [IDT-vectoring 80000B0Dh, error code 5Ah]", g_hlt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000B0D
        VMW VMCS_ENTRY_EXC_ERR, 0x5A
        ENTER_REPORT 0, "VMLAUNCH"
        call vectoring

        CASE "the guest's INT3 [IDT-vectoring 80000603h: a software exception]", g_int3
        ENTER_REPORT 0, "VMLAUNCH"
        call vectoring

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

vectoring:
        PRINT "  IDT-vectoring info="
        VMR VMCS_IDT_VEC_INFO_
        PHEX32 rax
        PRINT " error="
        VMR VMCS_IDT_VEC_ERR_
        PHEX32 rax
        PRINT " guest-physical="
        VMR VMCS_GUEST_PHYS
        PHEX64 rax
        call newline
        ret

; ept_low_gib: EPT maps 0-1 GiB only (one 1-GiB page), so the guest IDT at 1 GiB is not mapped
ept_low_gib:
        call ept_identity
        mov qword [abs EPT_PDPT + 8], 0
        mov qword [abs EPT_PDPT + 16], 0
        mov qword [abs EPT_PDPT + 24], 0
        VMW VMCS_GUEST_IDTR_BASE, GUEST_IDT_GPA
        VMW VMCS_GUEST_IDTR_LIMIT, 0xFFF
        ret

g_hlt:
        hlt
g_int3:
        int3
        hlt
