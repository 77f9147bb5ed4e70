// Segment-register loads and far control transfers with their protection checks
// (SDM Vol. 3A ch. 3.4–3.5 and 5.6–5.8; instruction pages of MOV/POP Sreg, JMP/CALL/RET far, IRET, LTR, LLDT).

import {
  AC,
  AR_DB,
  AR_L,
  AR_P,
  AR_S,
  AR_UNUSABLE,
  CF,
  type Cpu,
  CpuFault,
  ID,
  IF,
  IOPL,
  NT,
  RF,
  TF,
  VIF,
  VIP,
  VM,
} from "./cpu";
import { CS, DS, ES, FS, GS, SS } from "./decoder";
import { farTaskSwitch, taskReturn } from "./task-switch";

export const LDTR = 6;
export const TR = 7;

/** A descriptor: low and high dwords (and for 16-byte system descriptors the upper base). */
export interface Descriptor {
  lo: number;
  hi: number;
  base: number;
  limit: number;
  ar: number;
}

export function parseDescriptor(lo: number, hi: number): Descriptor {
  const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  let limit = (lo & 0xffff) | (hi & 0xf0000);
  if (hi & 0x800000) limit = limit * 4096 + 0xfff;
  const ar = (hi >>> 8) & 0xf0ff;
  return { lo, hi, base, limit, ar };
}

/** Reads the descriptor for `sel` from the GDT or LDT; undefined when outside the table's limit. */
export function readDescriptor(cpu: Cpu, sel: number): Descriptor | undefined {
  const index = sel & 0xfff8;
  let base: number;
  let limit: number;
  if (sel & 4) {
    if (cpu.segAr[LDTR]! & AR_UNUSABLE || (cpu.segSel[LDTR]! & 0xfffc) === 0) return undefined;
    base = cpu.segBase[LDTR]!;
    limit = cpu.segLimit[LDTR]!;
  } else {
    base = cpu.gdtrBase;
    limit = cpu.gdtrLimit;
  }
  if (index + 7 > limit) return undefined;
  const lo = cpu.readSys(base + index, 4) | 0;
  const hi = cpu.readSys(base + index + 4, 4) | 0;
  return parseDescriptor(lo, hi);
}

/** Address of the descriptor's high dword (for setting accessed/busy bits). */
function descriptorAddress(cpu: Cpu, sel: number): number {
  return (sel & 4 ? cpu.segBase[LDTR]! : cpu.gdtrBase) + (sel & 0xfff8);
}

function setAccessed(cpu: Cpu, sel: number, d: Descriptor): void {
  if (!(d.hi & 0x100)) {
    cpu.writeSys(descriptorAddress(cpu, sel) + 4, 4, (d.hi | 0x100) >>> 0);
    d.ar |= 1;
  }
}

/** The hidden part for a null selector (SDM 3.4.3: usable = 0). */
export function loadNull(cpu: Cpu, s: number, sel: number): void {
  cpu.setSegRaw(s, sel, 0, 0, AR_UNUSABLE | (s === SS ? (sel & 3) << 5 : 0));
}

/** Real-address and virtual-8086 mode loads: base = selector × 16 (SDM 20.1.1 / 20.2). */
export function loadSegmentReal(cpu: Cpu, s: number, sel: number): void {
  if (cpu.isV86()) {
    cpu.setSegRaw(s, sel, sel * 16, 0xffff, s === CS ? 0xfb : 0xf3);
  } else {
    // Real mode keeps the cached limit and attributes ("unreal mode"), but marks the segment usable/present.
    const ar = (cpu.segAr[s]! & ~AR_UNUSABLE) | AR_P | AR_S;
    cpu.setSegRaw(s, sel, sel * 16, cpu.segLimit[s]!, s === CS ? ar | 8 : ar);
  }
}

/** MOV/POP/LDS… to a data or stack segment register with the protected-mode checks. */
export function loadSegment(cpu: Cpu, s: number, sel: number): void {
  if (!cpu.isProtected()) {
    loadSegmentReal(cpu, s, sel);
    return;
  }
  const rpl = sel & 3;
  const cpl = cpu.cpl;
  if ((sel & 0xfffc) === 0) {
    if (s === SS) {
      // 64-bit mode allows a null SS at CPL < 3 with RPL = CPL (SDM Vol. 2B MOV / POP).
      if (cpu.codeMode === 64 && cpl < 3 && rpl === cpl) {
        loadNull(cpu, SS, sel);
        return;
      }
      cpu.gp(0);
    }
    loadNull(cpu, s, sel);
    return;
  }
  const d = readDescriptor(cpu, sel);
  if (!d) cpu.gp(sel & 0xfffc);
  const type = d.ar & 0xf;
  const dpl = (d.ar >> 5) & 3;
  if (!(d.ar & AR_S)) cpu.gp(sel & 0xfffc);
  if (s === SS) {
    if (rpl !== cpl || dpl !== cpl || type & 8 || !(type & 2)) cpu.gp(sel & 0xfffc);
    if (!(d.ar & AR_P)) cpu.fault(12, sel & 0xfffc);
  } else {
    const code = (type & 8) !== 0;
    if (code && !(type & 2)) cpu.gp(sel & 0xfffc);
    const conforming = code && (type & 4) !== 0;
    if (!conforming && (rpl > dpl || cpl > dpl)) cpu.gp(sel & 0xfffc);
    if (!(d.ar & AR_P)) cpu.fault(11, sel & 0xfffc);
  }
  setAccessed(cpu, sel, d);
  cpu.setSegRaw(s, sel, d.base, d.limit, d.ar);
}

/** Loads CS for a control transfer to a checked code descriptor at privilege `cpl`. */
function commitCs(cpu: Cpu, sel: number, d: Descriptor, cpl: number): void {
  cpu.cpl = cpl;
  cpu.setSegRaw(CS, (sel & 0xfffc) | cpl, d.base, d.limit, d.ar | 1);
}

/** Target offset check: canonical in 64-bit mode, CS limit otherwise. */
function checkTarget(cpu: Cpu, off: number, d: Descriptor | undefined, longTarget: boolean): void {
  if (longTarget) {
    if (off < -0x800000000000 || off >= 0x800000000000) cpu.gp(0);
  } else if (off > (d ? d.limit : cpu.segLimit[CS]!)) cpu.gp(0);
}

/** The code-segment checks shared by far JMP/CALL (SDM Vol. 2A JMP, "IF far jump … protected mode"). */
function checkCodeTarget(cpu: Cpu, sel: number): Descriptor {
  if ((sel & 0xfffc) === 0) cpu.gp(0);
  const d = readDescriptor(cpu, sel);
  if (!d) cpu.gp(sel & 0xfffc);
  return d;
}

/** Far JMP / CALL to sel:off. `osz` is the operand size (return address size for CALL). */
export function farTransfer(cpu: Cpu, sel: number, off: number, call: boolean, osz: number): void {
  if (!cpu.isProtected()) {
    const tgt = osz === 2 ? off & 0xffff : off >>> 0;
    if (call) {
      cpu.push(osz, cpu.segSel[CS]!, 0);
      cpu.push(osz, cpu.rip, 0);
    }
    loadSegmentReal(cpu, CS, sel);
    cpu.rip = tgt;
    return;
  }
  const d = checkCodeTarget(cpu, sel);
  const cpl = cpu.cpl;
  if (d.ar & AR_S) {
    const type = d.ar & 0xf;
    if (!(type & 8)) cpu.gp(sel & 0xfffc);
    const dpl = (d.ar >> 5) & 3;
    if (type & 4) {
      if (dpl > cpl) cpu.gp(sel & 0xfffc);
    } else if ((sel & 3) > cpl || dpl !== cpl) cpu.gp(sel & 0xfffc);
    if (!(d.ar & AR_P)) cpu.fault(11, sel & 0xfffc);
    const longTarget = cpu.inLongMode() && (d.ar & AR_L) !== 0;
    if (longTarget && d.ar & AR_DB) cpu.gp(sel & 0xfffc);
    const tgt = longTarget ? off : osz === 2 ? off & 0xffff : off >>> 0;
    checkTarget(cpu, tgt, d, longTarget);
    if (call) {
      const size = osz;
      cpu.push(size, cpu.segSel[CS]!, 0);
      cpu.push(size, cpu.rip, cpu.rip < 0 ? -1 : Math.floor(cpu.rip / 4294967296));
    }
    setAccessed(cpu, sel, d);
    commitCs(cpu, sel, d, cpl);
    cpu.rip = tgt;
    return;
  }
  // System descriptor: call gates (same privilege only), task gates/TSS (task switching) are not emulated.
  const type = d.ar & 0xf;
  const dpl = (d.ar >> 5) & 3;
  if (type === 0xc || type === 4) {
    if (dpl < cpl || dpl < (sel & 3)) cpu.gp(sel & 0xfffc);
    if (!(d.ar & AR_P)) cpu.fault(11, sel & 0xfffc);
    let gateOff = (d.lo & 0xffff) | (type === 0xc ? d.hi & 0xffff0000 : 0);
    gateOff >>>= 0;
    let gateOffHi = 0;
    if (cpu.inLongMode()) {
      gateOffHi = cpu.readSys(descriptorAddress(cpu, sel) + 8, 4) | 0;
    }
    const target = (d.lo >>> 16) & 0xffff;
    const cd = checkCodeTarget(cpu, target);
    const cdpl = (cd.ar >> 5) & 3;
    if (!(cd.ar & AR_S) || !(cd.ar & 8) || cdpl > cpl) cpu.gp(target & 0xfffc);
    if (!(cd.ar & 4) && cdpl < cpl) {
      // CALL to a more privileged level through a gate: stack switch from the TSS (SDM Vol. 2A CALL,
      // "CALL-GATE-TO-MORE-PRIVILEGE"). JMP cannot change privilege.
      if (!call) cpu.gp(target & 0xfffc);
      if (!(cd.ar & AR_P)) cpu.fault(11, target & 0xfffc);
      callGateInner(cpu, d, type, target, cd, cdpl, gateOff >>> 0, gateOffHi);
      return;
    }
    if (!(cd.ar & AR_P)) cpu.fault(11, target & 0xfffc);
    const longTarget = cpu.inLongMode();
    const tgt = longTarget ? gateOffHi * 4294967296 + gateOff : gateOff;
    checkTarget(cpu, tgt, cd, longTarget && (cd.ar & AR_L) !== 0);
    if (call) {
      const size = longTarget ? 8 : type === 0xc ? 4 : 2;
      cpu.push(size, cpu.segSel[CS]!, 0);
      cpu.push(size, cpu.rip, cpu.rip < 0 ? -1 : Math.floor(cpu.rip / 4294967296));
    }
    commitCs(cpu, target, cd, cpl);
    cpu.rip = tgt;
    return;
  }
  // Task gates and TSS descriptors: a task switch (SDM 7.3); IA-32e mode has none (#GP).
  if (!cpu.inLongMode() && (type === 5 || type === 1 || type === 3 || type === 9 || type === 11)) {
    farTaskSwitch(cpu, sel, d, call, cpu.rip);
    return;
  }
  cpu.gp(sel & 0xfffc);
}

/** The inner-privilege part of a call through a call gate: new stack, parameter copy, return frame. */
function callGateInner(
  cpu: Cpu,
  gate: Descriptor,
  gateType: number,
  target: number,
  cd: Descriptor,
  newCpl: number,
  off: number,
  offHi: number,
): void {
  const trBase = cpu.segBase[TR]!;
  const oldSs = cpu.segSel[SS]!;
  const oldCs = cpu.segSel[CS]!;
  const oldRip = cpu.rip;
  if (cpu.inLongMode()) {
    // 64-bit call gate: RSPn from the TSS, SS = null selector with RPL = new CPL, no parameters.
    if ((cd.ar & AR_L) === 0 || cd.ar & AR_DB) cpu.gp(target & 0xfffc);
    const tgt = offHi * 4294967296 + off;
    if (tgt < -0x800000000000 || tgt >= 0x800000000000) cpu.gp(0);
    const at = 4 + newCpl * 8;
    if (at + 7 > cpu.segLimit[TR]!) cpu.fault(10, cpu.segSel[TR]! & 0xfffc);
    const lo = cpu.readSys(trBase + at, 4) >>> 0;
    const hi = cpu.readSys(trBase + at + 4, 4) | 0;
    const oldRsp = cpu.reg64(4);
    let sp = hi * 4294967296 + lo;
    const user = newCpl === 3;
    for (const v of [oldSs, oldRsp, oldCs, oldRip]) {
      sp -= 8;
      const vh = Math.floor(v / 4294967296);
      cpu.writeSlow(sp, 4, (v - vh * 4294967296) >>> 0, user);
      cpu.writeSlow(sp + 4, 4, vh >>> 0, user);
    }
    cpu.setSegRaw(SS, newCpl, 0, 0, AR_UNUSABLE | (newCpl << 5));
    commitCs(cpu, target, cd, newCpl);
    const sh = Math.floor(sp / 4294967296);
    cpu.lo[4] = (sp - sh * 4294967296) | 0;
    cpu.hi[4] = sh | 0;
    cpu.rip = tgt;
    return;
  }
  const trType = cpu.segAr[TR]! & 0xf;
  const tss32 = trType === 9 || trType === 0xb;
  const spOff = tss32 ? 4 + newCpl * 8 : 2 + newCpl * 4;
  const ssOff = tss32 ? 8 + newCpl * 8 : 4 + newCpl * 4;
  if (ssOff + 1 > cpu.segLimit[TR]!) cpu.fault(10, cpu.segSel[TR]! & 0xfffc);
  const nsp = tss32 ? cpu.readSys(trBase + spOff, 4) >>> 0 : cpu.readSys(trBase + spOff, 2);
  const nss = cpu.readSys(trBase + ssOff, 2);
  if ((nss & 0xfffc) === 0) cpu.fault(10, 0);
  const sd = readDescriptor(cpu, nss);
  if (!sd) throw new CpuFault(10, nss & 0xfffc);
  if ((nss & 3) !== newCpl || ((sd.ar >> 5) & 3) !== newCpl || !(sd.ar & AR_S) || sd.ar & 8 || !(sd.ar & 2))
    cpu.fault(10, nss & 0xfffc);
  if (!(sd.ar & AR_P)) cpu.fault(12, nss & 0xfffc);
  const size = gateType === 0xc ? 4 : 2;
  if (off > cd.limit) cpu.gp(0);
  // Parameters are copied from the caller's stack (count in gate bits 4:0).
  const count = gate.hi & 0x1f;
  const params: number[] = [];
  const oldSp = cpu.sp();
  for (let k = count - 1; k >= 0; k--) params.push(cpu.rd(SS, cpu.spAdd(oldSp, k * size), size) >>> 0);
  const wrap = sd.ar & AR_DB ? 0xffffffff : 0xffff;
  let sp = nsp;
  const frame = [oldSs, oldSp, ...params, oldCs, oldRip];
  for (const v of frame) {
    sp = ((sp - size) & wrap) >>> 0;
    cpu.writeSys((sd.base + sp) >>> 0, size, size === 2 ? v & 0xffff : v >>> 0);
  }
  cpu.setSegRaw(SS, nss, sd.base, sd.limit, sd.ar | 1);
  if (sd.ar & AR_DB) {
    cpu.lo[4] = sp | 0;
    cpu.hi[4] = 0;
  } else cpu.lo[4] = (cpu.lo[4]! & ~0xffff) | (sp & 0xffff);
  commitCs(cpu, target, cd, newCpl);
  cpu.rip = off;
}

/** Far RET (SDM Vol. 2B RET): same or outer privilege. `extra` = the immediate of RET imm16. */
export function farReturn(cpu: Cpu, osz: number, extra: number): void {
  const sp = cpu.sp();
  const offLo = cpu.rd(SS, sp, osz);
  const offHi = osz === 8 ? cpu.h : 0;
  const sel = cpu.rd(SS, cpu.spAdd(sp, osz), osz) & 0xffff;
  let off = osz === 8 ? offHi * 4294967296 + (offLo >>> 0) : osz === 4 ? offLo >>> 0 : offLo & 0xffff;
  if (!cpu.isProtected()) {
    loadSegmentReal(cpu, CS, sel);
    cpu.rip = off;
    cpu.setSp(cpu.spAdd(sp, 2 * osz + extra));
    return;
  }
  const d = checkCodeTarget(cpu, sel);
  const rpl = sel & 3;
  const cpl = cpu.cpl;
  if (rpl < cpl || !(d.ar & AR_S) || !(d.ar & 8)) cpu.gp(sel & 0xfffc);
  const dpl = (d.ar >> 5) & 3;
  if (d.ar & 4 ? dpl > rpl : dpl !== rpl) cpu.gp(sel & 0xfffc);
  if (!(d.ar & AR_P)) cpu.fault(11, sel & 0xfffc);
  const longTarget = cpu.inLongMode() && (d.ar & AR_L) !== 0;
  if (!longTarget) off = osz === 2 ? off & 0xffff : off >>> 0;
  if (rpl === cpl) {
    checkTarget(cpu, off, d, longTarget);
    commitCs(cpu, sel, d, cpl);
    cpu.rip = off;
    cpu.setSp(cpu.spAdd(sp, 2 * osz + extra));
    return;
  }
  // Return to an outer privilege level: pop SS:SP too.
  const sp2 = cpu.spAdd(sp, 2 * osz + extra);
  const nspLo = cpu.rd(SS, sp2, osz);
  const nspHi = osz === 8 ? cpu.h : 0;
  const nss = cpu.rd(SS, cpu.spAdd(sp2, osz), osz) & 0xffff;
  checkTarget(cpu, off, d, longTarget);
  const newSs = checkStackSelector(cpu, nss, rpl, longTarget);
  commitCs(cpu, sel, d, rpl);
  if (newSs) cpu.setSegRaw(SS, nss, newSs.base, newSs.limit, newSs.ar);
  else loadNull(cpu, SS, nss);
  const nsp = osz === 8 ? nspHi * 4294967296 + (nspLo >>> 0) : osz === 4 ? nspLo >>> 0 : nspLo & 0xffff;
  cpu.setSp(cpu.spAdd(nsp, extra));
  cpu.rip = off;
  nullifyOuterDataSegments(cpu);
}

/** SS checks when returning to privilege `rpl` (null allowed for 64-bit targets at RPL < 3). */
function checkStackSelector(cpu: Cpu, sel: number, rpl: number, longTarget: boolean): Descriptor | undefined {
  if ((sel & 0xfffc) === 0) {
    if (longTarget && rpl < 3) return undefined;
    cpu.gp(0);
  }
  const d = readDescriptor(cpu, sel);
  if (!d) cpu.gp(sel & 0xfffc);
  const dpl = (d.ar >> 5) & 3;
  if ((sel & 3) !== rpl || dpl !== rpl || !(d.ar & AR_S) || d.ar & 8 || !(d.ar & 2)) cpu.gp(sel & 0xfffc);
  if (!(d.ar & AR_P)) cpu.fault(12, sel & 0xfffc);
  setAccessed(cpu, sel, d);
  return d;
}

/** After a return to an outer level, data segments more privileged than the new CPL become null (SDM RET). */
function nullifyOuterDataSegments(cpu: Cpu): void {
  for (const s of [ES, DS, FS, GS]) {
    const ar = cpu.segAr[s]!;
    if (ar & AR_UNUSABLE) continue;
    const dpl = (ar >> 5) & 3;
    const conformingCode = (ar & 0xc) === 0xc;
    if (!conformingCode && dpl < cpu.cpl) loadNull(cpu, s, 0);
  }
}

/** IRET/IRETD/IRETQ (SDM Vol. 2A IRET). */
export function iret(cpu: Cpu, osz: number): void {
  const flagsBefore = cpu.getFlags();
  if (!cpu.isProtected()) {
    if (cpu.isV86() && (flagsBefore & IOPL) >>> 12 < 3) cpu.gp(0);
    const sp = cpu.sp();
    const ip = cpu.rd(SS, sp, osz);
    const cs = cpu.rd(SS, cpu.spAdd(sp, osz), osz) & 0xffff;
    const fl = cpu.rd(SS, cpu.spAdd(sp, 2 * osz), osz) >>> 0;
    const tgt = osz === 2 ? ip & 0xffff : ip >>> 0;
    if (tgt > 0xffff && !cpu.isV86() && tgt > cpu.segLimit[CS]!) cpu.gp(0);
    cpu.setSp(cpu.spAdd(sp, 3 * osz));
    loadSegmentReal(cpu, CS, cs);
    cpu.rip = tgt;
    let mask = osz === 2 ? 0xffff : 0x257fd5;
    if (cpu.isV86())
      mask &= ~IOPL; // IOPL is not changed by IRET in virtual-8086 mode
    else if (osz === 4) mask &= ~(VIF | VIP | VM);
    cpu.setFlags((flagsBefore & ~mask) | (fl & mask));
    return;
  }
  if (flagsBefore & NT) {
    // IRET with NT: return to the previous task (SDM IRET "TASK-RETURN"); none in IA-32e mode.
    if (cpu.inLongMode()) cpu.gp(0);
    taskReturn(cpu, cpu.rip);
    return;
  }
  const sp = cpu.sp();
  const ipLo = cpu.rd(SS, sp, osz);
  const ipHi = osz === 8 ? cpu.h : 0;
  const sel = cpu.rd(SS, cpu.spAdd(sp, osz), osz) & 0xffff;
  const fl = cpu.rd(SS, cpu.spAdd(sp, 2 * osz), osz) >>> 0;
  const cpl = cpu.cpl;
  // Return to virtual-8086 mode (SDM IRET: only from CPL 0 with a 32-bit frame outside IA-32e mode).
  if (fl & VM && cpl === 0 && osz === 4 && !cpu.inLongMode()) {
    const ps = (k: number) => cpu.rd(SS, cpu.spAdd(sp, k * 4), 4) >>> 0;
    const nesp = ps(3);
    const nss = ps(4) & 0xffff;
    const nes = ps(5) & 0xffff;
    const nds = ps(6) & 0xffff;
    const nfs = ps(7) & 0xffff;
    const ngs = ps(8) & 0xffff;
    cpu.setFlags(fl);
    cpu.cpl = 3;
    for (const [s, v] of [
      [CS, sel],
      [SS, nss],
      [ES, nes],
      [DS, nds],
      [FS, nfs],
      [GS, ngs],
    ] as const)
      cpu.setSegRaw(s, v, v * 16, 0xffff, s === CS ? 0xfb : 0xf3);
    cpu.lo[4] = nesp | 0;
    cpu.hi[4] = 0;
    cpu.rip = ipLo & 0xffff;
    cpu.updateMode();
    return;
  }
  const d = checkCodeTarget(cpu, sel);
  const rpl = sel & 3;
  if (rpl < cpl || !(d.ar & AR_S) || !(d.ar & 8)) cpu.gp(sel & 0xfffc);
  const dpl = (d.ar >> 5) & 3;
  if (d.ar & 4 ? dpl > rpl : dpl !== rpl) cpu.gp(sel & 0xfffc);
  if (!(d.ar & AR_P)) cpu.fault(11, sel & 0xfffc);
  const longTarget = cpu.inLongMode() && (d.ar & AR_L) !== 0;
  if (longTarget && d.ar & AR_DB) cpu.gp(sel & 0xfffc);
  let off = osz === 8 ? ipHi * 4294967296 + (ipLo >>> 0) : osz === 4 ? ipLo >>> 0 : ipLo & 0xffff;
  if (!longTarget && osz === 8) off = ipLo >>> 0;
  checkTarget(cpu, off, d, longTarget);
  // Flags that may change depend on CPL and IOPL (SDM IRET, "RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL").
  const iopl = (flagsBefore & IOPL) >>> 12;
  let mask = CF | 0x8d4 | TF | 0x400 | NT | RF | AC | ID;
  if (cpl === 0) mask |= IOPL | VIF | VIP;
  if (cpl <= iopl) mask |= IF;
  if (osz === 2) mask &= 0xffff;
  const newFlags = (flagsBefore & ~mask) | (fl & mask);
  if (rpl === cpl && !(cpu.codeMode === 64 || cpu.inLongMode())) {
    commitCs(cpu, sel, d, cpl);
    cpu.rip = off;
    cpu.setSp(cpu.spAdd(sp, 3 * osz));
    cpu.setFlags(newFlags & ~VM);
    return;
  }
  if (rpl === cpl && !cpu.inLongMode()) {
    commitCs(cpu, sel, d, cpl);
    cpu.rip = off;
    cpu.setSp(cpu.spAdd(sp, 3 * osz));
    cpu.setFlags(newFlags & ~VM);
    return;
  }
  // Outer privilege, or any IRET in IA-32e mode (which always pops SS:RSP in 64-bit mode).
  const popsStack = rpl !== cpl || cpu.codeMode === 64;
  if (!popsStack) {
    commitCs(cpu, sel, d, cpl);
    cpu.rip = off;
    cpu.setSp(cpu.spAdd(sp, 3 * osz));
    cpu.setFlags(newFlags & ~VM);
    return;
  }
  const nspLo = cpu.rd(SS, cpu.spAdd(sp, 3 * osz), osz);
  const nspHi = osz === 8 ? cpu.h : 0;
  const nss = cpu.rd(SS, cpu.spAdd(sp, 4 * osz), osz) & 0xffff;
  const ssd = checkStackSelector(cpu, nss, rpl, longTarget);
  commitCs(cpu, sel, d, rpl);
  cpu.setFlags(newFlags & ~VM);
  if (ssd) cpu.setSegRaw(SS, nss, ssd.base, ssd.limit, ssd.ar);
  else loadNull(cpu, SS, nss);
  const nsp = osz === 8 ? nspHi * 4294967296 + (nspLo >>> 0) : osz === 4 ? nspLo >>> 0 : nspLo & 0xffff;
  if (cpu.stackSize === 8) {
    cpu.lo[4] = (nsp - Math.floor(nsp / 4294967296) * 4294967296) | 0;
    cpu.hi[4] = Math.floor(nsp / 4294967296) | 0;
  } else cpu.setSp(nsp);
  cpu.rip = off;
  if (rpl > cpl) nullifyOuterDataSegments(cpu);
}

/** LLDT (SDM Vol. 2A LLDT). */
export function lldt(cpu: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) {
    cpu.setSegRaw(LDTR, sel, 0, 0, AR_UNUSABLE);
    return;
  }
  if (sel & 4) cpu.gp(sel & 0xfffc);
  const d = readDescriptor(cpu, sel);
  if (!d) cpu.gp(sel & 0xfffc);
  if (d.ar & AR_S || (d.ar & 0xf) !== 2) cpu.gp(sel & 0xfffc);
  if (!(d.ar & AR_P)) cpu.fault(11, sel & 0xfffc);
  let base = d.base;
  if (cpu.inLongMode()) {
    const upper = cpu.readSys(cpu.gdtrBase + (sel & 0xfff8) + 8, 4) | 0;
    base = upper * 4294967296 + base;
  }
  cpu.setSegRaw(LDTR, sel, base, d.limit, d.ar);
}

/** LTR (SDM Vol. 2A LTR): marks the TSS busy. */
export function ltr(cpu: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) cpu.gp(0);
  if (sel & 4) cpu.gp(sel & 0xfffc);
  const d = readDescriptor(cpu, sel);
  if (!d) cpu.gp(sel & 0xfffc);
  const type = d.ar & 0xf;
  const ok = cpu.inLongMode() ? type === 9 : type === 1 || type === 9;
  if (d.ar & AR_S || !ok) cpu.gp(sel & 0xfffc);
  if (!(d.ar & AR_P)) cpu.fault(11, sel & 0xfffc);
  let base = d.base;
  if (cpu.inLongMode()) {
    const upper = cpu.readSys(cpu.gdtrBase + (sel & 0xfff8) + 8, 4) | 0;
    base = upper * 4294967296 + base;
  }
  cpu.writeSys(cpu.gdtrBase + (sel & 0xfff8) + 4, 4, (d.hi | 0x200) >>> 0);
  cpu.setSegRaw(TR, sel, base, d.limit, d.ar | 2);
}

export { AR_DB, IF };
