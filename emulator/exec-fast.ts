// Specialised handlers for the most frequent instruction forms (register/register and register/immediate
// ALU operations, INC/DEC, MOV, Jcc, PUSH/POP, CALL/RET). Each is the generic handler's semantics for one
// form — a cache of the slow path, never a second semantics (the differential test runs them against the
// native CPU, the instruction tests against the generic handlers' expectations).

import type { Cpu, Exec } from "./cpu";
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
const INLINE_IDS = new Map<Exec, number>();
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
  cpu.rspPlus8();
  cpu.lo[i.r0] = v;
  cpu.hi[i.r0] = vh;
};

/** CALL rel32 in 64-bit mode: push the return address, jump (target checked before the push). */
const callRel64: Exec = (cpu, i) => {
  const ret = cpu.nextRip;
  const t = ret + i.imm;
  if (t < -0x800000000000 || t >= 0x800000000000) cpu.gp(0);
  const hi = Math.floor(ret / 4294967296);
  cpu.push(8, (ret - hi * 4294967296) | 0, hi | 0);
  cpu.rip = t;
  if (cpu.calls !== undefined) cpu.calls.nearCall(ret - i.len, ret);
};

/** RET in 64-bit mode. */
const ret64: Exec = (cpu) => {
  const sp = cpu.sp();
  const lo = cpu.rd64(2, sp);
  const t = cpu.h * 4294967296 + (lo >>> 0);
  if (t < -0x800000000000 || t >= 0x800000000000) cpu.gp(0);
  cpu.rspPlus8();
  cpu.rip = t;
  if (cpu.calls !== undefined) cpu.calls.returned(sp);
};

/** MOVZX r32/r64, r/m8|16 and LEA r64 with base + displacement (the commonest address forms). */
const movzxR: Exec = (cpu, i) => {
  const v = i.k1 === REG ? cpu.getReg(i.r1, i.s1) : cpu.rd(i.seg, cpu.ea(i), i.s1);
  cpu.lo[i.r0] = v;
  cpu.hi[i.r0] = 0;
};

/** LEA r32, [base + disp] (any address size: the low 32 bits are the same). */
const leaBaseDisp32: Exec = (cpu, i) => {
  cpu.lo[i.r0] = (cpu.lo[i.base]! + i.disp) | 0;
  cpu.hi[i.r0] = 0;
};

/** CMP/TEST r8, imm8 for AL…R15B (not AH…BH): the lazy flags as exec-core's sub()/logic() leave them. */
const cmpRI1: Exec = (cpu, i) => {
  const a = cpu.lo[i.r0]! & 0xff;
  const b = i.imm & 0xff;
  cpu.lfOp = OP_SUB;
  cpu.lfCin = 0;
  cpu.lfSize = 1;
  cpu.lfA = a;
  cpu.lfAHi = 0;
  cpu.lfB = b;
  cpu.lfBHi = 0;
  cpu.lfRes = (a - b) & 0xff;
  cpu.lfResHi = 0;
};
const testRI1: Exec = (cpu, i) => {
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = 1;
  cpu.lfRes = cpu.lo[i.r0]! & i.imm & 0xff;
  cpu.lfResHi = 0;
};

const leaBaseDisp64: Exec = (cpu, i) => {
  const b = i.base;
  const l = (cpu.lo[b]! >>> 0) + i.disp;
  const carry = Math.floor(l / 4294967296);
  cpu.lo[i.r0] = l | 0;
  cpu.hi[i.r0] = (cpu.hi[b]! + carry) | 0;
};

/** Arithmetic flags from a 32-bit result (SF, ZF, PF) plus CF and OF — as the generic shift handler sets them. */
function shiftFlags(r: number, rh: number, wide: boolean, cf: number, of: number): number {
  let f = cf | (of ? 0x800 : 0);
  if (wide ? (r | rh) === 0 : r === 0) f |= 0x40;
  if ((wide ? rh : r) < 0) f |= 0x80;
  let p = r & 0xff;
  p ^= p >> 4;
  p ^= p >> 2;
  p ^= p >> 1;
  if (!(p & 1)) f |= 0x4;
  return f;
}

function shiftCount(cpu: Cpu, i: Insn, mask: number): number {
  return (i.k1 === REG ? cpu.lo[1]! : i.imm) & mask;
}

/** SHL/SHR/SAR r32 by imm8, 1 or CL (SDM Vol. 2B SAL/SAR/SHL/SHR). */
function shift32(kind: 4 | 5 | 7): Exec {
  if (kind === 4)
    return (cpu, i) => {
      const c = shiftCount(cpu, i, 31);
      const d = i.r0;
      cpu.hi[d] = 0;
      if (c === 0) return;
      const a = cpu.lo[d]!;
      const r = a << c;
      const cf = (a >>> (32 - c)) & 1;
      cpu.lo[d] = r;
      cpu.setArith(shiftFlags(r, 0, false, cf, (r >>> 31) ^ cf));
    };
  if (kind === 5)
    return (cpu, i) => {
      const c = shiftCount(cpu, i, 31);
      const d = i.r0;
      cpu.hi[d] = 0;
      if (c === 0) return;
      const a = cpu.lo[d]!;
      const r = (a >>> c) | 0;
      cpu.lo[d] = r;
      cpu.setArith(shiftFlags(r, 0, false, (a >>> (c - 1)) & 1, a >>> 31));
    };
  return (cpu, i) => {
    const c = shiftCount(cpu, i, 31);
    const d = i.r0;
    cpu.hi[d] = 0;
    if (c === 0) return;
    const a = cpu.lo[d]!;
    const r = a >> c;
    cpu.lo[d] = r;
    cpu.setArith(shiftFlags(r, 0, false, (a >> (c - 1)) & 1, 0));
  };
}

/** SHL/SHR/SAR r64 on the two 32-bit halves. */
function shift64(kind: 4 | 5 | 7): Exec {
  return (cpu, i) => {
    const c = shiftCount(cpu, i, 63);
    if (c === 0) return;
    const d = i.r0;
    const a = cpu.lo[d]!;
    const ah = cpu.hi[d]!;
    let r: number;
    let rh: number;
    let cf: number;
    let of: number;
    if (kind === 4) {
      if (c < 32) {
        rh = (ah << c) | (a >>> (32 - c));
        r = a << c;
        cf = (ah >>> (32 - c)) & 1;
      } else if (c === 32) {
        rh = a;
        r = 0;
        cf = ah & 1;
      } else {
        rh = a << (c - 32);
        r = 0;
        cf = (a >>> (64 - c)) & 1;
      }
      of = (rh >>> 31) ^ cf;
    } else {
      if (c < 32) {
        r = (a >>> c) | (ah << (32 - c));
        rh = kind === 5 ? (ah >>> c) | 0 : ah >> c;
        cf = (a >>> (c - 1)) & 1;
      } else if (c === 32) {
        r = ah;
        rh = kind === 5 ? 0 : ah >> 31;
        cf = a >>> 31;
      } else {
        r = kind === 5 ? (ah >>> (c - 32)) | 0 : ah >> (c - 32);
        rh = kind === 5 ? 0 : ah >> 31;
        cf = kind === 5 ? (ah >>> (c - 33)) & 1 : (ah >> (c - 33)) & 1;
      }
      of = kind === 5 ? ah >>> 31 : 0;
    }
    cpu.lo[d] = r;
    cpu.hi[d] = rh;
    cpu.setArith(shiftFlags(r, rh, true, cf, of));
  };
}

const SHIFT_FAST = new Map<string, Exec>([
  ["shl4", shift32(4)],
  ["sal4", shift32(4)],
  ["shr4", shift32(5)],
  ["sar4", shift32(7)],
  ["shl8", shift64(4)],
  ["sal8", shift64(4)],
  ["shr8", shift64(5)],
  ["sar8", shift64(7)],
]);

/** CMOVcc r32/r64, r/m (the source is read even when the condition is false). */
const cmovFast: Exec = (cpu, i) => {
  let v: number;
  let vh = 0;
  if (i.k1 === REG) {
    v = cpu.lo[i.r1]!;
    vh = cpu.hi[i.r1]!;
  } else {
    v = cpu.rd(i.seg, cpu.ea(i), i.s0);
    vh = cpu.h;
  }
  const d = i.r0;
  if (cpu.cond(i.opcode & 15)) {
    cpu.lo[d] = v;
    cpu.hi[d] = i.s0 === 8 ? vh : 0;
  } else if (i.s0 === 4) cpu.hi[d] = 0;
};

/**
 * Handlers the run loop executes inline (Cpu.runBatch switch) instead of calling: the id goes in Insn.aux.
 * 1 add r64,r64 · 2 sub r64,r64 · 3 xor r64,r64 · 4 dec r64 · 5 inc r64 · 6 jne rel (64-bit) · 7 je rel (64-bit)
 * 8 mov r64,[m] · 9 mov [m],r64 · 10 call rel32 (64-bit) · 11 ret (64-bit)
 */
export function inlineIdOf(exec: Exec | undefined): number {
  if (exec === undefined) return 0;
  return INLINE_IDS.get(exec) ?? 0;
}

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
  if ((i.s0 === 4 || i.s0 === 8) && i.k0 === REG && i.r0 < 16 && SHIFT_FAST.has(n + i.s0))
    return SHIFT_FAST.get(n + i.s0);
  if (n.startsWith("cmov") && (i.s0 === 4 || i.s0 === 8) && (i.k1 === K.MEM || i.r1 < 16)) return cmovFast;
  if (n === "push" && i.k0 === REG && i.osz === 8) return push64;
  if (n === "call" && i.k0 === REL && i.osz === 8) return callRel64;
  if (n === "ret" && i.nops === 0 && i.osz === 8) return ret64;
  if (n === "movzx" && (i.s0 === 4 || i.s0 === 8) && (i.k1 === K.MEM || i.r1 < 16)) return movzxR;
  if (n === "lea" && i.s0 === 8 && i.asz === 8 && i.base >= 0 && i.index < 0 && !i.ripRel) return leaBaseDisp64;
  if (n === "lea" && i.s0 === 4 && i.asz !== 2 && i.base >= 0 && i.index < 0 && !i.ripRel) return leaBaseDisp32;
  if ((n === "cmp" || n === "test") && i.k0 === REG && i.s0 === 1 && i.r0 < 16 && i.k1 === IMM && i.nops === 2)
    return n === "cmp" ? cmpRI1 : testRI1;
  if (n === "pop" && i.k0 === REG && i.osz === 8) return pop64;
  return undefined;
}

INLINE_IDS.set(ALU_FAST.get("addrr8")!, 1);
INLINE_IDS.set(ALU_FAST.get("subrr8")!, 2);
INLINE_IDS.set(ALU_FAST.get("xorrr8")!, 3);
INLINE_IDS.set(
  memo("dec8", () => incDec64(true)),
  4,
);
INLINE_IDS.set(
  memo("inc8", () => incDec64(false)),
  5,
);
INLINE_IDS.set(
  memo("jcc5", () => jcc64(5)),
  6,
);
INLINE_IDS.set(
  memo("jcc4", () => jcc64(4)),
  7,
);
INLINE_IDS.set(movRM64, 8);
INLINE_IDS.set(movMR64, 9);
INLINE_IDS.set(callRel64, 10);
INLINE_IDS.set(ret64, 11);

/**
 * What the block compiler (block.ts) may do with a handler: "reg" never touches memory or RIP and cannot fault;
 * "mem" may fault and write memory (RIP-relative operands read nextRip); "branch" is a 64-bit Jcc (reads nextRip,
 * sets RIP when taken, faults only for a non-canonical target); "branchMem" is CALL rel32 / RET (memory and RIP).
 */
export type BlockRole = "reg" | "mem" | "branch" | "branchMem";

const BLOCK_ROLES = new Map<Exec, BlockRole | "regOrMem">();
for (const f of ALU_FAST.values()) BLOCK_ROLES.set(f, "reg");
for (const f of SHIFT_FAST.values()) BLOCK_ROLES.set(f, "reg");
for (const dec of [true, false]) {
  const n = dec ? "dec" : "inc";
  BLOCK_ROLES.set(
    memo(`${n}8`, () => incDec64(dec)),
    "reg",
  );
  BLOCK_ROLES.set(
    memo(`${n}4`, () => incDec32(dec)),
    "reg",
  );
}
for (const f of [movRR64, movRR32, movRI, leaBaseDisp64, leaBaseDisp32, cmpRI1, testRI1]) BLOCK_ROLES.set(f, "reg");
for (const f of [cmovFast, movzxR]) BLOCK_ROLES.set(f, "regOrMem");
for (const f of [movRM64, movRM32, movMR64, movMR32, push64, pop64]) BLOCK_ROLES.set(f, "mem");
for (let cc = 0; cc < 16; cc++)
  BLOCK_ROLES.set(
    memo(`jcc${cc}`, () => jcc64(cc)),
    "branch",
  );
BLOCK_ROLES.set(callRel64, "branchMem");
BLOCK_ROLES.set(ret64, "branchMem");

/** The block-compiler role of a decoded instruction's handler, or undefined when it must stay interpreted. */
export function blockRole(i: Insn): BlockRole | undefined {
  if (i.exec === undefined) return undefined;
  const r = BLOCK_ROLES.get(i.exec as Exec);
  if (r === "regOrMem") return i.k1 === K.MEM ? "mem" : "reg";
  return r;
}
