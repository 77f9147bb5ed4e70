; Data declarations: db/dw/dd/dq/dt/do, strings and character constants, `?`.
        db 1, 0xff, -1, 'A', "BC", `\n\x41\0`
        dw 0x1234, -2, 'ab', "abc"
        dd 0xdeadbeef, 'abcd', -1, here
        dq 0x1122334455667788, here
        db ?, 7
here:   db 'its', 0
        dw $ - here
        db 10h, 0Ah, 12q, 12o, 101b, 0b101, 0x_ff, $1f, 0d99, 99d
