; NASM string functions: %strlen, %substr, %defstr.
%strlen L "hello"
        db L
%substr S "hello", 2, 3
        db S
%substr C "hello", 1
        db C
%defstr D foo
        db D
