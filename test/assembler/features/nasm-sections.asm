; Sections in a flat binary: .text at org, .data and other progbits sections after it (aligned to 4 or
; align=), .bss after those, not written.
        org 0x1000
section .data
d1:     dd d1, t1, b1
section .text
t1:     mov eax, d1
        mov ebx, b1
        mov ecx, [d2]
section .rodata align=16
ro:     db "read-only", 0
section .bss
b1:     resb 16
section .data
d2:     dq t1, ro
segment .text
        ret
segment .text
        jz d2
        jmp 0x1000
        jmp t1
