# .nops: NOP padding of a given size (the code-alignment patterns).
        .code64
        .nops 20
        .nops 3
        .nops 100
        ret
