; exits3.asm - the VMX instructions exits.asm leaves out, executed by a guest (SDM 25.1.2: every VMX instruction
; exits unconditionally in VMX non-root operation; 27.2.5 instruction information), and page faults against the
; exception bitmap with the page-fault error-code mask and match (SDM 25.2).
; Golden output: exits3.out, recorded from Bochs 2.7 (corei7_skylake_x) by ../record-golden.sh.
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"

VMCS_PF_MASK_           equ 0x4006
VMCS_PF_MATCH_          equ 0x4008
UNMAPPED                equ 0x100000000             ; above the stub's 4 GiB identity map: not present

%macro PFINFO 0
        PRINT "  error code="
        VMR VMCS_EXIT_INTR_ERR
        PHEX32 rax
        call newline
%endmacro

main:
        PRINTLN "=== exits3 ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"

        CASE "VMCLEAR [RBX+8] in the guest [exit 19, qualification = displacement]", g_vmclear
        ENTER
        INFO
        CASE "VMPTRLD [RIP+x] in the guest [exit 21, qualification = RIP-relative address]", g_vmptrld
        ENTER
        INFO
        CASE "VMWRITE RAX, [RCX+RDX*8] in the guest [exit 25, register and memory operands]", g_vmwrite_mem
        ENTER
        INFO
        CASE "VMWRITE RSI, RDI in the guest [exit 25, register operands]", g_vmwrite_reg
        ENTER
        INFO
        CASE "VMRESUME in the guest [exit 24]", g_vmresume
        ENTER
        CASE "VMXOFF in the guest [exit 26]", g_vmxoff
        ENTER

        CASE "#PF (read, not present), bitmap bit 14, mask 0 = match 0 [exit 0, 80000B0Eh, qual = CR2]", g_pf_read
        VMW VMCS_EXCEPTION_BITMAP, 1 << 14
        ENTER
        PFINFO
        CASE "#PF read (error code 0), bit 14, mask 2 / match 2: no match [no exit; delivery fails: exit 2]", g_pf_read
        VMW VMCS_EXCEPTION_BITMAP, 1 << 14
        VMW VMCS_PF_MASK_, 2
        VMW VMCS_PF_MATCH_, 2
        VMW VMCS_GUEST_IDTR_LIMIT, 0
        ENTER
        CASE "#PF write (error code 2), bit 14 clear, mask 2 / match 0: no match [exit 0]", g_pf_write
        VMW VMCS_PF_MASK_, 2
        VMW VMCS_PF_MATCH_, 0
        ENTER
        PFINFO
        CASE "#PF write (error code 2), bit 14 clear, mask 2 / match 2: match [no exit; exit 2]", g_pf_write
        VMW VMCS_PF_MASK_, 2
        VMW VMCS_PF_MATCH_, 2
        VMW VMCS_GUEST_IDTR_LIMIT, 0
        ENTER

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

g_vmclear:
        lea rbx, [rel g_scratch]
        vmclear [rbx + 8]
        hlt
g_vmptrld:
        vmptrld [rel g_scratch]
        hlt
g_vmwrite_mem:
        lea rcx, [rel g_scratch]
        mov edx, 1
        mov eax, 0x681E
        vmwrite rax, [rcx + rdx * 8]
        hlt
g_vmwrite_reg:
        mov esi, 0x681E
        xor edi, edi
        vmwrite rsi, rdi
        hlt
g_vmresume:
        vmresume
        hlt
g_vmxoff:
        vmxoff
        hlt
g_pf_read:
        mov rax, UNMAPPED
        mov rbx, [rax + 0x10]
        hlt
g_pf_write:
        mov rax, UNMAPPED
        mov [rax + 0x20], rbx
        hlt

        align 16
g_scratch: times 32 db 0
