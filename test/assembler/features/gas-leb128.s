# LEB128 data: constants of every length, negative values, and label differences that grow while the
# code between them relaxes.
.text
start:
  jmp far_label
  .fill 120, 1, 0x90
far_label:
  nop
.data
  .uleb128 0, 1, 127, 128, 255, 300, 16383, 16384, 0x7fffffff, 0xffffffffffffffff, -1
  .sleb128 0, 1, -1, 63, 64, -64, -65, 127, -128, 8191, -8192, 0x7fffffffffffffff, -0x8000000000000000
  .uleb128 far_label - start, end_data - here
here:
  .sleb128 start - far_label
  .byte 0xaa
end_data:
