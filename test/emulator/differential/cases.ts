// Random register-only instruction cases for the differential test: each case is one 64-bit-mode instruction
// (random operand size, registers, immediates), random initial registers and arithmetic flags, and the mask of
// the flags the SDM defines for that instruction and input (undefined flags/registers are not compared).

export interface Case {
  code: number[];
  regs: bigint[];
  flags: number;
  /** Arithmetic flags defined after the instruction (SDM Vol. 1 Appendix A and the instruction pages). */
  flagMask: number;
  /** Registers whose value is undefined afterwards (not compared). */
  undefinedRegs: number[];
  text: string;
  /** Initial contents of the memory window at MEM_WINDOW (compared afterwards too). */
  memory: Uint8Array;
}

/** A 136-byte data window that memory operands address (mapped at the same address natively and emulated). */
export const MEM_WINDOW = 0x10000800;
export const MEM_WINDOW_SIZE = 136;

const ALL = 0x8d5;
const NO_AF = ALL & ~0x10;
const CF = 1;
const ZF = 0x40;
const OF = 0x800;

/** xorshift128+ with a fixed seed: the same cases on every run. */
export class Rng {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: number) {
    this.s0 = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
    this.s1 = (BigInt(seed) ^ 0xdeadbeefn) * 0xbf58476d1ce4e5b9n + 7n;
    for (let k = 0; k < 8; k++) this.u64();
  }
  u64(): bigint {
    let s1 = this.s0;
    const s0 = this.s1;
    this.s0 = s0;
    s1 = BigInt.asUintN(64, s1 ^ (s1 << 23n));
    this.s1 = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return BigInt.asUintN(64, this.s1 + s0);
  }
  int(n: number): number {
    return Number(this.u64() % BigInt(n));
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }
}

const SPECIAL = [
  0n,
  1n,
  2n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffffffffffffffffn,
  0x100000000n,
  0xfffffffffffffffen,
];

function value(r: Rng): bigint {
  const k = r.int(10);
  if (k < 3) return BigInt(r.int(256));
  if (k < 5) return r.pick(SPECIAL);
  if (k < 6) return BigInt.asUintN(64, BigInt(r.int(65536)) - 32768n);
  return r.u64();
}

interface Enc {
  bytes: number[];
  size: number;
}

/** Prefixes for an operand size plus REX bits; `byteRex` forces a REX (SPL/BPL/SIL/DIL become reachable). */
function prefix(size: number, regField: number, rmField: number, forceRex: boolean, idx = 0): number[] {
  const out: number[] = [];
  if (size === 2) out.push(0x66);
  const rex = (size === 8 ? 8 : 0) | (regField >= 8 ? 4 : 0) | (idx >= 8 ? 2 : 0) | (rmField >= 8 ? 1 : 0);
  if (rex || forceRex) out.push(0x40 | rex);
  return out;
}

function modrm(reg: number, rm: number): number {
  return 0xc0 | ((reg & 7) << 3) | (rm & 7);
}

/** A register for an operand of `size`; byte registers without REX may be AH–BH (4–7). Never RSP/SPL. */
function pickRegs(r: Rng, size: number, n: number): { regs: number[]; rex: boolean } {
  if (size === 1) {
    const rex = r.chance(0.5);
    const pool = rex ? [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : [0, 1, 2, 3, 4, 5, 6, 7];
    return { regs: Array.from({ length: n }, () => r.pick(pool)), rex };
  }
  const pool = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  return { regs: Array.from({ length: n }, () => r.pick(pool)), rex: false };
}

function imm(r: Rng, bytes: number): number[] {
  const out: number[] = [];
  const v = value(r);
  for (let k = 0; k < bytes; k++) out.push(Number((v >> BigInt(8 * k)) & 0xffn));
  return out;
}

const SIZES = [1, 2, 4, 8];
const VSIZES = [2, 4, 8];

/** The 64-bit value a register operand of `size` holds (byte registers 4–7 without REX are AH–BH). */
function operandValue(regs: bigint[], reg: number, size: number, rex: boolean): bigint {
  if (size === 1 && !rex && reg >= 4 && reg < 8) return (regs[reg - 4]! >> 8n) & 0xffn;
  return regs[reg]! & ((1n << BigInt(size * 8)) - 1n);
}

interface Generated {
  enc: Enc;
  mask: number;
  undef?: number[];
  text: string;
  /** Arithmetic flags the instruction reads (ADC/SBB/RCL/RCR CF, CMOVcc/SETcc their condition, LAHF all …). */
  reads?: number;
  /** The mask depends on register values at run time (count in CL, BSF/BSR of zero): first position only. */
  dynamic?: boolean;
}

type Gen = (r: Rng, regs: bigint[]) => Generated;

/** Flags a condition code reads (SDM Vol. 1 Appendix B). */
const CC_READS = [OF, CF, ZF, CF | ZF, 0x80, 0x4, 0x80 | OF, ZF | 0x80 | OF];

const ALU_NAMES = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];

const gens: Gen[] = [
  // ALU r/m, r and r, r/m; TEST; XCHG; MOV
  (r) => {
    const size = r.pick(SIZES);
    const {
      regs: [a, b],
      rex,
    } = pickRegs(r, size, 2) as { regs: [number, number]; rex: boolean };
    const kind = r.int(12);
    let op: number;
    let mask: number;
    let text: string;
    if (kind < 8) {
      op = kind * 8 + (size === 1 ? 0 : 1) + (r.chance(0.5) ? 2 : 0);
      mask = kind === 1 || kind === 4 || kind === 6 ? NO_AF : ALL;
      text = ALU_NAMES[kind]!;
    } else if (kind === 8) {
      op = size === 1 ? 0x84 : 0x85;
      mask = NO_AF;
      text = "test";
    } else if (kind === 9) {
      op = size === 1 ? 0x86 : 0x87;
      mask = ALL;
      text = "xchg";
    } else {
      op = (size === 1 ? 0x88 : 0x89) + (r.chance(0.5) ? 2 : 0);
      mask = ALL;
      text = "mov";
    }
    return {
      enc: { bytes: [...prefix(size, a, b, rex), op, modrm(a, b)], size },
      mask,
      text: `${text}${size * 8}`,
      reads: kind === 2 || kind === 3 ? CF : 0,
    };
  },
  // ALU r/m, imm (80/81/83) and the accumulator forms
  (r) => {
    const size = r.pick(SIZES);
    const {
      regs: [a],
      rex,
    } = pickRegs(r, size, 1) as { regs: [number]; rex: boolean };
    const kind = r.int(8);
    const mask = kind === 1 || kind === 4 || kind === 6 ? NO_AF : ALL;
    const reads = kind === 2 || kind === 3 ? CF : 0;
    if (r.chance(0.2)) {
      const op = kind * 8 + (size === 1 ? 4 : 5);
      const n = size === 1 ? 1 : size === 2 ? 2 : 4;
      return {
        enc: { bytes: [...prefix(size, 0, 0, false), op, ...imm(r, n)], size },
        mask,
        text: `${ALU_NAMES[kind]}-acc${size * 8}`,
        reads,
      };
    }
    if (size === 1)
      return {
        enc: { bytes: [...prefix(1, 0, a, rex), 0x80, modrm(kind, a), ...imm(r, 1)], size },
        mask,
        text: `${ALU_NAMES[kind]}-imm8`,
        reads,
      };
    const short = r.chance(0.5);
    const n = short ? 1 : size === 2 ? 2 : 4;
    return {
      enc: { bytes: [...prefix(size, 0, a, false), short ? 0x83 : 0x81, modrm(kind, a), ...imm(r, n)], size },
      mask,
      text: `${ALU_NAMES[kind]}-imm${size * 8}`,
      reads,
    };
  },
  // Shifts and rotates: by 1, by CL, by imm8
  (r, regs) => {
    const size = r.pick(SIZES);
    const {
      regs: [a],
      rex,
    } = pickRegs(r, size, 1) as { regs: [number]; rex: boolean };
    const kind = r.int(8);
    const form = r.int(3);
    let count: number;
    const bytes = [...prefix(size, 0, a, rex)];
    if (form === 0) {
      bytes.push(size === 1 ? 0xd0 : 0xd1, modrm(kind, a));
      count = 1;
    } else if (form === 1) {
      bytes.push(size === 1 ? 0xd2 : 0xd3, modrm(kind, a));
      if (r.chance(0.7)) regs[1] = (regs[1]! & ~0xffn) | BigInt(r.int(70));
      count = Number(regs[1]! & 0xffn);
    } else {
      count = r.chance(0.8) ? r.int(70) : r.int(256);
      bytes.push(size === 1 ? 0xc0 : 0xc1, modrm(kind, a), count);
    }
    const masked = count & (size === 8 ? 0x3f : 0x1f);
    const names = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"];
    let mask: number;
    if (masked === 0) mask = ALL;
    else if (kind < 4) {
      // Rotates change only CF and OF; OF is defined for 1-bit rotates only.
      mask = ALL & ~(masked === 1 ? 0 : OF);
    } else {
      // Shifts: AF undefined; OF defined for 1-bit shifts; CF undefined when the count ≥ the operand width.
      mask = NO_AF & ~(masked === 1 ? 0 : OF);
      if (masked >= size * 8 && (kind === 4 || kind === 5 || kind === 6)) mask &= ~CF;
    }
    return {
      enc: { bytes, size },
      mask,
      text: `${names[kind]}${size * 8}/${masked}`,
      reads: kind === 2 || kind === 3 ? CF : 0,
      dynamic: form === 1,
    };
  },
  // Group 3: TEST imm, NOT, NEG, MUL, IMUL, DIV, IDIV
  (r, regs) => {
    const size = r.pick(SIZES);
    const {
      regs: [a],
      rex,
    } = pickRegs(r, size, 1) as { regs: [number]; rex: boolean };
    const kind = r.pick([0, 2, 3, 4, 5, 6, 7, 6, 7]);
    const bytes = [...prefix(size, 0, a, rex), size === 1 ? 0xf6 : 0xf7, modrm(kind, a)];
    if (kind === 0) bytes.push(...imm(r, size === 1 ? 1 : size === 2 ? 2 : 4));
    if (kind >= 6 && r.chance(0.8)) {
      // Mostly avoid #DE so the quotient paths are exercised: high half of the dividend below the divisor.
      const d = operandValue(regs, a, size, rex);
      if (d !== 0n && size > 1 && a !== 2 && a !== 0)
        regs[2] = kind === 6 ? r.u64() % d : regs[0]! >> 63n ? -1n & 0xffffffffffffffffn : 0n;
      if (size === 1 && d !== 0n && a !== 0 && !(a === 4 && !rex))
        regs[0] = (regs[0]! & ~0xff00n) | ((r.u64() % d) << 8n);
    }
    const names = ["test", "", "not", "neg", "mul", "imul", "div", "idiv"];
    const mask = kind === 0 ? NO_AF : kind === 2 || kind === 3 ? ALL : kind <= 5 ? CF | OF : 0;
    return { enc: { bytes, size }, mask, text: `${names[kind]}${size * 8}` };
  },
  // INC / DEC
  (r) => {
    const size = r.pick(SIZES);
    const {
      regs: [a],
      rex,
    } = pickRegs(r, size, 1) as { regs: [number]; rex: boolean };
    const dec = r.int(2);
    return {
      enc: { bytes: [...prefix(size, 0, a, rex), size === 1 ? 0xfe : 0xff, modrm(dec, a)], size },
      mask: ALL,
      text: dec ? "dec" : "inc",
    };
  },
  // IMUL r, r/m [, imm]
  (r) => {
    const size = r.pick(VSIZES);
    const {
      regs: [a, b],
    } = pickRegs(r, size, 2) as { regs: [number, number]; rex: boolean };
    const form = r.int(3);
    const p = prefix(size, a, b, false);
    if (form === 0) return { enc: { bytes: [...p, 0x0f, 0xaf, modrm(a, b)], size }, mask: CF | OF, text: "imul2" };
    if (form === 1)
      return { enc: { bytes: [...p, 0x6b, modrm(a, b), ...imm(r, 1)], size }, mask: CF | OF, text: "imul3b" };
    return {
      enc: { bytes: [...p, 0x69, modrm(a, b), ...imm(r, size === 2 ? 2 : 4)], size },
      mask: CF | OF,
      text: "imul3",
    };
  },
  // BT/BTS/BTR/BTC r, r and r, imm8
  (r) => {
    const size = r.pick(VSIZES);
    const {
      regs: [a, b],
    } = pickRegs(r, size, 2) as { regs: [number, number]; rex: boolean };
    const kind = r.int(4);
    if (r.chance(0.5)) {
      return {
        enc: { bytes: [...prefix(size, a, b, false), 0x0f, [0xa3, 0xab, 0xb3, 0xbb][kind]!, modrm(a, b)], size },
        mask: CF,
        text: `bt${kind}`,
      };
    }
    return {
      enc: { bytes: [...prefix(size, 0, b, false), 0x0f, 0xba, modrm(4 + kind, b), r.int(256)], size },
      mask: CF,
      text: `bt${kind}i`,
    };
  },
  // BSF/BSR, POPCNT, LZCNT, TZCNT
  (r, regs) => {
    const size = r.pick(VSIZES);
    const {
      regs: [a, b],
    } = pickRegs(r, size, 2) as { regs: [number, number]; rex: boolean };
    const kind = r.int(5);
    if (r.chance(0.1)) regs[b] = 0n;
    const src = operandValue(regs, b, size, false);
    const p = prefix(size, a, b, false);
    if (kind < 2) {
      return {
        enc: { bytes: [...p, 0x0f, kind === 0 ? 0xbc : 0xbd, modrm(a, b)], size },
        mask: ZF,
        undef: src === 0n ? [a] : [],
        text: kind === 0 ? "bsf" : "bsr",
        dynamic: true,
      };
    }
    const op = [0xb8, 0xbd, 0xbc][kind - 2]!;
    const pre = size === 2 ? [0x66, 0xf3, ...p.slice(1)] : [0xf3, ...p];
    return {
      enc: { bytes: [...pre, 0x0f, op, modrm(a, b)], size },
      mask: kind === 2 ? ALL : CF | ZF,
      text: ["popcnt", "lzcnt", "tzcnt"][kind - 2]!,
    };
  },
  // SHLD/SHRD by imm8 and CL
  (r, regs) => {
    const size = r.pick(VSIZES);
    const {
      regs: [a, b],
    } = pickRegs(r, size, 2) as { regs: [number, number]; rex: boolean };
    const right = r.int(2);
    const byCl = r.int(2);
    const bytes = [...prefix(size, b, a, false), 0x0f];
    let count: number;
    if (byCl) {
      bytes.push(right ? 0xad : 0xa5, modrm(b, a));
      if (r.chance(0.7)) regs[1] = (regs[1]! & ~0xffn) | BigInt(r.int(70));
      count = Number(regs[1]! & 0xffn);
    } else {
      count = r.int(70);
      bytes.push(right ? 0xac : 0xa4, modrm(b, a), count);
    }
    const masked = count & (size === 8 ? 0x3f : 0x1f);
    let mask = masked === 0 ? ALL : NO_AF & ~(masked === 1 ? 0 : OF);
    const undef: number[] = [];
    if (masked > size * 8) {
      mask = 0;
      undef.push(a);
    }
    return {
      enc: { bytes, size },
      mask,
      undef,
      text: `${right ? "shrd" : "shld"}${size * 8}/${masked}`,
      dynamic: byCl === 1,
    };
  },
  // MOVZX/MOVSX/MOVSXD, CMOVcc, SETcc, BSWAP, XADD, CMPXCHG
  (r) => {
    const kind = r.int(7);
    if (kind === 0) {
      const size = r.pick(VSIZES);
      const srcByte = r.chance(0.5);
      // Byte source: any REX (REX.W, r8–r15) turns 4–7 into SPL–DIL, so RSP's byte is never chosen.
      const {
        regs: [a],
      } = pickRegs(r, 2, 1) as { regs: [number]; rex: boolean };
      const {
        regs: [d],
      } = pickRegs(r, size, 1) as { regs: [number]; rex: boolean };
      const rex = srcByte && r.chance(0.5);
      const sx = r.int(2);
      const op = (sx ? 0xbe : 0xb6) + (srcByte ? 0 : 1);
      return {
        enc: { bytes: [...prefix(size, d, a, srcByte && rex), 0x0f, op, modrm(d, a)], size },
        mask: ALL,
        text: sx ? "movsx" : "movzx",
      };
    }
    if (kind === 1) {
      const {
        regs: [d, a],
      } = pickRegs(r, 8, 2) as { regs: [number, number]; rex: boolean };
      return { enc: { bytes: [...prefix(8, d, a, false), 0x63, modrm(d, a)], size: 8 }, mask: ALL, text: "movsxd" };
    }
    if (kind === 2) {
      const size = r.pick(VSIZES);
      const {
        regs: [d, a],
      } = pickRegs(r, size, 2) as { regs: [number, number]; rex: boolean };
      const cc = r.int(16);
      return {
        enc: { bytes: [...prefix(size, d, a, false), 0x0f, 0x40 + cc, modrm(d, a)], size },
        mask: ALL,
        text: "cmov",
        reads: CC_READS[cc >> 1],
      };
    }
    if (kind === 3) {
      const {
        regs: [a],
        rex,
      } = pickRegs(r, 1, 1) as { regs: [number]; rex: boolean };
      const cc = r.int(16);
      return {
        enc: { bytes: [...prefix(1, 0, a, rex), 0x0f, 0x90 + cc, modrm(0, a)], size: 1 },
        mask: ALL,
        text: "setcc",
        reads: CC_READS[cc >> 1],
      };
    }
    if (kind === 4) {
      const size = r.pick([4, 8]);
      const {
        regs: [a],
      } = pickRegs(r, size, 1) as { regs: [number]; rex: boolean };
      return { enc: { bytes: [...prefix(size, 0, a, false), 0x0f, 0xc8 + (a & 7)], size }, mask: ALL, text: "bswap" };
    }
    const size = r.pick(SIZES);
    const {
      regs: [a, b],
      rex,
    } = pickRegs(r, size, 2) as { regs: [number, number]; rex: boolean };
    const op = (kind === 5 ? 0xc0 : 0xb0) + (size === 1 ? 0 : 1);
    return {
      enc: { bytes: [...prefix(size, b, a, rex), 0x0f, op, modrm(b, a)], size },
      mask: ALL,
      text: kind === 5 ? "xadd" : "cmpxchg",
    };
  },
  // CBW/CWDE/CDQE, CWD/CDQ/CQO, SAHF, LAHF, CMC, CLC, STC
  (r) => {
    const k = r.int(7);
    const size = r.pick(VSIZES);
    if (k < 2)
      return { enc: { bytes: [...prefix(size, 0, 0, false), 0x98 + k], size }, mask: ALL, text: k ? "cwd" : "cbw" };
    return {
      enc: { bytes: [[0x9e, 0x9f, 0xf5, 0xf8, 0xf9][k - 2]!], size: 1 },
      mask: ALL,
      text: ["sahf", "lahf", "cmc", "clc", "stc"][k - 2]!,
      reads: k === 3 ? ALL : k === 4 ? CF : 0,
    };
  },
  // LEA with base, index, scale, displacement (no RSP, no RIP-relative)
  (r) => {
    const size = r.pick(VSIZES);
    const pool = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15];
    const d = r.pick(pool);
    const base = r.pick(pool);
    const index = r.pick(pool);
    const mod = r.pick([1, 2]);
    const scale = r.int(4);
    const bytes = [...prefix(size, d, base, false, index)];
    bytes.push(0x8d, (mod << 6) | ((d & 7) << 3) | 4, (scale << 6) | ((index & 7) << 3) | (base & 7));
    bytes.push(...imm(r, mod === 1 ? 1 : 4));
    return { enc: { bytes, size }, mask: ALL, text: "lea" };
  },
];

const MEM_POOL = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 14, 15]; // bases without SIB/RIP-relative special cases

/**
 * Memory-operand forms: [base + disp8] inside MEM_WINDOW (base = window + 64, disp8 in -64…63), with the
 * read-modify-write paths of the ALU, shifts, group 3, INC/DEC, XADD/CMPXCHG and the loads of MOVZX/MOVSX/CMOVcc.
 */
function memCase(r: Rng, regs: bigint[]): Generated {
  const base = r.pick(MEM_POOL);
  regs[base] = BigInt(MEM_WINDOW + 64);
  const others = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].filter((x) => x !== base);
  const reg = r.pick(others);
  const disp = r.int(128) - 64;
  const size = r.pick(SIZES);
  const pre = (sz: number, regField: number) => prefix(sz, regField, base, false);
  const m = (regField: number) => [0x40 | ((regField & 7) << 3) | (base & 7), disp & 0xff];
  const kind = r.int(12);
  const ALUK = r.int(8);
  const aluMask = ALUK === 1 || ALUK === 4 || ALUK === 6 ? NO_AF : ALL;
  const aluReads = ALUK === 2 || ALUK === 3 ? CF : 0;
  switch (kind) {
    case 0: {
      const op = ALUK * 8 + (size === 1 ? 0 : 1) + (r.chance(0.5) ? 2 : 0);
      return {
        enc: { bytes: [...pre(size, reg), op, ...m(reg)], size },
        mask: aluMask,
        text: `m-${ALU_NAMES[ALUK]}${size * 8}`,
        reads: aluReads,
      };
    }
    case 1: {
      const op = r.pick(size === 1 ? [0x84, 0x86, 0x88, 0x8a] : [0x85, 0x87, 0x89, 0x8b]);
      return {
        enc: { bytes: [...pre(size, reg), op, ...m(reg)], size },
        mask: op <= 0x85 ? NO_AF : ALL,
        text: `m-op${op.toString(16)}`,
      };
    }
    case 2: {
      const n = size === 1 ? 1 : r.chance(0.5) ? 1 : size === 2 ? 2 : 4;
      const op = size === 1 ? 0x80 : n === 1 ? 0x83 : 0x81;
      return {
        enc: { bytes: [...pre(size, 0), op, ...m(ALUK), ...imm(r, n)], size },
        mask: aluMask,
        text: `m-${ALU_NAMES[ALUK]}-imm`,
        reads: aluReads,
      };
    }
    case 3: {
      const sk = r.int(8);
      const count = r.chance(0.3) ? 1 : r.int(70);
      const bytes =
        count === 1 && r.chance(0.5)
          ? [...pre(size, 0), size === 1 ? 0xd0 : 0xd1, ...m(sk)]
          : [...pre(size, 0), size === 1 ? 0xc0 : 0xc1, ...m(sk), count];
      const masked = count & (size === 8 ? 0x3f : 0x1f);
      let mask: number;
      if (masked === 0) mask = ALL;
      else if (sk < 4) mask = ALL & ~(masked === 1 ? 0 : OF);
      else {
        mask = NO_AF & ~(masked === 1 ? 0 : OF);
        if (masked >= size * 8 && sk !== 7) mask &= ~CF;
      }
      return { enc: { bytes, size }, mask, text: `m-shift${sk}/${masked}`, reads: sk === 2 || sk === 3 ? CF : 0 };
    }
    case 4: {
      const g = r.pick([0, 2, 3, 4, 5]);
      const bytes = [...pre(size, 0), size === 1 ? 0xf6 : 0xf7, ...m(g)];
      if (g === 0) bytes.push(...imm(r, size === 1 ? 1 : size === 2 ? 2 : 4));
      return { enc: { bytes, size }, mask: g === 0 ? NO_AF : g <= 3 ? ALL : CF | OF, text: `m-grp3/${g}` };
    }
    case 5:
      return {
        enc: { bytes: [...pre(size, 0), size === 1 ? 0xfe : 0xff, ...m(r.int(2))], size },
        mask: ALL,
        text: "m-incdec",
      };
    case 6: {
      const op = (r.chance(0.5) ? 0xc0 : 0xb0) + (size === 1 ? 0 : 1);
      return {
        enc: { bytes: [...pre(size, reg), 0x0f, op, ...m(reg)], size },
        mask: ALL,
        text: op >= 0xc0 ? "m-xadd" : "m-cmpxchg",
      };
    }
    case 7: {
      const dsz = r.pick(VSIZES);
      const op = r.pick([0xb6, 0xb7, 0xbe, 0xbf]);
      return { enc: { bytes: [...pre(dsz, reg), 0x0f, op, ...m(reg)], size: dsz }, mask: ALL, text: "m-movx" };
    }
    case 8: {
      const dsz = r.pick(VSIZES);
      const cc = r.int(16);
      return {
        enc: { bytes: [...pre(dsz, reg), 0x0f, 0x40 + cc, ...m(reg)], size: dsz },
        mask: ALL,
        text: "m-cmov",
        reads: CC_READS[cc >> 1],
      };
    }
    case 9: {
      const cc = r.int(16);
      return {
        enc: { bytes: [...pre(1, 0), 0x0f, 0x90 + cc, ...m(0)], size: 1 },
        mask: ALL,
        text: "m-setcc",
        reads: CC_READS[cc >> 1],
      };
    }
    case 10: {
      const vsz = r.pick(VSIZES);
      return {
        enc: { bytes: [...pre(vsz, 0), 0x0f, 0xba, ...m(4 + r.int(4)), r.int(256)], size: vsz },
        mask: CF,
        text: "m-bt-imm",
      };
    }
    default: {
      const vsz = r.pick(VSIZES);
      const op = r.pick([0xaf, 0xbc, 0xbd]);
      return {
        enc: { bytes: [...pre(vsz, reg), 0x0f, op, ...m(reg)], size: vsz },
        mask: op === 0xaf ? CF | OF : ZF,
        undef: op === 0xaf ? [] : [reg],
        text: "m-imul-bsf",
      };
    }
  }
}

/**
 * One case: a single instruction, or (half of the cases) a sequence of up to four, so that lazily evaluated
 * flags are consumed by later instructions (INC/DEC keeping CF, ADC after SUB, CMOVcc/SETcc after anything).
 * Flags left undefined by an instruction stay undefined for the rest of the sequence (conservative), and an
 * instruction that would read an undefined flag is not generated.
 */
export function makeCase(r: Rng): Case {
  const regs = Array.from({ length: 16 }, () => value(r));
  regs[4] = 0n;
  const memory = new Uint8Array(MEM_WINDOW_SIZE);
  for (let k = 0; k < memory.length; k++) memory[k] = Number(r.u64() & 0xffn);
  const flags0 = (Number(r.u64() & 0x8d5n) | 0x202) >>> 0;
  if (r.chance(0.25)) {
    // A single memory-operand instruction.
    const g = memCase(r, regs);
    return {
      code: g.enc.bytes,
      regs,
      flags: flags0,
      flagMask: g.mask,
      undefinedRegs: g.undef ?? [],
      text: g.text,
      memory,
    };
  }
  const length = r.chance(0.5) ? 1 : 2 + r.int(3);
  const code: number[] = [];
  const texts: string[] = [];
  let undefinedFlags = 0;
  let undefinedRegs: number[] = [];
  for (let k = 0; k < length && undefinedRegs.length === 0; k++) {
    let g: Generated | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      const cand = r.pick(gens)(r, k === 0 ? regs : regs.slice());
      if (k > 0 && cand.dynamic) continue;
      if ((cand.reads ?? 0) & undefinedFlags) continue;
      g = cand;
      break;
    }
    if (!g) break;
    code.push(...g.enc.bytes);
    texts.push(g.text);
    undefinedFlags |= ~g.mask & ALL;
    undefinedRegs = g.undef ?? [];
  }
  return { code, regs, flags: flags0, flagMask: ALL & ~undefinedFlags, undefinedRegs, text: texts.join(";"), memory };
}
