# GNU as expression operators and precedence (comparisons yield -1 for true).
        .data
        .long 1 + 2 * 3, (1 + 2) * 3, 1 << 4 | 1, 1 | 1 << 4
        .long 7 / 2, -7 / 2, -7 % 3, 7 % 3
        .long ~0, -1 >> 1, 1 << 31, 0xf0 & 0x3c, 0xf0 ^ 0x3c, 0xf0 ! 0x0f
        .long 3 > 2, 3 < 2, 2 >= 2, 2 <= 1, 2 == 2, 2 != 2, 2 <> 3
        .long 1 && 0, 1 || 0, !0, !5, -(-3), 1 + 2 == 3, 1 - 1 - 1
        .long 10 - 2 - 3, 2 * 3 + 4 * 5, 100 / 10 / 5, 6 & 3 + 1
        .quad 0x8000000000000000 >> 4, -8 >> 1
