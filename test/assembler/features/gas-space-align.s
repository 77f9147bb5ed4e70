# .space/.skip/.zero/.fill and alignment: NOP padding in code, zeros (or a fill byte) in data.
        .text
        .code64
        nop
        .align 16
        inc %eax
        .balign 8
        .byte 1
        .p2align 5
        .byte 2
        .p2align 4,,3
        .byte 3
        .p2align 4,0xcc
        .byte 4
        .balign 128
        ret
        .code32
        .balign 16
        inc %eax
        .balign 64
        .code16
        inc %ax
        .balign 32
        .balign 4,0x90
        .space 5
        .skip 3, 0xaa
        .zero 2
        .fill 3, 2, 0x1234
        .fill 2, 4, -1
        .fill 2, 8, 0x11
        .fill 4
        .data
        .byte 9
        .balign 16
        .byte 8
        .align 8, 0x55
        .byte 7
