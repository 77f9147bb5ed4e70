# Data directives and constants (GNU as).
        .data
bytes:  .byte 1, 0xff, -1, 'A, '\n, 0b1010, 017, 'z' - 'a'
words:  .word 0x1234, -2
        .short 65535, bytes
        .hword 7
longs:  .long 0xdeadbeef, longs - bytes, -1
        .int 42
quads:  .quad 0x1122334455667788, quads, -5
        .octa 0x0102030405060708
        .2byte 0x0a0b
        .4byte 0x0c0d0e0f
        .8byte 1
text:   .ascii "abc", "de\tf\\"
        .asciz "zero\0x"
        .string "str\x41\101"
        .byte (text_end - text)
text_end:
