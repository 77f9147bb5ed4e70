# Sections: .text first, then .data aligned to its largest alignment, .bss allocated but not written;
# .section names; .org inside a section.
        .data
d1:     .long d1, t1, b1
        .text
t1:     movl $d1, %eax
        movl $b1, %ebx
        movq d2(%rip), %rcx
        .section .rodata
ro:     .asciz "read-only"
        .text
        .org 0x40, 0xcc
t2:     ret
        .bss
b1:     .skip 16
        .data
        .p2align 4
d2:     .quad t2, ro
        .section .text
        leaq ro(%rip), %rdx
        .text
        jz d2
        jmp 0x1000
        jmp t1
