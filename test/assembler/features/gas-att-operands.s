# AT&T operands: register/immediate/memory forms, suffixes, segment overrides, indirect and far branches,
# and the AT&T-only mnemonic spellings.
        .code64
        movl $0x12345678, %eax
        movb $-1, %al
        movw $0x10, %ax
        movq $-1, %rax
        movabsq $0x1122334455667788, %rax
        movl 8(%rbp), %eax
        movl -8(%rbp,%rcx,4), %edx
        movl (,%rcx,8), %eax
        movl 0x10(,%rbx,2), %eax
        movl (%rsp), %eax
        movl (%r12), %eax
        movl (%r13), %eax
        movq %rax, %fs:0x28
        movl %gs:(%rax), %ecx
        movl 0x1000, %eax
        movzbl (%rax), %ecx
        movzwl %ax, %ecx
        movsbq %al, %rax
        movslq %eax, %rdx
        cltq
        cqto
        addl $1, (%rax)
        addq $0x1000, %rbx
        shll $3, %eax
        sarq %cl, %rdx
        incb (%rdi)
        notw 2(%rsi)
        testb $0x80, %al
        leaq 16(%rsp), %rdi
        xchgl %eax, %ebx
        cmpxchgq %rcx, (%rdx)
        lock incl (%rax)
        rep movsb
        rep stosq
        pushq $0x1234
        pushq %rbx
        popq %rcx
        pushw %fs
        movq %cr4, %rax
        movq %rax, %cr3
        movq %dr7, %rax
        rdmsr
        wrmsr
        lgdt (%rax)
        sidt 8(%rax)
        ltr %ax
        lretq
        ljmp *(%rax)
        lcall *8(%rbx)
        .code32
        ljmp $0x08, $0x1000
        lcall $0x10, $0x2000
        pushl %ds
        popl %es
        .code16
        ljmp $0x0, $0x7c00
        movw $0x1234, %bx
        movl %eax, %ebx
