# Comments and statement separators.
        .code64   # trailing comment
        nop; nop ; ret
// C++-style comment at the start of a line
  // indented
        /* block comment */ inc %eax
        /* a block
           comment over
           lines */ dec %eax
label1: label2: nop; label3: ret
