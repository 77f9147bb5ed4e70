; nasm bin sections: follows= places a section after another, vstart= gives its labels (and $, $$) another
; base than its load address, vfollows= puts that base after another section's; $ in data is the line start.
org 0x7c00
bits 16
section .text
start:
  jmp stage2
  mov si, msg
section .stage2 follows=.text vstart=0x8000
stage2:
  mov ax, stage2
  mov bx, $$
  jmp $
  dw msg
section .data follows=.stage2 align=4
msg: db "hi", 0
d: dd d, stage2, $$
section .extra follows=.data vfollows=.stage2
ex: dw ex, $, $$
section .text
  jmp ex
section .text
  dw $, $, $$
  times 3 dw $
