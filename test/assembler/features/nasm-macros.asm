; Preprocessor: %define (object and function-like), %xdefine, %undef, %assign, %macro (%1.., %0,
; %%local labels, default and greedy parameters, %rotate), %rep, %if/%elif/%else, %ifdef/%ifndef, %ifidn.
        bits 64
%define BASE 0x1000
%define ADDR(x) (BASE + (x) * 8)
%define CHAIN BASE + 1
%xdefine SNAP BASE
%undef BASE
%define BASE 0x2000
%assign COUNT 3
%assign COUNT COUNT + 1
        dq ADDR(2), CHAIN, SNAP, COUNT

%macro SAVE 1-3 rbx, rcx
        push %1
        push %2
        push %3
        db %0
%endmacro
        SAVE rax
        SAVE rax, rdx
        SAVE rax, rdx, rsi

%macro SPIN 0
%%again:
        pause
        jmp %%again
%endmacro
        SPIN
        SPIN

%macro EMIT 1+
        db %1
%endmacro
        EMIT 1, 2, 3

%macro PUSHALL 1-*
%rep %0
        push %1
%rotate 1
%endrep
%endmacro
        PUSHALL r8, r9, r10

%assign i 0
%rep 4
        db i * i
%assign i i + 1
%endrep

%if COUNT > 3
        db 0x44
%elif COUNT > 2
        db 0x33
%else
        db 0x22
%endif
%ifdef BASE
        db 1
%endif
%ifndef MISSING
        db 2
%else
        db 3
%endif
%ifidn rax, rax
        db 4
%endif
%if 0
  %if 1
        db 0xee
  %endif
%else
        db 5
%endif
