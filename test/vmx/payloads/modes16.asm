; modes16.asm - VM exits of 16-bit guests (SDM 25.1, 26.3.1.2, 27.2): a real-mode guest (CR0.PE=0) as an
; unrestricted guest with EPT, and a virtual-8086-mode guest (RFLAGS.VM=1) under PAE paging. The guests run at
; 2000:xxxx, i.e. in the payload itself (base 20000h). What the exits record in 16-bit modes: 16-bit effective
; addresses and address size 0 in the instruction information, real-mode linear addresses, CR0 accesses with
; PE host-owned, and the exceptions of virtual-8086 mode (IOPL- and I/O-permission #GP, INT3) that take
; priority over or replace VM exits.
; Golden output: modes16.out, recorded from Bochs 2.7 (corei7_skylake_x) by ../record-golden.sh.
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"

PROC2_EPT_UNRESTRICTED  equ (1 << 1) | (1 << 7)
GUEST_SEG       equ 0x2000                      ; real-mode / v8086 segment of the payload (base 20000h)


main:
        PRINTLN "=== modes16 ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        call build_tables

        ; ---- real mode, unrestricted guest ----------------------------------------------------------------
        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], PROC2_EPT_UNRESTRICTED
        CASE "real mode: CPUID [exit 10]", rm_cpuid
        call make_real
        ENTER
        PRINT "  guest CS base="
        VMR VMCS_GUEST_CS_BASE
        PHEX32 rax
        PRINT " CR0="
        VMR VMCS_GUEST_CR0
        PHEX32 rax
        call newline

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY | PROC_UNCOND_IO_EXITING
        CASE "real mode: REP OUTSB, DS:SI [exit 30, string + REP, address size 16, linear DS*16+SI]", rm_outsb
        call make_real
        ENTER
        PRINT "  guest_linear="
        VMR VMCS_GUEST_LINEAR_ADDR
        PHEX64 rax
        call newline
        INFO
        CASE "real mode: A32 OUTSW [exit 30, address size 32]", rm_outsw32
        call make_real
        ENTER
        INFO
        CASE "real mode: IN AL, 71h [exit 30, immediate]", rm_in
        call make_real
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY | PROC_INVLPG_EXITING
        CASE "real mode: INVLPG [BX+4] [exit 14, qualification = linear address 20000h + BX + 4]", rm_invlpg
        call make_real
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        CASE "real mode: MOV to CR0 setting PE, PE host-owned and clear in the shadow [exit 28, EAX]", rm_set_pe
        call make_real
        VMW VMCS_CR0_MASK, 1
        VMW VMCS_CR0_SHADOW, 0x30
        ENTER
        CASE "real mode: LMSW AX with MP host-owned [exit 28, type 3, source data]", rm_lmsw
        call make_real
        VMW VMCS_CR0_MASK, 2
        VMW VMCS_CR0_SHADOW, 0x30
        ENTER
        CASE "real mode: UD2 with exception bitmap bit 6 [exit 0, 80000306h]", rm_ud2
        call make_real
        VMW VMCS_EXCEPTION_BITMAP, 1 << 6
        ENTER
        mov dword [want_proc2], 0
        mov dword [want_proc], PROC_HLT_EXITING

        ; ---- virtual-8086 mode ----------------------------------------------------------------------------
        CASE "v8086: CPUID [exit 10]", rm_cpuid
        call make_v86
        ENTER
        PRINT "  guest RFLAGS="
        VMR VMCS_GUEST_RFLAGS
        PHEX32 rax
        PRINT " CS access rights="
        VMR VMCS_GUEST_CS_AR
        PHEX32 rax
        call newline
        mov dword [want_proc], PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING
        CASE "v8086: OUT DX, AL without I/O permission [#GP(0) before the I/O exit: exit 0, 80000B0Dh]", v86_out
        call make_v86
        VMW VMCS_EXCEPTION_BITMAP, 1 << 13
        ENTER
        PRINT "  error code="
        VMR VMCS_EXIT_INTR_ERR
        PHEX32 rax
        call newline
        mov dword [want_proc], PROC_HLT_EXITING
        CASE "v8086: HLT at CPL 3 [#GP(0) before HLT exiting: exit 0, 80000B0Dh]", rm_hlt
        call make_v86
        VMW VMCS_EXCEPTION_BITMAP, 1 << 13
        ENTER
        CASE "v8086: INT 21h with IOPL 0 [#GP(0): exit 0, 80000B0Dh]", v86_int21
        call make_v86
        VMW VMCS_EXCEPTION_BITMAP, 1 << 13
        ENTER
        CASE "v8086: INT3 with IOPL 3 [#BP, a software exception: exit 0, 80000603h, length 1]", v86_int3
        call make_v86
        VMW VMCS_GUEST_RFLAGS, 0x23002
        VMW VMCS_EXCEPTION_BITMAP, 1 << 3
        ENTER

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

; seg16: ES, CS, SS, DS, FS, GS := GUEST_SEG (base 20000h, limit FFFFh), access rights ESI (CS: EDX)
seg16:
        push rbx
        mov ebx, VMCS_GUEST_ES_SEL
.l:     VMW rbx, GUEST_SEG
        lea eax, [rbx + VMCS_GUEST_ES_BASE - VMCS_GUEST_ES_SEL]
        VMW rax, GUEST_SEG * 16
        lea eax, [rbx + VMCS_GUEST_ES_LIMIT - VMCS_GUEST_ES_SEL]
        VMW rax, 0xFFFF
        lea eax, [rbx + VMCS_GUEST_ES_AR - VMCS_GUEST_ES_SEL]
        mov ecx, esi
        cmp ebx, VMCS_GUEST_CS_SEL
        cmove ecx, edx
        VMW rax, rcx
        add ebx, 2
        cmp ebx, VMCS_GUEST_GS_SEL
        jbe .l
        pop rbx
        ret

; make_real: RDI = guest label. Real mode (CR0 = 30h) at GUEST_SEG:(label - 20000h), EPT identity map.
make_real:
        push rdi
        VMR VMCS_ENTRY_CTLS
        and eax, ~ENTRY_IA32E_GUEST
        VMW VMCS_ENTRY_CTLS, rax
        VMW VMCS_GUEST_CR0, 0x30
        VMW VMCS_GUEST_CR4, 0x2000
        mov esi, 0x93
        mov edx, 0x9B
        call seg16
        VMW VMCS_EPTP, EPTP_IDENTITY
        pop rdi
        sub rdi, GUEST_SEG * 16
        VMW VMCS_GUEST_RIP, rdi
        VMW VMCS_GUEST_RSP, 0xFF00
        VMW VMCS_GUEST_RFLAGS, 2
        ret

; make_v86: RDI = guest label. Virtual-8086 mode (RFLAGS.VM=1, IOPL 0) under PAE paging.
make_v86:
        push rdi
        VMR VMCS_ENTRY_CTLS
        and eax, ~ENTRY_IA32E_GUEST
        VMW VMCS_ENTRY_CTLS, rax
        VMW VMCS_GUEST_CR3, PAE_PDPT
        mov esi, 0xF3
        mov edx, 0xF3
        call seg16
        pop rdi
        sub rdi, GUEST_SEG * 16
        VMW VMCS_GUEST_RIP, rdi
        VMW VMCS_GUEST_RSP, 0xFF00
        VMW VMCS_GUEST_RFLAGS, 0x20002
        ret

build_tables:
        mov edx, 0x87                           ; 2-MiB pages, user-accessible (v8086 runs at CPL 3)
        call pae_tables
        call ept_tables
        ret

        bits 16
rm_cpuid:
        xor eax, eax
        cpuid
        hlt
rm_outsb:
        mov si, rm_data - GUEST_SEG * 16
        mov cx, 3
        mov dx, 0x80
        rep outsb
        hlt
rm_outsw32:
        mov esi, rm_data - GUEST_SEG * 16
        mov dx, 0x80
        a32 outsw
        hlt
rm_in:
        in al, 0x71
        hlt
rm_invlpg:
        mov bx, 0x100
        invlpg [bx + 4]
        hlt
rm_set_pe:
        mov eax, cr0
        or al, 1
        mov cr0, eax
        hlt
rm_lmsw:
        smsw ax
        or al, 2
        lmsw ax
        hlt
rm_ud2:
        ud2
rm_hlt:
        hlt
        hlt
v86_out:
        mov dx, 0x80
        out dx, al
        hlt
v86_int21:
        int 0x21
        hlt
v86_int3:
        int3
        hlt
rm_data: db "abc", 0, 0, 0, 0, 0
        bits 64

        align 8
