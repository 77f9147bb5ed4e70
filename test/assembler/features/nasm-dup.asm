; NASM dup in data declarations (nested, with expressions and labels).
        db 3 dup (1)
        dw 2 dup (0x1234, 5)
x:      dd 2 dup (x, 2 dup (7))
        db 4 dup ("ab")
        db 0
