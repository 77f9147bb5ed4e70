; exits32.asm - VM exits of a 32-bit protected-mode guest with PAE paging (SDM 25.1-25.3, 27.2): the exit
; information where it depends on the guest's mode — string I/O with its guest-linear address and instruction
; information (address size 32 or 16 with 67h, segment override), descriptor-table exits (operand size bit 11,
; defined outside 64-bit mode), CR0/CR4 accesses against the guest/host masks and read shadows, MOV DR, INVLPG,
; RDMSR, VMCALL, and the exception bitmap for #DE.
; Golden output: exits32.out, recorded from Bochs 2.7 (corei7_skylake_x) by ../record-golden.sh.
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"
%define CASE_SETUP guest_pae32

PROC2_DESC_TABLE        equ 1 << 2
PROC_MOV_DR_EXITING     equ 1 << 23
VMCS_CR4_MASK_          equ 0x6002
VMCS_CR4_SHADOW_        equ 0x6006

%macro LINEAR 0
        PRINT "  guest_linear="
        VMR VMCS_GUEST_LINEAR_ADDR
        PHEX64 rax
        call newline
%endmacro

main:
        PRINTLN "=== exits32 ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        mov edx, 0x83
        call pae_tables

        mov dword [want_proc], PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING
        CASE "OUTSB, DS:ESI [exit 30, string, linear address, address size 32, DS]", g_outsb
        ENTER
        LINEAR
        INFO
        CASE "REP INSW with 67h (16-bit addresses), ES:DI [exit 30, string + REP, address size 16]", g_insw16
        ENTER
        LINEAR
        INFO
        CASE "FS: OUTSD [exit 30, segment FS in the instruction information]", g_outsd_fs
        ENTER
        LINEAR
        INFO
        CASE "OUT 80h, AL [exit 30, immediate port]", g_out_imm
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], PROC2_DESC_TABLE
        CASE "LGDT [EBX+4] in 32-bit mode [exit 46, identity 2, operand size 32 (bit 11)]", g_lgdt
        ENTER
        INFO
        CASE "O16 SIDT [EBX] [exit 46, identity 1, operand size 16]", g_sidt16
        ENTER
        INFO
        CASE "LLDT AX [exit 47, register operand]", g_lldt
        ENTER
        INFO
        mov dword [want_proc2], 0
        mov dword [want_proc], PROC_HLT_EXITING

        CASE "MOV to CR0 flipping host-owned TS [exit 28, qual: CR0, MOV to CR, ECX]", g_cr0_ts
        VMW VMCS_CR0_MASK, 8
        mov rax, cr0
        VMW VMCS_CR0_SHADOW, rax
        ENTER
        CASE "MOV from CR4 with a host-owned bit set in the shadow [no exit; EDX = shadowed value]", g_cr4_read
        VMW VMCS_CR4_MASK_, 1 << 9
        VMR VMCS_GUEST_CR4
        and eax, ~(1 << 9)
        VMW VMCS_CR4_SHADOW_, rax
        ENTER
        PRINT "  guest EDX (CR4 as read) = "
        PHEX32 [g_rdx]
        call newline
        CASE "MOV to CR4 changing a host-owned bit (OSFXSR) [exit 28, qual: CR4, MOV to CR, EBX]", g_cr4_write
        VMW VMCS_CR4_MASK_, 1 << 9
        VMR VMCS_GUEST_CR4
        VMW VMCS_CR4_SHADOW_, rax
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_MOV_DR_EXITING
        CASE "MOV DR7, ESI [exit 29, qual: DR7, to DR, ESI]", g_dr7
        ENTER
        mov dword [want_proc], PROC_HLT_EXITING | PROC_INVLPG_EXITING
        CASE "INVLPG [EAX+10h] [exit 14, qualification = 32-bit linear address]", g_invlpg
        ENTER
        mov dword [want_proc], PROC_HLT_EXITING

        CASE "RDMSR without MSR bitmaps [exit 31, length 2]", g_rdmsr
        ENTER
        CASE "VMCALL [exit 18, length 3]", g_vmcall
        ENTER
        CASE "DIV by zero with exception bitmap bit 0 [exit 0, 80000300h]", g_div0
        VMW VMCS_EXCEPTION_BITMAP, 1
        ENTER

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

; guest_pae32: every case's guest is in 32-bit protected mode with PAE paging
guest_pae32:
        call make_32bit
        VMW VMCS_GUEST_CR3, PAE_PDPT
        ret

        bits 32
g_outsb:
        mov esi, g_data
        mov dx, 0x3F8
        outsb
        hlt
g_insw16:
        mov edi, 0x7000
        mov dx, 0x71
        mov ecx, 2
        a16 rep insw
        hlt
g_outsd_fs:
        mov esi, g_data + 8
        mov dx, 0x80
        fs outsd
        hlt
g_out_imm:
        mov al, 0x42
        out 0x80, al
        hlt
g_lgdt:
        mov ebx, g_data
        lgdt [ebx + 4]
        hlt
g_sidt16:
        mov ebx, g_data
        o16 sidt [ebx]
        hlt
g_lldt:
        xor eax, eax
        lldt ax
        hlt
g_cr0_ts:
        mov ecx, cr0
        xor ecx, 8
        mov cr0, ecx
        hlt
g_cr4_read:
        mov edx, cr4
        hlt
g_cr4_write:
        mov ebx, cr4
        xor ebx, 1 << 9
        mov cr4, ebx
        hlt
g_dr7:
        mov esi, 0x400
        mov dr7, esi
        hlt
g_invlpg:
        mov eax, 0x123450
        invlpg [eax + 0x10]
        hlt
g_rdmsr:
        mov ecx, 0x10
        rdmsr
        hlt
g_vmcall:
        vmcall
        hlt
g_div0:
        xor edx, edx
        xor eax, eax
        xor ecx, ecx
        div ecx
        hlt
        bits 64

        align 16
g_data: times 32 db 0
