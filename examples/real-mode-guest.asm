; real-mode-guest.asm - an unrestricted guest (SDM 25.6.2, 26.3.1.1): with the secondary controls
; "unrestricted guest" and "enable EPT", the guest may run with CR0.PE = 0 and CR0.PG = 0, i.e. in real
; mode, straight from VM entry. Guest-physical memory is translated by EPT (here an identity map of the
; first 4 GiB with four 1-GiB pages, write-back). The guest prints over the UART directly (ports 3F8h-3FFh are
; not in the I/O bitmap), executes CPUID (an unconditional VM exit, answered by the host) and HLT.
;
; Run it:   vmx run examples/real-mode-guest.asm
;
; The host is examples/hypervisor.asm; this file only changes the guest (GUEST_VARIANT).

%define GUEST_VARIANT setup_real_mode_guest

        bits 64
        org 0x100000
        jmp start

RM_CODE             equ 0x8000                  ; the guest's code and data: 0800:0000
RM_SEGMENT          equ RM_CODE >> 4
EPT_PML4            equ 0x206000
EPT_PDPT            equ 0x207000
IA32_VMX_PROCBASED_CTLS2 equ 0x48B
SECONDARY_CONTROLS  equ 0x401E
EPT_POINTER         equ 0x201A
ACTIVATE_SECONDARY  equ 1 << 31
ENABLE_EPT          equ 1 << 1
UNRESTRICTED_GUEST  equ 1 << 7

setup_real_mode_guest:
        lea rsi, [rel rm_program]
        mov rdi, RM_CODE
        mov ecx, rm_program_end - rm_program
        rep movsb
        ; EPT: PML4[0] -> PDPT; PDPT[0..3] = 1-GiB pages, read/write/execute, memory type WB (6)
        mov rdi, EPT_PML4
        call zero_page
        mov rdi, EPT_PDPT
        call zero_page
        mov qword [EPT_PML4], EPT_PDPT | 7
        xor eax, eax
.map:   mov rdx, rax
        shl rdx, 30
        or rdx, 0x80 | (6 << 3) | 7
        mov [EPT_PDPT + rax * 8], rdx
        inc eax
        cmp eax, 4
        jb .map
        mov rdi, EPT_POINTER
        mov esi, EPT_PML4 | (3 << 3) | 6        ; 4-level walk, write-back paging structures
        call vmw
        ; controls: secondary controls on, with "enable EPT" and "unrestricted guest"; a 16-bit guest
        mov ecx, IA32_VMX_PROCBASED_CTLS
        mov edx, HLT_EXITING | USE_IO_BITMAPS | ACTIVATE_SECONDARY
        call adjust
        mov rdi, PROC_BASED_CONTROLS
        mov esi, eax
        call vmw
        mov ecx, IA32_VMX_PROCBASED_CTLS2
        rdmsr                                   ; allowed-1 settings in EDX
        mov eax, ENABLE_EPT | UNRESTRICTED_GUEST
        and eax, edx
        mov rdi, SECONDARY_CONTROLS
        mov esi, eax
        call vmw
        mov ecx, IA32_VMX_ENTRY_CTLS
        xor edx, edx
        call adjust
        mov rdi, ENTRY_CONTROLS
        mov esi, eax
        call vmw
        ; guest state: real mode
        mov rdi, GUEST_CR0
        mov esi, 0x30                           ; NE, ET; PE = PG = 0
        call vmw
        mov rdi, CR0_READ_SHADOW
        mov esi, 0x30
        call vmw
        mov rdi, GUEST_CR4
        mov esi, 0x2000                         ; VMXE (required by IA32_VMX_CR4_FIXED0)
        call vmw
        mov rdi, GUEST_RIP
        xor esi, esi
        call vmw
        mov rdi, GUEST_RSP
        mov esi, 0xFFFE
        call vmw
        mov rdx, GUEST_ES_SELECTOR              ; ES, CS, SS, DS, FS, GS
        mov ecx, 6
.segs:  mov rdi, rdx
        mov esi, RM_SEGMENT
        call vmw
        lea rdi, [rdx + GUEST_ES_BASE - GUEST_ES_SELECTOR]
        mov esi, RM_CODE
        call vmw
        lea rdi, [rdx + GUEST_ES_LIMIT - GUEST_ES_SELECTOR]
        mov esi, 0xFFFF
        call vmw
        lea rdi, [rdx + GUEST_ES_AR - GUEST_ES_SELECTOR]
        mov esi, 0x93                           ; read/write data, accessed, present, DPL 0
        cmp rdx, GUEST_CS_SELECTOR
        jne .ar
        mov esi, 0x9B                           ; CS: execute/read code, accessed
.ar:    call vmw
        add rdx, 2
        loop .segs
        ret

; ---- the guest: real-mode code at 0800:0000 -------------------------------------------------------------
        bits 16
rm_program:
        mov si, rm_hello - rm_program
        call rm_puts
        xor eax, eax
        cpuid                                   ; a VM exit in any mode
        mov [rm_vendor - rm_program], ebx
        mov [rm_vendor - rm_program + 4], edx
        mov [rm_vendor - rm_program + 8], ecx
        mov si, rm_cpuid - rm_program
        call rm_puts
        mov si, rm_vendor - rm_program
        call rm_puts
        mov si, rm_newline - rm_program
        call rm_puts
        hlt
rm_puts:
        lodsb
        test al, al
        jz .done
        mov ah, al
        mov dx, 0x3FD
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov al, ah
        mov dx, 0x3F8
        out dx, al
        jmp rm_puts
.done:  ret
rm_hello:       db "guest: real mode (CR0.PE=0) as an unrestricted guest", 10, 0
rm_cpuid:       db "guest: CPUID vendor ", 0
rm_vendor:      times 13 db 0
rm_newline:     db 10, 0
rm_program_end:
        bits 64

%include "hypervisor.asm"
