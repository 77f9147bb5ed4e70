// Instruction decoder (SDM Vol. 2A ch. 2 "Instruction Format"), shared by the interpreter and the disassembler.
// Pure: it reads bytes through a callback and produces an Insn with resolved operands. It never throws by
// itself; an undefined encoding becomes an Insn named "(bad)" (the interpreter raises #UD), and an instruction
// longer than 15 bytes becomes "(toolong)" (#GP(0), SDM 2.3.11). The fetch callback may throw (page faults).

import type { Block } from "./block";
import { GROUPS, ONE_BYTE, type OpEntry, TWO_BYTE } from "./opcode-table";

/** Operand kinds. */
export const K = {
  NONE: 0,
  REG: 1, // general register; r = 0..15, or 16..19 for AH/CH/DH/BH
  MEM: 2,
  IMM: 3,
  SREG: 4,
  CR: 5,
  DR: 6,
  REL: 7, // relative branch target (imm holds the signed displacement)
  FAR: 8, // far pointer immediate: imm = offset, imm2 = selector
  STR: 9, // implicit string operand (disassembly only)
  XMM: 10, // XMM register; r = 0..15
} as const;

/** Segment register numbers. */
export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
export const FS = 4;
export const GS = 5;

export type Exec = (cpu: never, insn: Insn) => void;

export class Insn {
  /** Entry name after group/prefix resolution, e.g. "add", "vmxon", "(bad)". */
  name = "(bad)";
  entry: OpEntry | undefined;
  /** Code size (16/32/64) the instruction was decoded for. */
  mode = 64;
  len = 0;
  /** Opcode: 0x00–0xFF one-byte, 0x0F00 | b two-byte, 0x0F3800 | b three-byte. */
  opcode = 0;
  /** Operand size in bytes for "v" operands (2/4/8) and address size (2/4/8). */
  osz = 4;
  asz = 4;
  /** 0, 0xF2 or 0xF3 (last one wins), LOCK, operand-size prefix seen. */
  rep = 0;
  lock = false;
  opsizePrefix = false;
  /** Segment override (-1 none) and the segment of the memory operand (override or default DS/SS). */
  segOverride = -1;
  seg = DS;
  rex = 0;
  hasModrm = false;
  mod = 0;
  /** ModRM.reg and .rm with the REX extensions applied (rm is the register when mod = 3). */
  reg = 0;
  rm = 0;
  /** Memory operand: base/index register (-1 none), scale as a shift (0–3), 32-bit signed displacement. */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  ripRel = false;
  /** moffs: a 64-bit displacement (high half). */
  dispHi = 0;
  /** Immediate (low 32 bits, sign- or zero-extended as the spec says), its high half, and a second immediate. */
  imm = 0;
  immHi = 0;
  imm2 = 0;
  /** Up to three operands in Intel order: kind, register, size in bytes. */
  k0 = 0;
  r0 = 0;
  s0 = 0;
  k1 = 0;
  r1 = 0;
  s1 = 0;
  k2 = 0;
  r2 = 0;
  s2 = 0;
  nops = 0;
  /** Interpreter handler (attached by the CPU). */
  exec: Exec | undefined = undefined;
  /** Interpreter scratch: a handler specialised for this instruction may keep data here. */
  aux = 0;
  /** Interpreter: the instruction is in the decoded-instruction cache (did not cross a page). */
  cacheable = false;
  /** Interpreter: where the cached instruction is (physical page address, offset in the page). */
  physPage = -1;
  pageOffset = 0;
  /** Interpreter: executions seen before compiling a block (block.ts), and the block (null: none possible). */
  heat = 0;
  block: Block | null | undefined = undefined;
  /** Interpreter: in VMX non-root operation VmxHooks.instruction must be asked first (VMX_INSTRUCTION_HOOK_MNEMONICS). */
  vmxHook = false;
  /** Interpreter: a VMX instruction (VMLAUNCH/VMRESUME/VMXOFF… may change VMX's hook state). */
  vmxInstruction = false;
  /** Interpreter: up to two successors seen after this instruction (RIP, instruction, cache epoch). */
  link1Rip = Number.NaN;
  link1: Insn | undefined = undefined;
  link1Epoch = -1;
  link2Rip = Number.NaN;
  link2: Insn | undefined = undefined;
  link2Epoch = -1;
}

/** Byte source for decode(): returns the byte at `offset` from the instruction start (0–14). May throw. */
export type FetchByte = (offset: number) => number;

const PREFIX = new Uint8Array(256);
for (const b of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) PREFIX[b] = 1;
const SEG_PREFIX: Record<number, number> = { 38: ES, 46: CS, 54: SS, 62: DS, 100: FS, 101: GS };

const FIXED_OPERANDS = new Set(["AL", "CL", "DX", "rAX", "eAX", "ES", "CS", "SS", "DS", "FS", "GS", "1"]);

class TooLong {}
const TOO_LONG = new TooLong();

/** Decodes one instruction for the given code size (16, 32 or 64). */
export function decode(fetch: FetchByte, mode: number): Insn {
  const i = new Insn();
  i.mode = mode;
  try {
    decodeInto(i, fetch, mode);
  } catch (err) {
    if (err !== TOO_LONG) throw err;
    i.name = "(toolong)";
    i.entry = undefined;
    i.len = 15;
    i.nops = 0;
  }
  return i;
}

function decodeInto(i: Insn, fetch: FetchByte, mode: number): void {
  let pos = 0;
  const next = (): number => {
    if (pos >= 15) throw TOO_LONG;
    return fetch(pos++) & 0xff;
  };
  let b = next();
  let opsize = false;
  let adsize = false;
  while (PREFIX[b]) {
    if (b === 0x66) opsize = true;
    else if (b === 0x67) adsize = true;
    else if (b === 0xf0) i.lock = true;
    else if (b === 0xf2 || b === 0xf3) i.rep = b;
    else {
      const s = SEG_PREFIX[b]!;
      // In 64-bit mode ES/CS/SS/DS overrides are ignored (SDM 3.3.7.1).
      if (mode !== 64 || s >= FS) i.segOverride = s;
    }
    b = next();
  }
  if (mode === 64 && (b & 0xf0) === 0x40) {
    i.rex = b;
    b = next();
    // A REX prefix followed by another prefix is ignored; legacy prefixes after REX are not valid
    // encodings here: treat them as a new prefix run (the REX is dropped, SDM 2.2.1).
    while (PREFIX[b] || (b & 0xf0) === 0x40) {
      i.rex = (b & 0xf0) === 0x40 ? b : 0;
      if (b === 0x66) opsize = true;
      else if (b === 0x67) adsize = true;
      else if (b === 0xf0) i.lock = true;
      else if (b === 0xf2 || b === 0xf3) i.rep = b;
      else if (PREFIX[b]) {
        const s = SEG_PREFIX[b]!;
        if (s >= FS) i.segOverride = s;
      }
      b = next();
    }
  }
  i.opsizePrefix = opsize;
  const rexW = (i.rex & 8) !== 0;
  if (mode === 64) {
    i.osz = rexW ? 8 : opsize ? 2 : 4;
    i.asz = adsize ? 4 : 8;
  } else if (mode === 32) {
    i.osz = opsize ? 2 : 4;
    i.asz = adsize ? 2 : 4;
  } else {
    i.osz = opsize ? 4 : 2;
    i.asz = adsize ? 4 : 2;
  }

  let entry: OpEntry | undefined;
  let opcode = b;
  if (b === 0x0f) {
    const b2 = next();
    opcode = 0x0f00 | b2;
    if (b2 === 0x38) {
      const b3 = next();
      opcode = 0x0f3800 | b3;
      entry = threeByte38(i, b3);
    } else if (b2 === 0x3a) {
      opcode = 0x0f3a00 | next();
      entry = undefined;
    } else {
      entry = TWO_BYTE[b2];
      const sse = SSE_MAP.get(b2);
      if (sse) {
        // Mandatory prefixes select the SSE form (SDM Vol. 2A 2.1.2); they are not size/repeat prefixes then.
        const form = i.rep === 0xf3 ? 2 : i.rep === 0xf2 ? 3 : opsize ? 1 : 0;
        entry = sse[form];
        if (form >= 2) i.rep = 0;
        if (form === 1) i.osz = rexW ? 8 : 4;
      }
    }
  } else {
    entry = ONE_BYTE[b];
    if (b === 0x63 && mode === 64) entry = MOVSXD;
  }
  i.opcode = opcode;
  if (!entry) {
    // Unknown: still consume a ModRM for the 0F maps so the length is plausible for the disassembler.
    i.name = "(bad)";
    i.len = pos;
    return;
  }

  if (mode === 64 && entry.i64) {
    i.name = "(bad)";
    i.len = pos;
    return;
  }
  if (mode === 64 && (entry.d64 || entry.f64)) {
    i.osz = entry.f64 ? 8 : opsize ? 2 : 8;
    if (entry.f64 && opsize && (opcode === 0xc2 || opcode === 0xc3)) i.osz = 8; // Intel ignores 66 on near RET
  }

  const needsModrm =
    entry.ops.some((o) => !FIXED_OPERANDS.has(o) && /^([EGMRVW]|Sw|Co|Do)/.test(o)) || entry.group !== undefined;
  if (needsModrm) {
    const m = next();
    i.hasModrm = true;
    i.mod = m >> 6;
    i.reg = ((m >> 3) & 7) | (i.rex & 4 ? 8 : 0);
    i.rm = (m & 7) | (i.rex & 1 ? 8 : 0);
    if (i.mod !== 3) pos = decodeMemory(i, next, pos, mode);
  }

  if (entry.group) {
    entry = resolveGroup(i, entry, opcode);
    if (!entry) {
      i.name = "(bad)";
      i.len = pos;
      return;
    }
    if (mode === 64 && (entry.d64 || entry.f64)) i.osz = entry.f64 ? 8 : opsize ? 2 : 8;
  }
  // Prefix-selected forms of the two-byte map.
  if (opcode === 0x0fb8 && i.rep !== 0xf3) entry = undefined;
  else if (opcode === 0x0fbc && i.rep === 0xf3) entry = TZCNT;
  else if (opcode === 0x0fbd && i.rep === 0xf3) entry = LZCNT;
  else if (opcode === 0x90 && i.rep === 0xf3 && !(i.rex & 1)) entry = PAUSE;
  else if (opcode === 0x90 && i.rex & 1) entry = XCHG_R;
  else if (opcode === 0x0f09 && i.rep === 0xf3) entry = WBNOINVD;
  if (!entry) {
    i.name = "(bad)";
    i.len = pos;
    return;
  }
  i.entry = entry;
  i.name = entry.name;

  // Operands.
  const ops = entry.ops;
  for (let n = 0; n < ops.length; n++) {
    const spec = ops[n]!;
    let k: number = K.NONE;
    let r = 0;
    let s = 0;
    const c = FIXED_OPERANDS.has(spec) ? "#" : spec[0]!;
    const sz = spec.slice(1);
    switch (c) {
      case "E":
      case "M":
      case "R":
        if (i.mod === 3) {
          if (c === "M") {
            i.name = "(bad)";
            i.entry = undefined;
            i.len = pos;
            return;
          }
          k = K.REG;
          s = sizeOf(sz, i, mode);
          r = regFor(i.rm, s, i);
        } else {
          if (c === "R") {
            // MOV CR/DR ignore mod (SDM Vol. 2B MOV—Move to/from Control Registers): always a register.
            k = K.REG;
            s = sizeOf(sz, i, mode);
            r = i.rm;
          } else {
            k = K.MEM;
            s = sizeOf(sz, i, mode);
          }
        }
        break;
      case "V":
        k = K.XMM;
        r = i.reg;
        s = 16;
        break;
      case "W":
        if (i.mod === 3) {
          k = K.XMM;
          r = i.rm;
          s = 16;
        } else {
          k = K.MEM;
          s = sizeOf(sz, i, mode);
        }
        break;
      case "G":
        k = K.REG;
        s = sizeOf(sz, i, mode);
        r = regFor(i.reg, s, i);
        break;
      case "Z":
        k = K.REG;
        s = sizeOf(sz, i, mode);
        r = regFor((opcode & 7) | (i.rex & 1 ? 8 : 0), s, i);
        break;
      case "S":
        k = K.SREG;
        r = i.reg & 7;
        s = 2;
        if (r > 5) {
          i.name = "(bad)";
          i.entry = undefined;
          i.len = pos;
          return;
        }
        break;
      case "C":
        k = K.CR;
        r = i.reg;
        s = mode === 64 ? 8 : 4;
        break;
      case "D":
        k = K.DR;
        r = i.reg;
        s = mode === 64 ? 8 : 4;
        break;
      case "I": {
        k = K.IMM;
        if (sz === "b") {
          s = 1;
          if (n === 1 && ops[0] === "Iw")
            i.imm2 = next(); // ENTER Iw,Ib: nesting level
          else i.imm = next();
        } else if (sz === "bs") {
          s = i.osz;
          i.imm = (next() << 24) >> 24;
          i.immHi = i.imm < 0 ? -1 : 0;
        } else if (sz === "w") {
          s = 2;
          i.imm = next() | (next() << 8);
        } else if (sz === "z") {
          s = i.osz;
          if (i.osz === 2) i.imm = next() | (next() << 8);
          else {
            i.imm = next() | (next() << 8) | (next() << 16) | (next() << 24);
            i.immHi = i.imm < 0 ? -1 : 0;
          }
        } else if (sz === "v") {
          s = i.osz;
          if (i.osz === 2) i.imm = next() | (next() << 8);
          else {
            i.imm = next() | (next() << 8) | (next() << 16) | (next() << 24);
            if (i.osz === 8) i.immHi = next() | (next() << 8) | (next() << 16) | (next() << 24);
          }
        }
        break;
      }
      case "J": {
        k = K.REL;
        if (sz === "b") {
          i.imm = (next() << 24) >> 24;
          s = 1;
        } else if (i.osz === 2 && mode !== 64) {
          i.imm = ((next() | (next() << 8)) << 16) >> 16;
          s = 2;
        } else {
          i.imm = next() | (next() << 8) | (next() << 16) | (next() << 24);
          s = 4;
        }
        break;
      }
      case "O": {
        k = K.MEM;
        s = sz === "b" ? 1 : i.osz;
        i.base = -1;
        i.index = -1;
        i.seg = i.segOverride >= 0 ? i.segOverride : DS;
        if (i.asz === 2) i.disp = next() | (next() << 8);
        else {
          i.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
          if (i.asz === 8) i.dispHi = next() | (next() << 8) | (next() << 16) | (next() << 24);
        }
        break;
      }
      case "A": {
        k = K.FAR;
        s = i.osz + 2;
        if (i.osz === 2) i.imm = next() | (next() << 8);
        else i.imm = next() | (next() << 8) | (next() << 16) | (next() << 24);
        i.imm2 = next() | (next() << 8);
        break;
      }
      case "X":
      case "Y":
        k = K.STR;
        s = sz === "b" ? 1 : sz === "z" ? Math.min(i.osz, 4) : i.osz;
        r = c === "X" ? 6 : 7;
        break;
      default:
        if (spec === "1") {
          k = K.IMM;
          s = 1;
          i.imm = 1;
        } else if (spec === "DX") {
          k = K.REG;
          r = 2;
          s = 2;
        } else if (spec === "AL" || spec === "CL") {
          k = K.REG;
          r = spec === "AL" ? 0 : 1;
          s = 1;
        } else if (spec === "rAX") {
          k = K.REG;
          r = 0;
          s = i.osz;
        } else if (spec === "eAX") {
          k = K.REG;
          r = 0;
          s = i.osz === 2 ? 2 : 4;
        } else if (spec === "ES" || spec === "CS" || spec === "SS" || spec === "DS" || spec === "FS" || spec === "GS") {
          k = K.SREG;
          r = sregNamed(spec);
          s = 2;
        }
        break;
    }
    if (n === 0) {
      i.k0 = k;
      i.r0 = r;
      i.s0 = s;
    } else if (n === 1) {
      i.k1 = k;
      i.r1 = r;
      i.s1 = s;
    } else {
      i.k2 = k;
      i.r2 = r;
      i.s2 = s;
    }
  }
  i.nops = ops.length;
  i.len = pos;
}

function sregNamed(spec: string): number {
  return ["ES", "CS", "SS", "DS", "FS", "GS"].indexOf(spec);
}

function sizeOf(sz: string, i: Insn, mode: number): number {
  switch (sz) {
    case "b":
      return 1;
    case "w":
      return 2;
    case "d":
      return 4;
    case "q":
      return 8;
    case "v":
      return i.osz;
    case "z":
      return i.osz === 8 ? 4 : i.osz;
    case "y":
      return i.osz === 8 ? 8 : 4;
    case "o":
      return mode === 64 ? 8 : 4;
    case "x":
      return 16;
    case "p":
      return i.osz + 2;
    case "s":
      return mode === 64 ? 10 : 6;
    default:
      return 0;
  }
}

/** Byte registers: without REX, 4–7 are AH/CH/DH/BH (encoded 16–19); with any REX they are SPL/BPL/SIL/DIL. */
function regFor(r: number, size: number, i: Insn): number {
  if (size === 1 && r >= 4 && r < 8 && i.rex === 0) return 16 + (r - 4);
  return r;
}

function decodeMemory(i: Insn, next: () => number, pos: number, mode: number): number {
  let p = pos;
  const n = (): number => {
    p++;
    return next();
  };
  const defaultSeg = (ss: boolean): void => {
    i.seg = i.segOverride >= 0 ? i.segOverride : ss ? SS : DS;
  };
  if (i.asz === 2) {
    const rm = i.rm & 7;
    const bases = [3, 3, 5, 5, 6, 7, 5, 3]; // BX BX BP BP SI DI BP BX
    const idx = [6, 7, 6, 7, -1, -1, -1, -1]; // SI DI SI DI
    if (i.mod === 0 && rm === 6) {
      i.base = -1;
      i.index = -1;
      i.disp = n() | (n() << 8);
      defaultSeg(false);
    } else {
      i.base = rm < 4 ? bases[rm]! : rm === 4 ? 6 : rm === 5 ? 7 : rm === 6 ? 5 : 3;
      i.index = idx[rm]!;
      if (i.mod === 1) i.disp = (n() << 24) >> 24;
      else if (i.mod === 2) i.disp = ((n() | (n() << 8)) << 16) >> 16;
      defaultSeg(i.base === 5);
    }
    return p;
  }
  const rm = i.rm & 7;
  if (rm === 4) {
    const sib = n();
    const scale = sib >> 6;
    const index = ((sib >> 3) & 7) | (i.rex & 2 ? 8 : 0);
    const base = (sib & 7) | (i.rex & 1 ? 8 : 0);
    i.scale = scale;
    i.index = index === 4 ? -1 : index;
    if ((base & 7) === 5 && i.mod === 0) {
      i.base = -1;
      i.disp = n() | (n() << 8) | (n() << 16) | (n() << 24);
      defaultSeg(false);
    } else {
      i.base = base;
      defaultSeg(base === 4 || base === 5);
    }
  } else if (rm === 5 && i.mod === 0) {
    i.base = -1;
    i.index = -1;
    i.disp = n() | (n() << 8) | (n() << 16) | (n() << 24);
    if (mode === 64) i.ripRel = true;
    defaultSeg(false);
    return p;
  } else {
    i.base = i.rm;
    i.index = -1;
    defaultSeg(rm === 5 || rm === 4);
  }
  if (i.mod === 1) i.disp = (n() << 24) >> 24;
  else if (i.mod === 2) i.disp = n() | (n() << 8) | (n() << 16) | (n() << 24);
  return p;
}

/** SSE data movement and logic forms selected by the mandatory prefix: [none, 66, F3, F2] (SDM Vol. 2 Appendix A.3). */
const SSE_MAP = new Map<number, (OpEntry | undefined)[]>();
function sseRow(op: number, forms: (string | undefined)[]): void {
  SSE_MAP.set(
    op,
    forms.map((f) => {
      if (!f) return undefined;
      const [name, ops] = f.split(":") as [string, string];
      return { name, ops: ops.split(",") };
    }),
  );
}
sseRow(0x10, ["movups:Vx,Wx", "movupd:Vx,Wx", "movss:Vx,Wd", "movsd_sse:Vx,Wq"]);
sseRow(0x11, ["movups:Wx,Vx", "movupd:Wx,Vx", "movss:Wd,Vx", "movsd_sse:Wq,Vx"]);
sseRow(0x28, ["movaps:Vx,Wx", "movapd:Vx,Wx", undefined, undefined]);
sseRow(0x29, ["movaps:Wx,Vx", "movapd:Wx,Vx", undefined, undefined]);
sseRow(0x2b, ["movntps:Mx,Vx", "movntpd:Mx,Vx", undefined, undefined]);
sseRow(0x57, ["xorps:Vx,Wx", "xorpd:Vx,Wx", undefined, undefined]);
sseRow(0x6e, [undefined, "movd:Vx,Ey", undefined, undefined]);
sseRow(0x7e, [undefined, "movd:Ey,Vx", "movq:Vx,Wq", undefined]);
sseRow(0x6f, [undefined, "movdqa:Vx,Wx", "movdqu:Vx,Wx", undefined]);
sseRow(0x7f, [undefined, "movdqa:Wx,Vx", "movdqu:Wx,Vx", undefined]);
sseRow(0xd6, [undefined, "movq:Wq,Vx", undefined, undefined]);
sseRow(0xe7, [undefined, "movntdq:Mx,Vx", undefined, undefined]);
sseRow(0xef, [undefined, "pxor:Vx,Wx", undefined, undefined]);
sseRow(0xc3, ["movnti:My,Gy", undefined, undefined, undefined]);

const MOVSXD = { name: "movsxd", ops: ["Gv", "Ed"] } as OpEntry;
const TZCNT = { name: "tzcnt", ops: ["Gv", "Ev"] } as OpEntry;
const LZCNT = { name: "lzcnt", ops: ["Gv", "Ev"] } as OpEntry;
const POPCNT = { name: "popcnt", ops: ["Gv", "Ev"] } as OpEntry;
const PAUSE = { name: "pause", ops: [] } as OpEntry;
const XCHG_R = { name: "xchg", ops: ["Zv", "rAX"] } as OpEntry;
const WBNOINVD = { name: "wbnoinvd", ops: [] } as OpEntry;
void POPCNT;

function simple(name: string, ops: string[] = [], flags: Partial<OpEntry> = {}): OpEntry {
  return { name, ops, ...flags };
}

function threeByte38(i: Insn, b3: number): OpEntry | undefined {
  if (i.opsizePrefix) {
    // 66 0F 38 80/81/82: INVEPT/INVVPID/INVPCID Gy,Mdq (register operand is 64-bit in 64-bit mode).
    if (b3 === 0x80) return simple("invept", ["Go", "M"]);
    if (b3 === 0x81) return simple("invvpid", ["Go", "M"]);
    if (b3 === 0x82) return simple("invpcid", ["Go", "M"]);
    if (b3 === 0x2a) return simple("movntdqa", ["Vx", "Mx"]);
  }
  if (i.rep !== 0) return undefined;
  if (b3 === 0xf0) return simple("movbe", ["Gv", "Mv"]);
  if (b3 === 0xf1) return simple("movbe", ["Mv", "Gv"]);
  return undefined;
}

function resolveGroup(i: Insn, entry: OpEntry, opcode: number): OpEntry | undefined {
  const g = entry.group!;
  const reg = i.reg & 7;
  const rm = i.rm & 7;
  const isReg = i.mod === 3;
  switch (g) {
    case "x87":
      return simple("x87", ["E"]);
    case "7": {
      if (isReg) {
        const code = 0xc0 | (reg << 3) | rm;
        const names: Record<number, string> = {
          193: "vmcall",
          194: "vmlaunch",
          195: "vmresume",
          196: "vmxoff",
          200: "monitor",
          201: "mwait",
          202: "clac",
          203: "stac",
          208: "xgetbv",
          209: "xsetbv",
          212: "vmfunc",
          248: "swapgs",
          249: "rdtscp",
          // Named for the disassembler; not supported by the emulated Intel models (#UD): SGX, TSX, PKU,
          // SERIALIZE, PCONFIG and AMD SVM.
          192: "enclv",
          197: "pconfig",
          207: "encls",
          213: "xend",
          214: "xtest",
          215: "enclu",
          216: "vmrun",
          217: "vmmcall",
          218: "vmload",
          219: "vmsave",
          220: "stgi",
          221: "clgi",
          222: "skinit",
          223: "invlpga",
          232: "serialize",
          238: "rdpkru",
          239: "wrpkru",
        };
        if (reg === 4) return simple("smsw", ["Ev"]);
        if (reg === 6) return simple("lmsw", ["Ew"]);
        const n = names[code];
        if (!n) return undefined;
        if (n === "swapgs" && i.mode !== 64) return undefined;
        return simple(n);
      }
      const mem = ["sgdt", "sidt", "lgdt", "lidt", "smsw", undefined, "lmsw", "invlpg"][reg];
      if (!mem) return undefined;
      if (mem === "smsw" || mem === "lmsw") return simple(mem, ["Ew"]);
      if (mem === "invlpg") return simple(mem, ["M"]);
      return simple(mem, ["Ms"]);
    }
    case "9": {
      if (isReg) {
        if (reg === 6 && i.rep === 0) return simple("rdrand", ["Rv"]);
        if (reg === 7 && i.rep === 0) return simple("rdseed", ["Rv"]);
        if (reg === 7 && i.rep === 0xf3) return simple("rdpid", ["Ro"]);
        return undefined;
      }
      if (reg === 1) return simple((i.rex & 8) !== 0 ? "cmpxchg16b" : "cmpxchg8b", ["M"], { lock: true });
      if (reg === 6) {
        if (i.rep === 0xf3) return simple("vmxon", ["Mq"]);
        if (i.opsizePrefix) return simple("vmclear", ["Mq"]);
        if (i.rep === 0) return simple("vmptrld", ["Mq"]);
        return undefined;
      }
      if (reg === 7 && i.rep === 0 && !i.opsizePrefix) return simple("vmptrst", ["Mq"]);
      // XRSTORS / XSAVES (NP 0F C7 /3, /5; REX.W selects the 64-bit forms, same operation here).
      if (reg === 3 && i.rep === 0 && !i.opsizePrefix) return simple("xrstors", ["M"]);
      if (reg === 5 && i.rep === 0 && !i.opsizePrefix) return simple("xsaves", ["M"]);
      return undefined;
    }
    case "15": {
      if (isReg) {
        if (i.rep === 0xf3 && i.mode === 64 && reg <= 3)
          return simple(["rdfsbase", "rdgsbase", "wrfsbase", "wrgsbase"][reg]!, ["Ry"]);
        if (reg === 5) return simple("lfence");
        if (reg === 6) return simple("mfence");
        if (reg === 7) return simple("sfence");
        return undefined;
      }
      if (reg === 6 && i.opsizePrefix) return simple("clwb", ["Mb"]);
      if (reg === 7 && i.opsizePrefix) return simple("clflushopt", ["Mb"]);
      const n = ["fxsave", "fxrstor", "ldmxcsr", "stmxcsr", "xsave", "xrstor", "xsaveopt", "clflush"][reg]!;
      return simple(n, [reg === 2 || reg === 3 ? "Md" : reg === 7 ? "Mb" : "M"]);
    }
    default: {
      const names = GROUPS[g];
      const n = names?.[reg];
      if (!n) return undefined;
      const ops = entry.ops.slice();
      // Group 3 TEST takes an immediate; the others have a single operand.
      if (g === "3") {
        if (n === "test") ops.push(opcode === 0xf6 ? "Ib" : "Iz");
      }
      const res: OpEntry = { name: n, ops, lock: entry.lock };
      if (g === "5") {
        if (n === "call" || n === "jmp") res.f64 = true;
        if (n === "push") res.d64 = true;
        if (n === "callf" || n === "jmpf") res.ops = ["Mp"];
      }
      if (g === "1a") res.d64 = true;
      if (g === "6") {
        if (n === "sldt" || n === "str") res.ops = ["Ev"];
      }
      return res;
    }
  }
}
