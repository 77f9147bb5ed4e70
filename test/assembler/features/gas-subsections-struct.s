# Subsections (`.text 1` follows `.text 0` in the output), `.subsection`, and `.struct` blocks whose labels
# are offsets.
.struct 0
vmcs_rev:   .skip 4
vmcs_abort: .skip 4
vmcs_data:  .skip 8
vmcs_size:
.struct 16
second:     .skip 2
.text
start:
  movl $vmcs_size, %eax
  movl vmcs_abort(%rbx), %ecx
  movw $second, %dx
  jmp later
.text 1
later:
  nop
  ret
.text 0
  call later
.data 2
  .byte 2, 2
.data
  .byte 0
.subsection 1
  .byte 1
.text
  hlt
.text 2
  .long later - start
