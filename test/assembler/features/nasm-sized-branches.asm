; A size keyword on a branch target makes it a near branch of that operand size (o32/o16 prefix where
; needed): jmp/call word or dword outside 64-bit code, qword in it.
bits 16
L: jmp dword L2
 jmp word L
 call dword L2
 times 10 nop
L2: jmp strict short L
 jmp near L2
bits 32
L3: jmp word L4
 jmp dword L3
 call word L4
L4: nop
bits 64
M: call qword M
 jmp qword M
bits 16
N: jmp word N
