; instructions.asm - VMX instruction semantics (SDM 30.3): VMREAD/VMWRITE widths, HIGH access, memory
; operands; VMPTRLD/VMPTRST/VMCLEAR of several VMCSs; INVEPT and INVVPID types and descriptor checks.
; Golden output: instructions.out (Bochs 2.7 corei7_skylake_x).
%include "oracle.inc"
%include "vmx.inc"

VMCS_GUEST_INTR_STATUS  equ 0x0810
VMCS_HLAT_POINTER       equ 0x2040
VMCS_TSC_OFFSET_HIGH    equ 0x2011

%macro SHOW 2                                   ; SHOW "label", field: "label = 0x..."
        PRINT %1, " = "
        VMR %2
        PHEX64 rax
        call newline
%endmacro

main:
        PRINTLN "=== instructions ==="
        call vmx_enable
        mov rdi, VMCS_A
        call vmx_init_region
        mov rdi, VMCS_B
        call vmx_init_region
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        mov qword [ptr_tmp], VMCS_A
        vmclear [ptr_tmp]
        vmptrld [ptr_tmp]
        VMX_RESULT "VMPTRLD(A)"

        PRINTLN "--- widths"
        mov eax, VMCS_GUEST_ES_SEL
        mov rbx, 0x123456789
        vmwrite rax, rbx
        VMX_RESULT "VMWRITE 16-bit field with 0x123456789"
        SHOW "  GUEST_ES_SELECTOR", VMCS_GUEST_ES_SEL
        mov eax, VMCS_GUEST_CS_LIMIT
        mov rbx, 0xAABBCCDD11223344
        vmwrite rax, rbx
        SHOW "  GUEST_CS_LIMIT (32-bit) after writing 0xAABBCCDD11223344", VMCS_GUEST_CS_LIMIT
        mov eax, VMCS_TSC_OFFSET
        mov rbx, 0x1111111122222222
        vmwrite rax, rbx
        mov eax, VMCS_TSC_OFFSET_HIGH
        mov ebx, 0x33333333
        vmwrite rax, rbx
        VMX_RESULT "VMWRITE TSC_OFFSET_HIGH"
        SHOW "  TSC_OFFSET", VMCS_TSC_OFFSET
        SHOW "  TSC_OFFSET_HIGH", VMCS_TSC_OFFSET_HIGH
        mov eax, VMCS_GUEST_RIP
        mov rbx, 0xFEDCBA9876543210
        mov [scratch], rbx
        vmwrite rax, [scratch]
        VMX_RESULT "VMWRITE GUEST_RIP from memory"
        mov qword [scratch], 0
        vmread [scratch], rax
        VMX_RESULT "VMREAD GUEST_RIP to memory"
        PRINT "  memory = "
        PHEX64 [scratch]
        call newline
        SHOW "  GUEST_INTERRUPT_STATUS (virtual-interrupt delivery is supported)", VMCS_GUEST_INTR_STATUS
        mov eax, VMCS_HLAT_POINTER
        vmread rbx, rax
        VMX_RESULT "VMREAD HLAT_POINTER (not supported by this model)"

        PRINTLN "--- several VMCSs"
        mov qword [ptr_tmp], VMCS_B
        vmclear [ptr_tmp]
        VMX_RESULT "VMCLEAR(B), A stays current"
        mov qword [ptr_tmp], 0
        vmptrst [ptr_tmp]
        PRINT "  current = "
        PHEX64 [ptr_tmp]
        call newline
        mov qword [ptr_tmp], VMCS_B
        vmptrld [ptr_tmp]
        VMX_RESULT "VMPTRLD(B)"
        SHOW "  B's GUEST_RIP (never written)", VMCS_GUEST_RIP
        mov qword [ptr_tmp], VMCS_A
        vmptrld [ptr_tmp]
        SHOW "  A's GUEST_RIP again", VMCS_GUEST_RIP

        PRINTLN "--- INVEPT (descriptor: EPTP, reserved)"
        mov qword [desc], FREE_MEM + 0x6000 + (3 << 3) + 6
        mov qword [desc + 8], 0
        mov eax, 1
        invept rax, [desc]
        VMX_RESULT "INVEPT type 1 (single context), valid EPTP"
        mov eax, 2
        invept rax, [desc]
        VMX_RESULT "INVEPT type 2 (global)"
        xor eax, eax
        invept rax, [desc]
        VMX_RESULT "INVEPT type 0 (not defined)"
        mov eax, 3
        invept rax, [desc]
        VMX_RESULT "INVEPT type 3 (not defined)"
        mov qword [desc], FREE_MEM + 0x6000 + (3 << 3) + 1
        mov eax, 1
        invept rax, [desc]
        VMX_RESULT "INVEPT type 1, EPTP memory type 1"

        PRINTLN "--- INVVPID (descriptor: VPID, reserved, linear address)"
        mov qword [desc], 1
        mov qword [desc + 8], 0x1000
        xor eax, eax
        invvpid rax, [desc]
        VMX_RESULT "INVVPID type 0 (individual address), VPID 1"
        mov eax, 1
        invvpid rax, [desc]
        VMX_RESULT "INVVPID type 1 (single context), VPID 1"
        mov eax, 2
        invvpid rax, [desc]
        VMX_RESULT "INVVPID type 2 (all contexts)"
        mov eax, 3
        invvpid rax, [desc]
        VMX_RESULT "INVVPID type 3 (single context, retaining globals)"
        mov eax, 4
        invvpid rax, [desc]
        VMX_RESULT "INVVPID type 4 (not defined)"
        mov qword [desc], 0
        mov eax, 1
        invvpid rax, [desc]
        VMX_RESULT "INVVPID type 1 with VPID 0"
        mov qword [desc], 0x10001
        mov eax, 1
        invvpid rax, [desc]
        VMX_RESULT "INVVPID with descriptor bits 63:16 set"
        mov qword [desc], 1
        mov rax, 0x0000800000000000
        mov [desc + 8], rax
        xor eax, eax
        invvpid rax, [desc]
        VMX_RESULT "INVVPID type 0, non-canonical linear address"

        PRINTLN "--- a shadow VMCS cannot be launched [INS-05: VMfailInvalid]"
        mov rdi, VMCS_C
        call vmx_init_region
        or dword [abs VMCS_C], 0x80000000
        mov qword [ptr_tmp], VMCS_C
        vmclear [ptr_tmp]
        vmptrld [ptr_tmp]
        VMX_RESULT "VMPTRLD(shadow VMCS)"
        vmlaunch
        VMX_RESULT "VMLAUNCH(shadow VMCS)"

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

        align 16
desc:    times 16 db 0
scratch: dq 0
ptr_tmp: dq 0
