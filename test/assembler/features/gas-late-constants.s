# Branch targets GNU as reads before their symbols are defined: an absolute constant makes the jump near
# (md_estimate_size_before_relax), `.set x, label+c` moves with the label while relaxing, and a target
# expression that names an undefined symbol is an expression symbol (its stretch is assumed every other
# relaxation pass).
.code64
L0:
  jmp Z
  jz Z + K
  jnz ABSA
  .fill 112, 1, 0x90
L2:
  .fill 12, 1, 0x90
  jz L2 + J
L1:
  .fill 95, 1, 0x90
  jne L1 + J
  jmp POST
  jmp PRE
  jnz ABSB
  .fill 90, 1, 0x90
  jnz ABSB
L4:
  nop
.set Z, L4 + 3
.equ K, 3
.equ J, 129
.equ ABSA, 0xef
.equ POST, 0x30
.equ PRE, 0x20
.set ABSB, L2 - 3
