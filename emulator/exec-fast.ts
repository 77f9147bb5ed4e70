// Specialised handlers for the most frequent instruction forms (register/register and register/immediate
// ALU operations, INC/DEC, MOV, Jcc, PUSH/POP, CALL/RET). Each is the generic handler's semantics for one
// form — a cache of the slow path, never a second semantics (the differential test runs them against the
// native CPU, the instruction tests against the generic handlers' expectations).

import type { Exec } from "./cpu";
import * as cpuModule from "./cpu";
import type { Insn } from "./decoder";
import * as decoderModule from "./decoder";

const { OP_ADD, OP_SUB, OP_LOGIC, OP_INC, OP_DEC } = cpuModule;
const { K } = decoderModule;
const REG = K.REG;
const IMM = K.IMM;
const REL = K.REL;

const ALU_NAMES = new Set(["add", "sub", "cmp", "and", "or", "xor", "test"]);

// Generated shapes: one function literal per operation and form, so each stays monomorphic in the JIT.

const add_rr8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = lo[i.r1]!;
  const bh = hi[i.r1]!;
  const l = (a >>> 0) + (b >>> 0);
  const r = l | 0;
  const rh = (ah + bh + (l > 0xffffffff ? 1 : 0)) | 0;
  cpu.lfOp = OP_ADD;
  cpu.lfSize = 8;
  cpu.lfA = a;
  cpu.lfAHi = ah;
  cpu.lfB = b;
  cpu.lfBHi = bh;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const add_ri8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = i.imm;
  const bh = i.immHi;
  const l = (a >>> 0) + (b >>> 0);
  const r = l | 0;
  const rh = (ah + bh + (l > 0xffffffff ? 1 : 0)) | 0;
  cpu.lfOp = OP_ADD;
  cpu.lfSize = 8;
  cpu.lfA = a;
  cpu.lfAHi = ah;
  cpu.lfB = b;
  cpu.lfBHi = bh;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const add_rr4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = lo[i.r1]!;
  const r = (a + b) | 0;
  cpu.lfOp = OP_ADD;
  cpu.lfSize = 4;
  cpu.lfA = a;
  cpu.lfB = b;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const add_ri4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = i.imm;
  const r = (a + b) | 0;
  cpu.lfOp = OP_ADD;
  cpu.lfSize = 4;
  cpu.lfA = a;
  cpu.lfB = b;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const sub_rr8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = lo[i.r1]!;
  const bh = hi[i.r1]!;
  const l = (a >>> 0) - (b >>> 0);
  const r = l | 0;
  const rh = (ah - bh - (l < 0 ? 1 : 0)) | 0;
  cpu.lfOp = OP_SUB;
  cpu.lfSize = 8;
  cpu.lfA = a;
  cpu.lfAHi = ah;
  cpu.lfB = b;
  cpu.lfBHi = bh;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const sub_ri8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = i.imm;
  const bh = i.immHi;
  const l = (a >>> 0) - (b >>> 0);
  const r = l | 0;
  const rh = (ah - bh - (l < 0 ? 1 : 0)) | 0;
  cpu.lfOp = OP_SUB;
  cpu.lfSize = 8;
  cpu.lfA = a;
  cpu.lfAHi = ah;
  cpu.lfB = b;
  cpu.lfBHi = bh;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const sub_rr4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = lo[i.r1]!;
  const r = (a - b) | 0;
  cpu.lfOp = OP_SUB;
  cpu.lfSize = 4;
  cpu.lfA = a;
  cpu.lfB = b;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const sub_ri4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = i.imm;
  const r = (a - b) | 0;
  cpu.lfOp = OP_SUB;
  cpu.lfSize = 4;
  cpu.lfA = a;
  cpu.lfB = b;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const cmp_rr8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = lo[i.r1]!;
  const bh = hi[i.r1]!;
  const l = (a >>> 0) - (b >>> 0);
  const r = l | 0;
  const rh = (ah - bh - (l < 0 ? 1 : 0)) | 0;
  cpu.lfOp = OP_SUB;
  cpu.lfSize = 8;
  cpu.lfA = a;
  cpu.lfAHi = ah;
  cpu.lfB = b;
  cpu.lfBHi = bh;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
};

const cmp_ri8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = i.imm;
  const bh = i.immHi;
  const l = (a >>> 0) - (b >>> 0);
  const r = l | 0;
  const rh = (ah - bh - (l < 0 ? 1 : 0)) | 0;
  cpu.lfOp = OP_SUB;
  cpu.lfSize = 8;
  cpu.lfA = a;
  cpu.lfAHi = ah;
  cpu.lfB = b;
  cpu.lfBHi = bh;
  cpu.lfCin = 0;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
};

const cmp_rr4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = lo[i.r1]!;
  const r = (a - b) | 0;
  cpu.lfOp = OP_SUB;
  cpu.lfSize = 4;
  cpu.lfA = a;
  cpu.lfB = b;
  cpu.lfCin = 0;
  cpu.lfRes = r;
};

const cmp_ri4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = i.imm;
  const r = (a - b) | 0;
  cpu.lfOp = OP_SUB;
  cpu.lfSize = 4;
  cpu.lfA = a;
  cpu.lfB = b;
  cpu.lfCin = 0;
  cpu.lfRes = r;
};

const and_rr8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = lo[i.r1]!;
  const bh = hi[i.r1]!;
  const r = a & b;
  const rh = ah & bh;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 8;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const and_ri8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = i.imm;
  const bh = i.immHi;
  const r = a & b;
  const rh = ah & bh;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 8;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const and_rr4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = lo[i.r1]!;
  const r = a & b;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 4;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const and_ri4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = i.imm;
  const r = a & b;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 4;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const or_rr8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = lo[i.r1]!;
  const bh = hi[i.r1]!;
  const r = a | b;
  const rh = ah | bh;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 8;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const or_ri8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = i.imm;
  const bh = i.immHi;
  const r = a | b;
  const rh = ah | bh;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 8;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const or_rr4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = lo[i.r1]!;
  const r = a | b;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 4;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const or_ri4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = i.imm;
  const r = a | b;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 4;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const xor_rr8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = lo[i.r1]!;
  const bh = hi[i.r1]!;
  const r = a ^ b;
  const rh = ah ^ bh;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 8;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const xor_ri8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = i.imm;
  const bh = i.immHi;
  const r = a ^ b;
  const rh = ah ^ bh;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 8;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  lo[d] = r;
  hi[d] = rh;
};

const xor_rr4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = lo[i.r1]!;
  const r = a ^ b;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 4;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const xor_ri4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = i.imm;
  const r = a ^ b;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 4;
  cpu.lfRes = r;
  lo[d] = r;
  cpu.hi[d] = 0;
};

const test_rr8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = lo[i.r1]!;
  const bh = hi[i.r1]!;
  const r = a & b;
  const rh = ah & bh;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 8;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
};

const test_ri8: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const hi = cpu.hi;
  const d = i.r0;
  const a = lo[d]!;
  const ah = hi[d]!;
  const b = i.imm;
  const bh = i.immHi;
  const r = a & b;
  const rh = ah & bh;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 8;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
};

const test_rr4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = lo[i.r1]!;
  const r = a & b;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 4;
  cpu.lfRes = r;
};

const test_ri4: Exec = (cpu, i) => {
  const lo = cpu.lo;
  const d = i.r0;
  const a = lo[d]!;
  const b = i.imm;
  const r = a & b;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 4;
  cpu.lfRes = r;
};

export const ALU_FAST = new Map<string, Exec>([
  ["addrr8", add_rr8],
  ["addri8", add_ri8],
  ["addrr4", add_rr4],
  ["addri4", add_ri4],
  ["subrr8", sub_rr8],
  ["subri8", sub_ri8],
  ["subrr4", sub_rr4],
  ["subri4", sub_ri4],
  ["cmprr8", cmp_rr8],
  ["cmpri8", cmp_ri8],
  ["cmprr4", cmp_rr4],
  ["cmpri4", cmp_ri4],
  ["andrr8", and_rr8],
  ["andri8", and_ri8],
  ["andrr4", and_rr4],
  ["andri4", and_ri4],
  ["orrr8", or_rr8],
  ["orri8", or_ri8],
  ["orrr4", or_rr4],
  ["orri4", or_ri4],
  ["xorrr8", xor_rr8],
  ["xorri8", xor_ri8],
  ["xorrr4", xor_rr4],
  ["xorri4", xor_ri4],
  ["testrr8", test_rr8],
  ["testri8", test_ri8],
  ["testrr4", test_rr4],
  ["testri4", test_ri4],
]);

const cache = new Map<string, Exec>();
function memo(key: string, make: () => Exec): Exec {
  let f = cache.get(key);
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

function incDec64(dec: boolean): Exec {
  return (cpu, i) => {
    const cf = cpu.getCF();
    const lo = cpu.lo;
    const hi = cpu.hi;
    const d = i.r0;
    const a = lo[d]!;
    const ah = hi[d]!;
    const r = dec ? (a - 1) | 0 : (a + 1) | 0;
    const rh = dec ? (a === 0 ? (ah - 1) | 0 : ah) : r === 0 ? (ah + 1) | 0 : ah;
    cpu.lfOp = dec ? OP_DEC : OP_INC;
    cpu.lfSize = 8;
    cpu.lfA = a;
    cpu.lfAHi = ah;
    cpu.lfB = 1;
    cpu.lfBHi = 0;
    cpu.lfRes = r;
    cpu.lfResHi = rh;
    cpu.lfCin = cf;
    lo[d] = r;
    hi[d] = rh;
  };
}

function incDec32(dec: boolean): Exec {
  return (cpu, i) => {
    const cf = cpu.getCF();
    const lo = cpu.lo;
    const d = i.r0;
    const a = lo[d]!;
    const r = dec ? (a - 1) | 0 : (a + 1) | 0;
    cpu.lfOp = dec ? OP_DEC : OP_INC;
    cpu.lfSize = 4;
    cpu.lfA = a;
    cpu.lfB = 1;
    cpu.lfRes = r;
    cpu.lfCin = cf;
    lo[d] = r;
    cpu.hi[d] = 0;
  };
}

/** Jcc rel in 64-bit mode. ZF-only conditions read the lazy result directly. */
function jcc64(cc: number): Exec {
  if (cc === 4 || cc === 5) {
    const want = cc === 4;
    return (cpu, i) => {
      let z: boolean;
      if (cpu.lfOp === 0) z = (cpu.arith & 0x40) !== 0;
      else if (cpu.lfSize === 8) z = (cpu.lfRes | cpu.lfResHi) === 0;
      else z = cpu.lfRes === 0;
      if (z === want) {
        const t = cpu.nextRip + i.imm;
        if (t < -0x800000000000 || t >= 0x800000000000) cpu.gp(0);
        cpu.rip = t;
      }
    };
  }
  return (cpu, i) => {
    if (cpu.cond(cc)) {
      const t = cpu.nextRip + i.imm;
      if (t < -0x800000000000 || t >= 0x800000000000) cpu.gp(0);
      cpu.rip = t;
    }
  };
}

const movRR64: Exec = (cpu, i) => {
  cpu.lo[i.r0] = cpu.lo[i.r1]!;
  cpu.hi[i.r0] = cpu.hi[i.r1]!;
};
const movRR32: Exec = (cpu, i) => {
  cpu.lo[i.r0] = cpu.lo[i.r1]!;
  cpu.hi[i.r0] = 0;
};
const movRI: Exec = (cpu, i) => {
  cpu.lo[i.r0] = i.imm;
  cpu.hi[i.r0] = i.s0 === 8 ? i.immHi : 0;
};
const movRM64: Exec = (cpu, i) => {
  const v = cpu.rd64(i.seg, cpu.ea(i));
  cpu.hi[i.r0] = cpu.h;
  cpu.lo[i.r0] = v;
};
const movRM32: Exec = (cpu, i) => {
  cpu.lo[i.r0] = cpu.rd32(i.seg, cpu.ea(i));
  cpu.hi[i.r0] = 0;
};
const movMR64: Exec = (cpu, i) => {
  cpu.wr64(i.seg, cpu.ea(i), cpu.lo[i.r1]!, cpu.hi[i.r1]!);
};
const movMR32: Exec = (cpu, i) => {
  cpu.wr32(i.seg, cpu.ea(i), cpu.lo[i.r1]!);
};
const push64: Exec = (cpu, i) => {
  const r = i.r0;
  cpu.push(8, cpu.lo[r]!, cpu.hi[r]!);
};
const pop64: Exec = (cpu, i) => {
  const sp = cpu.sp();
  const v = cpu.rd64(2, sp);
  const vh = cpu.h;
  cpu.setSp(sp + 8);
  cpu.lo[i.r0] = v;
  cpu.hi[i.r0] = vh;
};

/** A faster handler for this decoded instruction, or undefined to use the generic one. */
export function specialize(i: Insn): Exec | undefined {
  if (i.lock) return undefined;
  const n = i.name;
  if (ALU_NAMES.has(n) && i.k0 === REG && i.r0 < 16 && (i.s0 === 8 || i.s0 === 4)) {
    if (i.k1 === REG && i.nops === 2 && i.r1 < 16) return ALU_FAST.get(`${n}rr${i.s0}`);
    if (i.k1 === IMM && i.nops === 2 && i.s1 === i.s0) return ALU_FAST.get(`${n}ri${i.s0}`);
  }
  if ((n === "inc" || n === "dec") && i.k0 === REG && (i.s0 === 8 || i.s0 === 4))
    return memo(`${n}${i.s0}`, () => (i.s0 === 8 ? incDec64 : incDec32)(n === "dec"));
  if (i.mode !== 64) return undefined;
  if (n.length <= 3 && n[0] === "j" && i.k0 === REL && n !== "jmp") {
    const cc = i.opcode & 15;
    return memo(`jcc${cc}`, () => jcc64(cc));
  }
  if (n === "mov" && i.k0 === REG && i.r0 < 16) {
    if (i.k1 === REG && i.s0 === 8) return movRR64;
    if (i.k1 === REG && i.s0 === 4) return movRR32;
    if (i.k1 === IMM && (i.s0 === 8 || i.s0 === 4)) return movRI;
    if (i.k1 === K.MEM && i.s0 === 8) return movRM64;
    if (i.k1 === K.MEM && i.s0 === 4) return movRM32;
  }
  if (n === "mov" && i.k0 === K.MEM && i.k1 === REG && i.r1 < 16) {
    if (i.s0 === 8) return movMR64;
    if (i.s0 === 4) return movMR32;
  }
  if (n === "push" && i.k0 === REG && i.osz === 8) return push64;
  if (n === "pop" && i.k0 === REG && i.osz === 8) return pop64;
  return undefined;
}
