; struc/endstruc (field offsets as plain numbers), istruc/at/iend instances, absolute.
        bits 64
struc GUEST_REGS
.rax:   resq 1
.rbx:   resq 1
.flags: resd 1
.pad:   resb 4
.rip:   resq 1
endstruc

        mov rax, [rbx + GUEST_REGS.rip]
        mov [rsp + GUEST_REGS.rbx], rcx
        mov ecx, GUEST_REGS_size
        lea rdi, [rel regs]
        add rdi, GUEST_REGS.flags
        ret

regs:
        istruc GUEST_REGS
        at GUEST_REGS.rax, dq 0x1111
        at GUEST_REGS.flags, dd 0x202
        at GUEST_REGS.rip, dq regs
        iend
        dw GUEST_REGS_size

absolute 0x500
bda_word: resw 1
bda_byte: resb 1
section .text
        mov ax, [bda_word]
        mov al, [bda_byte]
