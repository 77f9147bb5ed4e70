// The padding GNU as 2.40 puts into code sections for .align/.balign/.p2align (tc-i386.c
// i386_generate_nops): the longest NOP patterns first, and a jump over the padding when it would take more
// than 7 (32/64-bit) or 2 (16-bit) maximal NOPs. Verified byte for byte against `as --64`.

// 32/64-bit multi-byte NOPs (SDM Vol. 2B NOP, "Recommended Multi-Byte Sequence"), plus GAS's 9..11-byte
// forms with 66/2E prefixes.
const NOPS_32: readonly (readonly number[])[] = [
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

// 16-bit: `nop`, `xchg eax,eax` (66 90), `lea si,[si+0]` with disp8 and disp16.
const NOPS_16: readonly (readonly number[])[] = [[0x90], [0x66, 0x90], [0x8d, 0x74, 0x00], [0x8d, 0xb4, 0x00, 0x00]];

function fill(out: number[], count: number, table: readonly (readonly number[])[]): void {
  const max = table.length;
  while (count > 0) {
    const n = Math.min(count, max);
    out.push(...table[n - 1]!);
    count -= n;
  }
}

/** The bytes GNU as emits to pad `count` bytes of code in `bits`-bit code. */
export function gasCodePadding(count: number, bits: 16 | 32 | 64): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  const table = bits === 16 ? NOPS_16 : NOPS_32;
  const maxNops = bits === 16 ? 2 : 7;
  if (Math.floor(count / table.length) > maxNops) {
    // Jump over the padding.
    if (count - 2 <= 127) {
      out.push(0xeb, count - 2);
      fill(out, count - 2, table);
    } else if (bits === 16) {
      const d = count - 3;
      out.push(0xe9, d & 0xff, (d >> 8) & 0xff);
      fill(out, count - 3, table);
    } else {
      const d = count - 5;
      out.push(0xe9, d & 0xff, (d >>> 8) & 0xff, (d >>> 16) & 0xff, (d >>> 24) & 0xff);
      fill(out, count - 5, table);
    }
    return out;
  }
  fill(out, count, table);
  return out;
}
