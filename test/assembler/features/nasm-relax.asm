; Jump sizing: the shortest form for known targets, short/near keywords.
        bits 64
top:
        jmp fwd_127
        times 127 nop
fwd_127:
        jmp fwd_128
        times 128 nop
fwd_128:
        je back_far
        jne top
        jmp top
        call top
        loop top2
top2:
        jz .l1
        times 100 nop
        jnz .l1
        times 30 nop
.l1:    ret
back_far:
        times 20 int3
        jmp near top
        jmp short back_far
        jrcxz back_far
        jmp rax
        call [rbx]
        jmp [rax + rcx*4 + 8]
