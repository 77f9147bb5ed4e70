// Disassembler: formats decoded instructions in Intel (NASM-like) or AT&T (GNU objdump-like) syntax,
// for the debugger's disassembly view and `vmx run --trace`.

import { GPR64_NAMES } from "../arch/index";
import { decode, type Insn, K } from "./decoder";

export type DisassemblySyntax = "intel" | "att";

const R32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const R16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const R8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"];
const R8H = ["ah", "ch", "dh", "bh"];
const SREG = ["es", "cs", "ss", "ds", "fs", "gs"];

export function regName(r: number, size: number): string {
  if (size === 1) {
    if (r >= 16) return R8H[r - 16]!;
    return r < 8 ? R8[r]! : `r${r}b`;
  }
  if (size === 2) return r < 8 ? R16[r]! : `r${r}w`;
  if (size === 4) return r < 8 ? R32[r]! : `r${r}d`;
  return GPR64_NAMES[r]!;
}

function hex(v: bigint | number): string {
  const b = BigInt(v);
  return b < 0n ? `-0x${(-b).toString(16)}` : `0x${b.toString(16)}`;
}

const SIZE_NAME: Record<number, string> = {
  1: "byte",
  2: "word",
  4: "dword",
  8: "qword",
  6: "fword",
  10: "tword",
  16: "xmmword",
};
const SUFFIX: Record<number, string> = { 1: "b", 2: "w", 4: "l", 8: "q" };

function addrRegName(r: number, asz: number): string {
  return regName(r, asz);
}

/** Mnemonic after operand-size resolution (cbw/cwde/cdqe, movsb/movsd, iretq …). */
function mnemonic(i: Insn, syntax: DisassemblySyntax): string {
  const n = i.name;
  const os = i.osz;
  const strSize = i.s0 || i.s1;
  switch (n) {
    case "cbw":
      return os === 2 ? "cbw" : os === 4 ? (syntax === "att" ? "cwtl" : "cwde") : syntax === "att" ? "cltq" : "cdqe";
    case "cwd":
      return os === 2 ? "cwd" : os === 4 ? (syntax === "att" ? "cltd" : "cdq") : syntax === "att" ? "cqto" : "cqo";
    case "movs":
    case "cmps":
    case "stos":
    case "lods":
    case "scas":
    case "ins":
    case "outs": {
      const c = strSize === 1 ? "b" : strSize === 2 ? "w" : strSize === 4 ? (syntax === "att" ? "l" : "d") : "q";
      return n + c;
    }
    case "iret":
      return os === 2 ? "iret" : os === 4 ? "iretd" : "iretq";
    case "pushf":
    case "popf":
      return i.mode === 64 ? `${n}q` : os === 4 ? `${n}d` : n;
    case "pusha":
    case "popa":
      return os === 4 ? `${n}d` : n;
    case "jrcxz":
      return i.asz === 2 ? "jcxz" : i.asz === 4 ? "jecxz" : "jrcxz";
    case "callf":
      return syntax === "att" ? "lcall" : "call far";
    case "jmpf":
      return syntax === "att" ? "ljmp" : "jmp far";
    case "retf":
      return syntax === "att" ? "lret" : "retf";
    case "movzx":
    case "movsx":
      if (syntax === "att") return `${n === "movzx" ? "movz" : "movs"}${SUFFIX[i.s1]}${SUFFIX[i.s0]}`;
      return n;
    case "movsxd":
      return syntax === "att" ? "movslq" : n;
    case "movsd_sse":
      return "movsd";
    case "movd":
      return i.s0 === 8 || i.s1 === 8 ? "movq" : "movd";
    case "x87":
      return x87Name(i);
    case "(bad)":
    case "(toolong)":
      return "(bad)";
    default:
      return n;
  }
}

/** The x87 control instructions by opcode/ModRM; other x87 opcodes print generically. */
function x87Name(i: Insn): string {
  const reg = i.reg & 7;
  if (i.mod === 3) {
    const m = 0xc0 | (reg << 3) | (i.rm & 7);
    if (i.opcode === 0xdb && m === 0xe3) return "fninit";
    if (i.opcode === 0xdb && m === 0xe2) return "fnclex";
    if (i.opcode === 0xdf && m === 0xe0) return "fnstsw";
    return `(x87 ${i.opcode.toString(16)} ${m.toString(16)})`;
  }
  if (i.opcode === 0xd9 && reg === 7) return "fnstcw";
  if (i.opcode === 0xd9 && reg === 5) return "fldcw";
  if (i.opcode === 0xdd && reg === 7) return "fnstsw";
  return `(x87 ${i.opcode.toString(16)} /${reg})`;
}

interface FormatOptions {
  /** Address of the instruction (for branch targets and RIP-relative operands). */
  address: bigint;
}

function memOperand(i: Insn, syntax: DisassemblySyntax, size: number, address: bigint): string {
  const segPrefix = i.segOverride >= 0 ? `${SREG[i.segOverride]}:` : "";
  if (!i.hasModrm) {
    const d = i.asz === 8 ? (BigInt(i.dispHi >>> 0) << 32n) | BigInt(i.disp >>> 0) : BigInt(i.disp >>> 0);
    if (syntax === "att") return `${segPrefix || ""}${hex(d)}`;
    return `${SIZE_NAME[size] ? `${SIZE_NAME[size]} ptr ` : ""}${segPrefix}[${hex(d)}]`;
  }
  const parts: string[] = [];
  if (syntax === "intel") {
    if (i.ripRel) {
      const target = BigInt.asUintN(64, address + BigInt(i.len) + BigInt(i.disp));
      const base = `rip${i.disp < 0 ? "-" : "+"}${hex(Math.abs(i.disp))}`;
      return `${SIZE_NAME[size] ? `${SIZE_NAME[size]} ptr ` : ""}${segPrefix}[${base}]  ; ${hex(target)}`;
    }
    if (i.base >= 0) parts.push(addrRegName(i.base, i.asz));
    if (i.index >= 0) parts.push(`${addrRegName(i.index, i.asz)}*${1 << i.scale}`);
    let s = parts.join("+");
    if (i.disp !== 0 || parts.length === 0) {
      if (parts.length === 0) s = hex(i.asz === 2 ? i.disp & 0xffff : i.disp >>> 0);
      else s += i.disp < 0 ? `-${hex(-i.disp)}` : `+${hex(i.disp)}`;
    }
    const sz = size && SIZE_NAME[size] ? `${SIZE_NAME[size]} ptr ` : "";
    return `${sz}${segPrefix}[${s}]`;
  }
  if (i.ripRel) return `${segPrefix}${i.disp < 0 ? "-" : ""}${hex(Math.abs(i.disp))}(%rip)`;
  const disp =
    i.disp !== 0 || (i.base < 0 && i.index < 0) ? (i.base < 0 && i.index < 0 ? hex(i.disp >>> 0) : hex(i.disp)) : "";
  const b = i.base >= 0 ? `%${addrRegName(i.base, i.asz)}` : "";
  const x = i.index >= 0 ? `,%${addrRegName(i.index, i.asz)},${1 << i.scale}` : "";
  const inner = b || x ? `(${b}${x})` : "";
  return `${segPrefix ? `%${segPrefix}` : ""}${disp}${inner}`;
}

function operand(i: Insn, n: number, syntax: DisassemblySyntax, address: bigint): string | undefined {
  const k = n === 0 ? i.k0 : n === 1 ? i.k1 : i.k2;
  const r = n === 0 ? i.r0 : n === 1 ? i.r1 : i.r2;
  const s = n === 0 ? i.s0 : n === 1 ? i.s1 : i.s2;
  const pct = syntax === "att" ? "%" : "";
  switch (k) {
    case K.REG:
      return pct + regName(r, s);
    case K.SREG:
      return pct + SREG[r]!;
    case K.CR:
      return `${pct}cr${r}`;
    case K.XMM:
      return `${pct}xmm${r}`;
    case K.DR:
      return `${pct}db${r}`.replace("db", syntax === "att" ? "db" : "dr");
    case K.MEM:
      return memOperand(i, syntax, s, address);
    case K.IMM: {
      let v: bigint;
      if (s === 8) v = BigInt.asUintN(64, (BigInt(i.immHi) << 32n) | BigInt(i.imm >>> 0));
      else if (s === 1) v = BigInt(i.imm & 0xff);
      else if (s === 2) v = BigInt(i.imm & 0xffff);
      else v = BigInt(i.imm >>> 0);
      // ENTER's second immediate
      if (i.name === "enter" && n === 1) v = BigInt(i.imm2 & 0xff);
      return syntax === "att" ? `$${hex(v)}` : hex(v);
    }
    case K.REL: {
      const mask = i.mode === 64 ? 64 : i.osz === 2 ? 16 : 32;
      const t = BigInt.asUintN(mask, address + BigInt(i.len) + BigInt(i.imm));
      return hex(t);
    }
    case K.FAR:
      return syntax === "att" ? `$${hex(i.imm2)},$${hex(i.imm >>> 0)}` : `${hex(i.imm2)}:${hex(i.imm >>> 0)}`;
    default:
      return undefined;
  }
}

/** Formats one decoded instruction. */
export function formatInstruction(i: Insn, syntax: DisassemblySyntax, opts: FormatOptions): string {
  let m = mnemonic(i, syntax);
  const ops: string[] = [];
  const strOp = ["movs", "cmps", "stos", "lods", "scas", "ins", "outs"].includes(i.name);
  const x87Reg = i.name === "x87" && i.mod === 3;
  if (x87Reg && m === "fnstsw") ops.push(syntax === "att" ? "%ax" : "ax");
  for (let n = 0; n < i.nops && !strOp && !x87Reg; n++) {
    const o = operand(i, n, syntax, opts.address);
    if (o !== undefined) ops.push(o);
  }
  if (i.name === "(bad)" || i.name === "(toolong)") return "(bad)";
  if (syntax === "att") {
    ops.reverse();
    const hasReg = [i.k0, i.k1, i.k2].slice(0, i.nops).some((k) => k === K.REG || k === K.SREG);
    const hasMem = [i.k0, i.k1].slice(0, i.nops).includes(K.MEM);
    if (hasMem && !hasReg && !["lgdt", "lidt", "sgdt", "sidt", "invlpg", "jmpf", "callf", "clflush"].includes(i.name)) {
      const s = i.k0 === K.MEM ? i.s0 : i.s1;
      if (
        SUFFIX[s] &&
        !m.startsWith("set") &&
        !["vmptrld", "vmptrst", "vmclear", "vmxon", "fxsave", "fxrstor"].includes(i.name)
      )
        m += SUFFIX[s];
    }
    if ((i.name === "call" || i.name === "jmp") && i.k0 !== K.REL) ops[0] = `*${ops[0]}`;
  }
  let prefix = "";
  if (i.lock) prefix += "lock ";
  if (i.rep && strOp) prefix += i.rep === 0xf3 ? (i.name === "cmps" || i.name === "scas" ? "repe " : "rep ") : "repne ";
  return `${prefix}${m}${ops.length ? ` ${ops.join(", ")}` : ""}`.replace(/, /g, syntax === "att" ? "," : ", ");
}

export interface DisassembledInstruction {
  address: bigint;
  bytes: Uint8Array;
  text: string;
  length: number;
}

/** Disassembles `count` instructions (or the whole buffer) from bytes located at `address`. */
export function disassemble(
  bytes: Uint8Array,
  address: bigint,
  mode: 16 | 32 | 64,
  syntax: DisassemblySyntax,
  count = Number.POSITIVE_INFINITY,
): DisassembledInstruction[] {
  const out: DisassembledInstruction[] = [];
  let off = 0;
  while (off < bytes.length && out.length < count) {
    const start = off;
    const insn = decode((k) => (start + k < bytes.length ? bytes[start + k]! : 0), mode);
    const len = Math.max(1, Math.min(insn.len, bytes.length - start));
    const a = address + BigInt(start);
    out.push({
      address: a,
      bytes: bytes.subarray(start, start + len),
      text: formatInstruction(insn, syntax, { address: a }),
      length: len,
    });
    off += len;
  }
  return out;
}
