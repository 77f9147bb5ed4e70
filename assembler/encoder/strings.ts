// String instructions written with explicit operands, as GNU as accepts them (and objdump prints them):
// `movsb %ds:(%rsi),%es:(%rdi)`, `rep stos %rax,%es:(%rdi)`, `lods %gs:(%rsi),%al`, `xlat %fs:(%rbx)`.
// The operands only name the implicit registers; they select the operand size, the address size (RSI vs
// ESI) and a segment override for the DS-based operand (SDM Vol. 2B MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS/XLAT).
// They are rewritten to the operand-less form plus prefixes.

import { regInfo } from "./registers";
import type { Bits, MemOperand, Operand, PrefixName } from "./types";

type Role = "src" | "dst" | "acc" | "dx" | "xlat";

/** Intel operand order of each string instruction's explicit form. */
const LAYOUT: Record<string, Role[]> = {
  movs: ["dst", "src"],
  cmps: ["src", "dst"],
  stos: ["dst", "acc"],
  lods: ["acc", "src"],
  scas: ["acc", "dst"],
  ins: ["dst", "dx"],
  outs: ["dx", "src"],
  xlat: ["xlat"],
};

const SIZE_LETTER: Record<string, number> = { b: 8, w: 16, d: 32, q: 64 };
const LETTER: Record<number, string> = { 8: "b", 16: "w", 32: "d", 64: "q" };

export interface StringRewrite {
  mnemonic: string;
  prefixes: PrefixName[];
}

/** The base name ("movs") and explicit size of a string mnemonic, if it is one. */
function split(mnemonic: string): { base: string; size?: number } | undefined {
  if (mnemonic === "xlat" || mnemonic === "xlatb") return { base: "xlat" };
  if (LAYOUT[mnemonic]) return { base: mnemonic };
  const base = mnemonic.slice(0, -1);
  const size = SIZE_LETTER[mnemonic.at(-1) ?? ""];
  if (LAYOUT[base] && size !== undefined) return { base, size };
  return undefined;
}

/**
 * Rewrite `movs`-family instructions with explicit memory operands, or return undefined when `mnemonic`
 * is not one (or has no operands), or an error message when the operands are not the implicit ones.
 */
export function rewriteStringOperands(
  mnemonic: string,
  ops: readonly Operand[],
  opSize: number | undefined,
  bits: Bits,
): StringRewrite | string | undefined {
  const s = split(mnemonic);
  if (!s || ops.length === 0) return undefined;
  const layout = LAYOUT[s.base]!;
  // SSE MOVSD/CMPSD share the names: those have XMM operands.
  if (ops.some((o) => o.kind === "reg" && regInfo(o.reg)?.cls === "xmm")) return undefined;
  if (ops.length !== layout.length) return "invalid operands for a string instruction";
  let size = s.size ?? opSize;
  let addrSize: number | undefined;
  const prefixes: PrefixName[] = [];
  for (let i = 0; i < layout.length; i++) {
    const role = layout[i]!;
    const o = ops[i]!;
    if (role === "acc") {
      const r = o.kind === "reg" ? regInfo(o.reg) : undefined;
      if (r?.cls !== "gpr" || r.num !== 0) return "the accumulator is needed here";
      if (size !== undefined && size !== r.size) return "operand size mismatch";
      size = r.size;
      continue;
    }
    if (role === "dx") {
      if (o.kind !== "reg" && o.kind !== "mem") return "DX is needed here";
      const name = o.kind === "reg" ? o.reg : o.base;
      if (name?.toLowerCase() !== "dx" || (o.kind === "mem" && (o.index || o.disp !== 0n))) return "DX is needed here";
      continue;
    }
    if (o.kind !== "mem") return "a memory operand is needed here";
    const m: MemOperand = o;
    // GNU as takes only the address size from the register (it accepts `movsb (%rbx),(%rdi)` as MOVSB).
    const base = m.base ? regInfo(m.base) : undefined;
    if (base?.cls !== "gpr" || base.size === 8 || m.rip) return "an (%rsi)/(%rdi)-style operand is needed here";
    if (addrSize !== undefined && addrSize !== base.size) return "address sizes differ";
    addrSize = base.size;
    if (m.size !== undefined) {
      if (size !== undefined && size !== m.size) return "operand size mismatch";
      size = m.size;
    }
    if (role === "dst") {
      if (m.seg !== undefined && m.seg !== "es") return "the destination segment must be ES";
    } else if (m.seg !== undefined && m.seg !== "ds") prefixes.push(m.seg);
  }
  if (addrSize !== undefined && addrSize !== bits) {
    if (addrSize === 16 && bits === 64) return "16-bit addressing is not available in 64-bit mode";
    if (addrSize === 64 && bits !== 64) return "64-bit addressing is only available in 64-bit mode";
    prefixes.push(addrSize === 16 ? "addr16" : "addr32");
  }
  if (s.base === "xlat") return { mnemonic: "xlatb", prefixes };
  // GNU as uses the default (with a warning) when nothing gives the size.
  return { mnemonic: `${s.base}${LETTER[size ?? 32]}`, prefixes };
}
