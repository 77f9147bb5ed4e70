; Operand forms: size keywords, [rel x], default rel, segment overrides, far jumps, strict, prefixes.
        bits 64
        mov eax, 0x12345678
        mov byte [rdi], 1
        mov word [rsi + 2], 0x10
        mov dword [rbp - 8], -1
        mov qword [rsp + rcx*8], 5
        mov rax, [rel data]
        lea rdx, [rel data]
        mov rax, [fs:0x28]
        mov ecx, [gs:rax]
        add qword [rax], 0x1000
        movzx ecx, byte [rax]
        movsx rax, word [rbx]
        push strict dword 5
        push byte 5
        lock inc dword [rax]
        rep movsb
        rep stosq
        vmread rax, rbx
        vmwrite rbx, [rax]
        vmptrld [rax]
        vmclear [rel data]
        invept rax, [rbx]
        invvpid rcx, [rdx]
        mov cr3, rax
        mov rax, dr7
        lgdt [rax]
        jmp far [rax]
default rel
        mov rax, [data]
        mov rbx, [abs 0x1000]
default abs
        mov rcx, [data]
        bits 32
        jmp 0x08:0x1000
        call 0x10:0x2000
        push ds
        pop es
        bits 16
        jmp 0x0000:0x7c00
        mov bx, 0x1234
        mov ebx, eax
data:   dq 0
