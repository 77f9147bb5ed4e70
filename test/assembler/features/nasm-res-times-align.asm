; resb/resw/resd/resq, times, align and alignb (ALIGN pads with NOP and raises the section alignment).
        bits 32
        nop
        align 16
        inc eax
        align 8, db 0
        db 1
        times 5 db 0xee
        times 3 nop
        times 2 dw 0x1234
        times 4 inc ecx
        align 4
        db 2
        alignb 16
        db 3
        times (64 - ($ - $$)) db 0xcc
        resb 2
        resw 1
        db 4
section .bss
buf:    resb 3
        alignb 8
buf2:   resd 4
        resq 1
section .text
        dd buf, buf2
