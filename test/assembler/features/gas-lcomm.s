# .lcomm (reserved in .bss now, aligned by size) and .comm (after all of .bss, like ld COMMON).
.text
movl $a, %eax
movl $b, %eax
movl $c, %eax
movl $d, %eax
movl $e, %eax
.data
.byte 1
.bss
.byte 0
.lcomm a, 3
.lcomm b, 8
.lcomm c, 100
.comm d, 4, 4
.comm e, 64
