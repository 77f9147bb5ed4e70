; String preprocessor directives: %strcat, %strlen, %substr, %defstr, %deftok.
bits 32
%strcat greeting 'Hello', ", ", 'world'
%strlen glen greeting
%substr first greeting 1
%substr tail greeting 8, 5
%substr lastfew greeting 9, -1
%defstr asstring mov eax, 1
%deftok insn 'mov eax, 42'
%deftok value '0x1234 + 2'
%define PART 'abc'
%strcat joined PART, 'def'
%strlen jlen joined
msg:    db greeting, 0
        db glen, jlen
        db first, tail, lastfew
        db asstring
        insn
        dd value
        db joined
