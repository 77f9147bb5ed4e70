; Floating-point constants: dw (half), dd (single), dq (double), dt (x87 extended), do (quad), the float
; functions, special values and nasm's rounding (an exact half rounds towards zero).
bits 64
%define PI 3.14159265358979323846264338327950288
half:   dw 1.5, -2.0, 65504.0, 6.1e-5, 2051.0
single: dd 1.5, -2.5e3, 1e10, 0.1, 1.0e-40, 16777219.0, 3.4028235e38, PI
double: dq 1.0e10, 0.1, 2.2250738585072014e-308, 4.9e-324, 9007199254740995.0, -0.0, PI
ext:    dt 1.5, 0.1, 1e-4950, 1.18973149535723176502e+4932, PI
quad:   do 0.1, -1e300, PI
special: dd __Infinity__, -__Infinity__, __QNaN__, __SNaN__
         dq __?Infinity?__, __QNaN__
         dt __Infinity__, __QNaN__
hexf:   dd 0x1.8p3, 0x1p-126
        dq 0x1p-1074, 0x1.fffffffffffffp1023
under:  dq 1_000.5, 1.
funcs:  mov eax, __float32__(1.5)
        mov rax, __float64__(-2.25)
        mov ax, __float16__(0.5)
        dq __float80m__(1.5), __float128l__(0.1), __float128h__(0.1)
        dw __float80e__(-1.5)
        dd __?float32?__(PI)
