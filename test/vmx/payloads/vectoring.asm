; vectoring.asm - IDT-vectoring information (SDM 27.2.3): a VM exit during the delivery of an event records
; that event. A 64-bit guest over an EPT identity map of 0-1 GiB has its IDT at 1 GiB, which EPT does not map:
; delivering an injected #UD, an injected #GP with error code, and a #BP raised by the guest's own INT3 each
; reads the IDT and causes an EPT violation whose IDT-vectoring information names the event.
; Golden output: vectoring.out (Bochs 2.7 corei7_skylake_x).
%include "oracle.inc"
%include "vmx.inc"

EPT_PML4                equ FREE_MEM + 0x6000
EPT_PDPT                equ FREE_MEM + 0x7000
GUEST_IDT_GPA           equ 0x40000000
VMCS_IDT_VEC_INFO_      equ 0x4408
VMCS_IDT_VEC_ERR_       equ 0x440A
VMCS_GUEST_PHYS         equ 0x2400

%macro FRESH 2
        PRINTLN "--- ", %1
        lea rdi, [rel %2]
        call fresh_vmcs
%endmacro

main:
        PRINTLN "=== vectoring ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], 1 << 1                    ; enable EPT

        FRESH "inject #UD with the guest IDT unmapped in EPT [exit 48, IDT-vectoring 80000306h]", g_hlt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000306
        ENTER_REPORT 0, "VMLAUNCH"
        call vectoring

        FRESH "inject #GP with error code 5Ah [IDT-vectoring 80000B0Dh, error code 5Ah]", g_hlt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000B0D
        VMW VMCS_ENTRY_EXC_ERR, 0x5A
        ENTER_REPORT 0, "VMLAUNCH"
        call vectoring

        FRESH "the guest's INT3 [IDT-vectoring 80000603h: a software exception]", g_int3
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
        ; EPT: 0-1 GiB identity (one 1-GiB page); nothing else
        mov rdi, EPT_PML4
        call vmx_init_region
        mov dword [abs EPT_PML4], 0
        mov rdi, EPT_PDPT
        call vmx_init_region
        mov qword [abs EPT_PML4], EPT_PDPT | 7
        mov qword [abs EPT_PDPT], 0x80 | (6 << 3) | 7
        VMW VMCS_EPTP, EPT_PML4 | (3 << 3) | 6
        VMW VMCS_GUEST_IDTR_BASE, GUEST_IDT_GPA
        VMW VMCS_GUEST_IDTR_LIMIT, 0xFFF
        ret

g_hlt:
        hlt
g_int3:
        int3
        hlt

        align 8
ptr_tmp: dq 0
