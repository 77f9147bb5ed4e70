; advanced.asm - event injection (SDM 26.6), the CR4 guest/host mask, the VM-exit MSR-store and -load areas and
; the VM-entry MSR-load area (SDM 26.4, 27.4, 27.6), VMCS shadowing (SDM 24.10, 30.3), NMI-window exiting,
; the VMX-preemption timer counting down (SDM 25.5.1), and VMFUNC EPTP switching (SDM 25.5.6).
; Golden output: advanced.out (Bochs 2.7 corei7_skylake_x; SDM corrections in README.md).
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"

GUEST_IDT               equ FREE_MEM + 0x8000
MSR_AREA                equ FREE_MEM + 0x9000
MSR_BITMAP_PAGE         equ FREE_MEM + 0xA000
SHADOW_VMCS             equ FREE_MEM + 0xB000
VMREAD_BITMAP           equ FREE_MEM + 0xC000
VMWRITE_BITMAP          equ FREE_MEM + 0xD000
EPTP_LIST               equ FREE_MEM + 0x5000
VMCS_PROC2_FIELD        equ 0x401E
VMCS_MSR_BITMAP_FIELD   equ 0x2004
VMCS_VMREAD_BITMAP      equ 0x2026
VMCS_VMWRITE_BITMAP     equ 0x2028
VMCS_VMFUNC_CTLS        equ 0x2018
VMCS_EPTP_LIST          equ 0x2024
VMCS_CR4_MASK_          equ 0x6002
VMCS_CR4_SHADOW_        equ 0x6006
EXIT_SAVE_PREEMPT       equ 1 << 22

%macro LAUNCH 0
        ENTER_REPORT 0, "VMLAUNCH"
%endmacro
%macro GUEST_STACK_TOP_WORD 0                   ; RAX = the qword at the guest's RSP
        VMR VMCS_GUEST_RSP
        mov rax, [rax]
%endmacro

main:
        PRINTLN "=== advanced ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        call build_guest_idt

        ; ---- event injection: the guest's IDT handlers execute HLT
        CASE "inject #UD (type 3, vector 6) [delivered through the guest IDT; HLT in handler 6]", g_hlt
        call use_guest_idt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000306
        LAUNCH
        PRINT "  pushed RIP = "
        GUEST_STACK_TOP_WORD
        PHEX64 rax
        call newline
        CASE "inject #GP with error code 1234h [handler 13; error code on the stack]", g_hlt
        call use_guest_idt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000B0D
        VMW VMCS_ENTRY_EXC_ERR, 0x1234
        LAUNCH
        PRINT "  error code = "
        GUEST_STACK_TOP_WORD
        PHEX64 rax
        call newline
        CASE "inject INT 80h (software interrupt, length 2) [pushed RIP = guest RIP + 2]", g_hlt
        call use_guest_idt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000480
        VMW VMCS_ENTRY_INSTR_LEN, 2
        LAUNCH
        PRINT "  pushed RIP = "
        GUEST_STACK_TOP_WORD
        PHEX64 rax
        call newline
        CASE "inject external interrupt 20h with RFLAGS.IF=1 [handler 20h]", g_hlt
        call use_guest_idt
        VMW VMCS_GUEST_RFLAGS, 0x202
        VMW VMCS_ENTRY_INTR_INFO, 0x80000020
        LAUNCH
        CASE "inject NMI [handler 2]", g_hlt
        call use_guest_idt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000202
        LAUNCH

        ; ---- CR4 guest/host mask
        CASE "MOV to CR4 changing host-owned PGE [exit 28, qual: CR4, MOV to CR, RAX]", g_write_cr4_pge
        VMW VMCS_CR4_MASK_, 1 << 7
        mov rax, cr4
        VMW VMCS_CR4_SHADOW_, rax
        LAUNCH
        CASE "MOV from CR4 sees the shadow's PGE [no exit; guest RBX]", g_read_cr4
        VMW VMCS_CR4_MASK_, 1 << 7
        mov rax, cr4
        bts rax, 7
        VMW VMCS_CR4_SHADOW_, rax
        LAUNCH
        PRINT "  guest RBX = "
        PHEX64 [g_rbx]
        call newline

        ; ---- MSR areas
        mov dword [want_proc], PROC_HLT_EXITING | PROC_USE_MSR_BITMAPS
        CASE "VM-entry MSR load of SYSENTER_CS = 55h; the guest reads it [no exit]", g_rdmsr_174
        call msr_bitmap
        call zero_msr_area
        mov dword [abs MSR_AREA], 0x174
        mov dword [abs MSR_AREA + 8], 0x55
        VMW VMCS_ENTRY_MSR_LOAD_CNT, 1
        VMW VMCS_ENTRY_MSR_LOAD, MSR_AREA
        LAUNCH
        PRINT "  guest RAX = "
        PHEX64 [g_rax]
        call newline
        CASE "VM-exit MSR store of SYSENTER_CS written by the guest, then VM-exit MSR load of 77h", g_wrmsr_174
        call msr_bitmap
        call zero_msr_area
        mov dword [abs MSR_AREA], 0x174
        mov dword [abs MSR_AREA + 16], 0x174
        mov dword [abs MSR_AREA + 24], 0x77
        VMW VMCS_EXIT_MSR_STORE_CNT, 1
        VMW VMCS_EXIT_MSR_STORE, MSR_AREA
        VMW VMCS_EXIT_MSR_LOAD_CNT, 1
        VMW VMCS_EXIT_MSR_LOAD, MSR_AREA + 16
        LAUNCH
        PRINT "  stored value = "
        PHEX64 [abs MSR_AREA + 8]
        mov ecx, 0x174
        rdmsr
        PRINT " host SYSENTER_CS now = "
        PHEX32 rax
        call newline
        mov dword [want_proc], PROC_HLT_EXITING

        ; ---- VMCS shadowing
        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], 1 << 14
        CASE "VMCS shadowing: the guest VMREADs and VMWRITEs the shadow VMCS [no exits; HLT]", g_shadow
        mov rdi, SHADOW_VMCS
        call vmx_init_region
        or dword [abs SHADOW_VMCS], 0x80000000     ; shadow-VMCS indicator
        mov rdi, VMREAD_BITMAP
        call zero_page
        mov rdi, VMWRITE_BITMAP
        call zero_page
        VMW VMCS_VMREAD_BITMAP, VMREAD_BITMAP
        VMW VMCS_VMWRITE_BITMAP, VMWRITE_BITMAP
        VMW VMCS_LINK_POINTER, SHADOW_VMCS
        LAUNCH
        PRINT "  guest RBX (VMREAD of the shadow's GUEST_RIP) = "
        PHEX64 [g_rbx]
        PRINT ", guest RFLAGS.ZF/CF after VMWRITE = "
        PHEX64 [g_rcx]
        call newline
        mov qword [ptr_tmp], SHADOW_VMCS
        vmptrld [ptr_tmp]
        VMX_RESULT "VMPTRLD(shadow VMCS) in root"
        VMR VMCS_GUEST_RIP
        PRINT "  shadow GUEST_RIP = "
        PHEX64 rax
        call newline
        mov dword [want_proc2], 0
        mov dword [want_proc], PROC_HLT_EXITING

        ; ---- NMI-window exiting
        mov dword [want_pin], PIN_NMI_EXITING | PIN_VIRTUAL_NMIS
        mov dword [want_proc], PROC_HLT_EXITING | (1 << 22)
        CASE "NMI-window exiting with no virtual-NMI blocking [exit 8 before the first instruction]", g_hlt
        LAUNCH
        mov dword [want_pin], 0
        mov dword [want_proc], PROC_HLT_EXITING

        ; ---- preemption timer counting down
        mov dword [want_pin], PIN_PREEMPT_TIMER
        mov dword [want_exit], EXIT_HOST_ADDR_SPACE | EXIT_SAVE_PREEMPT
        CASE "preemption timer 1000 with a spinning guest [exit 52; saved value 0]", g_spin
        VMW VMCS_PREEMPT_TIMER, 1000
        mov edi, 0
        call vm_enter
        PRINT "  exit reason = "
        VMR VMCS_EXIT_REASON
        PDEC rax
        PRINT ", saved timer value = "
        VMR VMCS_PREEMPT_TIMER
        PDEC rax
        call newline
        mov dword [want_pin], 0
        mov dword [want_exit], EXIT_HOST_ADDR_SPACE

        ; ---- VMFUNC EPTP switching
        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], (1 << 1) | (1 << 13)     ; enable EPT, enable VM functions
        CASE "VMFUNC 0 (EPTP switching) to list entry 1 [no exit; HLT; EPT pointer switched]", g_vmfunc1
        call ept_setup
        LAUNCH
        PRINT "  EPT pointer = "
        VMR VMCS_EPTP
        PHEX64 rax
        call newline
        CASE "VMFUNC 0 with ECX = 512 [exit 59]", g_vmfunc512
        call ept_setup
        LAUNCH
        mov dword [want_proc2], 0
        mov dword [want_proc], PROC_HLT_EXITING

        ; last: Bochs 2.7 ends the simulation here ("VMENTER: unsupported event injection type 7"), see README.md
        CASE "[ECTL-03] inject a pending MTF (type 7) without MTF support [VMfailValid 7]", g_hlt
        VMW VMCS_ENTRY_INTR_INFO, 0x80000700
        LAUNCH
        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

zero_msr_area:
        push rdi
        mov rdi, MSR_AREA
        call zero_page
        pop rdi
        ret

msr_bitmap:
        push rdi
        mov rdi, MSR_BITMAP_PAGE
        call zero_page
        VMW VMCS_MSR_BITMAP_FIELD, MSR_BITMAP_PAGE
        pop rdi
        ret

; the identity EPT; EPTP list: [0] = its EPTP, [1] = the same tables with accessed/dirty flags on
ept_setup:
        push rdi
        call ept_identity
        mov rdi, EPTP_LIST
        call zero_page
        mov qword [abs EPTP_LIST], EPTP_IDENTITY
        mov qword [abs EPTP_LIST + 8], EPTP_IDENTITY | (1 << 6)
        VMW VMCS_VMFUNC_CTLS, 1
        VMW VMCS_EPTP_LIST, EPTP_LIST
        pop rdi
        ret

; a guest IDT whose gates 2, 6, 13, 20h and 80h lead to HLT stubs
build_guest_idt:
        mov rdi, GUEST_IDT
        call zero_page
        mov eax, 2
        lea rbx, [rel h_nmi]
        call set_gate
        mov eax, 6
        lea rbx, [rel h_ud]
        call set_gate
        mov eax, 13
        lea rbx, [rel h_gp]
        call set_gate
        mov eax, 0x20
        lea rbx, [rel h_ext]
        call set_gate
        mov eax, 0x80
        lea rbx, [rel h_int80]
        call set_gate
        ret

; set_gate: EAX = vector, RBX = handler: a 64-bit interrupt gate, selector 08h, DPL 3
set_gate:
        push rax
        push rdx
        shl eax, 4
        lea rdx, [abs GUEST_IDT + rax]
        mov rax, rbx
        mov [rdx], ax
        mov word [rdx + 2], SEL_CODE64
        mov word [rdx + 4], 0xEE00
        shr rax, 16
        mov [rdx + 6], ax
        shr rax, 16
        mov [rdx + 8], eax
        mov dword [rdx + 12], 0
        pop rdx
        pop rax
        ret

use_guest_idt:
        VMW VMCS_GUEST_IDTR_BASE, GUEST_IDT
        VMW VMCS_GUEST_IDTR_LIMIT, 0xFFF
        ret

h_nmi:  hlt
h_ud:   hlt
h_gp:   hlt
h_ext:  hlt
h_int80: hlt

; ---- guests -------------------------------------------------------------------------------------------
g_hlt:
        hlt
        jmp g_hlt
g_write_cr4_pge:
        mov rax, cr4
        bts rax, 7
        mov cr4, rax
        hlt
g_read_cr4:
        mov rbx, cr4
        hlt
g_rdmsr_174:
        mov ecx, 0x174
        rdmsr
        hlt
g_wrmsr_174:
        mov ecx, 0x174
        mov eax, 0x1234
        xor edx, edx
        wrmsr
        hlt
g_shadow:
        mov eax, VMCS_GUEST_RIP
        mov rbx, 0x1122334455667788
        vmwrite rax, rbx
        pushfq
        pop rcx
        and ecx, 0x41
        xor ebx, ebx
        vmread rbx, rax
        hlt
g_spin:
        jmp g_spin
g_vmfunc1:
        xor eax, eax
        mov ecx, 1
        vmfunc
        hlt
g_vmfunc512:
        xor eax, eax
        mov ecx, 512
        vmfunc
        hlt

        align 8
