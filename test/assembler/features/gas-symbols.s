# Symbols: .equ/.set/= (with redefinition), forward references, label arithmetic, .L and numeric labels.
        .equ ONE, 1
        .set TWO, ONE + 1
        THREE = TWO + ONE
        .code64
start:
        movl $ONE, %eax
        movl $TWO, %eax
        movl $THREE, %eax
        movl $LATER, %eax
        addl $(end - start), %eax
        addl $(.Lmid - start), %eax
        movl $(.-start), %ecx
        .set VAR, 5
        .byte VAR
        .set VAR, VAR + 1
        .byte VAR
1:      .byte 1b - start
        jmp 1f
        jmp 1b
1:      jmp 1b
2:      .byte 2f - 2b
2:      nop
.Lmid:  nop
        .equ LATER, 0x1234
        .long end - start, .Lmid
end:
