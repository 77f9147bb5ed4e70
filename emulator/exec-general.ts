// General-purpose instructions: data transfer, arithmetic, logic, shifts, bit operations, control transfer,
// strings, flags (SDM Vol. 2 instruction pages; flags per Vol. 1 Appendix A).

import type { Cpu, Exec } from "./cpu";
import * as cpuModule from "./cpu";
import type { Insn } from "./decoder";
import * as decoderModule from "./decoder";
import * as core from "./exec-core";

// Imported bindings copied to locals once: module-namespace getters are slow on the hot path under tsx.
const { AC, CF, DF, ID, IF, IOPL, NT, OF, RF, VIF, VIP, VM, ZF } = cpuModule;
const { CS, DS, ES, K, SS } = decoderModule;
const { add, big, eaOf, incdec, logic, MASK, norm, rdOp, resultFlags, sub, unbig, wrOp } = core;

import { farReturn, farTransfer, iret, loadSegment } from "./segments";

export const GENERAL = new Map<string, Exec>();
const def = (names: string, f: Exec) => {
  for (const n of names.split(",")) GENERAL.set(n, f);
};

const TWO32 = 4294967296;

// --- ALU ------------------------------------------------------------------------------------------------
function aluOp(cpu: Cpu, op: number, s: number, a: number, ah: number, b: number, bh: number): number {
  switch (op) {
    case 0:
      return add(cpu, s, a, ah, b, bh, 0);
    case 1:
      return logic(cpu, s, a | b, ah | bh);
    case 2:
      return add(cpu, s, a, ah, b, bh, cpu.getCF());
    case 3:
      return sub(cpu, s, a, ah, b, bh, cpu.getCF());
    case 4:
      return logic(cpu, s, a & b, ah & bh);
    case 5:
    case 7:
      return sub(cpu, s, a, ah, b, bh, 0);
    default:
      return logic(cpu, s, a ^ b, ah ^ bh);
  }
}

const ALU_NAMES = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
for (let op = 0; op < 8; op++) {
  def(ALU_NAMES[op]!, (cpu, i) => {
    const s = i.s0;
    const ea = eaOf(cpu, i);
    if (i.lock && i.k0 !== K.MEM) cpu.ud();
    const a = rdOp(cpu, i, 0, ea);
    const ah = cpu.h;
    let b = rdOp(cpu, i, 1, ea);
    let bh = cpu.h;
    if (i.s1 === 1 && s > 1 && i.k1 === K.IMM) {
      // Ibs already sign-extended by the decoder; plain Ib (group 1 byte forms) are byte-sized.
      b = i.imm;
      bh = i.immHi;
    }
    const r = aluOp(cpu, op, s, a, ah, b, bh);
    if (op !== 7) wrOp(cpu, i, 0, ea, r, cpu.h);
  });
}

def("test", (cpu, i) => {
  const ea = eaOf(cpu, i);
  const a = rdOp(cpu, i, 0, ea);
  const ah = cpu.h;
  const n = i.nops === 3 ? 2 : 1;
  const b = n === 2 ? (i.s0 === 1 ? i.imm & 0xff : i.s0 === 2 ? i.imm & 0xffff : i.imm) : rdOp(cpu, i, 1, ea);
  const bh = n === 2 ? i.immHi : cpu.h;
  logic(cpu, i.s0, a & b, ah & bh);
});

def("inc,dec", (cpu, i) => {
  if (i.lock && i.k0 !== K.MEM) cpu.ud();
  const ea = eaOf(cpu, i);
  const a = rdOp(cpu, i, 0, ea);
  const r = incdec(cpu, i.s0, a, cpu.h, i.name === "dec");
  wrOp(cpu, i, 0, ea, r, cpu.h);
});

def("not", (cpu, i) => {
  const ea = eaOf(cpu, i);
  const a = rdOp(cpu, i, 0, ea);
  wrOp(cpu, i, 0, ea, ~a, ~cpu.h);
});

def("neg", (cpu, i) => {
  const ea = eaOf(cpu, i);
  const a = rdOp(cpu, i, 0, ea);
  const r = sub(cpu, i.s0, 0, 0, a, cpu.h, 0);
  wrOp(cpu, i, 0, ea, r, cpu.h);
});

// --- multiply / divide ------------------------------------------------------------------------------------
function setMulFlags(cpu: Cpu, s: number, lo: number, loh: number, overflow: boolean): void {
  // CF = OF = overflow; SF/ZF/PF from the low half (undefined in the SDM; what recent Intel cores do), AF = 0.
  cpu.setArith(resultFlags(s, lo, loh) | (overflow ? CF | OF : 0));
}

def("mul", (cpu, i) => {
  const s = i.s0;
  const ea = eaOf(cpu, i);
  const v = big(rdOp(cpu, i, 0, ea), cpu.h, s);
  const a = big(cpu.getReg(0, s), cpu.h, s);
  const p = a * v;
  const bits = BigInt(s * 8);
  const lo = p & ((1n << bits) - 1n);
  const hi = p >> bits;
  storeWide(cpu, s, lo, hi);
  setMulFlags(cpu, s, unbig(cpu, lo, s), cpu.h, hi !== 0n);
});

function storeWide(cpu: Cpu, s: number, lo: bigint, hi: bigint): void {
  if (s === 1) {
    cpu.setReg(0, 2, Number(((hi & 0xffn) << 8n) | (lo & 0xffn)), 0);
    return;
  }
  const l = unbig(cpu, lo, s);
  cpu.setReg(0, s, l, cpu.h);
  const h = unbig(cpu, hi, s);
  cpu.setReg(2, s, h, cpu.h);
}

def("imul", (cpu, i) => {
  const ea = eaOf(cpu, i);
  if (i.nops === 1) {
    const s = i.s0;
    const v = BigInt.asIntN(s * 8, big(rdOp(cpu, i, 0, ea), cpu.h, s));
    const a = BigInt.asIntN(s * 8, big(cpu.getReg(0, s), cpu.h, s));
    const p = a * v;
    const bits = BigInt(s * 8);
    const lo = BigInt.asUintN(s * 8, p);
    const hi = BigInt.asUintN(s * 8, p >> bits);
    storeWide(cpu, s, lo, hi);
    setMulFlags(cpu, s, unbig(cpu, lo, s), cpu.h, BigInt.asIntN(s * 8, lo) !== p);
    return;
  }
  const s = i.s0;
  let a: bigint;
  let b: bigint;
  if (i.nops === 2) {
    a = BigInt.asIntN(s * 8, big(rdOp(cpu, i, 0, ea), cpu.h, s));
    b = BigInt.asIntN(s * 8, big(rdOp(cpu, i, 1, ea), cpu.h, s));
  } else {
    a = BigInt.asIntN(s * 8, big(rdOp(cpu, i, 1, ea), cpu.h, s));
    b = BigInt.asIntN(s * 8, big(i.imm, i.immHi, s));
  }
  const p = a * b;
  const lo = BigInt.asUintN(s * 8, p);
  const l = unbig(cpu, lo, s);
  const lh = cpu.h;
  cpu.setReg(i.r0, s, l, lh);
  setMulFlags(cpu, s, l, lh, BigInt.asIntN(s * 8, lo) !== p);
});

def("div,idiv", (cpu, i) => {
  const s = i.s0;
  const ea = eaOf(cpu, i);
  const signed = i.name === "idiv";
  const bits = BigInt(s * 8);
  let d = big(rdOp(cpu, i, 0, ea), cpu.h, s);
  let n: bigint;
  if (s === 1) n = BigInt(cpu.getReg(0, 2));
  else n = (big(cpu.getReg(2, s), cpu.h, s) << bits) | big(cpu.getReg(0, s), cpu.h, s);
  if (d === 0n) cpu.fault(0);
  if (signed) {
    d = BigInt.asIntN(s * 8, d);
    n = BigInt.asIntN(s * 16, n);
  }
  const q = n / d;
  const r = n % d;
  if (signed ? q !== BigInt.asIntN(s * 8, q) : q >> bits !== 0n) cpu.fault(0);
  // Flags are undefined after DIV/IDIV; they are left unchanged here.
  if (s === 1) {
    cpu.setReg(0, 2, Number((BigInt.asUintN(8, r) << 8n) | BigInt.asUintN(8, q)), 0);
    return;
  }
  const ql = unbig(cpu, q, s);
  cpu.setReg(0, s, ql, cpu.h);
  const rl = unbig(cpu, r, s);
  cpu.setReg(2, s, rl, cpu.h);
});

// --- shifts and rotates (SDM Vol. 2B SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR) ----------------------------------------
function shiftCount(cpu: Cpu, i: Insn): number {
  const c = i.k1 === K.REG ? cpu.lo[1]! & 0xff : i.imm & 0xff;
  return c & (i.s0 === 8 ? 0x3f : 0x1f);
}

def("rol,ror,rcl,rcr,shl,shr,sal,sar", (cpu, i) => {
  const s = i.s0;
  const ea = eaOf(cpu, i);
  const cnt = shiftCount(cpu, i);
  const av = rdOp(cpu, i, 0, ea);
  const ah = cpu.h;
  if (cnt === 0) {
    // No flags change, but the destination is still written: a 32-bit register is zero-extended.
    if (s === 4 && i.k0 === K.REG) cpu.hi[i.r0] = 0;
    return;
  }
  const w = s * 8;
  const W = BigInt(w);
  const mask = (1n << W) - 1n;
  const a = big(av, ah, s);
  const msb = (x: bigint) => (x >> (W - 1n)) & 1n;
  let r: bigint;
  let cf: bigint;
  let of: bigint;
  const oldFlags = cpu.getFlags();
  let fl = oldFlags & 0x8d5;
  switch (i.name) {
    case "rol": {
      const c = BigInt(cnt % w);
      r = ((a << c) | (a >> ((W - c) % W))) & mask;
      cf = r & 1n;
      of = msb(r) ^ cf;
      fl = (fl & ~(CF | OF)) | Number(cf) | (Number(of) ? OF : 0);
      break;
    }
    case "ror": {
      const c = BigInt(cnt % w);
      r = ((a >> c) | (a << ((W - c) % W))) & mask;
      cf = msb(r);
      of = msb(r) ^ ((r >> (W - 2n)) & 1n);
      fl = (fl & ~(CF | OF)) | Number(cf) | (Number(of) ? OF : 0);
      break;
    }
    case "rcl":
    case "rcr": {
      const c = cnt % (w + 1);
      const cin = BigInt(oldFlags & CF);
      if (c === 0) {
        if (s === 4 && i.k0 === K.REG) cpu.hi[i.r0] = 0;
        return;
      }
      const wide = (cin << W) | a; // w+1 bits: CF:value
      const WW = W + 1n;
      const wm = (1n << WW) - 1n;
      const C = BigInt(c);
      let rr: bigint;
      if (i.name === "rcl") rr = ((wide << C) | (wide >> (WW - C))) & wm;
      else rr = ((wide >> C) | (wide << (WW - C))) & wm;
      r = rr & mask;
      cf = rr >> W;
      of = i.name === "rcl" ? msb(r) ^ cf : msb(r) ^ ((r >> (W - 2n)) & 1n);
      fl = (fl & ~(CF | OF)) | Number(cf) | (Number(of) ? OF : 0);
      break;
    }
    default: {
      const C = BigInt(cnt);
      if (i.name === "shr") {
        r = a >> C;
        cf = (a >> (C - 1n)) & 1n;
        of = msb(a);
      } else if (i.name === "sar") {
        const sa = BigInt.asIntN(w, a);
        r = BigInt.asUintN(w, sa >> C);
        cf = (sa >> (C - 1n)) & 1n;
        of = 0n;
      } else {
        r = (a << C) & mask;
        cf = cnt <= w ? (a >> (W - C)) & 1n : 0n;
        of = msb(r) ^ cf;
      }
      const lo = unbig(cpu, r, s);
      fl = resultFlags(s, lo, cpu.h) | Number(cf) | (Number(of) ? OF : 0);
      break;
    }
  }
  const lo = unbig(cpu, r, s);
  const hi = cpu.h;
  wrOp(cpu, i, 0, ea, lo, hi);
  cpu.setArith(fl);
});

def("shld,shrd", (cpu, i) => {
  const s = i.s0;
  const ea = eaOf(cpu, i);
  let cnt = (i.k2 === K.REG ? cpu.lo[1]! : i.imm) & 0xff;
  cnt &= s === 8 ? 0x3f : 0x1f;
  if (cnt === 0) {
    if (s === 4 && i.k0 === K.REG) cpu.hi[i.r0] = 0; // the destination is written (zero-extended)
    return;
  }
  const w = s * 8;
  const a = big(rdOp(cpu, i, 0, ea), cpu.h, s);
  const b = big(rdOp(cpu, i, 1, ea), cpu.h, s);
  const W = BigInt(w);
  const C = BigInt(cnt);
  let r: bigint;
  let cf: bigint;
  if (cnt > w) {
    // Undefined result for 16-bit operands with count > 16: keep the destination, flags from it.
    r = a;
    cf = 0n;
  } else if (i.name === "shld") {
    const wide = (a << W) | b;
    r = (wide << C) >> W;
    cf = (a >> (W - C)) & 1n;
  } else {
    const wide = (b << W) | a;
    r = wide >> C;
    cf = (a >> (C - 1n)) & 1n;
  }
  r = BigInt.asUintN(w, r);
  const of = ((r ^ a) >> (W - 1n)) & 1n;
  const lo = unbig(cpu, r, s);
  const hi = cpu.h;
  wrOp(cpu, i, 0, ea, lo, hi);
  cpu.setArith(resultFlags(s, lo, hi) | Number(cf) | (of ? OF : 0));
});

// --- bit operations ---------------------------------------------------------------------------------------
def("bt,bts,btr,btc", (cpu, i) => {
  const s = i.s0;
  let ea = eaOf(cpu, i);
  let bit: number;
  if (i.k1 === K.IMM) bit = i.imm & (s * 8 - 1);
  else if (i.k0 === K.REG) bit = cpu.lo[i.r1]! & (s * 8 - 1);
  else {
    const off = s === 8 ? cpu.reg64(i.r1) : s === 4 ? cpu.lo[i.r1]! : (cpu.lo[i.r1]! << 16) >> 16;
    if (i.k0 === K.MEM) {
      // Register bit offsets address memory beyond the operand (SDM Vol. 2A BT, "bit base").
      const chunk = Math.floor(off / (s * 8));
      ea += chunk * s;
      if (i.asz === 4) ea >>>= 0;
      else if (i.asz === 2) ea &= 0xffff;
      bit = off - chunk * s * 8;
    } else bit = off & (s * 8 - 1);
  }
  const v = big(rdOp(cpu, i, 0, ea), cpu.h, s);
  const m = 1n << BigInt(bit);
  const cf = (v & m) !== 0n ? CF : 0;
  let r = v;
  if (i.name === "bts") r = v | m;
  else if (i.name === "btr") r = v & ~m;
  else if (i.name === "btc") r = v ^ m;
  if (i.name !== "bt") {
    const lo = unbig(cpu, r, s);
    wrOp(cpu, i, 0, ea, lo, cpu.h);
  }
  cpu.setArith((cpu.getArith() & ~CF) | cf);
});

def("bsf,bsr,tzcnt,lzcnt,popcnt", (cpu, i) => {
  const s = i.s0;
  const ea = eaOf(cpu, i);
  const v = big(rdOp(cpu, i, 1, ea), cpu.h, s);
  const w = s * 8;
  const bits = v.toString(2);
  const ones = bits.replace(/0/g, "").length;
  const highest = v === 0n ? -1 : bits.length - 1;
  let lowest = -1;
  if (v !== 0n) lowest = bits.length - 1 - bits.lastIndexOf("1");
  const set = (x: number) => cpu.setReg(i.r0, s, x, 0);
  switch (i.name) {
    case "bsf":
    case "bsr":
      if (v === 0n) cpu.setArith(ZF);
      else {
        set(i.name === "bsf" ? lowest : highest);
        cpu.setArith(0);
      }
      return;
    case "tzcnt": {
      const r = v === 0n ? w : lowest;
      set(r);
      cpu.setArith((v === 0n ? CF : 0) | (r === 0 ? ZF : 0));
      return;
    }
    case "lzcnt": {
      const r = v === 0n ? w : w - 1 - highest;
      set(r);
      cpu.setArith((v === 0n ? CF : 0) | (r === 0 ? ZF : 0));
      return;
    }
    default:
      set(ones);
      cpu.setArith(v === 0n ? ZF : 0);
  }
});

// --- data transfer -----------------------------------------------------------------------------------------
def("mov", (cpu, i) => {
  if (i.k0 === K.SREG) {
    const ea = eaOf(cpu, i);
    const v = rdOp(cpu, i, 1, ea) & 0xffff;
    if (i.r0 === CS) cpu.ud();
    loadSegment(cpu, i.r0, v);
    if (i.r0 === SS) cpu.movSsShadow = cpu.instructionCount + 1;
    return;
  }
  const ea = eaOf(cpu, i);
  let v = rdOp(cpu, i, 1, ea);
  let vh = cpu.h;
  if (i.k1 === K.SREG && i.k0 === K.REG && i.s0 > 2) {
    v &= 0xffff; // MOV r32/r64, Sreg zero-extends
    vh = 0;
  }
  if (i.k1 === K.SREG && i.k0 === K.MEM) {
    cpu.wr(i.seg, ea, 2, v, 0);
    return;
  }
  wrOp(cpu, i, 0, ea, v, vh);
});

def("lea", (cpu, i) => {
  const lo = cpu.eaSplit(i);
  cpu.setReg(i.r0, i.s0, lo, cpu.h);
});

def("xchg", (cpu, i) => {
  const ea = eaOf(cpu, i);
  const a = rdOp(cpu, i, 0, ea);
  const ah = cpu.h;
  const b = rdOp(cpu, i, 1, ea);
  const bh = cpu.h;
  wrOp(cpu, i, 0, ea, b, bh);
  wrOp(cpu, i, 1, ea, a, ah);
});

def("movzx", (cpu, i) => {
  const ea = eaOf(cpu, i);
  const v = rdOp(cpu, i, 1, ea);
  cpu.setReg(i.r0, i.s0, v, 0);
});

def("movsx,movsxd", (cpu, i) => {
  const ea = eaOf(cpu, i);
  let v = rdOp(cpu, i, 1, ea);
  if (i.s1 === 1) v = (v << 24) >> 24;
  else if (i.s1 === 2) v = (v << 16) >> 16;
  else v |= 0;
  cpu.setReg(i.r0, i.s0, v, v < 0 ? -1 : 0);
});

def("movbe", (cpu, i) => {
  const ea = eaOf(cpu, i);
  const s = i.s0 === 0 ? i.s1 : i.s0;
  const src = i.k0 === K.MEM ? 1 : 1;
  const v = big(rdOp(cpu, i, src, ea), cpu.h, s);
  let r = 0n;
  for (let k = 0; k < s; k++) r = (r << 8n) | ((v >> BigInt(8 * k)) & 0xffn);
  const lo = unbig(cpu, r, s);
  wrOp(cpu, i, 0, ea, lo, cpu.h);
});

def("bswap", (cpu, i) => {
  const s = i.s0;
  if (s === 2) {
    cpu.setReg(i.r0, 2, 0, 0); // undefined; zero as on many processors
    return;
  }
  const v = big(cpu.getReg(i.r0, s), cpu.h, s);
  let r = 0n;
  for (let k = 0; k < s; k++) r = (r << 8n) | ((v >> BigInt(8 * k)) & 0xffn);
  const lo = unbig(cpu, r, s);
  cpu.setReg(i.r0, s, lo, cpu.h);
});

def("cbw", (cpu, i) => {
  const s = i.osz;
  if (s === 2) cpu.setReg(0, 2, (cpu.lo[0]! << 24) >> 24, 0);
  else if (s === 4) cpu.setReg(0, 4, (cpu.lo[0]! << 16) >> 16, 0);
  else cpu.setReg(0, 8, cpu.lo[0]!, cpu.lo[0]! < 0 ? -1 : 0);
});

def("cwd", (cpu, i) => {
  const s = i.osz;
  if (s === 2) cpu.setReg(2, 2, cpu.lo[0]! & 0x8000 ? 0xffff : 0, 0);
  else if (s === 4) cpu.setReg(2, 4, cpu.lo[0]! < 0 ? -1 : 0, 0);
  else cpu.setReg(2, 8, cpu.hi[0]! < 0 ? -1 : 0, cpu.hi[0]! < 0 ? -1 : 0);
});

def(
  "cmovo,cmovno,cmovb,cmovae,cmove,cmovne,cmovbe,cmova,cmovs,cmovns,cmovp,cmovnp,cmovl,cmovge,cmovle,cmovg",
  (cpu, i) => {
    const ea = eaOf(cpu, i);
    const v = rdOp(cpu, i, 1, ea); // the source is read (and may fault) even when the condition is false
    const vh = cpu.h;
    if (cpu.cond(i.opcode & 15)) cpu.setReg(i.r0, i.s0, v, vh);
    else if (i.s0 === 4) cpu.hi[i.r0] = 0; // 32-bit CMOV always zero-extends the destination in 64-bit mode
  },
);

def("seto,setno,setb,setae,sete,setne,setbe,seta,sets,setns,setp,setnp,setl,setge,setle,setg", (cpu, i) => {
  const ea = eaOf(cpu, i);
  wrOp(cpu, i, 0, ea, cpu.cond(i.opcode & 15) ? 1 : 0, 0);
});

def("xadd", (cpu, i) => {
  const s = i.s0;
  const ea = eaOf(cpu, i);
  const a = rdOp(cpu, i, 0, ea);
  const ah = cpu.h;
  const b = rdOp(cpu, i, 1, ea);
  const bh = cpu.h;
  const r = add(cpu, s, a, ah, b, bh, 0);
  const rh = cpu.h;
  wrOp(cpu, i, 1, ea, a, ah);
  wrOp(cpu, i, 0, ea, r, rh);
});

def("cmpxchg", (cpu, i) => {
  const s = i.s0;
  const ea = eaOf(cpu, i);
  const d = rdOp(cpu, i, 0, ea);
  const dh = cpu.h;
  const acc = cpu.getReg(0, s);
  const acch = cpu.h;
  sub(cpu, s, acc, acch, d, dh, 0);
  if (cpu.getZF()) {
    const v = rdOp(cpu, i, 1, ea);
    wrOp(cpu, i, 0, ea, v, cpu.h);
  } else {
    // A memory destination is written back with its own value (SDM CMPXCHG); a register destination is
    // left alone (its upper half is not cleared, as measured on hardware by the differential test).
    if (i.k0 === K.MEM) wrOp(cpu, i, 0, ea, d, dh);
    cpu.setReg(0, s, d, dh);
  }
});

def("cmpxchg8b,cmpxchg16b", (cpu, i) => {
  const ea = cpu.ea(i);
  if (i.name === "cmpxchg16b") {
    if (ea % 16 !== 0) cpu.gp(0);
    const m0 = cpu.rd64(i.seg, ea);
    const m0h = cpu.h;
    const m1 = cpu.rd64(i.seg, ea + 8);
    const m1h = cpu.h;
    const eq = m0 === cpu.lo[0] && m0h === cpu.hi[0] && m1 === cpu.lo[2] && m1h === cpu.hi[2];
    if (eq) {
      cpu.writeCheck(cpu.lin(i.seg, ea, 16, true), 16);
      cpu.wr64(i.seg, ea, cpu.lo[3]!, cpu.hi[3]!);
      cpu.wr64(i.seg, ea + 8, cpu.lo[1]!, cpu.hi[1]!);
    } else {
      cpu.wr64(i.seg, ea, m0, m0h);
      cpu.wr64(i.seg, ea + 8, m1, m1h);
      cpu.setReg(0, 8, m0, m0h);
      cpu.setReg(2, 8, m1, m1h);
    }
    cpu.setArith((cpu.getArith() & ~ZF) | (eq ? ZF : 0));
    return;
  }
  const lo = cpu.rd32(i.seg, ea);
  const hi = cpu.rd32(i.seg, i.asz === 2 ? (ea + 4) & 0xffff : ea + 4);
  const eq = lo === cpu.lo[0] && hi === cpu.lo[2];
  if (eq) {
    cpu.wr64(i.seg, ea, cpu.lo[3]!, cpu.lo[1]!);
  } else {
    cpu.wr64(i.seg, ea, lo, hi);
    cpu.setReg(0, 4, lo, 0);
    cpu.setReg(2, 4, hi, 0);
  }
  cpu.setArith((cpu.getArith() & ~ZF) | (eq ? ZF : 0));
});

def("xlat", (cpu, i) => {
  const bx = i.asz === 8 ? cpu.reg64(3) : i.asz === 4 ? cpu.lo[3]! >>> 0 : cpu.lo[3]! & 0xffff;
  let off = bx + (cpu.lo[0]! & 0xff);
  if (i.asz === 4) off >>>= 0;
  else if (i.asz === 2) off &= 0xffff;
  const seg = i.segOverride >= 0 ? i.segOverride : DS;
  cpu.setReg(0, 1, cpu.rd8(seg, off), 0);
});

def("salc", (cpu) => {
  cpu.setReg(0, 1, cpu.getCF() ? 0xff : 0, 0);
});

def("lahf", (cpu) => {
  cpu.setReg(16, 1, cpu.getFlags() & 0xd7, 0);
});

def("sahf", (cpu) => {
  const ah = (cpu.lo[0]! >> 8) & 0xd5;
  cpu.setArith((cpu.getArith() & OF) | ah);
});

// --- stack ----------------------------------------------------------------------------------------------
def("push", (cpu, i) => {
  const s = i.osz;
  if (i.k0 === K.SREG) {
    cpu.push(s, cpu.segSel[i.r0]!, 0);
    return;
  }
  const ea = eaOf(cpu, i);
  let v = rdOp(cpu, i, 0, ea);
  let vh = cpu.h;
  if (i.k0 === K.IMM) {
    v = i.imm;
    vh = i.immHi;
  }
  cpu.push(s, v, vh);
});

def("pop", (cpu, i) => {
  const s = i.osz;
  if (i.k0 === K.SREG) {
    const v = cpu.pop(s) & 0xffff;
    // Restore RSP if the segment load faults (precise exception).
    try {
      loadSegment(cpu, i.r0, v);
    } catch (e) {
      cpu.setSp(cpu.spAdd(cpu.sp(), -s));
      throw e;
    }
    if (i.r0 === SS) cpu.movSsShadow = cpu.instructionCount + 1;
    return;
  }
  const sp = cpu.sp();
  const v = cpu.rd(SS, sp, s);
  const vh = cpu.h;
  cpu.setSp(cpu.spAdd(sp, s));
  if (i.k0 === K.MEM) {
    // POP to memory: the address is computed with the incremented RSP (SDM Vol. 2B POP).
    try {
      cpu.wr(i.seg, cpu.ea(i), s, v, vh);
    } catch (e) {
      cpu.setSp(sp);
      throw e;
    }
  } else cpu.setReg(i.r0, s, v, vh);
});

def("pusha", (cpu, i) => {
  const s = i.osz;
  const sp0 = cpu.lo[4]!;
  for (const r of [0, 1, 2, 3, -1, 5, 6, 7]) cpu.push(s, r < 0 ? sp0 : cpu.lo[r]!, 0);
});

def("popa", (cpu, i) => {
  const s = i.osz;
  for (const r of [7, 6, 5, -1, 3, 2, 1, 0]) {
    const v = cpu.pop(s);
    if (r >= 0) cpu.setReg(r, s, v, 0);
  }
});

def("pushf", (cpu, i) => {
  if (cpu.isV86() && (cpu.getFlags() & IOPL) >>> 12 < 3) cpu.gp(0);
  // VM and RF are cleared in the pushed image (SDM PUSHF).
  cpu.push(i.osz, cpu.getFlags() & ~(VM | RF), 0);
});

def("popf", (cpu, i) => {
  const s = i.osz;
  const old = cpu.getFlags();
  const iopl = (old & IOPL) >>> 12;
  if (cpu.isV86() && iopl < 3) cpu.gp(0);
  const v = cpu.pop(s) >>> 0;
  let mask = 0x3f7fd5 & ~(VM | RF | VIF | VIP);
  if (cpu.isProtected() || cpu.isV86()) {
    if (cpu.cpl > 0) mask &= ~IOPL;
    if (cpu.cpl > iopl) mask &= ~IF;
  }
  if (cpu.isV86()) mask &= ~IOPL;
  if (s === 2) mask &= 0xffff;
  cpu.setFlags((old & ~mask) | (v & mask));
});

def("enter", (cpu, i) => {
  const s = i.osz;
  const size = i.imm & 0xffff;
  const level = i.imm2 & 31;
  const bpSize = cpu.stackSize;
  cpu.push(s, cpu.lo[5]!, cpu.hi[5]!);
  const frame = cpu.sp();
  let bp = bpSize === 8 ? cpu.reg64(5) : bpSize === 4 ? cpu.lo[5]! >>> 0 : cpu.lo[5]! & 0xffff;
  for (let k = 1; k < level; k++) {
    bp = cpu.spAdd(bp, -s);
    const v = cpu.rd(SS, bp, s);
    cpu.push(s, v, cpu.h);
  }
  if (level > 0) {
    const fh = Math.floor(frame / TWO32);
    cpu.push(s, frame | 0, fh);
  }
  // Write access check of the final stack pointer before changing rBP (approximation of SDM ENTER).
  const nsp = cpu.spAdd(cpu.sp(), -size);
  if (size > 0) cpu.rd(SS, nsp, 1);
  if (s === 8) {
    const fh = Math.floor(frame / TWO32);
    cpu.setReg(5, 8, (frame - fh * TWO32) | 0, fh | 0);
  } else cpu.setReg(5, s, frame | 0, 0);
  cpu.setSp(nsp);
});

def("leave", (cpu, i) => {
  const s = i.osz;
  const bp = cpu.stackSize === 8 ? cpu.reg64(5) : cpu.stackSize === 4 ? cpu.lo[5]! >>> 0 : cpu.lo[5]! & 0xffff;
  const v = cpu.rd(SS, bp, s);
  const vh = cpu.h;
  cpu.setSp(cpu.spAdd(bp, s));
  cpu.setReg(5, s, v, vh);
});

// --- control transfer ------------------------------------------------------------------------------------
/** Sets RIP to a near target with the operand-size truncation, canonical and CS-limit checks. */
export function jumpNear(cpu: Cpu, target: number, osz: number): void {
  if (cpu.codeMode === 64) {
    if (target >= 2 ** 63) target -= 2 ** 64;
    if (target < -0x800000000000 || target >= 0x800000000000) cpu.gp(0);
    cpu.rip = target;
    return;
  }
  const t = osz === 2 ? target & 0xffff : target >>> 0;
  if (t > cpu.segLimit[CS]!) cpu.gp(0);
  cpu.rip = t;
}

function relTarget(cpu: Cpu, i: Insn): number {
  return cpu.nextRip + i.imm;
}

def("jmp", (cpu, i) => {
  if (i.k0 === K.REL) {
    jumpNear(cpu, relTarget(cpu, i), i.osz);
    return;
  }
  const ea = eaOf(cpu, i);
  const v = rdOp(cpu, i, 0, ea);
  jumpNear(cpu, i.osz === 8 ? cpu.h * TWO32 + (v >>> 0) : v >>> 0, i.osz);
});

def("call", (cpu, i) => {
  let target: number;
  if (i.k0 === K.REL) target = relTarget(cpu, i);
  else {
    const ea = eaOf(cpu, i);
    const v = rdOp(cpu, i, 0, ea);
    target = i.osz === 8 ? cpu.h * TWO32 + (v >>> 0) : v >>> 0;
  }
  const ret = cpu.nextRip;
  const oldRip = cpu.rip;
  jumpNear(cpu, target, i.osz);
  const newRip = cpu.rip;
  cpu.rip = oldRip;
  const rh = Math.floor(ret / TWO32);
  cpu.push(i.osz, (ret - rh * TWO32) | 0, rh | 0);
  cpu.rip = newRip;
  if (cpu.calls !== undefined) cpu.calls.nearCall(cpu.insnRip, ret);
});

def("ret", (cpu, i) => {
  const s = i.osz;
  const sp = cpu.sp();
  const calls = cpu.calls;
  const slot = calls === undefined ? 0 : calls.stackLinear();
  const v = cpu.rd(SS, sp, s);
  const t = s === 8 ? cpu.h * TWO32 + (v >>> 0) : v >>> 0;
  jumpNear(cpu, t, s);
  cpu.setSp(cpu.spAdd(sp, s + (i.nops ? i.imm & 0xffff : 0)));
  if (calls !== undefined) calls.returned(slot);
});

def("retf", (cpu, i) => {
  const calls = cpu.calls;
  const slot = calls === undefined ? 0 : calls.stackLinear();
  farReturn(cpu, i.osz, i.nops ? i.imm & 0xffff : 0);
  if (calls !== undefined) calls.returned(slot);
});

def("jmpf,callf", (cpu, i) => {
  let sel: number;
  let off: number;
  if (i.k0 === K.FAR) {
    sel = i.imm2 & 0xffff;
    off = i.imm >>> 0;
  } else {
    if (i.k0 !== K.MEM) cpu.ud();
    const ea = cpu.ea(i);
    const s = i.osz;
    const v = cpu.rd(i.seg, ea, s);
    off = s === 8 ? cpu.h * TWO32 + (v >>> 0) : v >>> 0;
    const selOff = s === 8 ? ea + 8 : i.asz === 2 ? (ea + s) & 0xffff : (ea + s) >>> 0;
    sel = cpu.rd16(i.seg, selOff);
  }
  cpu.current = i; // a task switch reports the instruction to VMX
  const calls = i.name === "callf" ? cpu.calls : undefined;
  if (calls === undefined) {
    farTransfer(cpu, sel, off, i.name === "callf", i.osz);
    return;
  }
  const site = calls.codeLinear(cpu.insnRip);
  const ret = calls.codeLinear(cpu.rip);
  farTransfer(cpu, sel, off, true, i.osz);
  calls.pushFrame("call", site, ret, calls.stackLinear(), -1);
});

for (let c = 0; c < 16; c++) {
  const n = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"][c]!;
  def(`j${n}`, (cpu, i) => {
    if (cpu.cond(c)) jumpNear(cpu, cpu.nextRip + i.imm, i.osz);
  });
}

function counter(cpu: Cpu, asz: number): number {
  return asz === 8 ? cpu.reg64(1) : asz === 4 ? cpu.lo[1]! >>> 0 : cpu.lo[1]! & 0xffff;
}

def("loop,loope,loopne", (cpu, i) => {
  const asz = i.asz;
  let c: number;
  if (asz === 8) {
    const lo = (cpu.lo[1]! - 1) | 0;
    if (cpu.lo[1] === 0) cpu.hi[1] = (cpu.hi[1]! - 1) | 0;
    cpu.lo[1] = lo;
    c = cpu.lo[1]! | cpu.hi[1]!;
  } else if (asz === 4) {
    cpu.lo[1] = (cpu.lo[1]! - 1) | 0;
    c = cpu.lo[1]!;
  } else {
    cpu.lo[1] = (cpu.lo[1]! & ~0xffff) | ((cpu.lo[1]! - 1) & 0xffff);
    c = cpu.lo[1]! & 0xffff;
  }
  let take = c !== 0;
  if (i.name === "loope") take &&= cpu.getZF() !== 0;
  else if (i.name === "loopne") take &&= cpu.getZF() === 0;
  if (take) jumpNear(cpu, cpu.nextRip + i.imm, i.osz);
});

def("jrcxz", (cpu, i) => {
  if (counter(cpu, i.asz) === 0) jumpNear(cpu, cpu.nextRip + i.imm, i.osz);
});

def("iret", (cpu, i) => {
  const calls = cpu.calls;
  const slot = calls === undefined ? 0 : calls.stackLinear();
  cpu.current = i; // a task switch reports the instruction to VMX
  iret(cpu, i.osz);
  if (calls !== undefined) calls.returned(slot);
});

// --- flags ------------------------------------------------------------------------------------------------
def("clc", (cpu) => cpu.setArith(cpu.getArith() & ~CF));
def("stc", (cpu) => cpu.setArith(cpu.getArith() | CF));
def("cmc", (cpu) => cpu.setArith(cpu.getArith() ^ CF));
def("cld", (cpu) => {
  cpu.flagsRest &= ~DF;
});
def("std", (cpu) => {
  cpu.flagsRest |= DF;
});
function ioplOk(cpu: Cpu): boolean {
  if (!(cpu.cr0 & 1)) return true;
  return cpu.cpl <= (cpu.flagsRest & IOPL) >>> 12;
}
def("cli", (cpu) => {
  if (!ioplOk(cpu)) cpu.gp(0);
  cpu.flagsRest &= ~IF;
});
def("sti", (cpu) => {
  if (!ioplOk(cpu)) cpu.gp(0);
  if (!(cpu.flagsRest & IF)) {
    cpu.stiShadow = cpu.instructionCount + 1;
    if (cpu.irq.intr) cpu.interruptStateChanged();
  }
  cpu.flagsRest |= IF;
});

// --- string instructions (SDM Vol. 1 7.3.9; REP in Vol. 2B) -------------------------------------------------
/** Iterations executed per step before the instruction is restarted (keeps steps bounded; SDM allows it). */
const REP_CHUNK = 512;

function idx(cpu: Cpu, r: number, asz: number): number {
  return asz === 8 ? cpu.reg64(r) : asz === 4 ? cpu.lo[r]! >>> 0 : cpu.lo[r]! & 0xffff;
}

function advance(cpu: Cpu, r: number, asz: number, delta: number): void {
  if (asz === 8) {
    const v = cpu.reg64(r) + delta;
    const hi = Math.floor(v / TWO32);
    cpu.lo[r] = (v - hi * TWO32) | 0;
    cpu.hi[r] = hi | 0;
  } else if (asz === 4) {
    cpu.lo[r] = (cpu.lo[r]! + delta) | 0;
    cpu.hi[r] = 0;
  } else cpu.lo[r] = (cpu.lo[r]! & ~0xffff) | ((cpu.lo[r]! + delta) & 0xffff);
}

function decCount(cpu: Cpu, asz: number): void {
  advance(cpu, 1, asz, -1);
}

function stringOp(body: (cpu: Cpu, i: Insn, step: number) => boolean, repeatsOnZ: boolean): Exec {
  return (cpu, i) => {
    const s = i.s0 === 0 ? i.s1 : i.s0;
    const size = i.name === "movs" || i.name === "cmps" ? i.s0 : s;
    const step = cpu.flagsRest & DF ? -size : size;
    if (i.rep === 0) {
      body(cpu, i, step);
      return;
    }
    for (let n = 0; n < REP_CHUNK; n++) {
      if (idx(cpu, 1, i.asz) === 0) return;
      const z = body(cpu, i, step);
      decCount(cpu, i.asz);
      if (repeatsOnZ) {
        // REPE stops when ZF=0, REPNE when ZF=1.
        if (i.rep === 0xf3 ? !z : z) return;
      }
    }
    if (idx(cpu, 1, i.asz) !== 0) {
      cpu.rip = restartRip(cpu, i);
      cpu.repRestart = true;
    }
  };
}

/** RIP of the current instruction (to restart a REP string instruction after a chunk). */
function restartRip(cpu: Cpu, i: Insn): number {
  let r = cpu.nextRip - i.len;
  if (cpu.codeMode === 16) r &= 0xffff;
  else if (cpu.codeMode === 32) r >>>= 0;
  return r;
}

const srcSeg = (i: Insn) => (i.segOverride >= 0 ? i.segOverride : DS);

def(
  "movs",
  stringOp((cpu, i, step) => {
    const s = i.s0;
    const v = cpu.rd(srcSeg(i), idx(cpu, 6, i.asz), s);
    cpu.wr(ES, idx(cpu, 7, i.asz), s, v, cpu.h);
    advance(cpu, 6, i.asz, step);
    advance(cpu, 7, i.asz, step);
    return false;
  }, false),
);

def(
  "stos",
  stringOp((cpu, i, step) => {
    const s = i.s0;
    const v = cpu.getReg(0, s);
    cpu.wr(ES, idx(cpu, 7, i.asz), s, v, cpu.h);
    advance(cpu, 7, i.asz, step);
    return false;
  }, false),
);

def(
  "lods",
  stringOp((cpu, i, step) => {
    const s = i.s1;
    const v = cpu.rd(srcSeg(i), idx(cpu, 6, i.asz), s);
    cpu.setReg(0, s, v, cpu.h);
    advance(cpu, 6, i.asz, step);
    return false;
  }, false),
);

def(
  "cmps",
  stringOp((cpu, i, step) => {
    const s = i.s0;
    const a = cpu.rd(srcSeg(i), idx(cpu, 6, i.asz), s);
    const ah = cpu.h;
    const b = cpu.rd(ES, idx(cpu, 7, i.asz), s);
    sub(cpu, s, a, ah, b, cpu.h, 0);
    advance(cpu, 6, i.asz, step);
    advance(cpu, 7, i.asz, step);
    return cpu.getZF() !== 0;
  }, true),
);

def(
  "scas",
  stringOp((cpu, i, step) => {
    const s = i.s1;
    const a = cpu.getReg(0, s);
    const ah = cpu.h;
    const b = cpu.rd(ES, idx(cpu, 7, i.asz), s);
    sub(cpu, s, a, ah, b, cpu.h, 0);
    advance(cpu, 7, i.asz, step);
    return cpu.getZF() !== 0;
  }, true),
);

export { AC, ID, MASK, NT, norm };
