# .macro (named, default, required and vararg parameters, \@, nesting, .exitm), .rept, .irp, .irpc,
# and the .if family.
        .code64
        .macro load reg, value=0
        movq $\value, %\reg
        .endm
        .macro pushall first, rest:vararg
        pushq %\first
        .ifnb \rest
        pushall \rest
        .endif
        .endm
        .macro tag
        .byte \@
        .endm
        .macro twice insn:req
        \insn
        \insn
        .endm
        .macro early n
        .if \n == 0
        .exitm
        .endif
        .byte \n
        .endm
        load rax, 5
        load rbx
        load value=7, reg=rcx
        pushall rax, rbx, rcx
        tag
        tag
        twice nop
        early 0
        early 3
        .rept 3
        inc %eax
        .endr
        .irp r, rsi, rdi
        pop %\r
        .endr
        .irpc c, 123
        .byte \c
        .endr
        .equ FLAG, 2
        .if FLAG == 2
        .byte 0x22
        .elseif FLAG == 3
        .byte 0x33
        .else
        .byte 0x44
        .endif
        .ifdef FLAG
        .byte 1
        .endif
        .ifndef NOPE
        .byte 2
        .else
        .byte 3
        .endif
        .ifeq FLAG - 2
        .byte 4
        .endif
        .ifne FLAG
        .byte 5
        .endif
        .if 0
        .if 1
        .byte 0xee
        .endif
        .else
        .byte 6
        .endif
        .ifc abc, abc
        .byte 7
        .endif
