; nasm's pass-1 assumptions that decide jump sizes: an immediate not yet known is assumed small and
; `[rel x]` to a later symbol is absolute; and a section's first ALIGN replaces the default section
; alignment of 4.
        bits 64
        jmp .a
        add ecx, K
        times 123 nop
.a:     jmp .b
        mov rax, K
        times 120 nop
.b:     jmp .c
        mov eax, [rbx + 5]
        times 122 nop
.c:     jmp .d
        lea rax, [rel later]
        times 118 nop
.d:     ret
later:  db 1, 2, 3
section .data
        align 2
        db 0xee
K       equ 5
