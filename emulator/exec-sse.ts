// The SSE/x87 subset that system code uses: XMM data movement and XOR (context save/restore, memset/memcpy),
// FXSAVE/FXRSTOR, LDMXCSR/STMXCSR and the x87 control instructions (FNINIT, FNSTSW, FNSTCW, FLDCW, FNCLEX).
// No floating-point arithmetic is emulated: other x87 instructions and SSE arithmetic raise #UD.
// Availability checks follow SDM Vol. 3A 13.1 / 2.5: CR0.EM=1 or CR4.OSFXSR=0 → #UD, CR0.TS=1 → #NM.

import type { Cpu, Exec } from "./cpu";
import * as cpuModule from "./cpu";
import type { Insn } from "./decoder";
import * as decoderModule from "./decoder";

const { CR0_EM, CR0_TS, CR4_OSFXSR, CR4_OSXSAVE } = cpuModule;
const { K } = decoderModule;

export const SSE = new Map<string, Exec>();
const def = (names: string, f: Exec) => {
  for (const n of names.split(",")) SSE.set(n, f);
};

const MXCSR_MASK = 0xffff;

function sseAvailable(cpu: Cpu): void {
  if (cpu.cr0 & CR0_EM || !(cpu.cr4 & CR4_OSFXSR)) cpu.ud();
  if (cpu.cr0 & CR0_TS) cpu.fault(7);
}

function fpuAvailable(cpu: Cpu): void {
  if (cpu.cr0 & (CR0_EM | CR0_TS)) cpu.fault(7);
}

/** Reads `bytes` (4, 8 or 16) of operand n into a 4-dword scratch (zero-extended). */
function readX(cpu: Cpu, i: Insn, n: number, bytes: number, align: boolean): Int32Array {
  const out = new Int32Array(4);
  const k = n === 0 ? i.k0 : i.k1;
  const r = n === 0 ? i.r0 : i.r1;
  if (k === K.XMM) {
    out.set(cpu.xmm.subarray(r * 4, r * 4 + 4));
    if (bytes < 16) out.fill(0, bytes / 4);
    return out;
  }
  if (k === K.REG) {
    out[0] = cpu.lo[r]!;
    if (bytes === 8) out[1] = cpu.hi[r]!;
    return out;
  }
  const ea = cpu.ea(i);
  if (align && ea % 16 !== 0) cpu.gp(0);
  for (let d = 0; d < bytes / 4; d++) out[d] = cpu.rd32(i.seg, offset(i, ea, d * 4));
  return out;
}

function offset(i: Insn, ea: number, d: number): number {
  const v = ea + d;
  return i.asz === 2 ? v & 0xffff : i.asz === 4 ? v >>> 0 : v;
}

/** Writes `bytes` of a value to operand n; an XMM destination keeps (merge) or zeroes its upper part. */
function writeX(cpu: Cpu, i: Insn, n: number, v: Int32Array, bytes: number, merge: boolean, align: boolean): void {
  const k = n === 0 ? i.k0 : i.k1;
  const r = n === 0 ? i.r0 : i.r1;
  if (k === K.XMM) {
    for (let d = 0; d < 4; d++) {
      if (d < bytes / 4) cpu.xmm[r * 4 + d] = v[d]!;
      else if (!merge) cpu.xmm[r * 4 + d] = 0;
    }
    return;
  }
  if (k === K.REG) {
    cpu.setReg(r, bytes === 8 ? 8 : 4, v[0]!, v[1]!);
    return;
  }
  const ea = cpu.ea(i);
  if (align && ea % 16 !== 0) cpu.gp(0);
  cpu.writeCheck(cpu.lin(i.seg, ea, bytes, true), bytes);
  for (let d = 0; d < bytes / 4; d++) cpu.wr32(i.seg, offset(i, ea, d * 4), v[d]!);
}

def("movups,movupd,movdqu", (cpu, i) => {
  sseAvailable(cpu);
  writeX(cpu, i, 0, readX(cpu, i, 1, 16, false), 16, false, false);
});

def("movaps,movapd,movdqa,movntps,movntpd,movntdq", (cpu, i) => {
  sseAvailable(cpu);
  writeX(cpu, i, 0, readX(cpu, i, 1, 16, true), 16, false, true);
});

def("movss,movsd_sse", (cpu, i) => {
  sseAvailable(cpu);
  const bytes = i.name === "movss" ? 4 : 8;
  // Register to register merges the low element; a load from memory zeroes the rest (SDM MOVSS/MOVSD).
  const merge = i.k0 === K.XMM && i.k1 === K.XMM;
  writeX(cpu, i, 0, readX(cpu, i, 1, bytes, false), bytes, merge, false);
});

def("movd", (cpu, i) => {
  sseAvailable(cpu);
  const bytes = i.k0 === K.XMM ? i.s1 : i.s0;
  writeX(cpu, i, 0, readX(cpu, i, 1, bytes, false), bytes, false, false);
});

def("movq", (cpu, i) => {
  sseAvailable(cpu);
  writeX(cpu, i, 0, readX(cpu, i, 1, 8, false), 8, false, false);
});

def("pxor,xorps,xorpd", (cpu, i) => {
  sseAvailable(cpu);
  const b = readX(cpu, i, 1, 16, true);
  const r = i.r0 * 4;
  for (let d = 0; d < 4; d++) cpu.xmm[r + d] = cpu.xmm[r + d]! ^ b[d]!;
});

def("movnti", (cpu, i) => {
  const ea = cpu.ea(i);
  cpu.wr(i.seg, ea, i.s0, cpu.lo[i.r1]!, cpu.hi[i.r1]!);
});

def("clwb,clflushopt", (cpu, i) => {
  cpu.rd8(i.seg, cpu.ea(i));
});

def("ldmxcsr", (cpu, i) => {
  sseAvailable(cpu);
  const v = cpu.rd32(i.seg, cpu.ea(i)) >>> 0;
  if (v & ~MXCSR_MASK) cpu.gp(0);
  cpu.mxcsr = v;
});

def("stmxcsr", (cpu, i) => {
  sseAvailable(cpu);
  cpu.wr32(i.seg, cpu.ea(i), cpu.mxcsr);
});

/** FXSAVE/FXRSTOR area (SDM Vol. 1 Table 10-2): x87 state (control words, no registers), MXCSR, XMM. */
def("fxsave", (cpu, i) => {
  if (cpu.cr0 & (CR0_EM | CR0_TS)) cpu.fault(7);
  const ea = cpu.ea(i);
  if (ea % 16 !== 0) cpu.gp(0);
  cpu.writeCheck(cpu.lin(i.seg, ea, 512, true), 512);
  const w = (off: number, v: number) => cpu.wr32(i.seg, offset(i, ea, off), v);
  w(0, (cpu.fpuCw & 0xffff) | ((cpu.fpuSw & 0xffff) << 16));
  w(4, cpu.fpuTw === 0xffff ? 0 : 0xff); // abridged tag word: all empty
  for (let off = 8; off < 24; off += 4) w(off, 0);
  w(24, cpu.mxcsr);
  w(28, MXCSR_MASK);
  for (let off = 32; off < 160; off += 4) w(off, 0);
  const regs = cpu.codeMode === 64 ? 16 : 8;
  for (let r = 0; r < regs; r++) for (let d = 0; d < 4; d++) w(160 + r * 16 + d * 4, cpu.xmm[r * 4 + d]!);
});

def("fxrstor", (cpu, i) => {
  if (cpu.cr0 & (CR0_EM | CR0_TS)) cpu.fault(7);
  const ea = cpu.ea(i);
  if (ea % 16 !== 0) cpu.gp(0);
  const r32 = (off: number) => cpu.rd32(i.seg, offset(i, ea, off));
  const mx = r32(24) >>> 0;
  if (mx & ~MXCSR_MASK) cpu.gp(0);
  const cwsw = r32(0);
  const regs = cpu.codeMode === 64 ? 16 : 8;
  const xmm = new Int32Array(regs * 4);
  for (let k = 0; k < regs * 4; k++) xmm[k] = r32(160 + k * 4);
  cpu.fpuCw = cwsw & 0xffff;
  cpu.fpuSw = (cwsw >>> 16) & 0xffff;
  cpu.fpuTw = r32(4) & 0xff ? 0 : 0xffff;
  cpu.mxcsr = mx;
  cpu.xmm.set(xmm);
});

/** The x87 control instructions; everything else of the FPU is #UD (no floating point is emulated). */
def("x87", (cpu, i) => {
  fpuAvailable(cpu);
  const op = i.opcode;
  const reg = i.reg & 7;
  if (i.mod === 3) {
    const modrm = 0xc0 | (reg << 3) | (i.rm & 7);
    if (op === 0xdb && modrm === 0xe3) {
      cpu.fpuCw = 0x37f;
      cpu.fpuSw = 0;
      cpu.fpuTw = 0xffff;
      return;
    }
    if (op === 0xdb && modrm === 0xe2) {
      cpu.fpuSw &= 0x7f00;
      return;
    }
    if (op === 0xdf && modrm === 0xe0) {
      cpu.setReg(0, 2, cpu.fpuSw, 0);
      return;
    }
    cpu.ud();
  }
  const ea = cpu.ea(i);
  if (op === 0xd9 && reg === 7) cpu.wr16(i.seg, ea, cpu.fpuCw);
  else if (op === 0xd9 && reg === 5) cpu.fpuCw = cpu.rd16(i.seg, ea) | 0x40;
  else if (op === 0xdd && reg === 7) cpu.wr16(i.seg, ea, cpu.fpuSw);
  else cpu.ud();
});

// --- XSAVE feature set (SDM Vol. 1 ch. 13) -------------------------------------------------------------------
// XCR0 is kept; state components beyond x87 and SSE hold their initial configuration (no AVX instructions are
// emulated), so XSAVE writes them as "in init state" (XSTATE_BV bit 0) and XRSTOR has nothing to load for them.

/** The XCR0 bits the CPU model supports (CPUID.(EAX=0DH,ECX=0):EDX:EAX). */
function supportedXcr0(cpu: Cpu): bigint {
  const [a, , , d] = cpu.model.cpuid(0xd, 0);
  return (BigInt(d >>> 0) << 32n) | BigInt(a >>> 0);
}

function xsaveAvailable(cpu: Cpu): void {
  if (!(cpu.cr4 & CR4_OSXSAVE)) cpu.ud();
}

def("xgetbv", (cpu) => {
  xsaveAvailable(cpu);
  if (cpu.lo[1] !== 0) cpu.gp(0);
  cpu.setReg(0, 4, Number(cpu.xcr0 & 0xffffffffn) | 0, 0);
  cpu.setReg(2, 4, Number(cpu.xcr0 >> 32n) | 0, 0);
});

def("xsetbv", (cpu) => {
  xsaveAvailable(cpu);
  if (cpu.cpl !== 0 || cpu.lo[1] !== 0) cpu.gp(0);
  const v = (BigInt(cpu.lo[2]! >>> 0) << 32n) | BigInt(cpu.lo[0]! >>> 0);
  // SDM XSETBV: bit 0 set; AVX needs SSE; AVX-512 components together and with AVX; only supported bits.
  if (!(v & 1n) || (v & 4n && !(v & 2n)) || v & ~supportedXcr0(cpu)) cpu.gp(0);
  const avx512 = v & 0xe0n;
  if (avx512 !== 0n && (avx512 !== 0xe0n || !(v & 4n))) cpu.gp(0);
  cpu.xcr0 = v;
});

def("xsave,xsaveopt", (cpu, i) => {
  xsaveAvailable(cpu);
  if (cpu.cr0 & CR0_TS) cpu.fault(7);
  const ea = cpu.ea(i);
  if (ea % 64 !== 0) cpu.gp(0);
  const rfbm = cpu.xcr0 & ((BigInt(cpu.lo[2]! >>> 0) << 32n) | BigInt(cpu.lo[0]! >>> 0));
  cpu.writeCheck(cpu.lin(i.seg, ea, 576, true), 576);
  const w = (off: number, v: number) => cpu.wr32(i.seg, offset(i, ea, off), v);
  if (rfbm & 1n) {
    w(0, (cpu.fpuCw & 0xffff) | ((cpu.fpuSw & 0xffff) << 16));
    w(4, 0);
    for (let off = 8; off < 24; off += 4) w(off, 0);
    for (let off = 32; off < 160; off += 4) w(off, 0);
  }
  if (rfbm & 3n) {
    w(24, cpu.mxcsr);
    w(28, MXCSR_MASK);
  }
  if (rfbm & 2n) {
    const regs = cpu.codeMode === 64 ? 16 : 8;
    for (let r = 0; r < regs; r++) for (let d = 0; d < 4; d++) w(160 + r * 16 + d * 4, cpu.xmm[r * 4 + d]!);
  }
  // XSTATE_BV: x87 and SSE as saved; everything else in its initial configuration.
  const old = cpu.rd32(i.seg, offset(i, ea, 512));
  w(512, (old & ~Number(rfbm & 0xffffffffn)) | Number(rfbm & 3n));
});

// --- XSAVES / XRSTORS: the compacted form (SDM Vol. 1 13.11, 13.12). Only x87 and SSE state is emulated; the
// other components (user components of XCR0 and supervisor components of IA32_XSS) stay in their initial
// configuration, so they are never written (XSTATE_BV = 0 for them) and need no space in the compacted area.
const IA32_XSS = 0xda0;

function xsavesCommon(cpu: Cpu, i: Insn): { ea: number; rfbm: bigint } {
  // CPUID.(EAX=0DH,ECX=1):EAX[3] reports XSAVES/XRSTORS.
  if (!(cpu.model.cpuid(0xd, 1)[0] & 8)) cpu.ud();
  xsaveAvailable(cpu);
  if (cpu.cpl !== 0) cpu.gp(0);
  if (cpu.cr0 & CR0_TS) cpu.fault(7);
  const ea = cpu.ea(i);
  if (ea % 64 !== 0) cpu.gp(0);
  const xss = cpu.msrs.get(IA32_XSS) ?? 0n;
  const rfbm = (cpu.xcr0 | xss) & ((BigInt(cpu.lo[2]! >>> 0) << 32n) | BigInt(cpu.lo[0]! >>> 0));
  return { ea, rfbm };
}

def("xsaves", (cpu, i) => {
  const { ea, rfbm } = xsavesCommon(cpu, i);
  cpu.writeCheck(cpu.lin(i.seg, ea, 576, true), 576);
  const w = (off: number, v: number) => cpu.wr32(i.seg, offset(i, ea, off), v);
  if (rfbm & 1n) {
    w(0, (cpu.fpuCw & 0xffff) | ((cpu.fpuSw & 0xffff) << 16));
    w(4, 0);
    for (let off = 8; off < 24; off += 4) w(off, 0);
    for (let off = 32; off < 160; off += 4) w(off, 0);
  }
  if (rfbm & 2n) {
    w(24, cpu.mxcsr);
    w(28, MXCSR_MASK);
    const regs = cpu.codeMode === 64 ? 16 : 8;
    for (let r = 0; r < regs; r++) for (let d = 0; d < 4; d++) w(160 + r * 16 + d * 4, cpu.xmm[r * 4 + d]!);
  }
  // XSTATE_BV = RFBM AND XINUSE (x87 and SSE count as in use); XCOMP_BV = 2^63 | RFBM; bytes 16-63 untouched.
  w(512, Number(rfbm & 3n));
  w(516, 0);
  w(520, Number(rfbm & 0xffffffffn) | 0);
  w(524, Number((rfbm >> 32n) & 0x7fffffffn) | 0x80000000 | 0);
});

def("xrstors", (cpu, i) => {
  const { ea, rfbm } = xsavesCommon(cpu, i);
  const r32 = (off: number) => cpu.rd32(i.seg, offset(i, ea, off));
  const xstateBv = (BigInt(r32(516) >>> 0) << 32n) | BigInt(r32(512) >>> 0);
  const xcompBv = (BigInt(r32(524) >>> 0) << 32n) | BigInt(r32(520) >>> 0);
  const xss = cpu.msrs.get(IA32_XSS) ?? 0n;
  // Header checks (SDM XRSTORS): compacted form, XCOMP_BV within XCR0 | IA32_XSS, XSTATE_BV within XCOMP_BV,
  // bytes 16-63 of the header zero.
  if (!(xcompBv >> 63n)) cpu.gp(0);
  const comp = xcompBv & ~(1n << 63n);
  if (comp & ~(cpu.xcr0 | xss) || xstateBv & ~comp) cpu.gp(0);
  for (let off = 528; off < 576; off += 4) if (r32(off) !== 0) cpu.gp(0);
  const load = rfbm & xstateBv;
  let mx = 0x1f80;
  const regs = cpu.codeMode === 64 ? 16 : 8;
  const xmm = new Int32Array(regs * 4);
  if (load & 2n) {
    mx = r32(24) >>> 0;
    if (mx & ~MXCSR_MASK) cpu.gp(0);
    for (let k = 0; k < regs * 4; k++) xmm[k] = r32(160 + k * 4);
  }
  const cwsw = load & 1n ? r32(0) : 0x37f;
  // Everything checked and read: commit (components in RFBM but not in XSTATE_BV take their initial state).
  if (rfbm & 1n) {
    cpu.fpuCw = cwsw & 0xffff;
    cpu.fpuSw = (cwsw >>> 16) & 0xffff;
  }
  if (rfbm & 2n) {
    cpu.mxcsr = mx;
    cpu.xmm.set(xmm);
  }
});

def("xrstor", (cpu, i) => {
  xsaveAvailable(cpu);
  if (cpu.cr0 & CR0_TS) cpu.fault(7);
  const ea = cpu.ea(i);
  if (ea % 64 !== 0) cpu.gp(0);
  const r32 = (off: number) => cpu.rd32(i.seg, offset(i, ea, off));
  const rfbm = cpu.xcr0 & ((BigInt(cpu.lo[2]! >>> 0) << 32n) | BigInt(cpu.lo[0]! >>> 0));
  const xstateBv = (BigInt(r32(516) >>> 0) << 32n) | BigInt(r32(512) >>> 0);
  const xcompBv = (BigInt(r32(524) >>> 0) << 32n) | BigInt(r32(520) >>> 0);
  // Header checks (SDM XRSTOR): standard form only, no bits outside XCR0, reserved header bytes zero.
  if (xcompBv !== 0n || xstateBv & ~cpu.xcr0) cpu.gp(0);
  for (let off = 528; off < 576; off += 4) if (r32(off) !== 0) cpu.gp(0);
  if (rfbm & 3n) {
    const mx = r32(24) >>> 0;
    if (mx & ~MXCSR_MASK) cpu.gp(0);
    cpu.mxcsr = mx;
  }
  if (rfbm & 1n) {
    if (xstateBv & 1n) {
      const cwsw = r32(0);
      cpu.fpuCw = cwsw & 0xffff;
      cpu.fpuSw = (cwsw >>> 16) & 0xffff;
    } else {
      cpu.fpuCw = 0x37f;
      cpu.fpuSw = 0;
    }
  }
  if (rfbm & 2n) {
    const regs = cpu.codeMode === 64 ? 16 : 8;
    for (let k = 0; k < regs * 4; k++) cpu.xmm[k] = xstateBv & 2n ? r32(160 + k * 4) : 0;
  }
});
