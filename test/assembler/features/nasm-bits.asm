; The same instructions in 16-, 32- and 64-bit code; [bits]/[section] bracket forms.
[bits 16]
        mov ax, 1
        mov eax, 1
        push ax
        ret
[bits 32]
        mov ax, 1
        mov eax, 1
        push eax
        ret
use64
        mov ax, 1
        mov eax, 1
        mov rax, 1
        push rax
        ret
