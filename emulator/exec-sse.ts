// The SSE/x87 subset that system code uses: XMM data movement and XOR (context save/restore, memset/memcpy),
// FXSAVE/FXRSTOR, LDMXCSR/STMXCSR and the x87 control instructions (FNINIT, FNSTSW, FNSTCW, FLDCW, FNCLEX).
// No floating-point arithmetic is emulated: other x87 instructions and SSE arithmetic raise #UD.
// Availability checks follow SDM Vol. 3A 13.1 / 2.5: CR0.EM=1 or CR4.OSFXSR=0 → #UD, CR0.TS=1 → #NM.

import type { Cpu, Exec } from "./cpu";
import * as cpuModule from "./cpu";
import type { Insn } from "./decoder";
import * as decoderModule from "./decoder";

const { CR0_EM, CR0_TS, CR4_OSFXSR } = cpuModule;
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
