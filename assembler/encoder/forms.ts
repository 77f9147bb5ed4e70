// Parses the compact instruction-form lines of ./table into Form objects, once, at module load.
//
// A line reads:   mnemonic  op1,op2,...  :  opcode tokens  [: flags]
//
// Operand patterns (sizes in bits; "v" = the instruction's operand size 16/32/64, "n" = natural width:
// 32 in 16/32-bit code, 64 in 64-bit code, with no operand-size prefix):
//   r8 r16 r32 r64 rv rn         general register (a trailing `!` puts it in ModRM.rm instead of .reg)
//   rm8 rm16 rm32 rm64 rmv rmn   general register or memory
//   m m8 m16 m32 m64 m80 m128 mv memory (m = any size, mu = only without a size keyword)
//   mfar                          memory holding a far pointer (NASM `far [x]`, GAS `ljmp *x`)
//   al ax eax rax av cl dx        fixed registers (av: accumulator of size v)
//   sreg es cs ss ds fs gs cr dr  segment / control / debug registers
//   xmm xm128 xm64 xm32 mm mm64 st sti
//   ib (imm8, unsigned or signed)  s8 (imm8 sign-extended to v)  iw  id  iz (16 or 32 by v)  iv (full v)
//   u32 (an unsigned 32-bit constant: NASM's `mov r64, imm` → `mov r32, imm` optimization)
//   one (the constant 1)  rel8 relv (branch targets)  moffs8 moffsv  ptr (direct far pointer)
// Opcode tokens: hex bytes; `xx+r` (register in the low 3 bits); /r; /0../7; ib iw id iz iv (immediates,
//   in operand order); rel8 relz (branch displacements: 8-bit, 16/32-bit); mo (moffs address); pt (far pointer);
//   P66 PF2 PF3 (mandatory prefixes, emitted after the legacy prefixes); W (REX.W); WAIT (a 9B before all).
// Flags: d64 (default operand size 64 in 64-bit code), no64, x64 (64-bit code only), os16/os32/os64 (fixed
//   operand size, e.g. cbw/cwde/cdqe), def (size may be left unspecified: use the default), as16/as32/as64
//   (fixed address size, e.g. jcxz/jecxz/jrcxz), gas / nasm (form only for that flavor), nodef (no default).

export type OpPattern =
  | { t: "r"; size: number | "v" | "n"; toRm?: boolean }
  | { t: "rm"; size: number | "v" | "n" }
  | { t: "m"; size: number | "v" | "any" | "far" | "unsized" }
  | { t: "fixed"; reg: string; size: number | "v" }
  | { t: "cls"; cls: "sreg" | "cr" | "dr" | "xmm" | "mm" | "st" }
  | { t: "xm"; size: number }
  | { t: "mmm"; size: number }
  | { t: "imm"; kind: "ib" | "s8" | "iw" | "id" | "iz" | "iv" | "one" | "u32" }
  | { t: "rel"; kind: "rel8" | "relv" }
  | { t: "moffs"; size: number | "v" }
  | { t: "ptr" };

export type OpcodeToken =
  | { t: "byte"; v: number; plusR?: boolean }
  | { t: "modrm"; reg: number | "r" }
  | { t: "imm"; kind: "ib" | "iw" | "id" | "iz" | "iv" }
  | { t: "rel"; kind: "cb" | "cv" }
  | { t: "mo" }
  | { t: "pt" };

export interface Form {
  mnemonic: string;
  ops: OpPattern[];
  /** Opcode bytes and encoding steps, in order. */
  code: OpcodeToken[];
  mandatory?: number;
  rexW: boolean;
  d64: boolean;
  no64: boolean;
  x64: boolean;
  /** Fixed operand size (cbw/cwde/cdqe, iretw/iretd/iretq …). */
  os?: 16 | 32 | 64;
  /** Fixed address size (jcxz/jecxz/jrcxz, string ops with explicit address size). */
  as?: 16 | 32 | 64;
  /** When nothing fixes the operand size, this form may use the default (push imm, call [m] …). */
  def: boolean;
  flavor?: "gas" | "nasm";
  /** Uses the operand size "v". */
  usesV: boolean;
  /** Position in the table (tie-breaker: earlier wins). */
  order: number;
  /** The source line, for metadata and error messages. */
  spec: string;
  // Derived once from `ops` (see layoutOf): where each operand goes in the encoding.
  /** Operand encoded in ModRM.rm (register or memory), or -1. */
  rmIndex: number;
  /** Operand encoded in ModRM.reg, or -1. */
  regIndex: number;
  /** Operand added to the opcode byte (`+r`), or -1. */
  plusRIndex: number;
  /** Operands consumed by the ib/iw/id/iz/iv opcode tokens, in order. */
  immIndices: number[];
  relIndex: number;
  moffsIndex: number;
  /** Some operand pattern carries an operand size (r, rm, sized m, moffs, accumulator). */
  sized: boolean;
  /** The form's own operand size when it does not use "v" (from its first sized pattern; -1 = natural width). */
  fixedOpSize?: number;
  /** The first operand is a far-pointer memory operand (`jmp far [x]`). */
  farMem: boolean;
  /** Has a 16/32-bit branch displacement. */
  relNear: boolean;
  /** Per operand: the OperandKind bits the pattern can accept (a cheap pre-check before full matching). */
  kindMasks: number[];
  /** Preceded by a WAIT (9B) ahead of every prefix: FSTSW, FINIT, FSAVE … */
  wait: boolean;
}

/** Operand kinds as bits, for Form.kindMasks. */
export const KIND = {
  gpr: 1,
  seg: 2,
  cr: 4,
  dr: 8,
  xmm: 16,
  mm: 32,
  st: 64,
  mem: 128,
  imm: 256,
  far: 512,
  other: 1024,
} as const;

function kindMask(p: OpPattern): number {
  switch (p.t) {
    case "r":
      return KIND.gpr;
    case "rm":
      return KIND.gpr | KIND.mem;
    case "m":
    case "moffs":
      return KIND.mem;
    case "fixed":
      return ["es", "cs", "ss", "ds", "fs", "gs"].includes(p.reg) ? KIND.seg : KIND.gpr;
    case "cls":
      return p.cls === "sreg" ? KIND.seg : KIND[p.cls];
    case "xm":
      return KIND.xmm | KIND.mem;
    case "mmm":
      return KIND.mm | KIND.mem;
    case "imm":
    case "rel":
      return KIND.imm;
    case "ptr":
      return KIND.far;
  }
}

function parseOp(tok: string): OpPattern {
  const sized = (s: string): number | "v" | "n" => (s === "v" ? "v" : s === "n" ? "n" : Number(s));
  let m = /^rm(8|16|32|64|v|n)$/.exec(tok);
  if (m) return { t: "rm", size: sized(m[1]!) };
  m = /^r(8|16|32|64|v|n)(!?)$/.exec(tok);
  if (m) {
    const p: OpPattern = { t: "r", size: sized(m[1]!) };
    if (m[2] === "!") p.toRm = true;
    return p;
  }
  if (tok === "m") return { t: "m", size: "any" };
  if (tok === "mfar") return { t: "m", size: "far" };
  if (tok === "mu") return { t: "m", size: "unsized" };
  m = /^m(8|16|32|48|64|80|128|512|v)$/.exec(tok);
  if (m) return { t: "m", size: m[1] === "v" ? "v" : Number(m[1]) };
  if (tok === "av") return { t: "fixed", reg: "acc", size: "v" };
  if (["al", "ax", "eax", "rax", "cl", "dx", "ecx", "edx"].includes(tok)) return { t: "fixed", reg: tok, size: 0 };
  if (["es", "cs", "ss", "ds", "fs", "gs"].includes(tok)) return { t: "fixed", reg: tok, size: 0 };
  if (tok === "sreg" || tok === "cr" || tok === "dr" || tok === "xmm" || tok === "mm" || tok === "st")
    return { t: "cls", cls: tok };
  if (tok === "sti") return { t: "cls", cls: "st" };
  m = /^xm(32|64|128)$/.exec(tok);
  if (m) return { t: "xm", size: Number(m[1]) };
  if (tok === "mm64") return { t: "mmm", size: 64 };
  if (
    tok === "ib" ||
    tok === "s8" ||
    tok === "iw" ||
    tok === "id" ||
    tok === "iz" ||
    tok === "iv" ||
    tok === "one" ||
    tok === "u32"
  )
    return { t: "imm", kind: tok };
  if (tok === "rel8" || tok === "relv") return { t: "rel", kind: tok };
  if (tok === "moffs8") return { t: "moffs", size: 8 };
  if (tok === "moffsv") return { t: "moffs", size: "v" };
  if (tok === "ptr") return { t: "ptr" };
  throw new Error(`encoder table: bad operand pattern ${tok}`);
}

/** Parse one table line. Throws on a malformed line: the table is ours, and a test loads it. */
export function parseForm(line: string, order: number): Form {
  const parts = line.split(":").map((s) => s.trim());
  const head = parts[0] ?? "";
  const sp = head.search(/\s/);
  const mnemonic = sp < 0 ? head : head.slice(0, sp);
  const opsText = sp < 0 ? "" : head.slice(sp).trim();
  const ops = opsText === "" ? [] : opsText.split(",").map((s) => parseOp(s.trim()));
  const code: OpcodeToken[] = [];
  let mandatory: number | undefined;
  let rexW = false;
  let wait = false;
  for (const tok of (parts[1] ?? "").split(/\s+/).filter((s) => s !== "")) {
    const digit = /^\/([0-7])$/.exec(tok);
    const plusR = /^([0-9a-f]{2})\+r$/i.exec(tok);
    if (tok === "P66") mandatory = 0x66;
    else if (tok === "PF2") mandatory = 0xf2;
    else if (tok === "PF3") mandatory = 0xf3;
    else if (tok === "W") rexW = true;
    else if (tok === "WAIT") wait = true;
    else if (tok === "/r") code.push({ t: "modrm", reg: "r" });
    else if (digit) code.push({ t: "modrm", reg: Number(digit[1]) });
    else if (plusR) code.push({ t: "byte", v: Number.parseInt(plusR[1]!, 16), plusR: true });
    else if (/^[0-9a-f]{2}$/i.test(tok)) code.push({ t: "byte", v: Number.parseInt(tok, 16) });
    else if (tok === "ib" || tok === "iw" || tok === "id" || tok === "iz" || tok === "iv")
      code.push({ t: "imm", kind: tok });
    else if (tok === "rel8") code.push({ t: "rel", kind: "cb" });
    else if (tok === "relz") code.push({ t: "rel", kind: "cv" });
    else if (tok === "mo") code.push({ t: "mo" });
    else if (tok === "pt") code.push({ t: "pt" });
    else throw new Error(`encoder table: bad opcode token ${tok} in "${line}"`);
  }
  const flags = new Set((parts[2] ?? "").split(/\s+/).filter((s) => s !== ""));
  const os = flags.has("os16") ? 16 : flags.has("os32") ? 32 : flags.has("os64") ? 64 : undefined;
  const as = flags.has("as16") ? 16 : flags.has("as32") ? 32 : flags.has("as64") ? 64 : undefined;
  const usesV = ops.some(
    (o) =>
      ((o.t === "r" || o.t === "rm" || o.t === "m" || o.t === "fixed" || o.t === "moffs") && o.size === "v") ||
      (o.t === "m" && o.size === "far") ||
      o.t === "ptr" ||
      (o.t === "imm" && (o.kind === "iz" || o.kind === "iv" || o.kind === "s8")),
  );
  const form: Form = {
    mnemonic,
    ops,
    code,
    rexW,
    d64: flags.has("d64"),
    no64: flags.has("no64"),
    x64: flags.has("x64"),
    def: flags.has("def"),
    usesV: usesV || flags.has("v"),
    order,
    spec: line,
    ...layoutOf(ops),
    relNear: code.some((t) => t.t === "rel" && t.kind === "cv"),
    kindMasks: ops.map(kindMask),
    wait,
  };
  const fixed = fixedOpSizeOf(ops);
  if (fixed !== undefined) form.fixedOpSize = fixed;
  if (mandatory !== undefined) form.mandatory = mandatory;
  if (os !== undefined) form.os = os;
  if (as !== undefined) form.as = as;
  if (flags.has("gas")) form.flavor = "gas";
  if (flags.has("nasm")) form.flavor = "nasm";
  return form;
}

const SIZED_FIXED = new Set(["acc", "al", "ax", "eax", "rax"]);

function layoutOf(ops: OpPattern[]) {
  let rmIndex = -1;
  let regIndex = -1;
  let plusRIndex = -1;
  let sized = false;
  const immIndices: number[] = [];
  ops.forEach((p, i) => {
    if (p.t === "rm" || p.t === "m" || p.t === "xm" || p.t === "mmm" || (p.t === "r" && p.toRm)) {
      if (rmIndex < 0) rmIndex = i;
    } else if (p.t === "r" || (p.t === "cls" && p.cls !== "st")) {
      if (regIndex < 0) regIndex = i;
    }
    if (p.t === "r" && plusRIndex < 0) plusRIndex = i;
    if (p.t === "imm" && p.kind !== "one") immIndices.push(i);
    if (
      p.t === "r" ||
      p.t === "rm" ||
      (p.t === "m" && p.size !== "any" && p.size !== "unsized") ||
      p.t === "moffs" ||
      (p.t === "fixed" && SIZED_FIXED.has(p.reg))
    )
      sized = true;
  });
  return {
    rmIndex,
    regIndex,
    plusRIndex,
    immIndices,
    relIndex: ops.findIndex((p) => p.t === "rel"),
    moffsIndex: ops.findIndex((p) => p.t === "moffs"),
    sized,
    farMem: ops[0]?.t === "m" && ops[0].size === "far",
  };
}

const FIXED_SIZES: Record<string, number> = { al: 8, ax: 16, eax: 32, rax: 64 };

/** The operand size a suffix must agree with, for forms whose size does not depend on "v"/"n". */
function fixedOpSizeOf(ops: OpPattern[]): number | undefined {
  for (const p of ops) {
    if ((p.t === "r" || p.t === "rm" || p.t === "moffs") && typeof p.size === "number") return p.size;
    if ((p.t === "r" || p.t === "rm") && p.size === "n") return -1;
    if ((p.t === "r" || p.t === "rm") && p.size === "v") return undefined;
    if (p.t === "m" && typeof p.size === "number") return p.size;
    if (p.t === "fixed" && FIXED_SIZES[p.reg] !== undefined) return FIXED_SIZES[p.reg];
  }
  return undefined;
}
