; Jumps and operands whose values come from constants defined after their use: a jump to an absolute
; constant is near (nasm sees no segment), an unknown target is optimistic (short) in the first pass,
; label±constant targets are relaxed like labels.
org 0x7c00
bits 16
top:
  jmp ABSTARGET
  jz ABSTARGET
  jmp early
  jmp fwd + K
  jz top + K
  jne later - K
  times 100 nop
fwd:
  add ax, DIFF
  mov ax, [bx + DIFF]
  jmp top + DIFF - SMALL
  times 20 nop
later:
  jmp LABELREL
  jmp 0x7c00
early equ 0x7c03
ABSTARGET equ 0x7d00
K equ 3
DIFF equ later - fwd
SMALL equ DIFF - 5
LABELREL equ fwd - 4
