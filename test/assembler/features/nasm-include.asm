; %include: the included file defines constants and a macro.
%include "inc/nasm-defs.inc"
        bits 64
        OUTCHAR 'A'
        mov eax, INC_VALUE
