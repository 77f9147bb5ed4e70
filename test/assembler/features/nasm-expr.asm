; NASM expression operators and precedence (comparisons yield 1 for true).
        dd 1 + 2 * 3, (1 + 2) * 3, 1 << 4 | 1, 1 | 1 << 4
        dd 7 / 2, -7 // 2, -7 %% 3, 7 % 3, 0xfffffff0 / 16
        dd ~0, 1 << 31, 0xf0 & 0x3c, 0xf0 ^ 0x3c, 0xf0 | 0x0f
        dd 3 > 2, 3 < 2, 2 >= 2, 2 <= 1, 2 == 2, 2 != 2, 2 <> 3, 2 = 2
        dd 1 && 0, 1 || 0, 1 ^^ 1, !0, !5, -(-3), 1 + 2 == 3, 1 - 1 - 1
        dd 10 - 2 - 3, 2 * 3 + 4 * 5, 100 / 10 / 5, 6 & 3 + 1, 1 + 1 << 2
        dq -1 >> 60, -16 >>> 2, 'ab' + 1
