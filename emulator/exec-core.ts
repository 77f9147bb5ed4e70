// Operand access and the arithmetic core shared by the instruction handlers (SDM Vol. 1 ch. 7, Vol. 2 pages).

import type { Cpu } from "./cpu";
import * as cpuModule from "./cpu";
import type { Insn } from "./decoder";
import * as decoderModule from "./decoder";

// Imported constants bound locally once: module-namespace getters are slow on the hot path under tsx.
const { OP_ADC, OP_ADD, OP_DEC, OP_INC, OP_LOGIC, OP_NONE, OP_SBB, OP_SUB } = cpuModule;
const { K } = decoderModule;

export const MASK = [0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, 0];

/** Reads operand n (0, 1, 2) of the instruction; `ea` is the precomputed effective address for K.MEM. */
export function rdOp(cpu: Cpu, i: Insn, n: number, ea: number): number {
  const k = n === 0 ? i.k0 : n === 1 ? i.k1 : i.k2;
  const r = n === 0 ? i.r0 : n === 1 ? i.r1 : i.r2;
  const s = n === 0 ? i.s0 : n === 1 ? i.s1 : i.s2;
  switch (k) {
    case K.REG:
      return cpu.getReg(r, s);
    case K.MEM:
      return cpu.rd(i.seg, ea, s);
    case K.IMM:
      cpu.h = i.immHi;
      if (s === 1) return i.imm & 0xff;
      if (s === 2) return i.imm & 0xffff;
      return i.imm;
    case K.SREG:
      cpu.h = 0;
      return cpu.segSel[r]!;
    default:
      cpu.h = 0;
      return 0;
  }
}

export function wrOp(cpu: Cpu, i: Insn, n: number, ea: number, v: number, vh: number): void {
  const k = n === 0 ? i.k0 : i.k1;
  const r = n === 0 ? i.r0 : i.r1;
  const s = n === 0 ? i.s0 : i.s1;
  if (k === K.REG) cpu.setReg(r, s, v, vh);
  else cpu.wr(i.seg, ea, s, v, vh);
}

/** Effective address of the memory operand if any (0 otherwise). */
export function eaOf(cpu: Cpu, i: Insn): number {
  return i.k0 === K.MEM || i.k1 === K.MEM || i.k2 === K.MEM ? cpu.ea(i) : 0;
}

/** Normalises a value of `s` bytes: masked for 1/2, int32 for 4/8 low halves. */
export function norm(v: number, s: number): number {
  return s === 1 ? v & 0xff : s === 2 ? v & 0xffff : v | 0;
}

export function add(cpu: Cpu, s: number, a: number, ah: number, b: number, bh: number, cin: number): number {
  let r: number;
  let rh = 0;
  a = norm(a, s);
  b = norm(b, s);
  if (s === 8) {
    const l = (a >>> 0) + (b >>> 0) + cin;
    r = l | 0;
    rh = (ah + bh + (l > 0xffffffff ? 1 : 0)) | 0;
  } else if (s === 4) r = (a + b + cin) | 0;
  else r = (a + b + cin) & MASK[s]!;
  cpu.lfOp = cin === 0 ? OP_ADD : OP_ADC;
  cpu.lfCin = cin;
  cpu.lfSize = s;
  cpu.lfA = a;
  cpu.lfAHi = ah;
  cpu.lfB = b;
  cpu.lfBHi = bh;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  cpu.h = rh;
  return r;
}

export function sub(cpu: Cpu, s: number, a: number, ah: number, b: number, bh: number, cin: number): number {
  let r: number;
  let rh = 0;
  a = norm(a, s);
  b = norm(b, s);
  if (s === 8) {
    const l = (a >>> 0) - (b >>> 0) - cin;
    r = l | 0;
    rh = (ah - bh - (l < 0 ? 1 : 0)) | 0;
  } else if (s === 4) r = (a - b - cin) | 0;
  else r = (a - b - cin) & MASK[s]!;
  cpu.lfOp = cin === 0 ? OP_SUB : OP_SBB;
  cpu.lfCin = cin;
  cpu.lfSize = s;
  cpu.lfA = a;
  cpu.lfAHi = ah;
  cpu.lfB = b;
  cpu.lfBHi = bh;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  cpu.h = rh;
  return r;
}

export function logic(cpu: Cpu, s: number, r: number, rh: number): number {
  r = norm(r, s);
  if (s !== 8) rh = 0;
  cpu.lfOp = OP_LOGIC;
  cpu.lfSize = s;
  cpu.lfRes = r;
  cpu.lfResHi = rh;
  cpu.h = rh;
  return r;
}

export function incdec(cpu: Cpu, s: number, a: number, ah: number, dec: boolean): number {
  const cf = cpu.getCF();
  const r = dec ? sub(cpu, s, a, ah, 1, 0, 0) : add(cpu, s, a, ah, 1, 0, 0);
  cpu.lfOp = dec ? OP_DEC : OP_INC;
  cpu.lfCin = cf;
  return r;
}

/** Eager flags from a result (SF, ZF, PF) plus given CF/OF/AF bits. */
export function resultFlags(s: number, r: number, rh: number): number {
  let f = 0;
  const zero = s === 8 ? (r | rh) === 0 : norm(r, s) === 0;
  if (zero) f |= 0x40;
  const neg = s === 8 ? rh < 0 : s === 4 ? r < 0 : s === 2 ? (r & 0x8000) !== 0 : (r & 0x80) !== 0;
  if (neg) f |= 0x80;
  let p = r & 0xff;
  p ^= p >> 4;
  p ^= p >> 2;
  p ^= p >> 1;
  if (!(p & 1)) f |= 0x4;
  return f;
}

/** A value of `s` bytes (lo, hi) as an unsigned bigint. */
export function big(v: number, vh: number, s: number): bigint {
  if (s === 8) return (BigInt(vh >>> 0) << 32n) | BigInt(v >>> 0);
  return BigInt((s === 4 ? v >>> 0 : v & MASK[s]!) >>> 0);
}

/** Splits an unsigned bigint of `s` bytes back into (lo returned, hi in cpu.h). */
export function unbig(cpu: Cpu, x: bigint, s: number): number {
  const u = BigInt.asUintN(s * 8, x);
  cpu.h = s === 8 ? Number(u >> 32n) | 0 : 0;
  return Number(u & 0xffffffffn) | 0;
}

export const NONE = OP_NONE;
