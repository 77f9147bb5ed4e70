; equ, $ and $$, local labels (.x under the last non-local label), forward references.
        bits 64
ONE     equ 1
TWO     equ ONE + 1
start:
        mov eax, ONE
        mov eax, TWO
        mov eax, LATER
        add eax, end - start
        mov ecx, $ - $$
.loop:  dec ecx
        jnz .loop
        jmp start.loop
other:
.loop:  jmp .loop
        jmp other.loop
        db $ - other
..@special: nop
.after: jmp .after
LATER   equ 0x1234
        dd end - start
end:
