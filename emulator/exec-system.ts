// System instructions: control/debug registers, descriptor tables, MSRs, CPUID, TSC, I/O, interrupts, HLT,
// SYSCALL/SYSENTER, and the dispatch of VMX instructions to emulator/vmx through the hooks.

import { CORE_MSR } from "./arch-adapter";
import {
  AR_DB,
  AR_L,
  AR_P,
  AR_S,
  AR_UNUSABLE,
  CF,
  type Cpu,
  CR0_CD,
  CR0_NW,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR4_FSGSBASE,
  CR4_OSXSAVE,
  CR4_PAE,
  CR4_PCIDE,
  CR4_TSD,
  CR4_UMIP,
  CR4_VMXE,
  EFER_LMA,
  EFER_LME,
  EFER_NXE,
  EFER_SCE,
  type Exec,
  IF,
  IOPL,
  linBig,
  RF,
  StopSignal,
  TF,
  VM,
  ZF,
} from "./cpu";
import { CS, DS, ES, FS, GS, type Insn, K, SS } from "./decoder";
import { eaOf, rdOp, wrOp } from "./exec-core";
import { lldt, loadNull, loadSegment, ltr, readDescriptor, TR } from "./segments";
import { viewOfInsn } from "./vmx-bridge";

export const SYSTEM = new Map<string, Exec>();
const AC_FLAG = 0x40000;
const def = (names: string, f: Exec) => {
  for (const n of names.split(",")) SYSTEM.set(n, f);
};
const TWO32 = 4294967296;

const requireCpl0 = (cpu: Cpu) => {
  if (cpu.cpl !== 0) cpu.gp(0);
};
/** Instructions that are #UD in real and virtual-8086 mode. */
const requireProtected = (cpu: Cpu) => {
  if (!cpu.isProtected()) cpu.ud();
};

export const udExec: Exec = (cpu, i) => {
  if (i.name === "(toolong)") cpu.gp(0);
  cpu.ud();
};
def("ud2,ud0,ud1,(bad),getsec,rsm", udExec);

// MONITOR/MWAIT: no other agent writes memory, so MWAIT returns at once (allowed: SDM MWAIT "may exit for
// implementation-dependent reasons"). VMX intercepts them through the instruction hook.
def("monitor", (cpu) => {
  requireCpl0(cpu);
  if (cpu.lo[1] !== 0) cpu.gp(0);
});
def("mwait", (cpu) => {
  requireCpl0(cpu);
  if ((cpu.lo[1]! & ~1) !== 0) cpu.gp(0);
});

// CLAC/STAC (SMAP): CPL 0 only.
def("clac,stac", (cpu, i) => {
  if (cpu.cpl !== 0 || cpu.isV86()) cpu.ud();
  if (i.name === "stac") cpu.flagsRest |= AC_FLAG;
  else cpu.flagsRest &= ~AC_FLAG;
});
def("nop,pause,fwait,lfence,mfence,sfence", () => {});
def("clflush", (cpu, i) => {
  cpu.rd8(i.seg, cpu.ea(i)); // faults like a byte load (SDM CLFLUSH)
});

// --- HLT and interrupts ------------------------------------------------------------------------------------
def("hlt", (cpu) => {
  requireCpl0(cpu);
  cpu.halted = true;
  cpu.activityState = 1;
  // In VMX non-root operation VMX may wake the guest (preemption timer, injected events): keep stepping. An
  // external interrupt that is pending or can still come (the PIT) wakes the processor when RFLAGS.IF = 1, or
  // with external-interrupt exiting in VMX non-root operation: keep stepping too (the run loop lets time pass).
  if ((cpu.hooks.nonRoot && cpu.hooks.wantsBoundary) || cpu.interruptCanWake()) {
    cpu.checkInterruptLines();
    cpu.epoch++; // the batched loop leaves for the halted path at once
    return;
  }
  // Nothing can wake the processor (IF = 0, or no interrupt can come): the run ends.
  throw new StopSignal(cpu.haltedStop());
});

function softInt(cpu: Cpu, i: Insn, vector: number, kind: "intn" | "swx" | "int1"): void {
  if (cpu.isV86() && kind !== "int1" && (cpu.getFlags() & IOPL) >>> 12 < 3) cpu.gp(0);
  cpu.current = i; // the instruction length VMX reports for software interrupts
  cpu.deliver(vector, -1, kind, cpu.nextRip);
}
/** INT3, INTO and INT1 raise exceptions (#BP, #OF, #DB), which the debugger can stop on; INT n does not. */
function softException(cpu: Cpu, i: Insn, vector: number, kind: "swx" | "int1"): void {
  softInt(cpu, i, vector, kind);
  cpu.exceptionDelivered(vector, -1, cpu.insnRip);
}
def("int", (cpu, i) => softInt(cpu, i, i.imm & 0xff, "intn"));
def("int3", (cpu, i) => softException(cpu, i, 3, "swx"));
def("int1", (cpu, i) => softException(cpu, i, 1, "int1"));
def("into", (cpu, i) => {
  if (cpu.getFlags() & 0x800) softException(cpu, i, 4, "swx");
});
def("bound", (cpu, i) => {
  const ea = cpu.ea(i);
  const s = i.osz;
  const v = s === 2 ? (cpu.lo[i.r0]! << 16) >> 16 : cpu.lo[i.r0]!;
  const lo = s === 2 ? (cpu.rd16(i.seg, ea) << 16) >> 16 : cpu.rd32(i.seg, ea);
  const hi = s === 2 ? (cpu.rd16(i.seg, (ea + 2) & 0xffff) << 16) >> 16 : cpu.rd32(i.seg, ea + 4);
  if (v < lo || v > hi) cpu.fault(5);
});

// --- I/O (SDM Vol. 1 ch. 19: I/O permission) ----------------------------------------------------------
function ioAllowed(cpu: Cpu, port: number, size: number): void {
  if (!(cpu.cr0 & CR0_PE)) return;
  if (!cpu.isV86() && cpu.cpl <= (cpu.getFlags() & IOPL) >>> 12) return;
  // Check the TSS I/O permission bitmap.
  const trAr = cpu.segAr[TR]!;
  const type = trAr & 0xf;
  if (trAr & AR_UNUSABLE || (type !== 9 && type !== 0xb)) cpu.gp(0);
  const base = cpu.segBase[TR]!;
  const limit = cpu.segLimit[TR]!;
  if (limit < 0x67) cpu.gp(0);
  const mapBase = cpu.readSys(base + 0x66, 2);
  const at = mapBase + (port >> 3);
  if (at + 1 > limit) cpu.gp(0);
  const bits = cpu.readSys(base + at, 2);
  const mask = ((1 << size) - 1) << (port & 7);
  if (bits & mask) cpu.gp(0);
}

function ioHook(cpu: Cpu, i: Insn, port: number, size: 1 | 2 | 4, dir: "in" | "out", string: boolean): void {
  if (cpu.hooks.nonRoot)
    cpu.hooks.io(
      cpu.vmxCpu,
      { port, size, direction: dir, string, rep: i.rep !== 0, dxPort: i.k0 !== K.IMM && i.k1 !== K.IMM },
      viewOfInsn(cpu, i),
    );
}

def("in", (cpu, i) => {
  const port = i.k1 === K.IMM ? i.imm & 0xff : cpu.lo[2]! & 0xffff;
  const size = i.s0 as 1 | 2 | 4;
  ioAllowed(cpu, port, size);
  ioHook(cpu, i, port, size, "in", false);
  cpu.setReg(0, size, cpu.io.in(port, size), 0);
});

def("out", (cpu, i) => {
  const port = i.k0 === K.IMM ? i.imm & 0xff : cpu.lo[2]! & 0xffff;
  const size = i.s1 as 1 | 2 | 4;
  ioAllowed(cpu, port, size);
  ioHook(cpu, i, port, size, "out", false);
  cpu.io.out(port, size, cpu.getReg(0, size) >>> 0);
});

function strIdx(cpu: Cpu, r: number, asz: number): number {
  return asz === 8 ? cpu.reg64(r) : asz === 4 ? cpu.lo[r]! >>> 0 : cpu.lo[r]! & 0xffff;
}
function strAdv(cpu: Cpu, r: number, asz: number, d: number): void {
  if (asz === 8) {
    const v = cpu.reg64(r) + d;
    const hi = Math.floor(v / TWO32);
    cpu.lo[r] = (v - hi * TWO32) | 0;
    cpu.hi[r] = hi | 0;
  } else if (asz === 4) {
    cpu.lo[r] = (cpu.lo[r]! + d) | 0;
    cpu.hi[r] = 0;
  } else cpu.lo[r] = (cpu.lo[r]! & ~0xffff) | ((cpu.lo[r]! + d) & 0xffff);
}

def("ins,outs", (cpu, i) => {
  const isIn = i.name === "ins";
  const size = (isIn ? i.s0 : i.s1) as 1 | 2 | 4;
  const port = cpu.lo[2]! & 0xffff;
  ioAllowed(cpu, port, size);
  ioHook(cpu, i, port, size, isIn ? "in" : "out", true);
  const step = cpu.getFlags() & 0x400 ? -size : size;
  const once = () => {
    if (isIn) {
      const off = strIdx(cpu, 7, i.asz);
      cpu.lin(ES, off, size, true); // check the destination before the port is read
      cpu.wr(ES, off, size, cpu.io.in(port, size), 0);
      strAdv(cpu, 7, i.asz, step);
    } else {
      const seg = i.segOverride >= 0 ? i.segOverride : DS;
      cpu.io.out(port, size, cpu.rd(seg, strIdx(cpu, 6, i.asz), size) >>> 0);
      strAdv(cpu, 6, i.asz, step);
    }
  };
  if (i.rep === 0) {
    once();
    return;
  }
  for (let n = 0; n < 512; n++) {
    if (strIdx(cpu, 1, i.asz) === 0) return;
    once();
    strAdv(cpu, 1, i.asz, -1);
  }
  if (strIdx(cpu, 1, i.asz) !== 0) {
    let r = cpu.nextRip - i.len;
    if (cpu.codeMode === 16) r &= 0xffff;
    else if (cpu.codeMode === 32) r >>>= 0;
    cpu.rip = r;
  }
});

// --- CPUID, TSC, MSRs ------------------------------------------------------------------------------------
def("cpuid", (cpu) => {
  const leaf = cpu.lo[0]! >>> 0;
  const sub = cpu.lo[1]! >>> 0;
  const r = cpu.model.cpuid(leaf, sub);
  const [a, b, cIn, d] = r;
  let c = cIn;
  if (leaf === 1) {
    // OSXSAVE reflects CR4.OSXSAVE (SDM CPUID, Table 3-10).
    c = (c & ~(1 << 27)) | (cpu.cr4 & CR4_OSXSAVE ? 1 << 27 : 0);
  }
  cpu.setReg(0, 4, a | 0, 0);
  cpu.setReg(3, 4, b | 0, 0);
  cpu.setReg(1, 4, c | 0, 0);
  cpu.setReg(2, 4, d | 0, 0);
});

export function readTsc(cpu: Cpu): bigint {
  return BigInt.asUintN(64, BigInt(cpu.instructionCount) + cpu.tscOffset);
}

function guestTsc(cpu: Cpu): bigint {
  const v = readTsc(cpu);
  return cpu.hooks.nonRoot ? cpu.hooks.tsc(cpu.vmxCpu, v) : v;
}

def("rdtsc", (cpu) => {
  if (cpu.cr4 & CR4_TSD && cpu.cpl !== 0 && cpu.isProtected()) cpu.gp(0);
  const v = guestTsc(cpu);
  cpu.setReg(0, 4, Number(v & 0xffffffffn) | 0, 0);
  cpu.setReg(2, 4, Number(v >> 32n) | 0, 0);
});

def("rdtscp", (cpu) => {
  if (cpu.cr4 & CR4_TSD && cpu.cpl !== 0 && cpu.isProtected()) cpu.gp(0);
  const v = guestTsc(cpu);
  cpu.setReg(0, 4, Number(v & 0xffffffffn) | 0, 0);
  cpu.setReg(2, 4, Number(v >> 32n) | 0, 0);
  cpu.setReg(1, 4, Number((cpu.msrs.get(CORE_MSR.IA32_TSC_AUX) ?? 0n) & 0xffffffffn) | 0, 0);
});

def("rdpid", (cpu, i) => {
  const v = cpu.msrs.get(CORE_MSR.IA32_TSC_AUX) ?? 0n;
  cpu.setReg(i.r0, i.s0, Number(v & 0xffffffffn) | 0, 0);
});

def("rdpmc", (cpu) => {
  cpu.gp(0); // no performance counters are emulated
});

def("rdrand,rdseed", (cpu, i) => {
  // Deterministic machine: no entropy source. CF=0 means "no random value available" (SDM RDRAND).
  cpu.setReg(i.r0, i.s0, 0, 0);
  cpu.setArith(0);
});

function canonical(v: bigint): boolean {
  const s = BigInt.asIntN(64, v);
  return s >= -(1n << 47n) && s < 1n << 47n;
}

/** RDMSR semantics; undefined = #GP. */
export function readMsr(cpu: Cpu, index: number): bigint | undefined {
  switch (index) {
    case CORE_MSR.IA32_EFER:
      return BigInt(cpu.efer >>> 0);
    case CORE_MSR.IA32_TIME_STAMP_COUNTER:
      return readTsc(cpu);
    case CORE_MSR.IA32_FS_BASE:
      return linBig(cpu.segBase[FS]!);
    case CORE_MSR.IA32_GS_BASE:
      return linBig(cpu.segBase[GS]!);
    case CORE_MSR.IA32_APIC_BASE:
      return cpu.msrs.get(index) ?? 0xfee00900n;
    default:
      if (cpu.msrs.has(index)) return cpu.msrs.get(index);
      if (WRITABLE_DEFAULTS.has(index)) return WRITABLE_DEFAULTS.get(index);
      return undefined;
  }
}

/** MSRs the core accepts even if the model lists no value (reset values, SDM Vol. 4 Table 2-2). */
const WRITABLE_DEFAULTS = new Map<number, bigint>([
  [CORE_MSR.IA32_STAR, 0n],
  [CORE_MSR.IA32_LSTAR, 0n],
  [CORE_MSR.IA32_CSTAR, 0n],
  [CORE_MSR.IA32_FMASK, 0n],
  [CORE_MSR.IA32_KERNEL_GS_BASE, 0n],
  [CORE_MSR.IA32_TSC_AUX, 0n],
  [CORE_MSR.IA32_SYSENTER_CS, 0n],
  [CORE_MSR.IA32_SYSENTER_ESP, 0n],
  [CORE_MSR.IA32_SYSENTER_EIP, 0n],
  [CORE_MSR.IA32_PAT, 0x0007040600070406n],
  [CORE_MSR.IA32_DEBUGCTL, 0n],
  [CORE_MSR.IA32_FEATURE_CONTROL, 0n],
  [CORE_MSR.IA32_TSC_ADJUST, 0n],
]);

/** WRMSR semantics; false = #GP. */
export function writeMsr(cpu: Cpu, index: number, v: bigint): boolean {
  switch (index) {
    case CORE_MSR.IA32_EFER: {
      const allowed = BigInt(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
      if (v & ~allowed) return false;
      const nv = Number(v) & (EFER_SCE | EFER_LME | EFER_NXE);
      // LME cannot change while paging is enabled (SDM 10.8.5).
      if (cpu.cr0 & CR0_PG && (nv & EFER_LME) !== (cpu.efer & EFER_LME)) return false;
      cpu.efer = nv | (cpu.efer & EFER_LMA);
      cpu.flushTlb();
      cpu.updateMode();
      return true;
    }
    case CORE_MSR.IA32_TIME_STAMP_COUNTER:
      cpu.tscOffset = v - BigInt(cpu.instructionCount);
      return true;
    case CORE_MSR.IA32_FS_BASE:
    case CORE_MSR.IA32_GS_BASE:
    case CORE_MSR.IA32_KERNEL_GS_BASE:
    case CORE_MSR.IA32_LSTAR:
    case CORE_MSR.IA32_CSTAR:
    case CORE_MSR.IA32_SYSENTER_ESP:
    case CORE_MSR.IA32_SYSENTER_EIP:
      if (!canonical(v)) return false;
      if (index === CORE_MSR.IA32_FS_BASE || index === CORE_MSR.IA32_GS_BASE) {
        const s = index === CORE_MSR.IA32_FS_BASE ? FS : GS;
        cpu.segBase[s] = Number(BigInt.asIntN(64, v));
        return true;
      }
      cpu.msrs.set(index, v);
      return true;
    case CORE_MSR.IA32_FEATURE_CONTROL: {
      const cur = cpu.msrs.get(index) ?? 0n;
      if (cur & 1n) return false; // locked (SDM 23.7)
      cpu.msrs.set(index, v);
      return true;
    }
    case CORE_MSR.IA32_APIC_BASE:
      cpu.msrs.set(index, v);
      return true;
    default:
      if (WRITABLE_DEFAULTS.has(index)) {
        cpu.msrs.set(index, v);
        return true;
      }
      // Model MSRs (VMX capabilities etc.) are read-only.
      return false;
  }
}

def("rdmsr", (cpu, i) => {
  requireCpl0(cpu);
  const index = cpu.lo[1]! >>> 0;
  if (cpu.hooks.nonRoot) cpu.hooks.msrAccess(cpu.vmxCpu, false, index, viewOfInsn(cpu, i));
  const v = readMsr(cpu, index);
  if (v === undefined) return cpu.gp(0);
  cpu.setReg(0, 4, Number(v & 0xffffffffn) | 0, 0);
  cpu.setReg(2, 4, Number((v >> 32n) & 0xffffffffn) | 0, 0);
});

def("wrmsr", (cpu, i) => {
  requireCpl0(cpu);
  const index = cpu.lo[1]! >>> 0;
  if (cpu.hooks.nonRoot) cpu.hooks.msrAccess(cpu.vmxCpu, true, index, viewOfInsn(cpu, i));
  const v = (BigInt(cpu.lo[2]! >>> 0) << 32n) | BigInt(cpu.lo[0]! >>> 0);
  if (!writeMsr(cpu, index, v)) cpu.gp(0);
});

// --- control and debug registers (SDM Vol. 2B MOV—Move to/from Control Registers) ------------------------
const CR_READABLE = new Set([0, 2, 3, 4, 8]);

export function crValue(cpu: Cpu, cr: number): bigint {
  switch (cr) {
    case 0:
      return BigInt(cpu.cr0 >>> 0);
    case 2:
      return linBig(cpu.cr2);
    case 3:
      return BigInt(cpu.cr3);
    case 4:
      return BigInt(cpu.cr4 >>> 0);
    default:
      return BigInt(cpu.cr8);
  }
}

/** MOV to CRn with all checks; raises #GP for invalid values. */
export function writeCr(cpu: Cpu, cr: number, v: bigint): void {
  const inVmx = vmxFixed(cpu);
  switch (cr) {
    case 0: {
      if (v >> 32n) cpu.gp(0);
      let n = Number(v) >>> 0;
      n |= 0x10; // ET is hardwired to 1
      if (n & CR0_PG && !(n & CR0_PE)) cpu.gp(0);
      if (n & CR0_NW && !(n & CR0_CD)) cpu.gp(0);
      if (inVmx && !fixedOk(cpu, CORE_MSR.IA32_VMX_CR0_FIXED0, CORE_MSR.IA32_VMX_CR0_FIXED1, n)) cpu.gp(0);
      const wasPg = (cpu.cr0 & CR0_PG) !== 0;
      const pg = (n & CR0_PG) !== 0;
      if (pg && !wasPg && cpu.efer & EFER_LME) {
        if (!(cpu.cr4 & CR4_PAE)) cpu.gp(0);
        if (cpu.segAr[CS]! & AR_L) cpu.gp(0);
        cpu.efer |= EFER_LMA;
      }
      if (!pg && wasPg && cpu.efer & EFER_LMA) {
        if (cpu.codeMode === 64) cpu.gp(0);
        cpu.efer &= ~EFER_LMA;
      }
      if (pg && !wasPg && !(cpu.efer & EFER_LME) && cpu.cr4 & CR4_PAE) cpu.loadPdptes();
      const changed = (cpu.cr0 ^ n) >>> 0;
      cpu.cr0 = n | 0;
      if (changed & (CR0_PG | 0x10000 | CR0_PE)) cpu.flushTlb();
      for (let s = 0; s < 6; s++) cpu.refreshSegLimits(s);
      cpu.updateMode();
      return;
    }
    case 2:
      cpu.cr2 = Number(BigInt.asIntN(64, v));
      return;
    case 3: {
      const width = BigInt(cpu.model.physicalAddressWidth);
      let val = v;
      if (cpu.cr4 & CR4_PCIDE) val &= ~(1n << 63n); // bit 63 = "don't flush" with PCIDE
      if (cpu.inLongMode() && val >> width) cpu.gp(0);
      cpu.cr3 = Number(cpu.inLongMode() ? val : val & 0xffffffffn);
      if (cpu.cr0 & CR0_PG && cpu.cr4 & CR4_PAE && !cpu.inLongMode()) cpu.loadPdptes();
      cpu.flushTlb();
      return;
    }
    case 4: {
      const valid = 0x3f7fff | CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE | 0x100000 | 0x200000 | 0x400000;
      if (v >> 32n || Number(v) & ~valid) cpu.gp(0);
      const n = Number(v) >>> 0;
      if (cpu.inLongMode() && !(n & CR4_PAE)) cpu.gp(0);
      if (n & CR4_PCIDE && !(cpu.cr4 & CR4_PCIDE) && (!cpu.inLongMode() || cpu.cr3 & 0xfff)) cpu.gp(0);
      if (inVmx && !fixedOk(cpu, CORE_MSR.IA32_VMX_CR4_FIXED0, CORE_MSR.IA32_VMX_CR4_FIXED1, n)) cpu.gp(0);
      if (!(n & CR4_VMXE) && cpu.hooks.inVmxOperation) cpu.gp(0);
      if (n & CR4_VMXE && !cpu.model.msr.has(CORE_MSR.IA32_VMX_BASIC)) {
        // A model without VMX capability MSRs still allows VMXE when CPUID reports VMX.
        const [, , c] = cpu.model.cpuid(1, 0);
        if (!(c & 0x20)) cpu.gp(0);
      }
      const changed = (cpu.cr4 ^ n) >>> 0;
      cpu.cr4 = n | 0;
      if (changed & CR4_PAE && cpu.cr0 & CR0_PG && n & CR4_PAE && !cpu.inLongMode()) cpu.loadPdptes();
      // PSE, PAE, PGE, PCIDE, SMEP, SMAP: the fast TLB caches permission decisions that depend on them.
      if (changed & (0x10 | 0x20 | 0x80 | CR4_PCIDE | 0x100000 | 0x200000)) cpu.flushTlb();
      return;
    }
    default:
      if (v >> 4n) cpu.gp(0);
      cpu.cr8 = Number(v);
  }
}

/** In VMX operation, CR0/CR4 must respect the FIXED0/FIXED1 MSRs (SDM 23.8). */
function vmxFixed(cpu: Cpu): boolean {
  return cpu.hooks.inVmxOperation;
}

function fixedOk(cpu: Cpu, fixed0: number, fixed1: number, value: number): boolean {
  const f0 = cpu.model.msr.get(fixed0);
  const f1 = cpu.model.msr.get(fixed1);
  if (f0 === undefined || f1 === undefined) return true;
  const v = BigInt(value >>> 0);
  let must1 = f0 & 0xffffffffn;
  // Unrestricted guests may clear PE/PG; that is VMX's business (non-root writes go through crWrite).
  if (cpu.hooks.nonRoot && fixed0 === CORE_MSR.IA32_VMX_CR0_FIXED0) must1 &= ~0x80000001n;
  return (v & must1) === must1 && (v & ~f1 & 0xffffffffn) === 0n;
}

function movCr(cpu: Cpu, i: Insn): void {
  requireProtectedOrReal0(cpu);
  const toCr = i.k0 === K.CR;
  const cr = toCr ? i.r0 : i.r1;
  const gpr = toCr ? i.r1 : i.r0;
  if (!CR_READABLE.has(cr)) cpu.ud();
  if (cr === 8 && cpu.codeMode !== 64) cpu.ud();
  requireCpl0(cpu);
  const size = cpu.codeMode === 64 ? 8 : 4;
  const view = cpu.hooks.nonRoot ? viewOfInsn(cpu, i) : undefined;
  if (toCr) {
    let v = size === 8 ? cpu.regBig(gpr) : BigInt(cpu.lo[gpr]! >>> 0);
    if (view) v = cpu.hooks.crWrite(cpu.vmxCpu, cr, v, "mov", view);
    writeCr(cpu, cr, v);
  } else {
    let v = crValue(cpu, cr);
    if (view) v = cpu.hooks.crRead(cpu.vmxCpu, cr, v, "mov", view);
    if (size === 8) cpu.setRegBig(gpr, v);
    else cpu.setReg(gpr, 4, Number(v & 0xffffffffn) | 0, 0);
  }
}

function requireProtectedOrReal0(cpu: Cpu): void {
  if (cpu.isV86()) cpu.gp(0);
}

def("clts", (cpu, i) => {
  requireProtectedOrReal0(cpu);
  requireCpl0(cpu);
  let v = BigInt((cpu.cr0 & ~CR0_TS) >>> 0);
  if (cpu.hooks.nonRoot) v = cpu.hooks.crWrite(cpu.vmxCpu, 0, v, "clts", viewOfInsn(cpu, i));
  cpu.cr0 = Number(v) | 0;
});

def("lmsw", (cpu, i) => {
  requireProtectedOrReal0(cpu);
  requireCpl0(cpu);
  const ea = eaOf(cpu, i);
  const src = rdOp(cpu, i, 0, ea) & 0xf;
  // LMSW changes only PE, MP, EM, TS and cannot clear PE (SDM LMSW).
  let n = (cpu.cr0 & ~0xe) | (src & 0xe) | (cpu.cr0 & 1) | (src & 1);
  let v = BigInt(n >>> 0);
  if (cpu.hooks.nonRoot) v = cpu.hooks.crWrite(cpu.vmxCpu, 0, v, "lmsw", viewOfInsn(cpu, i));
  n = Number(v) | 0;
  writeCr(cpu, 0, BigInt(n >>> 0));
});

def("smsw", (cpu, i) => {
  if (cpu.cr4 & CR4_UMIP && cpu.cpl > 0 && cpu.isProtected()) cpu.gp(0);
  const ea = eaOf(cpu, i);
  let v = BigInt(cpu.cr0 >>> 0);
  if (cpu.hooks.nonRoot) v = cpu.hooks.crRead(cpu.vmxCpu, 0, v, "smsw", viewOfInsn(cpu, i));
  const n = Number(v & 0xffffffffn) | 0;
  if (i.k0 === K.MEM) cpu.wr16(i.seg, ea, n & 0xffff);
  else wrOp(cpu, i, 0, ea, n, 0);
});

function movDr(cpu: Cpu, i: Insn): void {
  requireProtectedOrReal0(cpu);
  const toDr = i.k0 === K.DR;
  const dr = toDr ? i.r0 : i.r1;
  const gpr = toDr ? i.r1 : i.r0;
  if (dr > 7) cpu.ud();
  if ((dr === 4 || dr === 5) && cpu.cr4 & 8) cpu.ud();
  requireCpl0(cpu);
  if (cpu.hooks.nonRoot) cpu.hooks.drAccess(cpu.vmxCpu, toDr, dr, gpr, viewOfInsn(cpu, i));
  const r = dr === 4 ? 6 : dr === 5 ? 7 : dr;
  if (toDr) {
    const v = cpu.codeMode === 64 ? cpu.reg64(gpr) : cpu.lo[gpr]! >>> 0;
    if ((r === 6 || r === 7) && cpu.codeMode === 64 && cpu.hi[gpr] !== 0) cpu.gp(0);
    cpu.dr[r] = r === 6 ? (v | 0xffff0ff0) >>> 0 : r === 7 ? ((v | 0x400) & ~0x1000) >>> 0 : v;
  } else {
    const v = cpu.dr[r]!;
    if (cpu.codeMode === 64) {
      const hi = Math.floor(v / TWO32);
      cpu.setReg(gpr, 8, (v - hi * TWO32) | 0, hi | 0);
    } else cpu.setReg(gpr, 4, v | 0, 0);
  }
}

SYSTEM.set("mov_special", (cpu, i) => {
  if (i.k0 === K.CR || i.k1 === K.CR) movCr(cpu, i);
  else movDr(cpu, i);
});

// --- descriptor tables ------------------------------------------------------------------------------------
def("lgdt,lidt", (cpu, i) => {
  if (cpu.isV86()) cpu.gp(0);
  requireCpl0(cpu);
  const ea = cpu.ea(i);
  const limit = cpu.rd16(i.seg, ea);
  let base: number;
  const o2 = i.asz === 2 ? (ea + 2) & 0xffff : i.asz === 4 ? (ea + 2) >>> 0 : ea + 2;
  if (cpu.codeMode === 64) {
    const lo = cpu.rd64(i.seg, o2);
    base = cpu.h * TWO32 + (lo >>> 0);
    if (base < -0x800000000000 || base >= 0x800000000000) cpu.gp(0);
  } else {
    base = cpu.rd32(i.seg, o2) >>> 0;
    if (i.osz === 2) base &= 0xffffff; // 16-bit operand size loads a 24-bit base (SDM LGDT)
  }
  if (i.name === "lgdt") {
    cpu.gdtrBase = base;
    cpu.gdtrLimit = limit;
  } else {
    cpu.idtrBase = base;
    cpu.idtrLimit = limit;
  }
});

def("sgdt,sidt", (cpu, i) => {
  if (cpu.cr4 & CR4_UMIP && cpu.cpl > 0 && cpu.isProtected()) cpu.gp(0);
  const ea = cpu.ea(i);
  const g = i.name === "sgdt";
  const base = g ? cpu.gdtrBase : cpu.idtrBase;
  const limit = g ? cpu.gdtrLimit : cpu.idtrLimit;
  const o2 = i.asz === 2 ? (ea + 2) & 0xffff : i.asz === 4 ? (ea + 2) >>> 0 : ea + 2;
  cpu.lin(i.seg, ea, cpu.codeMode === 64 ? 10 : 6, true);
  cpu.wr16(i.seg, ea, limit);
  if (cpu.codeMode === 64) {
    const hi = Math.floor(base / TWO32);
    cpu.wr64(i.seg, o2, (base - hi * TWO32) | 0, hi | 0);
  } else cpu.wr32(i.seg, o2, base | 0);
});

def("sldt,str", (cpu, i) => {
  requireProtected(cpu);
  if (cpu.cr4 & CR4_UMIP && cpu.cpl > 0) cpu.gp(0);
  const sel = cpu.segSel[i.name === "sldt" ? 6 : TR]!;
  const ea = eaOf(cpu, i);
  if (i.k0 === K.MEM) cpu.wr16(i.seg, ea, sel);
  else cpu.setReg(i.r0, i.s0, sel, 0);
});

def("lldt,ltr", (cpu, i) => {
  requireProtected(cpu);
  requireCpl0(cpu);
  const ea = eaOf(cpu, i);
  const sel = rdOp(cpu, i, 0, ea) & 0xffff;
  if (i.name === "lldt") lldt(cpu, sel);
  else ltr(cpu, sel);
});

def("verr,verw", (cpu, i) => {
  requireProtected(cpu);
  const ea = eaOf(cpu, i);
  const sel = rdOp(cpu, i, 0, ea) & 0xffff;
  let ok = false;
  if ((sel & 0xfffc) !== 0) {
    const d = readDescriptor(cpu, sel);
    if (d && d.ar & AR_S) {
      const code = (d.ar & 8) !== 0;
      const conforming = code && (d.ar & 4) !== 0;
      const dpl = (d.ar >> 5) & 3;
      const privOk = conforming || (dpl >= cpu.cpl && dpl >= (sel & 3));
      ok = privOk && (i.name === "verr" ? !code || (d.ar & 2) !== 0 : !code && (d.ar & 2) !== 0);
    }
  }
  cpu.setArith((cpu.getArith() & ~ZF) | (ok ? ZF : 0));
});

def("lar,lsl", (cpu, i) => {
  requireProtected(cpu);
  const ea = eaOf(cpu, i);
  const sel = rdOp(cpu, i, 1, ea) & 0xffff;
  let ok = false;
  let value = 0;
  if ((sel & 0xfffc) !== 0) {
    const d = readDescriptor(cpu, sel);
    if (d) {
      const dpl = (d.ar >> 5) & 3;
      const conformingCode = (d.ar & 0x1c) === 0x1c;
      const type = d.ar & 0xf;
      const sysOk = i.name === "lar" ? [1, 2, 3, 4, 5, 9, 0xb, 0xc].includes(type) : [1, 2, 3, 9, 0xb].includes(type);
      const typeOk = d.ar & AR_S ? true : sysOk && (!cpu.inLongMode() || [2, 9, 0xb, 0xc].includes(type));
      if (typeOk && (conformingCode || (dpl >= cpu.cpl && dpl >= (sel & 3)))) {
        ok = true;
        value = i.name === "lar" ? d.hi & 0x00f0ff00 : d.limit;
      }
    }
  }
  if (ok) cpu.setReg(i.r0, i.s0, value | 0, 0);
  cpu.setArith((cpu.getArith() & ~ZF) | (ok ? ZF : 0));
});

def("arpl", (cpu, i) => {
  requireProtected(cpu);
  const ea = eaOf(cpu, i);
  const d = rdOp(cpu, i, 0, ea) & 0xffff;
  const s = cpu.getReg(i.r1, 2);
  if ((d & 3) < (s & 3)) {
    wrOp(cpu, i, 0, ea, (d & ~3) | (s & 3), 0);
    cpu.setArith(cpu.getArith() | ZF);
  } else cpu.setArith(cpu.getArith() & ~ZF);
});

def("invlpg", (cpu, i) => {
  if (cpu.isV86()) cpu.gp(0);
  requireCpl0(cpu);
  const ea = cpu.ea(i);
  const la = cpu.codeMode === 64 ? (i.seg >= FS ? ea + cpu.segBase[i.seg]! : ea) : (cpu.segBase[i.seg]! + ea) >>> 0;
  cpu.flushTlbPage(la);
});

def("invpcid", (cpu, i) => {
  requireProtected(cpu);
  requireCpl0(cpu);
  const ea = cpu.ea(i);
  const type = cpu.codeMode === 64 ? cpu.reg64(i.r0) : cpu.lo[i.r0]! >>> 0;
  cpu.rd64(i.seg, ea);
  if (type > 3) cpu.gp(0);
  cpu.flushTlb();
});

def("wbinvd,invd", (cpu) => {
  requireCpl0(cpu);
});

def("wbnoinvd", (cpu) => {
  // CPUID.80000008H:EBX[9] reports WBNOINVD; without it F3 0F 09 is #UD (SDM WBNOINVD).
  if (!(cpu.model.cpuid(0x80000008, 0)[1] & 0x200)) cpu.ud();
  requireCpl0(cpu);
});

def("les,lds,lss,lfs,lgs", (cpu, i) => {
  if (i.k1 !== K.MEM) cpu.ud();
  const ea = cpu.ea(i);
  const s = i.osz;
  const off = cpu.rd(i.seg, ea, s);
  const offh = cpu.h;
  const so = i.asz === 2 ? (ea + s) & 0xffff : i.asz === 4 ? (ea + s) >>> 0 : ea + s;
  const sel = cpu.rd16(i.seg, so);
  const seg = { les: ES, lds: DS, lss: SS, lfs: FS, lgs: GS }[i.name as "les"]!;
  loadSegment(cpu, seg, sel);
  cpu.setReg(i.r0, s, off, offh);
});

// --- fast system calls (SDM Vol. 2B SYSCALL/SYSRET/SYSENTER/SYSEXIT) ---------------------------------------
def("swapgs", (cpu) => {
  requireCpl0(cpu);
  const k = cpu.msrs.get(CORE_MSR.IA32_KERNEL_GS_BASE) ?? 0n;
  cpu.msrs.set(CORE_MSR.IA32_KERNEL_GS_BASE, linBig(cpu.segBase[GS]!));
  cpu.segBase[GS] = Number(BigInt.asIntN(64, k));
});

def("rdfsbase,rdgsbase,wrfsbase,wrgsbase", (cpu, i) => {
  if (!(cpu.cr4 & CR4_FSGSBASE)) cpu.ud();
  const s = i.name.includes("fs") ? FS : GS;
  if (i.name.startsWith("rd")) {
    const b = cpu.segBase[s]!;
    const hi = Math.floor(b / TWO32);
    cpu.setReg(i.r0, i.s0, (b - hi * TWO32) | 0, hi | 0);
  } else {
    const v = i.s0 === 8 ? cpu.reg64(i.r0) : cpu.lo[i.r0]! >>> 0;
    if (v < -0x800000000000 || v >= 0x800000000000) cpu.gp(0);
    cpu.segBase[s] = v;
  }
});

def("syscall", (cpu) => {
  if (!(cpu.efer & EFER_SCE) || !cpu.inLongMode() || cpu.codeMode !== 64) cpu.ud();
  const star = cpu.msrs.get(CORE_MSR.IA32_STAR) ?? 0n;
  const lstar = cpu.msrs.get(CORE_MSR.IA32_LSTAR) ?? 0n;
  const fmask = Number((cpu.msrs.get(CORE_MSR.IA32_FMASK) ?? 0n) & 0xffffffffn);
  const sel = Number((star >> 32n) & 0xffffn);
  const ret = cpu.nextRip;
  const hi = Math.floor(ret / TWO32);
  cpu.setReg(1, 8, (ret - hi * TWO32) | 0, hi | 0);
  const fl = cpu.getFlags();
  cpu.setReg(11, 8, fl & ~RF, 0);
  cpu.setFlags(fl & ~fmask & ~RF);
  cpu.cpl = 0;
  cpu.setSegRaw(CS, sel & 0xfffc, 0, 0xffffffff, 0xa09b);
  cpu.setSegRaw(SS, (sel + 8) & 0xfffc, 0, 0xffffffff, 0xc093);
  cpu.rip = Number(BigInt.asIntN(64, lstar));
});

def("sysret", (cpu, i) => {
  if (!(cpu.efer & EFER_SCE) || !cpu.inLongMode() || cpu.codeMode !== 64) cpu.ud();
  requireCpl0(cpu);
  const star = cpu.msrs.get(CORE_MSR.IA32_STAR) ?? 0n;
  const base = Number((star >> 48n) & 0xffffn);
  const to64 = i.osz === 8;
  const target = to64 ? cpu.reg64(1) : cpu.lo[1]! >>> 0;
  if (to64 && (target < -0x800000000000 || target >= 0x800000000000)) cpu.gp(0);
  cpu.setFlags((cpu.lo[11]! & 0x3c7fd7) | 2);
  cpu.cpl = 3;
  if (to64) cpu.setSegRaw(CS, (base + 16) | 3, 0, 0xffffffff, 0xa0fb);
  else cpu.setSegRaw(CS, base | 3, 0, 0xffffffff, 0xc0fb);
  cpu.setSegRaw(SS, (base + 8) | 3, cpu.segBase[SS]!, 0xffffffff, 0xc0f3);
  cpu.rip = target;
});

def("sysenter", (cpu) => {
  if (!(cpu.cr0 & CR0_PE)) cpu.gp(0);
  const cs = Number(cpu.msrs.get(CORE_MSR.IA32_SYSENTER_CS) ?? 0n) & 0xffff;
  if ((cs & 0xfffc) === 0) cpu.gp(0);
  const esp = Number(BigInt.asIntN(64, cpu.msrs.get(CORE_MSR.IA32_SYSENTER_ESP) ?? 0n));
  const eip = Number(BigInt.asIntN(64, cpu.msrs.get(CORE_MSR.IA32_SYSENTER_EIP) ?? 0n));
  cpu.setFlags(cpu.getFlags() & ~(VM | IF | RF));
  cpu.cpl = 0;
  const long = cpu.inLongMode();
  cpu.setSegRaw(CS, cs & 0xfffc, 0, 0xffffffff, long ? 0xa09b : 0xc09b);
  cpu.setSegRaw(SS, (cs + 8) & 0xfffc, 0, 0xffffffff, 0xc093);
  const hi = Math.floor(esp / TWO32);
  if (long) cpu.setReg(4, 8, (esp - hi * TWO32) | 0, hi | 0);
  else cpu.setReg(4, 4, esp | 0, 0);
  cpu.rip = long ? eip : eip >>> 0;
});

def("sysexit", (cpu, i) => {
  if (!(cpu.cr0 & CR0_PE) || cpu.isV86()) cpu.gp(0);
  requireCpl0(cpu);
  const cs = Number(cpu.msrs.get(CORE_MSR.IA32_SYSENTER_CS) ?? 0n) & 0xffff;
  if ((cs & 0xfffc) === 0) cpu.gp(0);
  const to64 = i.osz === 8;
  cpu.cpl = 3;
  if (to64) {
    cpu.setSegRaw(CS, (cs + 32) | 3, 0, 0xffffffff, 0xa0fb);
    cpu.setSegRaw(SS, (cs + 40) | 3, 0, 0xffffffff, 0xc0f3);
    cpu.setReg(4, 8, cpu.lo[1]!, cpu.hi[1]!);
    cpu.rip = cpu.reg64(2);
  } else {
    cpu.setSegRaw(CS, (cs + 16) | 3, 0, 0xffffffff, 0xc0fb);
    cpu.setSegRaw(SS, (cs + 24) | 3, 0, 0xffffffff, 0xc0f3);
    cpu.setReg(4, 4, cpu.lo[1]!, 0);
    cpu.rip = cpu.lo[2]! >>> 0;
  }
});

// --- BCD (legacy, invalid in 64-bit mode; SDM Vol. 2A AAA/AAD/AAM/AAS/DAA/DAS) ------------------------------
def("aaa,aas", (cpu, i) => {
  const al = cpu.lo[0]! & 0xff;
  const f = cpu.getArith();
  let ax = cpu.lo[0]! & 0xffff;
  let out = f & ~(CF | 0x10);
  if ((al & 0xf) > 9 || f & 0x10) {
    if (i.name === "aaa") ax = (ax + 0x106) & 0xffff;
    else ax = ((((ax >> 8) - 1) & 0xff) << 8) | ((al - 6) & 0xff);
    out |= CF | 0x10;
  }
  ax &= 0xff0f;
  cpu.setReg(0, 2, ax, 0);
  cpu.setArith(out);
});

def("daa,das", (cpu, i) => {
  let al = cpu.lo[0]! & 0xff;
  const oldAl = al;
  const f = cpu.getArith();
  const oldCf = f & CF;
  let cf = 0;
  let af = 0;
  const sub = i.name === "das";
  if ((al & 0xf) > 9 || f & 0x10) {
    const t = sub ? al - 6 : al + 6;
    al = t & 0xff;
    cf = oldCf | (sub ? (t < 0 ? 1 : 0) : t > 0xff ? 1 : 0);
    af = 0x10;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (sub ? al - 0x60 : al + 0x60) & 0xff;
    cf = 1;
  }
  cpu.setReg(0, 1, al, 0);
  const res = al;
  let fl = cf | af | (res === 0 ? ZF : 0) | (res & 0x80);
  let p = res;
  p ^= p >> 4;
  p ^= p >> 2;
  p ^= p >> 1;
  if (!(p & 1)) fl |= 4;
  cpu.setArith(fl | (f & 0x800));
});

def("aam", (cpu, i) => {
  const base = i.imm & 0xff;
  if (base === 0) cpu.fault(0);
  const al = cpu.lo[0]! & 0xff;
  const ah = Math.floor(al / base);
  const nal = al % base;
  cpu.setReg(0, 2, (ah << 8) | nal, 0);
  let fl = (nal === 0 ? ZF : 0) | (nal & 0x80);
  let p = nal;
  p ^= p >> 4;
  p ^= p >> 2;
  p ^= p >> 1;
  if (!(p & 1)) fl |= 4;
  cpu.setArith(fl);
});

def("aad", (cpu, i) => {
  const base = i.imm & 0xff;
  const al = cpu.lo[0]! & 0xff;
  const ah = (cpu.lo[0]! >> 8) & 0xff;
  const nal = (al + ah * base) & 0xff;
  cpu.setReg(0, 2, nal, 0);
  let fl = (nal === 0 ? ZF : 0) | (nal & 0x80);
  let p = nal;
  p ^= p >> 4;
  p ^= p >> 2;
  p ^= p >> 1;
  if (!(p & 1)) fl |= 4;
  cpu.setArith(fl);
});

// --- VMX instructions: executed by emulator/vmx through the hooks ---------------------------------------------
def("vmxon,vmxoff,vmclear,vmptrld,vmptrst,vmread,vmwrite,vmlaunch,vmresume,vmcall,vmfunc,invept,invvpid", (cpu, i) => {
  // "retire": RIP already points to the next instruction; "entered": VMX has set RIP itself.
  cpu.hooks.executeVmxInstruction(cpu.vmxCpu, viewOfInsn(cpu, i));
  // A VMLAUNCH that entered non-root operation starts a new guest: its tracked call stack starts empty.
  if (cpu.calls !== undefined && i.name === "vmlaunch" && cpu.hooks.nonRoot) cpu.calls.guest = [];
});

export { AR_DB, AR_P, CF, IF, loadNull, loadSegment, TF };
