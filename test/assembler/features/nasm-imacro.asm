; %imacro (case-insensitive multi-line macro) next to a case-sensitive one.
bits 32
%imacro Pushall 0
  push eax
  push ebx
%endmacro
pushall
PUSHALL
PushAll
%macro exact 0
  nop
%endmacro
exact
