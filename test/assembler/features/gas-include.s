# .include: the included file defines constants and a macro used here.
        .include "inc/gas-defs.inc"
        .code64
        outchar 'A'
        movl $INC_VALUE, %eax
