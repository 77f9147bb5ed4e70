// GAS Intel syntax (.intel_syntax noprefix) and switching back and forth with .att_syntax.
        .intel_syntax noprefix
        .code64
        mov eax, 1
        mov rax, [rbx + rcx*8 + 16]
        mov dword ptr [rax], 5
        mov byte ptr [rdi + 1], al
        lea rdx, [rip + data]
        mov rax, qword ptr fs:[0x28]
        add qword ptr [rsp + 8], 0x10
        movzx ecx, word ptr [rsi]
        vmread rax, rbx
        vmwrite rbx, rax
        vmptrld qword ptr [rax]
        invept rax, xmmword ptr [rbx]
        mov cr3, rax
        mov eax, offset data
        mov ecx, COUNT
        shl eax, 4
        .att_syntax
        movl $1, %eax
        .intel_syntax noprefix
        push 0x10
        ret
data:   .quad 1
        .equ COUNT, 16
