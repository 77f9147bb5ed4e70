# Alternate macro mode (.altmacro): bare parameter names, & concatenation, LOCAL labels, %expr and <text>
# arguments, recursion; .noaltmacro; .purgem then a new definition of the same name.
.altmacro
.macro sum from=0, to=5
  .long \from
  .if \to-\from
  sum %from+1,\to
  .endif
.endm
sum 0, 3
.macro m a, b
  LOCAL lbl, other
lbl: .byte a, b
  .byte \a
  jmp lbl
other: .byte a&b
.endm
m 1, 2
m <3>, %(2+2)
m 5 6
.noaltmacro
.macro n x
  .byte \x
.endm
n 7
.purgem n
.macro n x, y=9
  .byte \x, \y
.endm
n 1
