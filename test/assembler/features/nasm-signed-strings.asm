; A sign before a string in a data directive: nasm 2.16 scans on inside the string, so its text is read as
; source and whatever followed the string on the line is dropped (parse-line.ts, nasmSignedString). Our
; assembler reproduces the bytes and warns. Also: text after a data value's expression is ignored (dd 1 2).
        bits 64
A       equ 5
        dd -'A'                 ; -A = -5
        dd -'1+2'               ; -1+2 = 1
        dd 3,-'2',4             ; 3, -2 (the 4 is dropped)
        dd -'1,2'               ; -1, 2
        dd --'1'                ; minus minus the character constant: 31h
        dd +'7'                 ; 7
        dd - '0x10'             ; -16
        db 1,-'2'
        dw -'A*3'
        dq -'3'
        dd (-'1')               ; the negated character constant
        dd 0-'1'
        dd 1 2                  ; 1
        times 2 dd -'1'
        dd 2 dup (-'1)')          ; the ')' in the string closes the dup
