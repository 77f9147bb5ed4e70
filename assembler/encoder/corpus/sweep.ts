// A generated part of the corpus: systematic sweeps over the choices where assemblers differ most —
// immediate sizes at their boundaries, displacement sizes, base/index/scale combinations, register
// extensions. Deterministic, so the regeneration script and the tests derive the same list.

import type { Bits } from "../types";
import type { CorpusEntry } from "./corpus";

const IMMEDIATES = [
  "0",
  "1",
  "-1",
  "0x7f",
  "0x80",
  "-0x80",
  "-0x81",
  "0xff",
  "0x100",
  "0x7fff",
  "0x8000",
  "0xffff",
  "0x7fffffff",
  "0x80000000",
  "0xffffffff",
  "-0x80000000",
];

const REGS: Record<Bits, string[]> = {
  16: ["al", "bl", "ax", "bx", "eax", "ebx"],
  32: ["al", "bh", "ax", "cx", "eax", "esi"],
  64: ["al", "sil", "r9b", "ax", "r10w", "eax", "r11d", "rax", "rcx", "r15"],
};

function entry(intel: string, modes: Bits[]): CorpusEntry {
  return { line: 0, intel, modes, flavors: ["gas", "nasm"] };
}

function memories(bits: Bits): string[] {
  const disps = ["", "+1", "-1", "+0x7f", "+0x80", "-0x80", "-0x81", "+0x1000"];
  const out: string[] = [];
  if (bits === 16) {
    for (const base of ["bx", "bp", "si", "di", "bx+si", "bx+di", "bp+si", "bp+di"])
      for (const d of disps) out.push(`[${base}${d}]`);
    out.push("[0x10]", "[0x1234]");
    return out;
  }
  const [bases, indexes] =
    bits === 32
      ? [
          ["eax", "esp", "ebp", ""],
          ["", "ecx", "ebp"],
        ]
      : [
          ["rax", "rsp", "rbp", "r12", "r13", ""],
          ["", "rcx", "r13"],
        ];
  for (const b of bases)
    for (const i of indexes)
      for (const s of i === "" ? [1] : [1, 8])
        for (const d of ["", "+0x7f", "+0x80", "-0x80", "-0x81"]) {
          if (b === "" && i === "") continue;
          const parts = [b, i === "" ? "" : s === 1 ? i : `${i}*${s}`].filter((x) => x !== "").join("+");
          out.push(`[${parts}${d}]`);
        }
  out.push("[0x10]", "[0x12345678]");
  return out;
}

const CC = "o no b c nae ae nb nc e z ne nz be na a nbe s ns p pe np po l nge ge nl le ng g nle".split(" ");

/** Every operand form of the common integer instructions, once each per code size. */
function formSweep(bits: Bits): string[] {
  const m = bits === 16 ? "[bx+si+4]" : bits === 32 ? "[ebx+4]" : "[rbx+4]";
  const r = bits === 16 ? "dx" : bits === 32 ? "edx" : "rdx";
  const out: string[] = [];
  for (const op of ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"])
    out.push(
      `${op} byte ${m}, dl`,
      `${op} ${m}, ${r}`,
      `${op} dl, byte ${m}`,
      `${op} ${r}, ${m}`,
      `${op} dl, cl`,
      `${op} byte ${m}, 0x12`,
      `lock ${op} ${m}, ${r}`,
    );
  for (const op of ["not", "neg", "mul", "imul", "div", "idiv", "inc", "dec"])
    out.push(`${op} byte ${m}`, `${op} bl`, `${op} ${r}`);
  for (const op of ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"])
    for (const n of ["1", "cl", "5"]) out.push(`${op} byte ${m}, ${n}`, `${op} ${r}, ${n}`, `${op} bl, ${n}`);
  for (const cc of CC) out.push(`j${cc} $+0x10`, `j${cc} $+0x1000`, `set${cc} byte ${m}`, `cmov${cc} ${r}, ${m}`);
  for (const op of ["bt", "bts", "btr", "btc"]) out.push(`${op} ${m}, ${r}`, `${op} ${r}, 3`);
  for (const op of ["xchg", "cmpxchg", "xadd", "test"]) out.push(`${op} byte ${m}, dl`, `${op} ${m}, ${r}`);
  out.push(`test dl, byte ${m}`, `test ${r}, ${m}`, `xchg dl, byte ${m}`, `xchg ${r}, ${m}`);
  return out;
}

/** The VMX instructions with every register and a spread of memory operands (SDM Vol. 3C §31). */
function vmxSweep(bits: 32 | 64): string[] {
  const regs =
    bits === 64
      ? ["rax", "rcx", "rsp", "rbp", "rsi", "r8", "r12", "r13", "r15"]
      : ["eax", "ecx", "esp", "ebp", "esi", "edi"];
  const mems = memories(bits).filter((_, i) => i % 5 === 0);
  const out: string[] = [];
  for (const a of regs) for (const b of regs.slice(0, 4)) out.push(`vmread ${a}, ${b}`, `vmwrite ${b}, ${a}`);
  for (const m of mems) {
    out.push(`vmread ${m}, ${regs[1]}`, `vmwrite ${regs[2]}, ${m}`);
    for (const op of ["vmxon", "vmclear", "vmptrld", "vmptrst"]) out.push(`${op} ${m}`);
    for (const op of ["invept", "invvpid", "invpcid"]) out.push(`${op} ${regs.at(-1)}, ${m}`);
  }
  for (const r of regs) for (const op of ["invept", "invvpid"]) out.push(`${op} ${r}, [${regs[0]}]`);
  return out;
}

/** The generated corpus entries. */
export function sweepEntries(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const bits of [32, 64] as const) for (const t of vmxSweep(bits)) out.push(entry(t, [bits]));
  for (const bits of [16, 32, 64] as const) for (const t of formSweep(bits)) out.push(entry(t, [bits]));
  for (const bits of [16, 32, 64] as const) {
    for (const m of ["add", "and", "cmp", "test", "mov"])
      for (const r of REGS[bits]) for (const imm of IMMEDIATES) out.push(entry(`${m} ${r}, ${imm}`, [bits]));
    for (const m of ["sub", "or", "xor", "adc", "sbb"])
      for (const r of REGS[bits])
        for (const imm of ["1", "-1", "0x80", "0xff", "0x100"]) out.push(entry(`${m} ${r}, ${imm}`, [bits]));
    for (const size of ["byte", "word", "dword", ...(bits === 64 ? ["qword"] : [])])
      for (const imm of ["1", "-1", "0x7f", "0x80", "0xff", "0x7fffffff"]) {
        out.push(entry(`add ${size} [${bits === 16 ? "bx" : "eax"}], ${imm}`, [bits]));
        out.push(entry(`mov ${size} [${bits === 16 ? "bx" : "eax"}], ${imm}`, [bits]));
      }
    for (const imm of IMMEDIATES) {
      out.push(entry(`push ${imm}`, [bits]));
      out.push(entry(`imul ${bits === 16 ? "ax, bx" : "eax, ebx"}, ${imm}`, [bits]));
    }
    const acc = bits === 16 ? "ax" : bits === 32 ? "eax" : "rax";
    for (const mem of memories(bits)) {
      out.push(entry(`mov ${acc}, ${mem}`, [bits]));
      out.push(entry(`lea ${acc}, ${mem}`, [bits]));
    }
    for (const mem of memories(bits).slice(0, 12)) out.push(entry(`vmptrld ${mem}`, [bits]));
    // 32-bit addressing from 16-bit code and from 64-bit code (address-size prefix 67).
    if (bits !== 32) for (const mem of memories(32)) out.push(entry(`mov ${acc}, ${mem}`, [bits]));
    for (const m of ["shl", "sar", "rol"])
      for (const r of [...REGS[bits].slice(0, 3), `dword [${bits === 16 ? "bx" : "eax"}]`])
        for (const n of ["1", "2", "cl"]) out.push(entry(`${m} ${r}, ${n}`, [bits]));
  }
  return out;
}
