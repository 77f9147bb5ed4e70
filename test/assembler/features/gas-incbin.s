# .incbin: a whole binary file, and a slice (skip, count).
        .code64
        jmp after
        .incbin "inc/blob.bin"
        .incbin "inc/blob.bin", 0x7e, 4
after:  ret
