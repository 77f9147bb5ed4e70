// Exception and interrupt delivery through the IVT/IDT in every mode (SDM Vol. 3A 6.10–6.14, 20.1.4, 20.3).

import { AC, AR_DB, AR_L, AR_P, AR_S, type Cpu, IF, installDelivery, NT, RF, TF, VM } from "./cpu";
import { CS, DS, ES, FS, GS, SS } from "./decoder";
import { loadNull, readDescriptor, TR } from "./segments";
import { gateTaskSwitch } from "./task-switch";
import { EVENT_TYPE } from "./vmx-hooks";

/** Fault-class exceptions: the RFLAGS image pushed for them has RF set (SDM 17.3.1.1). */
const FAULTS = new Set([0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21]);

/**
 * hw: exception; intn: INT n (CD ib, also CD 03: a software interrupt, SDM 27.2.2); swx: INT3 (CC) and INTO
 * (software exceptions); int1: INT1/ICEBP; ext: external interrupt or NMI; sw: a software event injected by
 * VM entry (vmx-bridge; vectors 3 and 4 taken as software exceptions).
 */
type Kind = "hw" | "sw" | "intn" | "swx" | "ext" | "int1";

function eventType(vector: number, kind: Kind): number {
  if (kind === "ext") return vector === 2 ? EVENT_TYPE.NMI : EVENT_TYPE.EXTERNAL_INTERRUPT;
  if (kind === "int1") return EVENT_TYPE.PRIVILEGED_SOFTWARE_EXCEPTION;
  if (kind === "swx") return EVENT_TYPE.SOFTWARE_EXCEPTION;
  if (kind === "intn") return EVENT_TYPE.SOFTWARE_INTERRUPT;
  if (kind === "sw")
    return vector === 3 || vector === 4 ? EVENT_TYPE.SOFTWARE_EXCEPTION : EVENT_TYPE.SOFTWARE_INTERRUPT;
  return EVENT_TYPE.HARDWARE_EXCEPTION;
}

function deliver(cpu: Cpu, vector: number, errorCode: number, kindIn: string, returnRip: number): void {
  const kind = kindIn as Kind;
  if (cpu.hooks.nonRoot) {
    const ev: { vector: number; type: number; errorCode?: number; instructionLength?: number } = {
      vector,
      type: eventType(vector, kind),
    };
    if (errorCode >= 0) ev.errorCode = errorCode;
    if (kind !== "hw" && kind !== "ext") ev.instructionLength = cpu.current?.len ?? 0;
    cpu.hooks.event(cpu.vmxCpu, ev, undefined);
  }
  cpu.halted = false;
  let flags = cpu.getFlags();
  if (kind === "hw" && FAULTS.has(vector)) flags |= RF;
  const ext = kind === "ext" ? 1 : 0;
  const calls = cpu.calls;
  const soft = kind !== "hw" && kind !== "ext";
  // Call-frame tracking: the interrupted (or raising) instruction and the return address, in the old CS.
  const site = calls === undefined ? 0 : calls.codeLinear(soft ? returnRip - (cpu.current?.len ?? 0) : returnRip);
  const ret = calls === undefined ? 0 : calls.codeLinear(returnRip);
  let slotSize: number;
  if (!(cpu.cr0 & 1)) slotSize = deliverReal(cpu, vector, flags, returnRip);
  else if (cpu.inLongMode()) slotSize = deliverLong(cpu, vector, errorCode, kind, ext, flags, returnRip);
  else slotSize = deliverProtected(cpu, vector, errorCode, kind, ext, flags, returnRip);
  if (calls !== undefined && slotSize > 0) {
    const exception =
      vector < 32 &&
      (kind === "hw" || kind === "swx" || kind === "int1" || (kind === "sw" && (vector === 3 || vector === 4)));
    const slot = calls.stackLinear() + (errorCode >= 0 ? slotSize : 0);
    calls.pushFrame(exception ? "exception" : "interrupt", site, ret, slot, vector);
  }
}

/** Returns the size of the pushed return-address slot (as do the other two; 0 after a task switch). */
function deliverReal(cpu: Cpu, vector: number, flags: number, returnRip: number): number {
  if (vector * 4 + 3 > cpu.idtrLimit) cpu.gp(0);
  const ip = cpu.readSys(cpu.idtrBase + vector * 4, 2);
  const cs = cpu.readSys(cpu.idtrBase + vector * 4 + 2, 2);
  cpu.push(2, flags & 0xffff, 0);
  cpu.push(2, cpu.segSel[CS]!, 0);
  cpu.push(2, returnRip & 0xffff, 0);
  cpu.setFlags(flags & ~(IF | TF | AC | RF));
  cpu.setSegRaw(CS, cs, cs * 16, cpu.segLimit[CS]!, cpu.segAr[CS]!);
  cpu.rip = ip;
  return 2;
}

function readGate(cpu: Cpu, vector: number, size: number, ext: number): number[] {
  if (vector * size + size - 1 > cpu.idtrLimit) cpu.gp(vector * 8 + 2 + ext);
  const out: number[] = [];
  for (let k = 0; k < size; k += 4) out.push(cpu.readSys(cpu.idtrBase + vector * size + k, 4) | 0);
  return out;
}

function codeTarget(cpu: Cpu, sel: number, ext: number) {
  if ((sel & 0xfffc) === 0) cpu.gp(ext);
  const d = readDescriptor(cpu, sel);
  if (!d) cpu.gp((sel & 0xfffc) + ext);
  const dpl = (d.ar >> 5) & 3;
  if (!(d.ar & AR_S) || !(d.ar & 8) || dpl > cpu.cpl) cpu.gp((sel & 0xfffc) + ext);
  if (!(d.ar & AR_P)) cpu.fault(11, (sel & 0xfffc) + ext);
  return d;
}

function deliverProtected(
  cpu: Cpu,
  vector: number,
  errorCode: number,
  kind: Kind,
  ext: number,
  flags: number,
  returnRip: number,
): number {
  const [glo, ghi] = readGate(cpu, vector, 8, ext) as [number, number];
  const type = (ghi >> 8) & 0x1f;
  const gdpl = (ghi >> 13) & 3;
  const idtErr = vector * 8 + 2 + ext;
  if (type !== 5 && type !== 6 && type !== 7 && type !== 0xe && type !== 0xf) cpu.gp(idtErr);
  if ((kind === "sw" || kind === "intn" || kind === "swx") && gdpl < cpu.cpl) cpu.gp(vector * 8 + 2);
  if (!(ghi & 0x8000)) cpu.fault(11, idtErr);
  if (type === 5) {
    // A task gate: the handler is another task (SDM 6.12.2).
    gateTaskSwitch(cpu, glo, returnRip, errorCode, ext, kind === "hw" || kind === "ext" ? undefined : cpu.current);
    return 0;
  }
  const sel = (glo >>> 16) & 0xffff;
  const gate32 = (type & 8) !== 0;
  const off = gate32 ? ((glo & 0xffff) | (ghi & 0xffff0000)) >>> 0 : glo & 0xffff;
  const d = codeTarget(cpu, sel, ext);
  const conforming = (d.ar & 4) !== 0;
  const v86 = cpu.isV86();
  if (v86 && (conforming || ((d.ar >> 5) & 3) !== 0)) cpu.gp((sel & 0xfffc) + ext);
  const newCpl = conforming ? cpu.cpl : (d.ar >> 5) & 3;
  if (off > d.limit) cpu.gp(ext);
  const size = gate32 ? 4 : 2;
  const items: number[] = [];
  const oldSs = cpu.segSel[SS]!;
  const oldSp = cpu.lo[4]! >>> 0;
  if (newCpl < cpu.cpl) {
    // Stack switch from the TSS (SDM 6.12.1).
    const trType = cpu.segAr[TR]! & 0xf;
    const tss32 = trType === 9 || trType === 0xb;
    const trBase = cpu.segBase[TR]!;
    const trLimit = cpu.segLimit[TR]!;
    const spOff = tss32 ? 4 + newCpl * 8 : 2 + newCpl * 4;
    const ssOff = tss32 ? 8 + newCpl * 8 : 4 + newCpl * 4;
    if (ssOff + 1 > trLimit) cpu.fault(10, (cpu.segSel[TR]! & 0xfffc) + ext);
    const nsp = tss32 ? cpu.readSys(trBase + spOff, 4) >>> 0 : cpu.readSys(trBase + spOff, 2);
    const nss = cpu.readSys(trBase + ssOff, 2);
    if ((nss & 0xfffc) === 0) cpu.fault(10, ext);
    const sd = readDescriptor(cpu, nss);
    if (!sd) cpu.fault(10, (nss & 0xfffc) + ext);
    const sdpl = (sd.ar >> 5) & 3;
    if ((nss & 3) !== newCpl || sdpl !== newCpl || !(sd.ar & AR_S) || sd.ar & 8 || !(sd.ar & 2))
      cpu.fault(10, (nss & 0xfffc) + ext);
    if (!(sd.ar & AR_P)) cpu.fault(12, (nss & 0xfffc) + ext);
    if (v86) items.push(cpu.segSel[GS]!, cpu.segSel[FS]!, cpu.segSel[DS]!, cpu.segSel[ES]!);
    items.push(oldSs, cpu.stackSize === 2 ? oldSp & 0xffff : oldSp);
    items.push(flags, cpu.segSel[CS]!, returnRip);
    if (errorCode >= 0) items.push(errorCode);
    const wrap = sd.ar & AR_DB ? 0xffffffff : 0xffff;
    let sp = nsp;
    for (const v of items) {
      sp = (sp - size) & wrap;
      sp >>>= 0;
      cpu.writeSys((sd.base + sp) >>> 0, size, size === 2 ? v & 0xffff : v >>> 0);
    }
    cpu.setSegRaw(SS, nss, sd.base, sd.limit, sd.ar | 1);
    if (sd.ar & AR_DB) {
      cpu.lo[4] = sp | 0;
      cpu.hi[4] = 0;
    } else cpu.lo[4] = (cpu.lo[4]! & ~0xffff) | (sp & 0xffff);
    if (v86) for (const s of [ES, DS, FS, GS]) loadNull(cpu, s, 0);
  } else {
    items.push(flags, cpu.segSel[CS]!, returnRip);
    if (errorCode >= 0) items.push(errorCode);
    for (const v of items) cpu.push(size, size === 2 ? v & 0xffff : v, 0);
  }
  cpu.setFlags(flags & ~(TF | NT | RF | VM | (type & 1 ? 0 : IF)));
  cpu.cpl = newCpl;
  cpu.setSegRaw(CS, (sel & 0xfffc) | newCpl, d.base, d.limit, d.ar | 1);
  cpu.rip = off;
  return size;
}

function deliverLong(
  cpu: Cpu,
  vector: number,
  errorCode: number,
  kind: Kind,
  ext: number,
  flags: number,
  returnRip: number,
): number {
  const [glo, ghi, gup] = readGate(cpu, vector, 16, ext) as [number, number, number, number];
  const type = (ghi >> 8) & 0x1f;
  const gdpl = (ghi >> 13) & 3;
  const idtErr = vector * 8 + 2 + ext;
  if (type !== 0xe && type !== 0xf) cpu.gp(idtErr);
  if ((kind === "sw" || kind === "intn" || kind === "swx") && gdpl < cpu.cpl) cpu.gp(vector * 8 + 2);
  if (!(ghi & 0x8000)) cpu.fault(11, idtErr);
  const sel = (glo >>> 16) & 0xffff;
  const off = gup * 4294967296 + (((glo & 0xffff) | (ghi & 0xffff0000)) >>> 0);
  const d = codeTarget(cpu, sel, ext);
  if (!(d.ar & AR_L) || d.ar & AR_DB) cpu.gp((sel & 0xfffc) + ext);
  if (off < -0x800000000000 || off >= 0x800000000000) cpu.gp(ext);
  const conforming = (d.ar & 4) !== 0;
  const newCpl = conforming ? cpu.cpl : (d.ar >> 5) & 3;
  const ist = ghi & 7;
  const oldCpl = cpu.cpl;
  let rsp = cpu.reg64(4);
  if (newCpl < oldCpl || ist) {
    const trBase = cpu.segBase[TR]!;
    const at = ist ? 0x24 + (ist - 1) * 8 : 4 + newCpl * 8;
    if (at + 7 > cpu.segLimit[TR]!) cpu.fault(10, (cpu.segSel[TR]! & 0xfffc) + ext);
    const lo = cpu.readSys(trBase + at, 4) >>> 0;
    const hi = cpu.readSys(trBase + at + 4, 4) | 0;
    rsp = hi * 4294967296 + lo;
  }
  rsp -= ((rsp % 16) + 16) % 16; // align to 16 (SDM 6.14.2)
  if (rsp < -0x800000000000 || rsp >= 0x800000000000) cpu.fault(12, ext);
  const items: number[] = [cpu.segSel[SS]!, cpu.reg64(4), flags, cpu.segSel[CS]!, returnRip];
  if (errorCode >= 0) items.push(errorCode);
  const user = newCpl === 3;
  let sp = rsp;
  for (const v of items) {
    sp -= 8;
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    cpu.writeSlow(sp, 4, lo >>> 0, user);
    cpu.writeSlow(sp + 4, 4, hi >>> 0, user);
  }
  if (newCpl < oldCpl) cpu.setSegRaw(SS, newCpl, 0, 0, 0x10000 | (newCpl << 5));
  cpu.setFlags(flags & ~(TF | NT | RF | VM | (type & 1 ? 0 : IF)));
  cpu.cpl = newCpl;
  cpu.setSegRaw(CS, (sel & 0xfffc) | newCpl, d.base, d.limit, d.ar | 1);
  const hi = Math.floor(sp / 4294967296);
  cpu.lo[4] = (sp - hi * 4294967296) | 0;
  cpu.hi[4] = hi | 0;
  cpu.rip = off;
  return 8;
}

installDelivery(deliver);

export const INTERRUPTS_INSTALLED = true;
