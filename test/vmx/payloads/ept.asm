; ept.asm - EPT (SDM 28.2): a 64-bit guest with "enable EPT" over an identity EPT map of 0-2 GiB
; (1-GiB pages, accessed/dirty flags enabled). The guest reads 2 GiB + 10h, which EPT does not map: an EPT
; violation (exit 48) with the guest-physical and guest-linear addresses; after the host maps it read-only,
; a write to the same address is a violation again (write access to a readable translation); finally
; 3 GiB is mapped write-only, a misconfiguration (exit 49). The EPT accessed/dirty flags are printed.
; Golden output: ept.out (Bochs 2.7 corei7_skylake_x).
%include "oracle.inc"
%include "vmx.inc"

EPT_PML4                equ FREE_MEM + 0x6000
EPT_PDPT                equ FREE_MEM + 0x7000
VMCS_PROC2_FIELD        equ 0x401E
VMCS_GUEST_PHYS         equ 0x2400

main:
        PRINTLN "=== ept ==="
        call vmx_enable
        mov rdi, VMCS_A
        call vmx_init_region
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        mov qword [ptr_tmp], VMCS_A
        vmclear [ptr_tmp]
        vmptrld [ptr_tmp]
        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], 1 << 1                ; enable EPT
        lea rdi, [rel guest]
        mov rsi, GUEST_STACK_TOP
        call vmcs_setup
        call print_controls
        ; EPT: PML4[0] -> PDPT; PDPT[0], [1] = 1-GiB pages RWX, WB; [2], [3] not present
        mov rdi, EPT_PML4
        call vmx_init_region
        mov dword [abs EPT_PML4], 0
        mov rdi, EPT_PDPT
        call vmx_init_region
        mov dword [abs EPT_PDPT], 0
        mov qword [abs EPT_PML4], EPT_PDPT | 7
        mov qword [abs EPT_PDPT], 0x80 | (6 << 3) | 7
        mov rax, (1 << 30) | 0x80 | (6 << 3) | 7
        mov [abs EPT_PDPT + 8], rax
        VMW VMCS_EPTP, EPT_PML4 | (1 << 6) | (3 << 3) | 6

        ENTER_REPORT 0, "VMLAUNCH (guest reads 2 GiB + 10h)"
        call ept_info
        PRINTLN "host: map 2 GiB read-only"
        mov rax, (2 << 30) | 0x80 | (6 << 3) | 1
        mov [abs EPT_PDPT + 16], rax
        ENTER_REPORT 1, "VMRESUME (the read retries, then the guest writes)"
        call ept_info
        PRINTLN "host: map 3 GiB write-only (a misconfiguration), let the write through"
        mov rax, (2 << 30) | 0x80 | (6 << 3) | 3
        mov [abs EPT_PDPT + 16], rax
        mov rax, (3 << 30) | 0x80 | (6 << 3) | 2
        mov [abs EPT_PDPT + 24], rax
        ENTER_REPORT 1, "VMRESUME (the write retries, then the guest reads 3 GiB)"
        call ept_info
        PRINT "EPT PDPT[0] = "
        PHEX64 [abs EPT_PDPT]
        PRINT " (bit 8 accessed, bit 9 dirty)"
        call newline
        PRINT "EPT PDPT[2] = "
        PHEX64 [abs EPT_PDPT + 16]
        call newline

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

ept_info:
        PRINT "  guest-physical="
        VMR VMCS_GUEST_PHYS
        PHEX64 rax
        PRINT " guest-linear="
        VMR VMCS_GUEST_LINEAR_ADDR
        PHEX64 rax
        call newline
        ret

guest:
        mov rax, 0x80000010
        mov rbx, [rax]
        mov [rax], rbx
        mov rax, 0xC0000020
        mov rbx, [rax]
        hlt

        align 8
ptr_tmp: dq 0
