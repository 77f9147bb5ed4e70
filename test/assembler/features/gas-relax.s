# Branch relaxation: jumps start short and grow to near when the target is out of rel8 range.
        .code64
top:
        jmp fwd_127
        .fill 127, 1, 0x90
fwd_127:
        jmp fwd_128
        .fill 128, 1, 0x90
fwd_128:
        je back_far
        jne top
        jmp top
        call top
        loop top2
top2:
        jrcxz top2
        jz 1f
        .fill 100, 1, 0x90
        jnz 1f
        .fill 30, 1, 0x90
1:      ret
back_far:
        .fill 20, 1, 0xcc
        jmp top
        jecxz back_far
        jmp *%rax
        call *(%rbx)
        jmp *8(%rax,%rcx,4)
        jmp 0x1000
