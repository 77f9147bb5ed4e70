; v8086-guest.asm - a virtual-8086 guest under VT-x, in the style of the classic V86 monitors: the guest is
; real-mode code that prints with the BIOS teletype service (INT 10h, AH=0Eh). In virtual-8086 mode with
; IOPL < 3 and CR4.VME = 0, INT n raises #GP(0) (SDM Vol. 3A 20.2.7); the exception bitmap turns that #GP
; into a VM exit (reason 0), and the host - playing the BIOS - emulates the service and skips the INT.
; HLT at CPL 3 also raises #GP (privilege faults come before the HLT-exiting VM exit, SDM 25.1.1); the
; host takes that as the end of the guest.
;
; Run it:   vmx run examples/v8086-guest.asm
;
; The host is examples/hypervisor.asm; this file only changes the guest (GUEST_VARIANT) and handles
; exceptions (EXCEPTION_HANDLER). Guest state for virtual-8086 mode (SDM 26.3.1.2): RFLAGS.VM = 1, each
; segment base = selector x 16, limit FFFFh, access rights F3h; CR0.PE = CR0.PG = 1 (no unrestricted guest),
; here with 32-bit paging (one 4-MiB page, CR4.PSE); "IA-32e mode guest" = 0; TR a busy 32-bit TSS.

%define GUEST_VARIANT setup_v86_guest
%define EXCEPTION_HANDLER v86_exception

        bits 64
        org 0x100000
        jmp start

V86_CODE        equ 0x8000                      ; the guest's code and data: 0800:0000
V86_SEGMENT     equ V86_CODE >> 4
V86_PAGE_DIR    equ 0x204000
V86_TSS         equ 0x205000
EXIT_INTR_INFO  equ 0x4404

setup_v86_guest:
        ; copy the real-mode program below 1 MiB, where a virtual-8086 task can address it
        lea rsi, [rel v86_program]
        mov rdi, V86_CODE
        mov ecx, v86_program_end - v86_program
        rep movsb
        ; 32-bit paging: PDE 0 maps 0-4 MiB with a 4-MiB page (present, writable, user, PS)
        mov rdi, V86_PAGE_DIR
        call zero_page
        mov dword [V86_PAGE_DIR], 0x87
        ; controls: "IA-32e mode guest" = 0; #GP (vector 13) exits
        mov ecx, IA32_VMX_ENTRY_CTLS
        xor edx, edx
        call adjust
        mov rdi, ENTRY_CONTROLS
        mov esi, eax
        call vmw
        mov rdi, EXCEPTION_BITMAP
        mov esi, 1 << 13
        call vmw
        ; guest state
        mov rdi, GUEST_CR0
        mov esi, 0x80000031                     ; PG, NE, ET, PE
        call vmw
        mov rdi, GUEST_CR3
        mov esi, V86_PAGE_DIR
        call vmw
        mov rdi, GUEST_CR4
        mov esi, 0x2010                         ; VMXE, PSE
        call vmw
        mov rdi, GUEST_RFLAGS
        mov esi, 0x20002                        ; VM = 1, IOPL = 0
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
        mov esi, V86_SEGMENT
        call vmw
        lea rdi, [rdx + GUEST_ES_BASE - GUEST_ES_SELECTOR]
        mov esi, V86_CODE
        call vmw
        lea rdi, [rdx + GUEST_ES_LIMIT - GUEST_ES_SELECTOR]
        mov esi, 0xFFFF
        call vmw
        lea rdi, [rdx + GUEST_ES_AR - GUEST_ES_SELECTOR]
        mov esi, 0xF3                           ; present, DPL 3, read/write data, accessed
        call vmw
        add rdx, 2
        loop .segs
        mov rdi, GUEST_TR_BASE
        mov esi, V86_TSS
        call vmw                                ; TR: busy 32-bit TSS (AR 8Bh), limit 67h, as set before
        ret

; reason 0: the guest's #GP. CS:IP points at the faulting instruction.
v86_exception:
        mov eax, EXIT_INTR_INFO
        vmread rax, rax
        jbe vmread_failed
        cmp al, 13
        jne .unexpected
        mov eax, GUEST_CS_BASE
        vmread rsi, rax
        jbe vmread_failed
        mov eax, GUEST_RIP
        vmread rax, rax
        jbe vmread_failed
        add rsi, rax
        movzx eax, word [rsi]
        cmp ax, 0x10CD                          ; INT 10h
        je .int10
        cmp al, 0xF4                            ; HLT
        je .hlt
.unexpected:
        lea rsi, [rel msg_unexpected]
        call puts
        xor eax, eax
        ret
.int10: mov eax, [rbp]                          ; guest AX
        cmp ah, 0x0E                            ; teletype output
        jne .unexpected
        lea rsi, [rel msg_int10]
        call puts
        mov al, [rbp]
        call putc
        mov al, "'"
        call putc
        call newline
        mov eax, GUEST_RIP                      ; a #GP exit records no instruction length: INT 10h is 2 bytes
        vmread rdx, rax
        jbe vmread_failed
        add rdx, 2
        vmwrite rax, rdx
        jbe vmw.failed
        mov eax, 1                              ; resume the guest after the INT 10h
        ret
.hlt:   lea rsi, [rel msg_v86_hlt]
        call puts
        xor eax, eax
        ret

msg_int10:      db "host: INT 10h teletype '", 0
msg_v86_hlt:    db "host: HLT in virtual-8086 mode (#GP): the guest is done", 10, 0

; ---- the guest: real-mode code, run in virtual-8086 mode at 0800:0000 -------------------------------------
        bits 16
v86_program:
        mov si, v86_message - v86_program
.next:  lodsb
        test al, al
        jz .done
        mov ah, 0x0E                            ; BIOS teletype
        int 0x10
        jmp .next
.done:  hlt
v86_message:    db "V86!", 0
v86_program_end:
        bits 64

%include "hypervisor.asm"
