// The decoder knows everything the assembler encodes: every row of the encoder's golden corpus (bytes produced
// by NASM 2.16 and GNU as 2.40) decodes to a named instruction of exactly that length. Excluded: rows that are
// only prefixes, FWAIT-prefixed x87 forms (two instructions), and the extensions the emulated models lack
// (MMX registers, TSX, XSAVES/XSAVEC/XRSTORS, TDX), which raise #UD as on a processor without them.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decode, disassemble } from "../../emulator/index";

const GOLDEN = join(__dirname, "../../assembler/encoder/corpus/golden.tsv");
const UNSUPPORTED = /\bmm[0-7]\b|^(emms|xbegin|xabort|xsaves|xsavec|xrstors|tdcall|seamcall|seamret|seamops)/;
const PREFIX_ONLY =
  /^(lock|rep|repe|repz|repne|repnz|[c-gs]s|o16|o32|a16|a32|rex[.a-z0-9]*|data16|data32|addr16|addr32)$/;

test("every instruction in the assembler's golden corpus decodes with the assembler's length", {
  skip: existsSync(GOLDEN) ? false : "assembler/encoder/corpus/golden.tsv is not present",
}, () => {
  const rows = readFileSync(GOLDEN, "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"));
  const problems: string[] = [];
  let checked = 0;
  for (const row of rows) {
    const [bits, , , intel, , hex] = row.split("\t");
    if (!hex || hex.startsWith("!") || !intel) continue;
    const text = intel.trim();
    if (PREFIX_ONLY.test(text) || UNSUPPORTED.test(text)) continue;
    // Explicit o16/o32/a16/a32 words: NASM emits the prefix but keeps the immediate size of the mode (e.g. 16-bit
    // "o32 call" = 66 E8 rel16), which a processor decodes with the other size — not an encoding to mirror.
    if (/^(o16|o32|a16|a32) /.test(text)) continue;
    const bytes = Buffer.from(hex.replace(/\s+/g, ""), "hex");
    if (bytes[0] === 0x9b && bytes.length > 1) continue; // FWAIT + x87 instruction: two instructions
    const mode = Number(bits) as 16 | 32 | 64;
    const insn = decode((k) => (k < bytes.length ? bytes[k]! : 0x90), mode);
    checked++;
    if (insn.name === "(bad)" || insn.len !== bytes.length) {
      problems.push(`${bits}-bit "${text}" [${hex}]: decoded ${insn.name}, length ${insn.len}`);
      continue;
    }
    // The disassembler formats it without throwing, in both syntaxes.
    for (const syntax of ["intel", "att"] as const) {
      const d = disassemble(Uint8Array.from(bytes), 0x1000n, mode, syntax, 1)[0]!;
      if (!d.text || d.text === "(bad)") problems.push(`${text}: ${syntax} text "${d.text}"`);
    }
  }
  assert.ok(checked > 5000, `only ${checked} rows checked`);
  assert.deepEqual(problems.slice(0, 20), []);
});
