// Hardware task switching (SDM Vol. 3A 7.3): JMP/CALL to a TSS descriptor or a task gate, interrupts and
// exceptions through a task gate in the IDT, and IRET with EFLAGS.NT = 1 (return to the previous task). Protected
// mode only: IA-32e mode has no task switching (the callers raise #GP there). 32-bit and 16-bit TSSs.

import { AR_P, AR_S, AR_UNUSABLE, type Cpu, CR0_PG, CR0_TS, CR4_PAE, NT, VM } from "./cpu";
import { CS, DS, ES, FS, GS, type Insn, SS } from "./decoder";
import { type Descriptor, LDTR, loadNull, parseDescriptor, TR } from "./segments";
import { viewOfInsn } from "./vmx-bridge";

export type TaskSwitchSource = "jmp" | "call" | "iret" | "int";

/** Offsets of the dynamic fields in a 32-bit and a 16-bit TSS (SDM Figures 7-2 and 7-11). */
interface TssLayout {
  readonly size: 2 | 4;
  readonly minLimit: number;
  readonly eip: number;
  readonly eflags: number;
  /** EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI. */
  readonly gpr: number;
  /** ES, CS, SS, DS (, FS, GS for a 32-bit TSS). */
  readonly seg: number;
  readonly segCount: number;
  readonly ldt: number;
  readonly cr3: number;
}
const TSS32: TssLayout = {
  size: 4,
  minLimit: 0x67,
  eip: 0x20,
  eflags: 0x24,
  gpr: 0x28,
  seg: 0x48,
  segCount: 6,
  ldt: 0x60,
  cr3: 0x1c,
};
const TSS16: TssLayout = {
  size: 2,
  minLimit: 0x2b,
  eip: 0x0e,
  eflags: 0x10,
  gpr: 0x12,
  seg: 0x22,
  segCount: 4,
  ldt: 0x2a,
  cr3: -1,
};

/** The TSS types: 1/3 = 16-bit available/busy, 9/11 = 32-bit available/busy. */
function layoutOf(type: number): TssLayout {
  return type === 1 || type === 3 ? TSS16 : TSS32;
}

function gdtDescriptor(cpu: Cpu, sel: number): Descriptor | undefined {
  const index = sel & 0xfff8;
  if (sel & 4 || index + 7 > cpu.gdtrLimit) return undefined;
  return parseDescriptor(cpu.readSys(cpu.gdtrBase + index, 4) | 0, cpu.readSys(cpu.gdtrBase + index + 4, 4) | 0);
}

function setBusy(cpu: Cpu, sel: number, busy: boolean): void {
  const at = cpu.gdtrBase + (sel & 0xfff8) + 4;
  const hi = cpu.readSys(at, 4);
  cpu.writeSys(at, 4, (busy ? hi | 0x200 : hi & ~0x200) >>> 0);
}

/**
 * JMP/CALL far to `sel` when it names a TSS descriptor or a task gate (the caller has read `d`; protected mode,
 * not IA-32e). `returnEip` is the EIP saved in the old task (the next instruction).
 */
export function farTaskSwitch(cpu: Cpu, sel: number, d: Descriptor, call: boolean, returnEip: number): void {
  const type = d.ar & 0xf;
  const dpl = (d.ar >> 5) & 3;
  // The descriptor's DPL must allow CPL and RPL (SDM JMP/CALL: "TASK-GATE" and "TASK-STATE-SEGMENT").
  if (dpl < cpu.cpl || dpl < (sel & 3)) cpu.gp(sel & 0xfffc);
  let tssSel = sel;
  if (type === 5) {
    if (!(d.ar & AR_P)) cpu.fault(11, sel & 0xfffc);
    tssSel = (d.lo >>> 16) & 0xffff;
  }
  const tss = gdtDescriptor(cpu, tssSel);
  if (!tss || tss.ar & AR_S) cpu.gp(tssSel & 0xfffc);
  const tssType = tss.ar & 0xf;
  // A busy TSS (or anything else) is #GP(TSS selector).
  if (tssType !== 1 && tssType !== 9) cpu.gp(tssSel & 0xfffc);
  if (!(tss.ar & AR_P)) cpu.fault(11, tssSel & 0xfffc);
  switchTasks(cpu, tssSel, tss, call ? "call" : "jmp", returnEip, -1, 0, cpu.current);
}

/**
 * An interrupt or exception through a task gate (gate checks done by the caller). Pushes `errorCode` (≥ 0) on the
 * new task's stack. `ext` is the EXT bit for error codes.
 */
export function gateTaskSwitch(
  cpu: Cpu,
  gateLo: number,
  returnEip: number,
  errorCode: number,
  ext: number,
  insn: Insn | undefined,
): void {
  const tssSel = (gateLo >>> 16) & 0xffff;
  const tss = gdtDescriptor(cpu, tssSel);
  if (!tss || tss.ar & AR_S) cpu.gp((tssSel & 0xfffc) + ext);
  const tssType = tss.ar & 0xf;
  if (tssType !== 1 && tssType !== 9) cpu.gp((tssSel & 0xfffc) + ext);
  if (!(tss.ar & AR_P)) cpu.fault(11, (tssSel & 0xfffc) + ext);
  switchTasks(cpu, tssSel, tss, "int", returnEip, errorCode, ext, insn);
}

/** IRET with NT = 1 in protected mode: back to the task named by the current TSS's previous-task link. */
export function taskReturn(cpu: Cpu, returnEip: number): void {
  const link = cpu.readSys(cpu.segBase[TR]!, 2);
  const tss = gdtDescriptor(cpu, link);
  if (!tss || tss.ar & AR_S) cpu.fault(10, link & 0xfffc);
  const tssType = tss.ar & 0xf;
  // The previous task must be busy (SDM IRET "TASK-RETURN").
  if (tssType !== 3 && tssType !== 11) cpu.fault(10, link & 0xfffc);
  if (!(tss.ar & AR_P)) cpu.fault(11, link & 0xfffc);
  switchTasks(cpu, link, tss, "iret", returnEip, -1, 0, cpu.current);
}

/** SDM 7.3 steps 4–14 (the order Bochs' task.cc also follows). */
function switchTasks(
  cpu: Cpu,
  newSel: number,
  nd: Descriptor,
  source: TaskSwitchSource,
  returnEip: number,
  errorCode: number,
  ext: number,
  insn: Insn | undefined,
): void {
  const newLayout = layoutOf(nd.ar & 0xf);
  if (nd.limit < newLayout.minLimit) cpu.fault(10, (newSel & 0xfffc) + ext);
  // VMX non-root operation: after the gate/selector/descriptor checks (SDM 25.4.2 checks 1-4) every task switch
  // is a VM exit (reason 9); the hook performs it and ends the instruction.
  if (cpu.hooks.nonRoot)
    cpu.hooks.taskSwitch(
      cpu.vmxCpu,
      newSel,
      source === "int" ? "gate" : source,
      insn === undefined ? undefined : viewOfInsn(cpu, insn),
    );
  const oldSel = cpu.segSel[TR]!;
  const oldBase = cpu.segBase[TR]!;
  const oldType = cpu.segAr[TR]! & 0xf;
  const oldLayout = layoutOf(oldType);
  if (cpu.segAr[TR]! & AR_UNUSABLE || cpu.segLimit[TR]! < oldLayout.minLimit) cpu.fault(10, (oldSel & 0xfffc) + ext);
  const newBase = nd.base;

  // Read the new task's state first (a fault here leaves the old task untouched).
  const o = newLayout;
  const rd = (off: number) => (o.size === 4 ? cpu.readSys(newBase + off, 4) >>> 0 : cpu.readSys(newBase + off, 2));
  const eip = rd(o.eip);
  let eflags = rd(o.eflags);
  const gprs: number[] = [];
  for (let r = 0; r < 8; r++) gprs.push(rd(o.gpr + r * o.size));
  const sels: number[] = [];
  for (let s = 0; s < 6; s++) sels.push(s < o.segCount ? cpu.readSys(newBase + o.seg + s * o.size, 2) : 0);
  const ldt = cpu.readSys(newBase + o.ldt, 2);
  const cr3 = o.cr3 >= 0 ? cpu.readSys(newBase + o.cr3, 4) >>> 0 : -1;

  // Old task: busy flag, then its state (EFLAGS with NT cleared on IRET).
  if (source === "jmp" || source === "iret") setBusy(cpu, oldSel, false);
  let oldFlags = cpu.getFlags();
  if (source === "iret") oldFlags &= ~NT;
  const ol = oldLayout;
  const wr = (off: number, v: number) => cpu.writeSys(oldBase + off, ol.size, ol.size === 4 ? v >>> 0 : v & 0xffff);
  wr(ol.eip, returnEip);
  wr(ol.eflags, oldFlags);
  for (let r = 0; r < 8; r++) wr(ol.gpr + r * ol.size, cpu.lo[r]!);
  for (let s = 0; s < ol.segCount; s++) cpu.writeSys(oldBase + ol.seg + s * ol.size, 2, cpu.segSel[s]!);

  // New task: link, NT, busy flag, TR, CR0.TS.
  if (source === "call" || source === "int") {
    cpu.writeSys(newBase, 2, oldSel);
    eflags |= NT;
  }
  if (source !== "iret") setBusy(cpu, newSel, true);
  cpu.setSegRaw(TR, newSel, newBase, nd.limit, (nd.ar & ~0xf) | (nd.ar & 8 ? 11 : 3));
  cpu.cr0 |= CR0_TS;

  // Load the state: CR3 (32-bit TSS with paging), EFLAGS, EIP, GPRs, then the segment registers.
  if (cr3 >= 0 && cpu.cr0 & CR0_PG) {
    cpu.cr3 = cr3;
    if (cpu.cr4 & CR4_PAE) cpu.loadPdptes();
    cpu.flushTlb();
  }
  if (o.size === 2) eflags = (cpu.getFlags() & 0xffff0000) | eflags;
  cpu.setFlags(eflags);
  cpu.rip = eip;
  for (let r = 0; r < 8; r++) {
    if (o.size === 4) {
      cpu.lo[r] = gprs[r]! | 0;
      cpu.hi[r] = 0;
    } else cpu.lo[r] = (cpu.lo[r]! & ~0xffff) | gprs[r]!;
  }
  // Selectors first with unusable hidden parts (a fault below happens in the new task, SDM 7.3 step 14).
  cpu.setSegRaw(LDTR, ldt, 0, 0, AR_UNUSABLE);
  const v86 = (eflags & VM) !== 0;
  for (let s = 0; s < 6; s++) {
    if (v86) cpu.setSegRaw(s, sels[s]!, sels[s]! * 16, 0xffff, s === CS ? 0xfb : 0xf3);
    else cpu.setSegRaw(s, sels[s]!, 0, 0, AR_UNUSABLE);
  }
  cpu.cpl = v86 ? 3 : sels[CS]! & 3;
  cpu.updateMode();
  loadTaskSegments(cpu, ldt, sels, v86, ext);
  if (errorCode >= 0) cpu.push(cpu.stackSize === 2 ? 2 : o.size, errorCode, 0);
  if (cpu.rip > cpu.segLimit[CS]!) cpu.gp(0);
}

/** Loads LDTR, CS, SS and the data segments of the new task with their checks (#TS/#NP/#SS, SDM Table 7-1). */
function loadTaskSegments(cpu: Cpu, ldt: number, sels: number[], v86: boolean, ext: number): void {
  const ts: (sel: number) => never = (sel) => cpu.fault(10, (sel & 0xfffc) + ext);
  if ((ldt & 0xfffc) !== 0) {
    if (ldt & 4) ts(ldt);
    const d = gdtDescriptor(cpu, ldt);
    if (!d || d.ar & AR_S || (d.ar & 0xf) !== 2) ts(ldt);
    if (!(d.ar & AR_P)) ts(ldt);
    cpu.setSegRaw(LDTR, ldt, d.base, d.limit, d.ar);
  }
  if (v86) return;
  const cpl = sels[CS]! & 3;
  const read = (sel: number): Descriptor | undefined => {
    const index = sel & 0xfff8;
    let base = cpu.gdtrBase;
    let limit = cpu.gdtrLimit;
    if (sel & 4) {
      if (cpu.segAr[LDTR]! & AR_UNUSABLE) return undefined;
      base = cpu.segBase[LDTR]!;
      limit = cpu.segLimit[LDTR]!;
    }
    if (index + 7 > limit) return undefined;
    return parseDescriptor(cpu.readSys(base + index, 4) | 0, cpu.readSys(base + index + 4, 4) | 0);
  };
  // CS: a code segment; non-conforming DPL = RPL, conforming DPL <= RPL; present (#NP).
  const csSel = sels[CS]!;
  if ((csSel & 0xfffc) === 0) ts(csSel);
  const cd = read(csSel);
  if (!cd || !(cd.ar & AR_S) || !(cd.ar & 8)) ts(csSel);
  const cdpl = (cd.ar >> 5) & 3;
  if (cd.ar & 4 ? cdpl > cpl : cdpl !== cpl) ts(csSel);
  if (!(cd.ar & AR_P)) cpu.fault(11, (csSel & 0xfffc) + ext);
  // SS: a writable data segment with RPL = DPL = CPL; present (#SS).
  const ssSel = sels[SS]!;
  if ((ssSel & 0xfffc) === 0) ts(ssSel);
  const sd = read(ssSel);
  if (!sd || !(sd.ar & AR_S) || sd.ar & 8 || !(sd.ar & 2)) ts(ssSel);
  if ((ssSel & 3) !== cpl || ((sd.ar >> 5) & 3) !== cpl) ts(ssSel);
  if (!(sd.ar & AR_P)) cpu.fault(12, (ssSel & 0xfffc) + ext);
  cpu.setSegRaw(CS, csSel, cd.base, cd.limit, cd.ar | 1);
  cpu.setSegRaw(SS, ssSel, sd.base, sd.limit, sd.ar | 1);
  // Data segments: null is fine; otherwise data or readable code, DPL >= CPL and RPL unless conforming code.
  for (const s of [DS, ES, FS, GS]) {
    const sel = sels[s]!;
    if ((sel & 0xfffc) === 0) {
      loadNull(cpu, s, sel);
      continue;
    }
    const d = read(sel);
    if (!d || !(d.ar & AR_S)) ts(sel);
    const code = (d.ar & 8) !== 0;
    if (code && !(d.ar & 2)) ts(sel);
    const dpl = (d.ar >> 5) & 3;
    if (!(code && d.ar & 4) && (dpl < cpl || dpl < (sel & 3))) ts(sel);
    if (!(d.ar & AR_P)) cpu.fault(11, (sel & 0xfffc) + ext);
    cpu.setSegRaw(s, sel, d.base, d.limit, d.ar | 1);
  }
}
