; %push/%pop context stacks with context-local labels and defines (structured-control-flow macros).
        bits 64
%macro IF_ZERO 1
%push if
        test %1, %1
        jnz %$else
%endmacro
%macro ELSE 0
%ifctx if
%repl else
        jmp %$end
%$else:
%endif
%endmacro
%macro ENDIF 0
%ifctx else
%$end:
%else
%$else:
%endif
%pop
%endmacro
        IF_ZERO rax
        mov ebx, 1
        ELSE
        mov ebx, 2
        ENDIF
        IF_ZERO rcx
        inc edx
        ENDIF
%push outer
%define %$count 3
        db %$count
%push inner
%define %$count 7
        db %$count, %$$count
%pop
%pop
        ret
