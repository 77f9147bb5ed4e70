# .pushsection/.popsection and .previous.
        .text
        nop
        .pushsection .data
d:      .long 1
        .pushsection .text
        ret
        .popsection
        .long 2
        .popsection
        int3
        .data
        .long 3
        .previous
        hlt
        .previous
        .long 4
