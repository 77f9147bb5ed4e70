// The VmxCpu implementation over the interpreter's Cpu, and the DecodedInstructionView of an Insn.

import { CORE_MSR } from "./arch-adapter";
import { type Cpu, CpuFault, installViewOf, linBig, StopSignal } from "./cpu";
import type { CpuModel } from "./cpu-model";
import { type Insn, K } from "./decoder";
import { readMsr, readTsc, writeMsr } from "./exec-system";
import type { StopReason } from "./stop-reason";
import {
  type CpuMode,
  type DecodedInstructionView,
  type DecodedOperand,
  EVENT_TYPE,
  type EventInfo,
  type Interruptibility,
  type SegmentCache,
  type SegmentIndex,
  type TableRegister,
  VmExitSignal,
  type VmxCpu,
} from "./vmx-hooks";

const TWO32 = 4294967296;
/** The signal for exits that do not stop the run (no allocation per exit). */
const VM_EXIT = new VmExitSignal();

function toNum64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

/**
 * The VMX view of a decoded instruction. Built for every instruction in non-root operation, so the parts that
 * cost (bigint conversions, the operand list) are computed on first use; the effective address is captured at
 * construction, so a later read still describes the instruction as it was about to execute.
 */
class InsnView implements DecodedInstructionView {
  mnemonic = "";
  operandSize: 2 | 4 | 8 = 4;
  addressSize: 2 | 4 | 8 = 4;
  length = 0;
  repPrefix: 0 | 0xf2 | 0xf3 = 0;
  rexW = false;
  private ops: DecodedOperand[] | undefined;
  private ea = 0;
  private i!: Insn;
  private ripNum = 0;
  private nextNum = 0;

  /** Describes `i` about to execute at ripNum (views are recycled: see viewOfInsn). */
  init(i: Insn, ripNum: number, nextNum: number, cpu: Cpu): this {
    this.i = i;
    this.ripNum = ripNum;
    this.nextNum = nextNum;
    this.ops = undefined;
    this.mnemonic = i.name;
    this.operandSize = (i.osz === 8 ? 8 : i.osz === 2 ? 2 : 4) as 2 | 4 | 8;
    this.addressSize = i.asz as 2 | 4 | 8;
    this.length = i.len;
    this.repPrefix = i.rep as 0 | 0xf2 | 0xf3;
    this.rexW = (i.rex & 8) !== 0;
    this.ea = i.k0 === K.MEM || i.k1 === K.MEM || i.k2 === K.MEM ? cpu.ea(i) : 0;
    return this;
  }

  get rip(): bigint {
    return linBig(this.ripNum);
  }

  get nextRip(): bigint {
    return linBig(this.nextNum);
  }

  get dataSegment(): SegmentIndex {
    return (this.i.segOverride >= 0 ? this.i.segOverride : 3) as SegmentIndex;
  }

  regOperand(n: number): number {
    const i = this.i;
    if (n >= i.nops) return -1;
    const k = n === 0 ? i.k0 : n === 1 ? i.k1 : i.k2;
    if (k !== K.REG) return -1;
    const r = n === 0 ? i.r0 : n === 1 ? i.r1 : i.r2;
    return r >= 16 ? r - 12 : r;
  }

  get operands(): DecodedOperand[] {
    if (this.ops) return this.ops;
    const i = this.i;
    const ops: DecodedOperand[] = [];
    const kinds = [i.k0, i.k1, i.k2];
    const regs = [i.r0, i.r1, i.r2];
    const sizes = [i.s0, i.s1, i.s2];
    for (let n = 0; n < i.nops; n++) {
      const k = kinds[n]!;
      if (k === K.REG) ops.push({ kind: "reg", reg: regs[n]! >= 16 ? regs[n]! - 12 : regs[n]!, size: sizes[n] as 1 });
      else if (k === K.MEM) {
        ops.push({
          kind: "mem",
          segment: i.seg as SegmentIndex,
          offset: BigInt.asUintN(i.asz * 8, BigInt(Math.trunc(this.ea))),
          base: i.ripRel ? 16 : i.base,
          index: i.index,
          scale: (1 << i.scale) as 1,
          displacement: BigInt(i.disp),
          size: sizes[n]!,
        });
      } else if (k === K.IMM)
        ops.push({
          kind: "imm",
          value: BigInt.asUintN(64, (BigInt(i.immHi) << 32n) | BigInt(i.imm >>> 0)),
          size: sizes[n]!,
        });
    }
    this.ops = ops;
    return ops;
  }
}

/** Builds the VMX view of a decoded instruction (operands resolved, effective addresses computed). */
export function viewOfInsn(cpu: Cpu, i: Insn): DecodedInstructionView {
  // A view lives for the hook call it is made for (VMX keeps none): a small ring of recycled views avoids an
  // allocation per VMX instruction and per intercepted instruction (several per VM-exit round trip).
  const v = VIEW_RING[viewNext]!;
  viewNext = (viewNext + 1) & (VIEW_RING.length - 1);
  return v.init(i, cpu.inInsn ? cpu.insnRip : cpu.rip, cpu.nextRip, cpu);
}
const VIEW_RING: InsnView[] = [new InsnView(), new InsnView(), new InsnView(), new InsnView()];
let viewNext = 0;
installViewOf(viewOfInsn);

/** VmxCpu over a Cpu. */
export class VmxCpuAdapter implements VmxCpu {
  pendingDebugExceptions = 0n;
  constructor(
    private readonly cpu: Cpu,
    private readonly stopHandler: (r: StopReason) => void,
  ) {}

  get model(): CpuModel {
    return this.cpu.model;
  }
  get physicalAddressWidth(): number {
    return this.cpu.model.physicalAddressWidth;
  }
  get cpl(): number {
    return this.cpu.cpl;
  }
  get instructionCount(): number {
    return this.cpu.instructionCount;
  }

  readGpr(reg: number): bigint {
    return this.cpu.regBig(reg);
  }
  writeGpr(reg: number, value: bigint): void {
    this.cpu.setRegBig(reg, value);
  }
  getRip(): bigint {
    return linBig(this.cpu.inInsn ? this.cpu.insnRip : this.cpu.rip);
  }
  setRip(value: bigint): void {
    this.cpu.rip = toNum64(value);
    this.cpu.inInsn = false;
  }
  getRflags(): bigint {
    return BigInt(this.cpu.getFlags() >>> 0);
  }
  setRflags(value: bigint): void {
    this.cpu.setFlags(Number(value & 0xffffffffn) | 2);
  }
  getSegment(seg: SegmentIndex): SegmentCache {
    const c = this.cpu;
    return {
      selector: c.segSel[seg]!,
      base: linBig(c.segBase[seg]!),
      limit: c.segLimit[seg]!,
      accessRights: c.segAr[seg]!,
    };
  }
  setSegment(seg: SegmentIndex, s: SegmentCache): void {
    const base = seg >= 4 ? toNum64(s.base) : Number(s.base & 0xffffffffffffn);
    this.cpu.setSegRaw(seg, s.selector, base, s.limit >>> 0, s.accessRights);
    if (seg === 1) this.cpu.cpl = (s.accessRights >> 5) & 3;
    if (seg === 2 && this.cpu.isProtected()) this.cpu.cpl = (s.accessRights >> 5) & 3;
    this.cpu.updateMode();
  }
  getGdtr(): TableRegister {
    return { base: linBig(this.cpu.gdtrBase), limit: this.cpu.gdtrLimit };
  }
  setGdtr(t: TableRegister): void {
    this.cpu.gdtrBase = toNum64(t.base);
    this.cpu.gdtrLimit = t.limit & 0xffff;
  }
  getIdtr(): TableRegister {
    return { base: linBig(this.cpu.idtrBase), limit: this.cpu.idtrLimit };
  }
  setIdtr(t: TableRegister): void {
    this.cpu.idtrBase = toNum64(t.base);
    this.cpu.idtrLimit = t.limit & 0xffff;
  }
  readCr(cr: 0 | 2 | 3 | 4 | 8): bigint {
    const c = this.cpu;
    switch (cr) {
      case 0:
        return BigInt(c.cr0 >>> 0);
      case 2:
        return linBig(c.cr2);
      case 3:
        return BigInt(c.cr3);
      case 4:
        return BigInt(c.cr4 >>> 0);
      default:
        return BigInt(c.cr8);
    }
  }
  writeCr(cr: 0 | 2 | 3 | 4 | 8, value: bigint): void {
    const c = this.cpu;
    switch (cr) {
      case 0:
        c.cr0 = Number(value & 0xffffffffn) | 0;
        for (let s = 0; s < 6; s++) c.refreshSegLimits(s);
        break;
      case 2:
        c.cr2 = toNum64(value);
        break;
      case 3:
        c.cr3 = Number(value & 0xfffffffffffffn);
        break;
      case 4:
        c.cr4 = Number(value & 0xffffffffn) | 0;
        break;
      default:
        c.cr8 = Number(value & 0xfn);
    }
    c.flushTlb();
    c.updateMode();
  }
  readDr(dr: number): bigint {
    return linBig(this.cpu.dr[dr & 7]!);
  }
  writeDr(dr: number, value: bigint): void {
    this.cpu.dr[dr & 7] = toNum64(value);
  }
  readMsr(index: number): bigint | undefined {
    // MSRs kept in the machine's map (SYSENTER, DEBUGCTL, PAT … once written): one lookup. The ones the core
    // computes (EFER, TSC, FS/GS base) and the defaults of unwritten MSRs go through its readMsr.
    if (
      index !== CORE_MSR.IA32_EFER &&
      index !== CORE_MSR.IA32_TIME_STAMP_COUNTER &&
      index !== CORE_MSR.IA32_FS_BASE &&
      index !== CORE_MSR.IA32_GS_BASE
    ) {
      const v = this.cpu.msrs.get(index);
      if (v !== undefined) return v;
    }
    return readMsr(this.cpu, index);
  }
  msrWrites = 0;
  writeMsr(index: number, value: bigint): boolean {
    this.msrWrites++;
    if (index === CORE_MSR.IA32_EFER) {
      // VM entry/exit load EFER verbatim, LMA included (SDM 26.3.2.1, 27.5.1).
      this.cpu.efer = Number(value & 0xd01n);
      this.cpu.flushTlb();
      this.cpu.updateMode();
      return true;
    }
    if (index === CORE_MSR.IA32_FEATURE_CONTROL) {
      this.cpu.msrs.set(index, value);
      return true;
    }
    return writeMsr(this.cpu, index, value);
  }
  mode(): CpuMode {
    const c = this.cpu;
    if (!(c.cr0 & 1)) return "real";
    if (c.isV86()) return "v8086";
    if (c.codeMode === 64) return "long64";
    if (c.inLongMode()) return c.codeMode === 32 ? "compat32" : "compat16";
    return c.codeMode === 32 ? "protected32" : "protected16";
  }
  getInterruptibility(): Interruptibility {
    const c = this.cpu;
    return {
      sti: c.stiShadow === c.instructionCount,
      movSs: c.movSsShadow === c.instructionCount,
      nmi: c.nmiBlocked,
    };
  }
  setInterruptibility(s: Interruptibility): void {
    const c = this.cpu;
    c.stiShadow = s.sti ? c.instructionCount : -1;
    c.movSsShadow = s.movSs ? c.instructionCount : -1;
    c.nmiBlocked = s.nmi;
  }
  getActivityState(): number {
    return this.cpu.halted ? Math.max(1, this.cpu.activityState) : 0;
  }
  setActivityState(state: number): void {
    this.cpu.activityState = state;
    this.cpu.halted = state !== 0;
  }
  readTsc(): bigint {
    return readTsc(this.cpu);
  }
  advanceTsc(ticks: bigint): void {
    // Time passes for the whole machine: the timer's next edge comes no later than it would have.
    const c = this.cpu;
    const until = c.deviceDeadline - c.deviceTime();
    const t = until < Number(ticks) ? BigInt(Math.max(0, until)) : ticks;
    c.tscOffset += t;
    c.idleTicks += Number(t);
  }
  interruptStateChanged(): void {
    this.cpu.checkInterruptLines();
  }
  readPhys(addr: number, size: 1 | 2 | 4 | 8): bigint {
    if (size === 8) return this.cpu.mem.read64(addr);
    return BigInt(this.cpu.mem.readN(addr, size));
  }
  writePhys(addr: number, size: 1 | 2 | 4 | 8, value: bigint): void {
    if (size === 8) {
      this.cpu.physWrite(addr, 4, Number(value & 0xffffffffn));
      this.cpu.physWrite(addr + 4, 4, Number((value >> 32n) & 0xffffffffn));
    } else this.cpu.physWrite(addr, size, Number(BigInt.asUintN(size * 8, value)));
  }
  readPhys32(addr: number): number {
    return this.cpu.mem.read32(addr);
  }
  writePhys32(addr: number, value: number): void {
    this.cpu.physWrite(addr, 4, value >>> 0);
  }
  readPhysBytes(addr: number, length: number): Uint8Array {
    return this.cpu.mem.readBytes(addr, length);
  }
  writePhysBytes(addr: number, bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length; k++) this.cpu.physWrite(addr + k, 1, bytes[k]!);
  }
  readVirtual(seg: SegmentIndex, offset: bigint, size: 1 | 2 | 4 | 8): bigint {
    const off = toNum64(offset);
    const c = this.cpu;
    if (size === 8) {
      const lo = c.rd64(seg, off);
      return (BigInt(c.h >>> 0) << 32n) | BigInt(lo >>> 0);
    }
    return BigInt(c.rd(seg, off, size) >>> 0);
  }
  writeVirtual(seg: SegmentIndex, offset: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
    const off = toNum64(offset);
    const lo = Number(value & 0xffffffffn) | 0;
    const hi = Number((value >> 32n) & 0xffffffffn) | 0;
    this.cpu.wr(seg, off, size, lo, hi);
  }
  linearAddress(seg: SegmentIndex, offset: bigint): bigint {
    const c = this.cpu;
    const off = toNum64(offset);
    if (c.codeMode === 64) return linBig(seg >= 4 ? off + c.segBase[seg]! : off);
    return BigInt((c.segBase[seg]! + off) >>> 0);
  }
  flushTlb(): void {
    this.cpu.flushTlb();
  }
  flushTlbIfStale(): void {
    this.cpu.flushTlbIfStale();
  }
  flushTlbPage(linear: bigint): void {
    this.cpu.flushTlbPage(toNum64(linear));
  }
  setPdptes(pdptes: readonly bigint[] | undefined): void {
    if (pdptes) this.cpu.pdptes = pdptes.map((p) => Number(p & 0xfffffffffffffn));
    else this.cpu.loadPdptes();
    this.cpu.flushTlb();
  }
  raiseException(vector: number, errorCode?: number): never {
    throw new CpuFault(vector, errorCode ?? -1);
  }
  deliverEvent(event: EventInfo): void {
    const c = this.cpu;
    const soft = event.type === EVENT_TYPE.SOFTWARE_INTERRUPT || event.type === EVENT_TYPE.SOFTWARE_EXCEPTION;
    const kind =
      event.type === EVENT_TYPE.EXTERNAL_INTERRUPT || event.type === EVENT_TYPE.NMI
        ? "ext"
        : soft
          ? "sw"
          : event.type === EVENT_TYPE.PRIVILEGED_SOFTWARE_EXCEPTION
            ? "int1"
            : "hw";
    const ret = soft || kind === "int1" ? c.rip + (event.instructionLength ?? 0) : c.rip;
    const code = event.errorCode ?? -1;
    // Injected events are delivered like the real thing, including #DF and triple fault on nested faults.
    try {
      c.deliver(event.vector, code, kind, ret);
    } catch (e) {
      if (e instanceof CpuFault) {
        const r = c.exception(e.vector, e.errorCode);
        if (r) throw new StopSignal(r);
        return;
      }
      throw e;
    }
  }
  // --- number fast paths ---------------------------------------------------------------------------------
  gprLo(reg: number): number {
    return this.cpu.lo[reg]! >>> 0;
  }
  gprHi(reg: number): number {
    return this.cpu.hi[reg]! >>> 0;
  }
  setGprHalves(reg: number, lo: number, hi: number): void {
    this.cpu.lo[reg] = lo | 0;
    this.cpu.hi[reg] = hi | 0;
  }
  ripNumber(): number {
    return this.cpu.inInsn ? this.cpu.insnRip : this.cpu.rip;
  }
  setRipNumber(value: number): void {
    this.cpu.rip = value;
    this.cpu.inInsn = false;
  }
  setStatusFlags(bits: number): void {
    this.cpu.setArith(bits);
  }
  rflagsNumber(): number {
    return this.cpu.getFlags() >>> 0;
  }
  setRflagsNumber(value: number): void {
    this.cpu.setFlags((value | 2) >>> 0);
  }
  crNumber(cr: 0 | 3 | 4): number {
    const c = this.cpu;
    return cr === 0 ? c.cr0 >>> 0 : cr === 4 ? c.cr4 >>> 0 : c.cr3;
  }
  segSelector(seg: SegmentIndex): number {
    return this.cpu.segSel[seg]!;
  }
  segBaseNumber(seg: SegmentIndex): number {
    return this.cpu.segBase[seg]!;
  }
  segLimit(seg: SegmentIndex): number {
    return this.cpu.segLimit[seg]!;
  }
  segAccessRights(seg: SegmentIndex): number {
    return this.cpu.segAr[seg]! >>> 0;
  }
  readSegments(out: Float64Array): void {
    const c = this.cpu;
    for (let s = 0; s < 8; s++) {
      out[4 * s] = c.segSel[s]!;
      out[4 * s + 1] = c.segBase[s]!;
      out[4 * s + 2] = c.segLimit[s]!;
      out[4 * s + 3] = c.segAr[s]! >>> 0;
    }
  }
  setSegmentNumber(seg: SegmentIndex, selector: number, base: number, limit: number, accessRights: number): void {
    this.cpu.setSegRaw(seg, selector, base, limit >>> 0, accessRights);
    if (seg === 1) this.cpu.cpl = (accessRights >> 5) & 3;
    if (seg === 2 && this.cpu.isProtected()) this.cpu.cpl = (accessRights >> 5) & 3;
    this.cpu.updateMode();
  }
  interruptibilityBits(): number {
    const c = this.cpu;
    const n = c.instructionCount;
    return (c.stiShadow === n ? 1 : 0) | (c.movSsShadow === n ? 2 : 0) | (c.nmiBlocked ? 8 : 0);
  }
  setInterruptibilityBits(bits: number): void {
    const c = this.cpu;
    c.stiShadow = bits & 1 ? c.instructionCount : -1;
    c.movSsShadow = bits & 2 ? c.instructionCount : -1;
    c.nmiBlocked = (bits & 8) !== 0;
  }
  dr7Number(): number {
    return this.cpu.dr[7]! >>> 0;
  }
  eferNumber(): number {
    return this.cpu.efer >>> 0;
  }
  tableBaseNumber(idt: boolean): number {
    return idt ? this.cpu.idtrBase : this.cpu.gdtrBase;
  }
  tableLimit(idt: boolean): number {
    return idt ? this.cpu.idtrLimit : this.cpu.gdtrLimit;
  }
  setTableNumber(idt: boolean, base: number, limit: number): void {
    if (idt) {
      this.cpu.idtrBase = base;
      this.cpu.idtrLimit = limit & 0xffff;
    } else {
      this.cpu.gdtrBase = base;
      this.cpu.gdtrLimit = limit & 0xffff;
    }
  }

  vmExit(stop?: StopReason): never {
    throw stop ? new VmExitSignal(stop) : VM_EXIT;
  }
  requestStop(reason: StopReason): void {
    this.cpu.requestStop(reason);
  }
  shutdown(why: string): void {
    this.cpu.halted = true;
    this.cpu.activityState = 2;
    this.stopHandler({ kind: "shutdown", rip: linBig(this.cpu.rip), message: why });
  }
}

export { TWO32 };
