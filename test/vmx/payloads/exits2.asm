; exits2.asm - the exit conditions exits.asm leaves out, one case each (SDM 25.1-25.5, 27.2): GETSEC, MONITOR,
; MWAIT (with the monitor armed or not), LDTR/TR accesses, INVEPT/INVVPID/INVPCID in the guest, RDTSCP, XSETBV,
; RDSEED, TPR below threshold, and the VMX-preemption timer waking the guest from the HLT state. Besides the
; exit line of print_exit, the cases print the VM-exit instruction information where the SDM defines it
; (27.2.5) and the saved guest state that matters (activity state, timer value).
; Golden output: exits2.out, recorded from Bochs 2.7 (corei7_skylake_x) by ../record-golden.sh.
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"

PROC_MONITOR_EXITING    equ 1 << 29
PROC_TPR_SHADOW         equ 1 << 21
PROC2_ENABLE_EPT        equ 1 << 1
PROC2_DESC_TABLE        equ 1 << 2
PROC2_ENABLE_RDTSCP     equ 1 << 3
PROC2_ENABLE_VPID       equ 1 << 5
PROC2_ENABLE_INVPCID    equ 1 << 12
PROC2_RDSEED_EXITING    equ 1 << 16
PROC2_ENABLE_XSAVES     equ 1 << 20
VMCS_XSS_EXITING_BITMAP equ 0x202C
EXIT_SAVE_PREEMPT       equ 1 << 22
VMCS_VIRTUAL_APIC       equ 0x2012
VIRTUAL_APIC_PAGE       equ FREE_MEM + 0x5000
CR4_OSXSAVE             equ 1 << 18
CR4_PCIDE               equ 1 << 17


main:
        PRINTLN "=== exits2 ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"

        ; GETSEC exits unconditionally (25.1.2), but with CR4.SMXE = 0 it is #UD first (25.1.1); the model has
        ; no SMX, so CR4.SMXE cannot be 1 (IA32_VMX_CR4_FIXED1[14] = 0).
        CASE "GETSEC with CR4.SMXE=0 [#UD before the exit; exception bitmap bit 6: exit 0, 80000306h]", g_getsec
        VMW VMCS_EXCEPTION_BITMAP, 1 << 6
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_MONITOR_EXITING
        CASE "MONITOR with MONITOR exiting [exit 39, length 3]", g_monitor
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_MWAIT_EXITING
        CASE "MWAIT with MWAIT exiting, monitor not armed [exit 36, qualification 0]", g_mwait
        ENTER

        CASE "MONITOR (not exiting) then MWAIT [exit 36, qualification bit 0: armed]", g_monitor_mwait
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], PROC2_DESC_TABLE
        CASE "SLDT [rel] with descriptor-table exiting [exit 47, qualification = displacement]", g_sldt_mem
        ENTER
        INFO
        CASE "STR EAX [exit 47, register operand, identity 1]", g_str_reg
        ENTER
        INFO
        CASE "LLDT CX (null selector) [exit 47, identity 2]", g_lldt
        ENTER
        INFO
        CASE "LTR [RBX+RSI*4+8] [exit 47, identity 3, base/index/scale]", g_ltr_mem
        ENTER
        INFO
        CASE "SIDT [RAX] [exit 46, identity 1]", g_sidt
        ENTER
        INFO

        mov dword [want_proc2], PROC2_ENABLE_EPT | PROC2_ENABLE_VPID
        CASE "INVEPT in the guest [exit 50, qualification = displacement, instruction information]", g_invept
        call ept_for_guest
        ENTER
        INFO
        CASE "INVVPID in the guest [exit 53, qualification = displacement, instruction information]", g_invvpid
        call ept_for_guest
        ENTER
        INFO

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY | PROC_RDTSC_EXITING
        mov dword [want_proc2], PROC2_ENABLE_RDTSCP
        CASE "RDTSCP with RDTSC exiting and enable RDTSCP [exit 51, length 3]", g_rdtscp
        ENTER
        mov dword [want_proc2], 0
        CASE "RDTSCP without enable RDTSCP [#UD: exit 0, 80000306h]", g_rdtscp
        VMW VMCS_EXCEPTION_BITMAP, 1 << 6
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING
        CASE "XSETBV with guest CR4.OSXSAVE=1 [exit 55, unconditional, length 3]", g_xsetbv
        mov rax, cr4
        or rax, CR4_OSXSAVE
        VMW VMCS_GUEST_CR4, rax
        ENTER
        CASE "XSETBV with guest CR4.OSXSAVE=0 [#UD first: exit 0, 80000306h]", g_xsetbv
        VMW VMCS_EXCEPTION_BITMAP, 1 << 6
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY | PROC_INVLPG_EXITING
        mov dword [want_proc2], PROC2_ENABLE_INVPCID
        CASE "INVPCID with INVLPG exiting and enable INVPCID [exit 58, qualification = displacement]", g_invpcid
        ENTER
        INFO
        mov dword [want_proc2], 0
        CASE "INVPCID without enable INVPCID [#UD: exit 0, 80000306h]", g_invpcid
        VMW VMCS_EXCEPTION_BITMAP, 1 << 6
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], PROC2_RDSEED_EXITING
        CASE "RDSEED RCX with RDSEED exiting [exit 61, instruction information: RCX, 64-bit]", g_rdseed
        ENTER
        INFO
        CASE "RDSEED DX [exit 61, 16-bit operand]", g_rdseed16
        ENTER
        INFO
        mov dword [want_proc2], 0

        mov dword [want_proc], PROC_HLT_EXITING | PROC_TPR_SHADOW
        CASE "MOV to CR8 below the TPR threshold [exit 43, trap-like: guest RIP after the MOV]", g_cr8_low
        call tpr_shadow
        ENTER
        PRINT "  VTPR="
        mov eax, [abs VIRTUAL_APIC_PAGE + 0x80]
        PHEX32 rax
        call newline
        CASE "MOV to CR8 at the TPR threshold [no exit; HLT]", g_cr8_equal
        call tpr_shadow
        ENTER

        ; SDM 25.5.1: the timer counts down in the HLT activity state too, and its VM exit wakes the processor.
        mov dword [want_proc], 0
        mov dword [want_pin], PIN_PREEMPT_TIMER
        mov dword [want_exit], EXIT_HOST_ADDR_SPACE | EXIT_SAVE_PREEMPT
        CASE "VMX-preemption timer 200 while the guest halts [exit 52 from HLT; activity state HLT saved]", g_hlt_only
        VMW VMCS_PREEMPT_TIMER, 200
        ENTER
        PRINT "  activity state="
        VMR VMCS_GUEST_ACTIVITY
        PDEC rax
        PRINT " timer value saved="
        VMR VMCS_PREEMPT_TIMER
        PDEC rax
        call newline
        CASE "VMX-preemption timer 200, guest in HLT activity state from VM entry [exit 52]", g_hlt_only
        VMW VMCS_PREEMPT_TIMER, 200
        VMW VMCS_GUEST_ACTIVITY, 1
        ENTER
        PRINT "  activity state="
        VMR VMCS_GUEST_ACTIVITY
        PDEC rax
        call newline
        mov dword [want_proc], PROC_INTR_WINDOW
        CASE "timer 200 and interrupt-window exiting, HLT activity state, IF=1 [the window exit (7) wakes first]", g_hlt_only
        VMW VMCS_PREEMPT_TIMER, 200
        VMW VMCS_GUEST_ACTIVITY, 1
        VMW VMCS_GUEST_RFLAGS, 0x202
        ENTER
        mov dword [want_pin], 0
        mov dword [want_exit], EXIT_HOST_ADDR_SPACE
        mov dword [want_proc], PROC_HLT_EXITING

        ; XSAVES/XRSTORS (SDM 25.1.3, 25.3): the model supports no IA32_XSS component (CPUID.(EAX=0DH,ECX=1):ECX
        ; = EDX = 0), so IA32_XSS is 0 and the AND with it is always 0: they never exit here, exits 63/64 cannot
        ; occur on this model. What can be checked: no exit with the bitmap all ones, #UD without the control.
        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], PROC2_ENABLE_XSAVES
        CASE "XSAVES with the XSS-exiting bitmap all ones, IA32_XSS = 0 [no exit (the AND is 0); HLT]", g_xsaves
        call guest_osxsave
        mov rax, -1
        VMW VMCS_XSS_EXITING_BITMAP, rax
        ENTER
        mov dword [want_proc2], 0
        CASE "XSAVES without enable XSAVES/XRSTORS [#UD: exit 0, 80000306h]", g_xsaves
        call guest_osxsave
        VMW VMCS_EXCEPTION_BITMAP, 1 << 6
        ENTER
        CASE "XRSTORS without enable XSAVES/XRSTORS [#UD: exit 0, 80000306h]", g_xrstors
        call guest_osxsave
        VMW VMCS_EXCEPTION_BITMAP, 1 << 6
        ENTER
        mov dword [want_proc], PROC_HLT_EXITING

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret


; ept_for_guest: the identity EPT and VPID 1.
ept_for_guest:
        call ept_identity
        VMW VMCS_VPID, 1
        ret

; tpr_shadow: virtual-APIC page with VTPR = 50h, TPR threshold 5.
tpr_shadow:
        push rdi
        push rcx
        push rax
        mov rdi, VIRTUAL_APIC_PAGE
        call zero_page
        mov dword [abs VIRTUAL_APIC_PAGE + 0x80], 0x50
        VMW VMCS_VIRTUAL_APIC, VIRTUAL_APIC_PAGE
        VMW VMCS_TPR_THRESHOLD, 5
        pop rax
        pop rcx
        pop rdi
        ret

guest_osxsave:
        push rax
        mov rax, cr4
        or rax, CR4_OSXSAVE
        VMW VMCS_GUEST_CR4, rax
        pop rax
        ret

; ---- guests ---------------------------------------------------------------------------------------------
g_xsaves:
        lea rbx, [rel g_xarea]
        mov eax, -1
        mov edx, -1
        xsaves [rbx]
        hlt
g_xrstors:
        lea rbx, [rel g_xarea]
        mov eax, -1
        mov edx, -1
        xrstors [rbx]
        hlt
g_getsec:
        xor eax, eax
        getsec
        hlt
g_monitor:
        lea rax, [rel g_scratch]
        xor ecx, ecx
        xor edx, edx
        monitor
        hlt
g_mwait:
        xor eax, eax
        xor ecx, ecx
        mwait
        hlt
g_monitor_mwait:
        lea rax, [rel g_scratch]
        xor ecx, ecx
        xor edx, edx
        monitor
        xor eax, eax
        mwait
        hlt
g_sldt_mem:
        sldt [rel g_scratch]
        hlt
g_str_reg:
        str eax
        hlt
g_lldt:
        xor ecx, ecx
        lldt cx
        hlt
g_ltr_mem:
        lea rbx, [rel g_scratch]
        xor esi, esi
        ltr [rbx + rsi * 4 + 8]
        hlt
g_sidt:
        lea rax, [rel g_scratch]
        sidt [rax]
        hlt
g_invept:
        lea rax, [rel g_scratch]
        mov ecx, 1
        invept rcx, [rax + 0x10]
        hlt
g_invvpid:
        lea rdx, [rel g_scratch]
        mov ecx, 1
        invvpid rcx, [rdx - 8 + 8]
        hlt
g_rdtscp:
        rdtscp
        hlt
g_xsetbv:
        xor ecx, ecx
        mov eax, 1
        xor edx, edx
        xsetbv
        hlt
g_invpcid:
        lea rbx, [rel g_scratch]
        mov edx, 2
        invpcid rdx, [rbx + 0x20]
        hlt
g_rdseed:
        rdseed rcx
        hlt
g_rdseed16:
        rdseed dx
        hlt
g_cr8_low:
        mov eax, 2
        mov cr8, rax
        hlt
g_cr8_equal:
        mov eax, 5
        mov cr8, rax
        hlt
g_hlt_only:
        hlt
        hlt

        align 64
g_xarea: times 1024 db 0
        align 16
g_scratch: times 64 db 0
