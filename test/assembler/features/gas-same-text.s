# Identical source text with different meanings: .irp/.rept/.macro bodies, the same line in another code
# size, and in .intel_syntax (the layout reuses bytes by source text only outside expansions).
.irp r, 1, 2, 3
  movl $\r, %eax
.endr
.rept 2
  addl $5, %ebx
.endr
.macro m v
  movl $\v, %ecx
.endm
m 7
m 8
  movl $1, %eax
  movl $1, %eax
.code32
  movl $1, %eax
.code64
  movl $1, %eax
.intel_syntax noprefix
  mov eax, 1
.code32
  mov eax, 1
