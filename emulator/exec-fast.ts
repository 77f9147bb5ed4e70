// Specialised handlers for the most frequent instruction forms (register/register and register/immediate
// ALU operations, INC/DEC, MOV, Jcc, PUSH/POP, CALL/RET). Each is the generic handler's semantics for one
// form — a cache of the slow path, never a second semantics; exec-fast.test.ts compares both on random inputs.

import type { Cpu, Exec } from "./cpu";
import * as cpuModule from "./cpu";
import type { Insn } from "./decoder";
import * as decoderModule from "./decoder";

const { OP_ADD, OP_SUB, OP_LOGIC, OP_INC, OP_DEC } = cpuModule;
const { K } = decoderModule;
const REG = K.REG;
const IMM = K.IMM;
const REL = K.REL;

type Op = (a: number, b: number) => number;

function aluRR64(kind: number, op: Op | undefined, write: boolean, immediate: boolean): Exec {
  return (cpu: Cpu, i: Insn) => {
    const lo = cpu.lo;
    const hi = cpu.hi;
    const d = i.r0;
    const a = lo[d]!;
    const ah = hi[d]!;
    const b = immediate ? i.imm : lo[i.r1]!;
    const bh = immediate ? i.immHi : hi[i.r1]!;
    let r: number;
    let rh: number;
    if (kind === OP_ADD) {
      const l = (a >>> 0) + (b >>> 0);
      r = l | 0;
      rh = (ah + bh + (l > 0xffffffff ? 1 : 0)) | 0;
    } else if (kind === OP_SUB) {
      const l = (a >>> 0) - (b >>> 0);
      r = l | 0;
      rh = (ah - bh - (l < 0 ? 1 : 0)) | 0;
    } else {
      r = op!(a, b);
      rh = op!(ah, bh);
    }
    cpu.lfOp = kind;
    cpu.lfSize = 8;
    cpu.lfA = a;
    cpu.lfAHi = ah;
    cpu.lfB = b;
    cpu.lfBHi = bh;
    cpu.lfRes = r;
    cpu.lfResHi = rh;
    cpu.lfCin = 0;
    if (write) {
      lo[d] = r;
      hi[d] = rh;
    }
  };
}

function aluRR32(kind: number, op: Op | undefined, write: boolean, immediate: boolean): Exec {
  return (cpu: Cpu, i: Insn) => {
    const lo = cpu.lo;
    const d = i.r0;
    const a = lo[d]!;
    const b = immediate ? i.imm : lo[i.r1]!;
    const r = kind === OP_ADD ? (a + b) | 0 : kind === OP_SUB ? (a - b) | 0 : op!(a, b);
    cpu.lfOp = kind;
    cpu.lfSize = 4;
    cpu.lfA = a;
    cpu.lfB = b;
    cpu.lfRes = r;
    cpu.lfCin = 0;
    if (write) {
      lo[d] = r;
      cpu.hi[d] = 0;
    }
  };
}

const and: Op = (a, b) => a & b;
const or: Op = (a, b) => a | b;
const xor: Op = (a, b) => a ^ b;

const ALU: Record<string, [number, Op | undefined, boolean]> = {
  add: [OP_ADD, undefined, true],
  sub: [OP_SUB, undefined, true],
  cmp: [OP_SUB, undefined, false],
  and: [OP_LOGIC, and, true],
  or: [OP_LOGIC, or, true],
  xor: [OP_LOGIC, xor, true],
  test: [OP_LOGIC, and, false],
};

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
  const alu = ALU[n];
  if (alu && i.k0 === REG && i.r0 < 16 && (i.s0 === 8 || i.s0 === 4)) {
    if (i.k1 === REG && i.nops === 2) {
      const [kind, op, write] = alu;
      return memo(`${n}rr${i.s0}`, () => (i.s0 === 8 ? aluRR64 : aluRR32)(kind, op, write, false));
    }
    if (i.k1 === IMM && i.nops === 2 && i.s1 === i.s0) {
      const [kind, op, write] = alu;
      return memo(`${n}ri${i.s0}`, () => (i.s0 === 8 ? aluRR64 : aluRR32)(kind, op, write, true));
    }
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
