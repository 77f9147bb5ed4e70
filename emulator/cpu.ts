// The processor: architectural state, lazy flags, memory access through segmentation and paging (with a
// TLB), the decoded-instruction cache, exception/interrupt delivery and the step loop.
// Instruction semantics live in exec*.ts; descriptor-table work in segments.ts and interrupts.ts.
//
// Representation (chosen for speed — no bigint on the hot path):
// - GPRs as two Int32Arrays (low and high halves). A 64-bit value travels as (lo, hi) with hi in `cpu.h`.
// - Linear addresses and RIP are JS numbers: unsigned 32-bit outside 64-bit mode, signed canonical
//   (-2^47 … 2^47-1) in 64-bit mode. Physical addresses are non-negative numbers.
// - Arithmetic flags are lazy: the last operation's kind, size, operands and result (SDM Vol. 1 3.4.3.1).

import type { Block } from "./block";
import type { CallTracker } from "./call-frames";
import type { CpuModel } from "./cpu-model";
import type { Insn } from "./decoder";
import * as decoderModule from "./decoder";
import type { InterruptSource } from "./devices";
import { ONES_PAGE, PAGE_SIZE, type PhysicalMemory, ZERO_PAGE } from "./memory";
import type { StopReason } from "./stop-reason";
import {
  type DecodedInstructionView,
  NO_VMX,
  VMX_INSTRUCTION_HOOK_MNEMONICS,
  VmExitSignal,
  type VmxCpu,
  type VmxHooks,
} from "./vmx-hooks";

// Imported bindings copied to locals once: module-namespace getters are slow on the hot path under tsx.
const { CS, DS, decode, ES, FS, GS, SS } = decoderModule;

export class CpuFault {
  constructor(
    readonly vector: number,
    /** -1 when the exception has no error code. */
    readonly errorCode: number,
  ) {}
}

/** Thrown to stop the current instruction and the run (triple fault, shutdown, firmware exit). */
export class StopSignal {
  constructor(readonly reason: StopReason) {}
}

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const IOPL = 0x3000;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const VIF = 0x80000;
export const VIP = 0x100000;
export const ID = 0x200000;
export const ARITH = CF | PF | AF | ZF | SF | OF;

export const CR0_PE = 1;
export const CR0_MP = 2;
export const CR0_EM = 4;
export const CR0_TS = 8;
export const CR0_ET = 0x10;
export const CR0_NE = 0x20;
export const CR0_WP = 0x10000;
export const CR0_AM = 0x40000;
export const CR0_NW = 0x20000000;
export const CR0_CD = 0x40000000;
export const CR0_PG = 0x80000000;
export const CR4_VME = 1;
export const CR4_PVI = 2;
export const CR4_TSD = 4;
export const CR4_DE = 8;
export const CR4_PSE = 0x10;
export const CR4_PAE = 0x20;
export const CR4_PGE = 0x80;
export const CR4_OSFXSR = 0x200;
export const CR4_UMIP = 0x800;
export const CR4_VMXE = 0x2000;
export const CR4_FSGSBASE = 0x10000;
export const CR4_PCIDE = 0x20000;
export const CR4_OSXSAVE = 0x40000;
export const CR4_SMEP = 0x100000;
export const CR4_SMAP = 0x200000;
export const EFER_SCE = 1;
export const EFER_LME = 0x100;
export const EFER_LMA = 0x400;
export const EFER_NXE = 0x800;

// Lazy flag operations.
export const OP_NONE = 0;
export const OP_ADD = 1;
export const OP_ADC = 2;
export const OP_SUB = 3;
export const OP_SBB = 4;
export const OP_LOGIC = 5;
export const OP_INC = 6;
export const OP_DEC = 7;

// Access rights (VMX format, SDM 24.4.1).
export const AR_P = 0x80;
export const AR_S = 0x10;
export const AR_L = 0x2000;
export const AR_DB = 0x4000;
export const AR_G = 0x8000;
export const AR_UNUSABLE = 0x10000;

const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let p = 1;
  for (let b = 0; b < 8; b++) p ^= (v >> b) & 1;
  PARITY[v] = p ? PF : 0;
}

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
const LP_SIZE = 64;
const LP_MASK = LP_SIZE - 1;
const PSC_SIZE = 64;
const PSC_MASK = PSC_SIZE - 1;
const CANON = 0x800000000000; // 2^47
const TWO32 = 4294967296;
const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;

/** Access types for translate(). */
export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_FETCH = 2;

export type Exec = (cpu: Cpu, insn: Insn) => void;

export interface IoBus {
  in(port: number, size: number): number;
  out(port: number, size: number, value: number): void;
}

const EMPTY_CODE: (Insn | undefined)[] = [];

/** No interrupt controller: INTR never rises. */
const NO_INTERRUPTS: InterruptSource = {
  intr: false,
  acknowledge: () => 0,
  nextEvent: () => Number.POSITIVE_INFINITY,
  advance: () => {},
  canInterruptLater: () => false,
};

export class Cpu {
  // --- registers -----------------------------------------------------------------------------------------
  readonly lo = new Int32Array(16);
  readonly hi = new Int32Array(16);
  /** High half of the last 64-bit value returned by a helper. */
  h = 0;
  rip = 0;
  /** RIP of the next instruction while an instruction executes. */
  nextRip = 0;
  /** RIP of the instruction being executed, and whether one is executing (RIP is then already nextRip). */
  insnRip = 0;
  inInsn = false;
  /** Set during implicit supervisor-mode accesses (descriptor tables, TSS, IDT): SMAP applies regardless of AC. */
  implicitAccess = false;
  /** The last successful walk ended in a user page (SMAP results depend on EFLAGS.AC: no fast entry then). */
  lastWalkUserPage = false;
  /** Set while the debugger probes a translation: no accessed/dirty updates. */
  probing = false;
  /** Linear address of the instruction being executed. */
  insnStart = 0;
  /** RFLAGS bits other than the six arithmetic flags (bit 1 always set). */
  flagsRest = 2;
  lfOp = OP_NONE;
  lfSize = 4;
  lfRes = 0;
  lfResHi = 0;
  lfA = 0;
  lfAHi = 0;
  lfB = 0;
  lfBHi = 0;
  /** ADC/SBB carry-in, or the preserved CF for INC/DEC. */
  lfCin = 0;
  /** Arithmetic flags when lfOp = OP_NONE. */
  arith = 0;

  // --- segments (ES CS SS DS FS GS LDTR TR) ----------------------------------------------------------------
  readonly segSel = new Int32Array(8);
  readonly segBase = new Float64Array(8);
  readonly segLimit = new Float64Array(8);
  readonly segAr = new Int32Array(8);
  /** Highest offset readable/writable with the fast check (-1: always take the slow check). */
  readonly segRLim = new Float64Array(8);
  readonly segWLim = new Float64Array(8);
  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0x3ff;

  // --- control -------------------------------------------------------------------------------------------
  cr0 = 0x60000010;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  cr8 = 0;
  efer = 0;
  readonly dr = new Float64Array(8);
  pdptes: number[] = [0, 0, 0, 0];
  msrs = new Map<number, bigint>();
  /** XMM0–15 (four dwords each), MXCSR and the x87 control/status/tag words (no FP registers). */
  readonly xmm = new Int32Array(64);
  mxcsr = 0x1f80;
  /** XCR0 (XSETBV/XGETBV). */
  xcr0 = 1n;
  fpuCw = 0x37f;
  fpuSw = 0;
  fpuTw = 0xffff;
  cpl = 0;
  /** 16, 32 or 64: the current code size. */
  codeMode = 16;
  /** Stack address size in bytes (2, 4 or 8). */
  stackSize = 2;
  tscOffset = 0n;

  // --- execution state ------------------------------------------------------------------------------------
  instructionCount = 0;
  halted = false;
  /** STI / MOV SS blocking (SDM 6.8.3): the instruction count until which the shadow lasts. */
  stiShadow = -1;
  movSsShadow = -1;
  nmiBlocked = false;
  activityState = 0;
  pendingDebug = 0n;
  pendingStop: StopReason | undefined;

  // --- external interrupts (the PIC/PIT of devices.ts) ------------------------------------------------------
  /** The interrupt controllers; NO_INTERRUPTS until the machine wires its devices. */
  irq: InterruptSource = NO_INTERRUPTS;
  /** Time that passed while halted (device time = retired instructions + idle ticks; the TSC includes it). */
  idleTicks = 0;
  /** Device time of the interrupt source's next event (Infinity when none is scheduled). */
  deviceDeadline = Number.POSITIVE_INFINITY;
  /**
   * INTR may need attention at the next instruction boundary: set when the PIC's output rises or IF becomes 1
   * while it is high; cleared when the interrupt is delivered or cannot be (IF = 0, no VM exit for it).
   */
  irqCheck = false;
  /** An INIT signal arrived (port 92h bit 0) and was not taken yet: blocked in VMX root operation (SDM 23.8). */
  initPending = false;
  /** Linear address of the instruction that raised the INIT signal (the OUT to port 92h). */
  initFrom = 0;
  /** The tracked call stack (Machine.trackCalls); undefined when off: call/return paths test only this. */
  calls: CallTracker | undefined = undefined;
  /**
   * Set when a REP string instruction stopped after a chunk of iterations and restarts itself at the same RIP: the
   * restart is the same instruction, so breakpoints are not checked again before it (cleared there).
   */
  repRestart = false;
  /** Set by Machine.run/step: stop once an exception (vectors 0–31) has been delivered through the IDT. */
  stopOnExceptionDelivery = false;
  /** The instruction being executed (for VMX hooks and exceptions). */
  current: Insn | undefined;
  /** Nesting of exception delivery (for #DF / triple fault). */

  // --- memory, TLB and code cache ---------------------------------------------------------------------
  readonly tlbRTag = new Float64Array(TLB_SIZE).fill(Number.NaN);
  readonly tlbWTag = new Float64Array(TLB_SIZE).fill(Number.NaN);
  readonly tlbXTag = new Float64Array(TLB_SIZE).fill(Number.NaN);
  readonly tlbRView: DataView[] = [];
  readonly tlbWView: DataView[] = [];
  readonly tlbXCode: (Insn | undefined)[][] = [];
  readonly tlbXPhys = new Float64Array(TLB_SIZE);
  readonly tlbWPhys = new Float64Array(TLB_SIZE);
  /** Slots filled since the last flush (see flushFast). */
  private readonly tlbUsed = new Int32Array(TLB_SIZE);
  private tlbUsedCount = TLB_SIZE + 1;
  /**
   * Bumped whenever a cached decode or translation may be stale (TLB flush, code write, mode change); the
   * successor links between decoded instructions are valid only within one epoch.
   */
  epoch = 0;
  private readonly walkTouched = new Float64Array(4);
  /** Bits 51:32 of a paging-structure entry that are reserved because they exceed MAXPHYADDR. */
  private readonly rsvdHiMask: number;
  /**
   * Large-page translations for refilling the 4 KiB TLB without a walk: per access type (read, write, fetch), the
   * 2 MiB chunk of a 2 MiB / 4 MiB / 1 GiB page (tag = linear address / 2 MiB) → its physical base. Filled only
   * after a successful walk for that access type at the TLB's privilege class (so A and, for writes, D are set),
   * never with EPT active; flushed with the rest of the TLB.
   */
  private readonly lpTag = [new Float64Array(LP_SIZE), new Float64Array(LP_SIZE), new Float64Array(LP_SIZE)];
  private readonly lpPhys = [new Float64Array(LP_SIZE), new Float64Array(LP_SIZE), new Float64Array(LP_SIZE)];
  private readonly lpUserPage = [new Uint8Array(LP_SIZE), new Uint8Array(LP_SIZE), new Uint8Array(LP_SIZE)];
  /** An entry is valid only with the generation it was filled in (a flush is one increment). */
  private readonly lpGen = [new Int32Array(LP_SIZE), new Int32Array(LP_SIZE), new Int32Array(LP_SIZE)];
  private lpGeneration = 1;
  /** Physical pages page walks have read (paging structures): no fast write entries; writes set pagingWritten. */
  private readonly isPagingStructure: Uint8Array;
  /** A paging-structure page was written since the last TLB flush (flushTlbIfStale). */
  pagingWritten = false;
  private walkerWriting = false;
  /** The paging-structure cache of translate() (2 MiB region → page table, permissions above), same generation. */
  private readonly pscTag = new Float64Array(PSC_SIZE);
  private readonly pscGen = new Int32Array(PSC_SIZE);
  private readonly pscTable = new Float64Array(PSC_SIZE);
  private readonly pscPerm = new Uint8Array(PSC_SIZE);
  /** Set by translate(): the physical base of the 2 MiB chunk when the leaf was a large page, else -1. */
  private lastWalkLarge = -1;
  /** The privilege class the fast TLB entries were filled for (true = user). */
  private tlbUser = false;
  /** Decoded instructions per physical page. */
  readonly codePages = new Map<number, (Insn | undefined)[]>();
  readonly isCode: Uint8Array;
  private readonly views: (DataView | undefined)[];
  hooks: VmxHooks = NO_VMX;
  /** The VmxCpu view of this processor (vmx-bridge.ts). */
  vmxCpu: VmxCpu = undefined as unknown as VmxCpu;
  io: IoBus;
  execTable: Map<string, Exec> = new Map();
  /** The run loop's inline id for a handler (exec-fast.ts inlineIdOf), installed by the machine. */
  inlineId: (exec: Exec) => number = () => 0;
  /** The block compiler (block.ts compileBlock), installed by the machine; blocks are off without it. */
  blockCompiler:
    | ((head: Insn, rip: number, decodeNext: (pageOffset: number) => Insn | undefined) => Block | undefined)
    | undefined = undefined;
  /** Executions of an instruction before the run loop compiles a block starting with it (tests use 1). */
  blockHeat = 64;
  /** Set by a block that throws: the index of the instruction that faulted, and the instructions completed. */
  blockIndex = 0;
  blockDone = 0;
  /** Returns a specialised handler for frequent forms (exec-fast.ts), installed by the machine. */
  specializer: (insn: Insn) => Exec | undefined = () => undefined;
  udExec: Exec;

  constructor(
    readonly mem: PhysicalMemory,
    readonly model: CpuModel,
    io: IoBus,
    exec: Map<string, Exec>,
    ud: Exec,
  ) {
    this.io = io;
    this.execTable = exec;
    this.udExec = ud;
    this.isCode = new Uint8Array(mem.pageCount);
    this.isPagingStructure = new Uint8Array(mem.pageCount);
    this.rsvdHiMask = 0xfffff & ~((1 << Math.max(0, Math.min(20, model.physicalAddressWidth - 32))) - 1);
    this.views = new Array(mem.pageCount).fill(undefined);
    for (let k = 0; k < TLB_SIZE; k++) {
      this.tlbRView.push(ONES_VIEW);
      this.tlbWView.push(ONES_VIEW);
      this.tlbXCode.push(EMPTY_CODE);
    }
    mem.onPageWrite = undefined;
    this.resetState();
  }

  get physicalAddressWidth(): number {
    return this.model.physicalAddressWidth;
  }

  /** The processor's power-up state (SDM 9.1.1, Table 9-1), CS:IP = F000:FFF0 (callers usually override). */
  resetState(): void {
    this.lo.fill(0);
    this.hi.fill(0);
    this.lo[2] = 0x600; // EDX: family/model/stepping-ish, as after RESET
    this.rip = 0xfff0;
    this.flagsRest = 2;
    this.lfOp = OP_NONE;
    this.arith = 0;
    for (let s = 0; s < 6; s++) this.setSegRaw(s, 0, 0, 0xffff, 0x93);
    this.setSegRaw(CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
    this.setSegRaw(6, 0, 0, 0xffff, 0x82);
    this.setSegRaw(7, 0, 0, 0xffff, 0x8b);
    this.gdtrBase = 0;
    this.gdtrLimit = 0xffff;
    this.idtrBase = 0;
    this.idtrLimit = 0xffff;
    this.cr0 = 0x60000010;
    this.cr2 = 0;
    this.cr3 = 0;
    this.cr4 = 0;
    this.cr8 = 0;
    this.efer = 0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0;
    this.dr[7] = 0x400;
    this.msrs = new Map(this.model.msr);
    this.xmm.fill(0);
    this.mxcsr = 0x1f80;
    this.xcr0 = 1n;
    this.fpuCw = 0x40; // reset value (SDM Table 9-1); FNINIT sets 0x37F
    this.fpuSw = 0;
    this.fpuTw = 0xffff;
    this.cpl = 0;
    this.instructionCount = 0;
    this.tscOffset = 0n;
    this.idleTicks = 0;
    this.irqCheck = false;
    this.initPending = false;
    this.deviceDeadline = this.irq.nextEvent();
    this.halted = false;
    this.stiShadow = -1;
    this.movSsShadow = -1;
    this.nmiBlocked = false;
    this.activityState = 0;
    this.pendingStop = undefined;
    this.updateMode();
    this.flushTlb();
  }

  // ===================================================================================================
  // Registers
  // ===================================================================================================

  /** Reads a GPR of the given size (1, 2, 4, 8). Byte registers 16–19 are AH, CH, DH, BH. Size 8 sets h. */
  getReg(r: number, size: number): number {
    switch (size) {
      case 1:
        return r < 16 ? this.lo[r]! & 0xff : (this.lo[r - 16]! >> 8) & 0xff;
      case 2:
        return this.lo[r]! & 0xffff;
      case 4:
        return this.lo[r]!;
      default:
        this.h = this.hi[r]!;
        return this.lo[r]!;
    }
  }

  /** Writes a GPR; 32-bit writes zero the upper half (SDM Vol. 1 3.4.1.1). */
  setReg(r: number, size: number, v: number, vh: number): void {
    switch (size) {
      case 1:
        if (r < 16) this.lo[r] = (this.lo[r]! & ~0xff) | (v & 0xff);
        else this.lo[r - 16] = (this.lo[r - 16]! & ~0xff00) | ((v & 0xff) << 8);
        return;
      case 2:
        this.lo[r] = (this.lo[r]! & ~0xffff) | (v & 0xffff);
        return;
      case 4:
        this.lo[r] = v;
        this.hi[r] = 0;
        return;
      default:
        this.lo[r] = v;
        this.hi[r] = vh;
    }
  }

  /** A GPR as a JS number (exact below 2^53; sign from bit 63). */
  reg64(r: number): number {
    return this.hi[r]! * TWO32 + (this.lo[r]! >>> 0);
  }

  regBig(r: number): bigint {
    return (BigInt(this.hi[r]! >>> 0) << 32n) | BigInt(this.lo[r]! >>> 0);
  }

  setRegBig(r: number, v: bigint): void {
    this.lo[r] = Number(v & 0xffffffffn) | 0;
    this.hi[r] = Number((v >> 32n) & 0xffffffffn) | 0;
  }

  // ===================================================================================================
  // Flags
  // ===================================================================================================

  getCF(): number {
    const s = this.lfSize;
    switch (this.lfOp) {
      case OP_NONE:
        return this.arith & CF;
      case OP_ADD:
        return ult(this.lfRes, this.lfResHi, this.lfA, this.lfAHi, s);
      case OP_ADC:
        return this.lfCin
          ? ule(this.lfRes, this.lfResHi, this.lfA, this.lfAHi, s)
          : ult(this.lfRes, this.lfResHi, this.lfA, this.lfAHi, s);
      case OP_SUB:
        return ult(this.lfA, this.lfAHi, this.lfB, this.lfBHi, s);
      case OP_SBB:
        return this.lfCin
          ? ule(this.lfA, this.lfAHi, this.lfB, this.lfBHi, s)
          : ult(this.lfA, this.lfAHi, this.lfB, this.lfBHi, s);
      case OP_LOGIC:
        return 0;
      default:
        return this.lfCin;
    }
  }

  getZF(): number {
    if (this.lfOp === OP_NONE) return this.arith & ZF;
    if (this.lfSize === 8) return (this.lfRes | this.lfResHi) === 0 ? ZF : 0;
    return this.lfRes === 0 ? ZF : 0;
  }

  getSF(): number {
    if (this.lfOp === OP_NONE) return this.arith & SF;
    switch (this.lfSize) {
      case 1:
        return this.lfRes & 0x80;
      case 2:
        return (this.lfRes >> 8) & 0x80;
      case 4:
        return this.lfRes < 0 ? SF : 0;
      default:
        return this.lfResHi < 0 ? SF : 0;
    }
  }

  getPF(): number {
    if (this.lfOp === OP_NONE) return this.arith & PF;
    return PARITY[this.lfRes & 0xff]!;
  }

  getAF(): number {
    switch (this.lfOp) {
      case OP_NONE:
        return this.arith & AF;
      case OP_LOGIC:
        return 0;
      default:
        return (this.lfA ^ this.lfB ^ this.lfRes) & AF;
    }
  }

  getOF(): number {
    let x: number;
    switch (this.lfOp) {
      case OP_NONE:
        return this.arith & OF;
      case OP_LOGIC:
        return 0;
      case OP_ADD:
      case OP_ADC:
      case OP_INC:
        x =
          this.lfSize === 8
            ? (this.lfAHi ^ this.lfResHi) & (this.lfBHi ^ this.lfResHi)
            : (this.lfA ^ this.lfRes) & (this.lfB ^ this.lfRes);
        break;
      default:
        x =
          this.lfSize === 8
            ? (this.lfAHi ^ this.lfBHi) & (this.lfAHi ^ this.lfResHi)
            : (this.lfA ^ this.lfB) & (this.lfA ^ this.lfRes);
        break;
    }
    switch (this.lfSize) {
      case 1:
        return x & 0x80 ? OF : 0;
      case 2:
        return x & 0x8000 ? OF : 0;
      default:
        return x < 0 ? OF : 0;
    }
  }

  getArith(): number {
    if (this.lfOp === OP_NONE) return this.arith;
    return this.getCF() | this.getPF() | this.getAF() | this.getZF() | this.getSF() | this.getOF();
  }

  getFlags(): number {
    return (this.flagsRest | this.getArith()) >>> 0;
  }

  /** Sets the arithmetic flags eagerly. */
  setArith(bits: number): void {
    this.lfOp = OP_NONE;
    this.arith = bits & ARITH;
  }

  /** Sets all of EFLAGS (bit 1 forced, reserved bits cleared) — mode-dependent side effects via updateMode. */
  setFlags(v: number): void {
    const oldVm = this.flagsRest & VM;
    // IF 0 -> 1 with INTR high: the interrupt may be taken at the next boundary.
    if (v & IF && !(this.flagsRest & IF) && this.irq.intr) this.interruptStateChanged();
    this.lfOp = OP_NONE;
    this.arith = v & ARITH;
    this.flagsRest = ((v & 0x3f7fd5 & ~ARITH) | 2) >>> 0;
    if ((this.flagsRest & VM) !== oldVm) this.updateMode();
  }

  /** Condition codes 0–15 (SDM Vol. 1 Appendix B). */
  cond(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0:
        r = this.getOF() !== 0;
        break;
      case 1:
        r = this.getCF() !== 0;
        break;
      case 2:
        r = this.getZF() !== 0;
        break;
      case 3:
        r = this.getCF() !== 0 || this.getZF() !== 0;
        break;
      case 4:
        r = this.getSF() !== 0;
        break;
      case 5:
        r = this.getPF() !== 0;
        break;
      case 6:
        r = (this.getSF() !== 0) !== (this.getOF() !== 0);
        break;
      default:
        r = this.getZF() !== 0 || (this.getSF() !== 0) !== (this.getOF() !== 0);
        break;
    }
    return cc & 1 ? !r : r;
  }

  // ===================================================================================================
  // Modes and segments
  // ===================================================================================================

  /** Asks the run loop to stop after the current instruction. */
  requestStop(reason: StopReason): void {
    this.pendingStop = reason;
    this.epoch++;
  }

  /** Recomputes code size, stack size, CPL-derived state after CS/SS/CR0/EFER/RFLAGS.VM changes. */
  updateMode(): void {
    this.epoch++;
    const ar = this.segAr[CS]!;
    if (!(this.cr0 & CR0_PE)) {
      this.codeMode = ar & AR_DB ? 32 : 16;
      this.cpl = 0;
    } else if (this.flagsRest & VM) {
      this.codeMode = 16;
      this.cpl = 3;
    } else if (this.efer & EFER_LMA && ar & AR_L) {
      this.codeMode = 64;
    } else {
      this.codeMode = ar & AR_DB ? 32 : 16;
    }
    if (this.codeMode === 64) this.stackSize = 8;
    else this.stackSize = this.segAr[SS]! & AR_DB ? 4 : 2;
    const user = this.cpl === 3;
    if (user !== this.tlbUser) {
      this.tlbUser = user;
      this.flushFast();
    }
  }

  inLongMode(): boolean {
    return (this.efer & EFER_LMA) !== 0;
  }

  isV86(): boolean {
    return (this.flagsRest & VM) !== 0 && (this.cr0 & CR0_PE) !== 0;
  }

  isProtected(): boolean {
    return (this.cr0 & CR0_PE) !== 0 && (this.flagsRest & VM) === 0;
  }

  /** Loads a segment register's visible and hidden parts verbatim and refreshes the fast limits. */
  setSegRaw(s: number, sel: number, base: number, limit: number, ar: number): void {
    this.segSel[s] = sel & 0xffff;
    this.segBase[s] = base;
    this.segLimit[s] = limit;
    this.segAr[s] = ar;
    this.refreshSegLimits(s);
    if (s === CS || s === SS) this.updateMode();
  }

  refreshSegLimits(s: number): void {
    const ar = this.segAr[s]!;
    const type = ar & 0xf;
    let r = -1;
    let w = -1;
    const realish = !(this.cr0 & CR0_PE) || this.flagsRest & VM;
    if (realish || (!(ar & AR_UNUSABLE) && ar & AR_P && ar & AR_S)) {
      const expandDown = (type & 0xc) === 4;
      if (!expandDown) {
        const code = (type & 8) !== 0;
        const readable = !code || (type & 2) !== 0;
        const writable = !code && (type & 2) !== 0;
        if (readable || realish) r = this.segLimit[s]!;
        if (writable || realish) w = this.segLimit[s]!;
      }
    }
    this.segRLim[s] = r;
    this.segWLim[s] = w;
  }

  // ===================================================================================================
  // Faults
  // ===================================================================================================

  fault(vector: number, errorCode = -1): never {
    throw new CpuFault(vector, errorCode);
  }

  gp(code = 0): never {
    throw new CpuFault(13, code);
  }

  ud(): never {
    throw new CpuFault(6, -1);
  }

  // ===================================================================================================
  // Linear addresses (segmentation, SDM Vol. 3A ch. 3 and 5)
  // ===================================================================================================

  /** Linear address of seg:off for a data access of `size` bytes; raises #GP/#SS on violations. */
  lin(s: number, off: number, size: number, write: boolean): number {
    if (this.codeMode === 64) {
      const la = s >= FS ? off + this.segBase[s]! : off;
      if (la < -CANON || la + size - 1 >= CANON) this.fault(s === SS ? 12 : 13, 0);
      return la;
    }
    const o = off >>> 0;
    if (o + size - 1 > (write ? this.segWLim[s]! : this.segRLim[s]!)) this.segCheckSlow(s, o, size, write);
    return (this.segBase[s]! + o) >>> 0;
  }

  /** The full segment check when the fast limit fails (expand-down, unusable, type), SDM 5.3 and 5.5. */
  segCheckSlow(s: number, o: number, size: number, write: boolean): void {
    const ar = this.segAr[s]!;
    const vec = s === SS ? 12 : 13;
    const realish = !(this.cr0 & CR0_PE) || this.flagsRest & VM;
    if (!realish) {
      if (ar & AR_UNUSABLE || !(ar & AR_P)) this.fault(vec, 0);
      const type = ar & 0xf;
      if (type & 8) {
        if (write || !(type & 2)) this.fault(vec, 0);
      } else if (write && !(type & 2)) this.fault(vec, 0);
      if ((type & 0xc) === 4) {
        const upper = ar & AR_DB ? 0xffffffff : 0xffff;
        if (o <= this.segLimit[s]! || o + size - 1 > upper) this.fault(vec, 0);
        return;
      }
    }
    if (o + size - 1 > this.segLimit[s]!) this.fault(vec, 0);
  }

  // ===================================================================================================
  // Paging (SDM Vol. 3A ch. 4)
  // ===================================================================================================

  /**
   * A TLB flush that can be skipped when it would change nothing: no page that page walks have read (a paging-
   * structure page) was written since the last flush, and EPT is not active (EPT tables are not tracked). For the
   * architectural flushes of VM entry and VM exit without VPID (SDM 28.3.3.1): an invalidation with nothing stale
   * is unobservable. The caller still flushes when CR0, CR3, CR4, EFER or the PDPTEs change. Writes that bypass
   * physWrite() (VMX's own PhysMem writes) are not seen.
   */
  flushTlbIfStale(): void {
    if (this.pagingWritten || this.hooks.eptActive) this.flushTlb();
  }

  flushFast(): void {
    this.epoch++;
    this.pagingWritten = false;
    this.lpGeneration = (this.lpGeneration + 1) | 0;
    if (this.lpGeneration === 0) {
      // After 2^32 flushes: no entry may carry a current generation.
      for (const g of this.lpGen) g.fill(0);
      this.pscGen.fill(0);
      this.lpGeneration = 1;
    }
    const n = this.tlbUsedCount;
    if (n > TLB_SIZE) {
      this.tlbRTag.fill(Number.NaN);
      this.tlbWTag.fill(Number.NaN);
      this.tlbXTag.fill(Number.NaN);
    } else {
      // Only the slots filled since the last flush can hold a tag (VM entries/exits flush several times).
      const used = this.tlbUsed;
      for (let k = 0; k < n; k++) {
        const idx = used[k]!;
        this.tlbRTag[idx] = Number.NaN;
        this.tlbWTag[idx] = Number.NaN;
        this.tlbXTag[idx] = Number.NaN;
      }
    }
    this.tlbUsedCount = 0;
  }

  /** Records a filled TLB slot for flushFast (beyond TLB_SIZE records a full flush is cheaper). */
  private noteTlbFill(idx: number): void {
    const n = this.tlbUsedCount;
    if (n < TLB_SIZE) this.tlbUsed[n] = idx;
    this.tlbUsedCount = n + 1;
  }

  flushTlb(): void {
    this.flushFast();
  }

  flushTlbPage(la: number): void {
    // Large pages may cover this address from other TLB slots: flush everything (always correct).
    void la;
    this.flushFast();
  }

  private viewOf(page: number, write: boolean): DataView | undefined {
    const mem = this.mem;
    if (page >= mem.pageCount) return write ? undefined : ONES_VIEW;
    if (write) {
      if (mem.shared[page] || this.isCode[page] || this.isPagingStructure[page]) return undefined;
      if (mem.pages[page] === undefined) {
        // Allocation replaces the shared zero page that fast read entries may point to.
        this.flushFast();
        mem.writablePage(page);
      }
    } else if (mem.pages[page] === undefined) return ZERO_VIEW;
    let v = this.views[page];
    const p = mem.pages[page]!;
    if (v === undefined || v.buffer !== p.buffer || v.byteOffset !== p.byteOffset) {
      v = new DataView(p.buffer, p.byteOffset, PAGE_SIZE);
      this.views[page] = v;
    }
    return v;
  }

  /**
   * Translates a linear address (SDM 4.3–4.5). `user` = the access is subject to user-mode checks (CPL 3 and
   * not an implicit supervisor access). Raises #PF with the architectural error code and CR2.
   */
  translate(la: number, acc: number, user: boolean): number {
    this.lastWalkLarge = -1;
    if (!(this.cr0 & CR0_PG)) return this.hooks.eptActive ? this.gpa(la, acc, la) : la >>> 0;
    const write = acc === ACC_WRITE;
    const fetch = acc === ACC_FETCH;
    const wp = (this.cr0 & CR0_WP) !== 0;
    const nxe = (this.efer & EFER_NXE) !== 0;
    let pfBase = (write ? 2 : 0) | (user ? 4 : 0);
    if (fetch && (nxe || this.cr4 & CR4_SMEP)) pfBase |= 16;
    let rw = true;
    let us = true;
    let nx = false;
    let phys: number;
    // Entries to update (A, then D on the leaf): physical addresses of the entries and whether they are 8 bytes.
    // Entries to mark accessed (physical addresses), at most four levels.
    const touched = this.walkTouched;
    let nTouched = 0;
    let leafAddr = -1;
    let dirtyNeeded = false;
    let largeLeaf = false;
    // Paging-structure cache (SDM 4.10.3) for PAE/4-level paging: the page table a 2 MiB region's PDE points to,
    // with the R/W, U/S and XD bits of the levels above. Filled after a successful walk (their A bits are set),
    // never for probes or with EPT; flushed with the TLB (generation).
    let pscFill = -1;
    let pscTable = 0;
    let pscPerm = 0;
    if (this.cr4 & CR4_PAE) {
      let level: number;
      let table: number;
      const chunk = Math.floor(la / 0x200000);
      const pi = chunk & PSC_MASK;
      const usePsc = !this.probing && !this.hooks.eptActive;
      if (usePsc && this.pscTag[pi] === chunk && this.pscGen[pi] === this.lpGeneration) {
        level = 1;
        table = this.pscTable[pi]!;
        const p = this.pscPerm[pi]!;
        rw = (p & 1) !== 0;
        us = (p & 2) !== 0;
        nx = (p & 4) !== 0;
      } else {
        if (usePsc) pscFill = pi;
        if (this.efer & EFER_LMA) {
          level = 4;
          table = this.cr3Base();
        } else {
          const pdpte = this.pdptes[Math.floor((la >>> 0) / 0x40000000)]!;
          if (!(pdpte & 1)) this.pageFault(la, pfBase);
          level = 2;
          table = pdpteAddr(pdpte);
        }
      }
      const rsvdHi = this.rsvdHiMask;
      for (;;) {
        const idx = Math.floor(la / LEVEL_DIV[level]!) & 511;
        const ea = this.gpaWalk(table + idx * 8, la);
        const lo = this.mem.read32(ea);
        const hi = this.mem.read32(ea + 4) | 0;
        if (!(lo & 1)) this.pageFault(la, pfBase);
        // Reserved bits: physical address above MAXPHYADDR, XD without NXE, PS at the PML4 level.
        if (hi & rsvdHi) this.pageFault(la, pfBase | 9);
        if (hi < 0) {
          if (!nxe) this.pageFault(la, pfBase | 9);
          nx = true;
        }
        if (!(lo & 2)) rw = false;
        if (!(lo & 4)) us = false;
        touched[nTouched++] = ea;
        this.notePagingStructure(ea);
        const ps = (lo & 0x80) !== 0;
        if (level === 4 && ps) this.pageFault(la, pfBase | 9);
        if (level === 1 || ps) {
          // Leaf: 4 KiB page, 2 MiB page (PDE.PS) or 1 GiB page (PDPTE.PS); bits 12..(page size) of a large
          // page entry other than PAT must be zero.
          const high = (hi & 0xfffff) * TWO32;
          if (level === 1) phys = high + ((lo & 0xfffff000) >>> 0) + (la & 0xfff);
          else if (level === 2) {
            if (lo & 0x1fe000) this.pageFault(la, pfBase | 9);
            phys = high + ((lo & 0xffe00000) >>> 0) + (la & 0x1fffff);
          } else {
            if (lo & 0x3fffe000) this.pageFault(la, pfBase | 9);
            phys = high + ((lo & 0xc0000000) >>> 0) + (la & 0x3fffffff);
          }
          leafAddr = ea;
          dirtyNeeded = (lo & 0x40) === 0;
          largeLeaf = level > 1;
          break;
        }
        table = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
        level--;
        if (level === 1) {
          pscTable = table;
          pscPerm = (rw ? 1 : 0) | (us ? 2 : 0) | (nx ? 4 : 0);
        }
      }
    } else {
      // 32-bit paging (SDM 4.3).
      const l = la >>> 0;
      const pdeA = this.gpaWalk(((this.cr3 & 0xfffff000) >>> 0) + (l >>> 22) * 4, la);
      const pde = this.mem.read32(pdeA);
      if (!(pde & 1)) this.pageFault(la, pfBase);
      if (!(pde & 2)) rw = false;
      if (!(pde & 4)) us = false;
      touched[nTouched++] = pdeA;
      this.notePagingStructure(pdeA);
      if (pde & 0x80 && this.cr4 & CR4_PSE) {
        // 4 MiB page; bits 20:13 hold physical-address bits 39:32 (PSE-36), bit 21 reserved.
        if (pde & 0x200000) this.pageFault(la, pfBase | 9);
        const high = (pde >>> 13) & 0xff;
        phys = high * TWO32 + ((pde & 0xffc00000) >>> 0) + (l & 0x3fffff);
        leafAddr = pdeA;
        dirtyNeeded = (pde & 0x40) === 0;
        largeLeaf = true;
      } else {
        const pteA = this.gpaWalk(((pde & 0xfffff000) >>> 0) + ((l >>> 12) & 1023) * 4, la);
        const pte = this.mem.read32(pteA);
        if (!(pte & 1)) this.pageFault(la, pfBase);
        if (!(pte & 2)) rw = false;
        if (!(pte & 4)) us = false;
        touched[nTouched++] = pteA;
        this.notePagingStructure(pteA);
        phys = ((pte & 0xfffff000) >>> 0) + (l & 0xfff);
        leafAddr = pteA;
        dirtyNeeded = (pte & 0x40) === 0;
      }
    }
    // Permissions (SDM 4.6).
    if (user) {
      if (!us) this.pageFault(la, pfBase | 1);
      if (write && !rw) this.pageFault(la, pfBase | 1);
    } else {
      if (write && !rw && wp) this.pageFault(la, pfBase | 1);
      if (fetch && us && this.cr4 & CR4_SMEP) this.pageFault(la, pfBase | 1);
      // SMAP (SDM 4.6.1): supervisor data accesses to user pages fault unless EFLAGS.AC = 1 and the access is
      // explicit (implicit supervisor accesses — descriptor tables, TSS, IDT — always fault).
      if (!fetch && us && this.cr4 & CR4_SMAP && (this.implicitAccess || !(this.flagsRest & AC) || this.cpl === 3))
        this.pageFault(la, pfBase | 1);
    }
    if (fetch && nx) this.pageFault(la, pfBase | 1);
    this.lastWalkUserPage = us;
    if (leafAddr >= 0 && largeLeaf) this.lastWalkLarge = phys - (((la % 0x200000) + 0x200000) % 0x200000);
    // Accessed and dirty flags (not for the debugger's probes).
    if (this.probing) return phys;
    // The walker's own A/D updates leave every cached translation valid (not a paging-structure change).
    this.walkerWriting = true;
    for (let k = 0; k < nTouched; k++) {
      const a = touched[k]!;
      const b = this.mem.read8(a);
      if (!(b & 0x20)) this.physWrite(a, 1, b | 0x20);
    }
    if (write && dirtyNeeded) this.physWrite(leafAddr, 1, this.mem.read8(leafAddr) | 0x40);
    this.walkerWriting = false;
    if (pscFill >= 0 && !largeLeaf) {
      this.pscTag[pscFill] = Math.floor(la / 0x200000);
      this.pscGen[pscFill] = this.lpGeneration;
      this.pscTable[pscFill] = pscTable;
      this.pscPerm[pscFill] = pscPerm;
    }
    if (this.hooks.eptActive) {
      this.lastWalkLarge = -1;
      phys = this.gpa(phys, acc, la);
    }
    return phys;
  }

  /** Whether the leaf entry of the last translation had D set is re-checked through translateDirty. */
  private cr3Base(): number {
    const c = this.cr3;
    return c - (c % 4096);
  }

  private gpaWalk(addr: number, la: number): number {
    return this.hooks.eptActive ? this.gpa(addr, ACC_WRITE, undefined, la) : addr;
  }

  private gpa(addr: number, acc: number, la: number | undefined, _walkLa?: number): number {
    const kind = acc === ACC_WRITE ? "write" : acc === ACC_FETCH ? "fetch" : "read";
    return this.hooks.translateGuestPhysical(this.vmxCpu, addr, kind, la === undefined ? undefined : linBig(la));
  }

  /** Marks the page of a paging-structure entry read by a walk (fast write entries to it are dropped once). */
  private notePagingStructure(entryAddr: number): void {
    const page = Math.floor(entryAddr / PAGE_SIZE);
    if (page < this.isPagingStructure.length && !this.isPagingStructure[page]) {
      this.isPagingStructure[page] = 1;
      this.tlbWTag.fill(Number.NaN); // writes to this page must now take the slow path
    }
  }

  pageFault(la: number, code: number): never {
    this.cr2 = la;
    throw new CpuFault(14, code);
  }

  /** Loads the four PAE PDPTEs from CR3 (SDM 4.4.1); reserved bits → #GP(0). */
  loadPdptes(): void {
    const base = (this.cr3 & 0xffffffe0) >>> 0;
    const out: number[] = [];
    for (let k = 0; k < 4; k++) {
      const lo = this.mem.readN(base + k * 8, 4);
      const hi = this.mem.readN(base + k * 8 + 4, 4);
      if (lo & 1 && (lo & 0x1e6 || hi >>> Math.max(0, this.model.physicalAddressWidth - 32) !== 0)) this.gp(0);
      out.push(hi * TWO32 + lo);
    }
    this.pdptes = out;
  }

  // ===================================================================================================
  // Memory access
  // ===================================================================================================

  /** translate() at the TLB's privilege class, through the large-page entries. */
  private translateTlb(la: number, acc: number): number {
    const user = this.tlbUser;
    const chunk = Math.floor(la / 0x200000);
    const i = chunk & LP_MASK;
    if (this.lpTag[acc]![i] === chunk && this.lpGen[acc]![i] === this.lpGeneration) {
      this.lastWalkUserPage = this.lpUserPage[acc]![i] === 1;
      return this.lpPhys[acc]![i]! + (la - chunk * 0x200000);
    }
    const phys = this.translate(la, acc, user);
    const base = this.lastWalkLarge;
    // As for the 4 KiB entries: no entry for a user page seen by supervisor code under SMAP (the decision depends
    // on EFLAGS.AC and on implicit accesses).
    if (base >= 0 && !this.probing && !(this.cr4 & CR4_SMAP && !user && this.lastWalkUserPage)) {
      this.lpTag[acc]![i] = chunk;
      this.lpPhys[acc]![i] = base;
      this.lpUserPage[acc]![i] = this.lastWalkUserPage ? 1 : 0;
      this.lpGen[acc]![i] = this.lpGeneration;
    }
    return phys;
  }

  private fill(la: number, acc: number): number {
    const user = this.tlbUser;
    const phys = this.translateTlb(la, acc);
    if (this.cr4 & CR4_SMAP && !user && this.lastWalkUserPage && this.cr0 & CR0_PG) return phys;
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    const page = Math.floor(phys / PAGE_SIZE);
    if (acc === ACC_WRITE) {
      // Only install a fast write entry when the dirty flag is already set (re-walk would set it anyway).
      const v = this.viewOf(page, true);
      if (v) {
        this.tlbWTag[idx] = vpn;
        this.noteTlbFill(idx);
        this.tlbWView[idx] = v;
        this.tlbWPhys[idx] = page;
      }
    } else if (acc === ACC_READ) {
      const v = this.viewOf(page, false);
      if (v) {
        this.tlbRTag[idx] = vpn;
        this.noteTlbFill(idx);
        this.tlbRView[idx] = v;
      }
    }
    return phys;
  }

  /** Slow path: access byte by byte through translation (page crossings, MMIO-less RAM, code pages). */
  readSlow(la: number, size: number, user = this.tlbUser): number {
    if ((la & 0xfff) + size <= PAGE_SIZE) {
      const phys = user === this.tlbUser ? this.fill(la, ACC_READ) : this.translate(la, ACC_READ, user);
      return this.mem.readN(phys, size);
    }
    let v = 0;
    const p0 = this.translate(la, ACC_READ, user);
    const first = PAGE_SIZE - (la & 0xfff);
    const p1 = this.translate(la + first, ACC_READ, user);
    for (let k = size - 1; k >= 0; k--) v = v * 256 + this.mem.read8(k < first ? p0 + k : p1 + (k - first));
    return v;
  }

  writeSlow(la: number, size: number, v: number, user = this.tlbUser): void {
    if ((la & 0xfff) + size <= PAGE_SIZE) {
      const phys = user === this.tlbUser ? this.fill(la, ACC_WRITE) : this.translate(la, ACC_WRITE, user);
      this.physWrite(phys, size, v);
      return;
    }
    const first = PAGE_SIZE - (la & 0xfff);
    // Both pages are translated (and may fault) before anything is written.
    const p0 = this.translate(la, ACC_WRITE, user);
    const p1 = this.translate(la + first, ACC_WRITE, user);
    for (let k = 0; k < size; k++) {
      this.physWrite(k < first ? p0 + k : p1 + (k - first), 1, v & 0xff);
      v = Math.floor(v / 256);
    }
  }

  /** Physical write that keeps the decoded-instruction cache and the fast TLB coherent. */
  physWrite(phys: number, size: number, v: number): void {
    const page = Math.floor(phys / PAGE_SIZE);
    if (page < this.isCode.length && this.isCode[page]) this.invalidateCode(page);
    if (page < this.mem.pageCount && (this.mem.shared[page] || this.mem.pages[page] === undefined)) this.flushFast(); // the page is about to be replaced: fast read entries would see stale data
    if (page < this.isPagingStructure.length && this.isPagingStructure[page] && !this.walkerWriting)
      this.pagingWritten = true;
    if (((phys + size - 1) & ~0xfff) !== (phys & ~0xfff)) {
      const p2 = Math.floor((phys + size - 1) / PAGE_SIZE);
      if (p2 < this.isCode.length && this.isCode[p2]) this.invalidateCode(p2);
      if (p2 < this.isPagingStructure.length && this.isPagingStructure[p2]) this.pagingWritten = true;
    }
    this.mem.writeN(phys, size, v);
  }

  invalidateCode(page: number): void {
    this.epoch++;
    this.codePages.delete(page);
    this.isCode[page] = 0;
    this.tlbXTag.fill(Number.NaN);
  }

  rd8(s: number, off: number): number {
    const la = this.lin(s, off, 1, false);
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    if (this.tlbRTag[idx] === vpn) return this.tlbRView[idx]!.getUint8(la & 0xfff);
    return this.readSlow(la, 1);
  }

  rd16(s: number, off: number): number {
    const la = this.lin(s, off, 2, false);
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    const o = la & 0xfff;
    if (this.tlbRTag[idx] === vpn && o <= 4094) return this.tlbRView[idx]!.getUint16(o, true);
    return this.readSlow(la, 2);
  }

  rd32(s: number, off: number): number {
    const la = this.lin(s, off, 4, false);
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    const o = la & 0xfff;
    if (this.tlbRTag[idx] === vpn && o <= 4092) return this.tlbRView[idx]!.getInt32(o, true);
    return this.readSlow(la, 4) | 0;
  }

  /** 64-bit read: returns the low half, high half in h. */
  rd64(s: number, off: number): number {
    const la = this.lin(s, off, 8, false);
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    const o = la & 0xfff;
    if (this.tlbRTag[idx] === vpn && o <= 4088) {
      const v = this.tlbRView[idx]!;
      this.h = v.getInt32(o + 4, true);
      return v.getInt32(o, true);
    }
    if (o <= 4088) {
      const lo = this.readSlow(la, 4) | 0;
      this.h = this.readSlow(la + 4, 4) | 0;
      return lo;
    }
    // Crossing a page: translate both pages first (either may fault).
    this.readSlow(la + 7, 1);
    const lo = this.readSlow(la, 4) | 0;
    this.h = this.readSlow(la + 4, 4) | 0;
    return lo;
  }

  wr8(s: number, off: number, v: number): void {
    const la = this.lin(s, off, 1, true);
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    if (this.tlbWTag[idx] === vpn) this.tlbWView[idx]!.setUint8(la & 0xfff, v);
    else this.writeSlow(la, 1, v & 0xff);
  }

  wr16(s: number, off: number, v: number): void {
    const la = this.lin(s, off, 2, true);
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    const o = la & 0xfff;
    if (this.tlbWTag[idx] === vpn && o <= 4094) this.tlbWView[idx]!.setUint16(o, v, true);
    else this.writeSlow(la, 2, v & 0xffff);
  }

  wr32(s: number, off: number, v: number): void {
    const la = this.lin(s, off, 4, true);
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    const o = la & 0xfff;
    if (this.tlbWTag[idx] === vpn && o <= 4092) this.tlbWView[idx]!.setInt32(o, v, true);
    else this.writeSlow(la, 4, v >>> 0);
  }

  wr64(s: number, off: number, v: number, vh: number): void {
    const la = this.lin(s, off, 8, true);
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    const o = la & 0xfff;
    if (this.tlbWTag[idx] === vpn && o <= 4088) {
      const view = this.tlbWView[idx]!;
      view.setInt32(o, v, true);
      view.setInt32(o + 4, vh, true);
      return;
    }
    // Check both halves are writable before writing either (precise faults).
    this.writeCheck(la, 8);
    this.writeSlow(la, 4, v >>> 0);
    this.writeSlow(la + 4, 4, vh >>> 0);
  }

  /** Translates every page of [la, la+size) for writing without writing (faults before side effects). */
  writeCheck(la: number, size: number): void {
    this.translate(la, ACC_WRITE, this.tlbUser);
    if ((la & 0xfff) + size > PAGE_SIZE) this.translate(la + size - 1, ACC_WRITE, this.tlbUser);
  }

  /** Reads `size` (1/2/4/8) bytes at seg:off; 8 sets h. Returns zero-extended values for 1/2, int32 for 4. */
  rd(s: number, off: number, size: number): number {
    switch (size) {
      case 1:
        return this.rd8(s, off);
      case 2:
        return this.rd16(s, off);
      case 4:
        return this.rd32(s, off);
      default:
        return this.rd64(s, off);
    }
  }

  wr(s: number, off: number, size: number, v: number, vh: number): void {
    switch (size) {
      case 1:
        this.wr8(s, off, v);
        return;
      case 2:
        this.wr16(s, off, v);
        return;
      case 4:
        this.wr32(s, off, v);
        return;
      default:
        this.wr64(s, off, v, vh);
    }
  }

  /** Supervisor-mode (implicit) access to a linear address: descriptor tables, TSS, IDT (SDM 4.6.1). */
  readSys(la: number, size: number): number {
    this.implicitAccess = true;
    try {
      if (size === 8) {
        const lo = this.readSlow(la, 4, false) | 0;
        this.h = this.readSlow(la + 4, 4, false) | 0;
        return lo;
      }
      return this.readSlow(la, size, false);
    } finally {
      this.implicitAccess = false;
    }
  }

  writeSys(la: number, size: number, v: number): void {
    this.implicitAccess = true;
    try {
      this.writeSlow(la, size, v, false);
    } finally {
      this.implicitAccess = false;
    }
  }

  // ===================================================================================================
  // Effective addresses
  // ===================================================================================================

  /** The effective address (offset within the segment) of the instruction's memory operand. */
  ea(i: Insn): number {
    const asz = i.asz;
    if (!i.hasModrm) {
      // moffs (MOV AL/rAX, Ob/Ov and back)
      if (asz === 8) return i.dispHi * TWO32 + (i.disp >>> 0);
      return asz === 4 ? i.disp >>> 0 : i.disp & 0xffff;
    }
    if (asz === 8) {
      if (i.ripRel) return this.nextRip + i.disp;
      let v = i.disp;
      if (i.base >= 0) {
        const bh = this.hi[i.base]!;
        if (bh > 0xfffff || bh < -0x100000) return this.eaExact(i);
        v += bh * TWO32 + (this.lo[i.base]! >>> 0);
      }
      if (i.index >= 0) {
        const xh = this.hi[i.index]!;
        if (xh > 0xfffff || xh < -0x100000) return this.eaExact(i);
        v += (xh * TWO32 + (this.lo[i.index]! >>> 0)) * (1 << i.scale);
      }
      if (v >= TWO63) v -= TWO64;
      else if (v < -TWO63) v += TWO64;
      return v;
    }
    let v = i.disp;
    if (i.ripRel) v += this.nextRip;
    if (i.base >= 0) v += this.lo[i.base]!;
    if (i.index >= 0) v += this.lo[i.index]! << i.scale;
    return asz === 2 ? v & 0xffff : v >>> 0;
  }

  /** The effective address as exact 64-bit halves (LEA): returns the low half, high half in h. */
  eaSplit(i: Insn): number {
    if (i.asz !== 8) {
      this.h = 0;
      return this.ea(i) | 0;
    }
    if (!i.hasModrm) {
      this.h = i.dispHi;
      return i.disp;
    }
    let lo: number;
    let hi: number;
    if (i.ripRel) {
      const v = this.nextRip + i.disp;
      hi = Math.floor(v / TWO32);
      lo = v - hi * TWO32;
    } else {
      lo = i.disp >>> 0;
      hi = i.disp < 0 ? -1 : 0;
      if (i.base >= 0) {
        lo += this.lo[i.base]! >>> 0;
        hi += this.hi[i.base]!;
      }
      if (i.index >= 0) {
        const x = BigInt.asUintN(64, this.regBig(i.index) << BigInt(i.scale));
        lo += Number(x & 0xffffffffn);
        hi += Number(x >> 32n) | 0;
      }
    }
    const carry = Math.floor(lo / TWO32);
    this.h = (hi + carry) | 0;
    return (lo - carry * TWO32) | 0;
  }

  /** Exact 64-bit effective address with bigint (registers beyond ±2^52). */
  private eaExact(i: Insn): number {
    let v = BigInt(i.disp);
    if (i.base >= 0) v += this.regBig(i.base);
    if (i.index >= 0) v += this.regBig(i.index) << BigInt(i.scale);
    return Number(BigInt.asIntN(64, v));
  }

  // ===================================================================================================
  // Stack
  // ===================================================================================================

  /** Current stack pointer as an offset within SS (by stack size). */
  sp(): number {
    switch (this.stackSize) {
      case 2:
        return this.lo[4]! & 0xffff;
      case 4:
        return this.lo[4]! >>> 0;
      default:
        return this.reg64(4);
    }
  }

  setSp(v: number): void {
    switch (this.stackSize) {
      case 2:
        this.lo[4] = (this.lo[4]! & ~0xffff) | (v & 0xffff);
        return;
      case 4:
        this.lo[4] = v | 0;
        this.hi[4] = 0;
        return;
      default:
        setNum64(this, 4, v);
    }
  }

  /** Stack offset `delta` bytes from the stack pointer, wrapped to the stack size. */
  spAdd(sp: number, delta: number): number {
    switch (this.stackSize) {
      case 2:
        return (sp + delta) & 0xffff;
      case 4:
        return (sp + delta) >>> 0;
      default:
        return sp + delta;
    }
  }

  push(size: number, v: number, vh: number): void {
    if (size === 8 && this.stackSize === 8) {
      // 64-bit push: RSP - 8 on the two halves; the write first (it may fault), then RSP.
      const l = this.lo[4]!;
      const h = this.hi[4]!;
      const nl = (l - 8) | 0;
      const nh = l >>> 0 < 8 ? (h - 1) | 0 : h;
      this.wr64(SS, nh * TWO32 + (nl >>> 0), v, vh);
      this.lo[4] = nl;
      this.hi[4] = nh;
      return;
    }
    const sp = this.spAdd(this.sp(), -size);
    this.wr(SS, sp, size, v, vh);
    this.setSp(sp);
  }

  /** Adds 8 to RSP (64-bit stack) on the two halves. */
  rspPlus8(): void {
    const l = this.lo[4]!;
    const nl = (l + 8) | 0;
    this.lo[4] = nl;
    if (nl >>> 0 < 8) this.hi[4] = (this.hi[4]! + 1) | 0;
  }

  pop(size: number): number {
    const sp = this.sp();
    const v = this.rd(SS, sp, size);
    this.setSp(this.spAdd(sp, size));
    return v;
  }

  // ===================================================================================================
  // Fetch and decode
  // ===================================================================================================

  /** Linear address of the current RIP (with CS base outside 64-bit mode). */
  ripLinear(): number {
    return this.codeMode === 64 ? this.rip : (this.segBase[CS]! + this.rip) >>> 0;
  }

  fetchDecode(): Insn {
    let la: number;
    const mode = this.codeMode;
    if (mode === 64) {
      la = this.rip;
      if (la < -CANON || la >= CANON) this.gp(0);
    } else {
      if (this.rip > this.segLimit[CS]!) this.gp(0);
      la = (this.segBase[CS]! + this.rip) >>> 0;
    }
    this.insnStart = la;
    const vpn = Math.floor(la / PAGE_SIZE);
    const idx = vpn & TLB_MASK;
    let code: (Insn | undefined)[];
    if (this.tlbXTag[idx] === vpn) code = this.tlbXCode[idx]!;
    else code = this.fillFetch(la, vpn, idx);
    const off = la & 0xfff;
    const cached = code[off];
    if (cached !== undefined && cached.mode === mode) {
      if (mode !== 64 && this.rip + cached.len - 1 > this.segLimit[CS]!) this.gp(0);
      return cached;
    }
    return this.decodeAt(la, code, off);
  }

  private fillFetch(la: number, vpn: number, idx: number): (Insn | undefined)[] {
    const phys = this.translateTlb(la, ACC_FETCH);
    const page = Math.floor(phys / PAGE_SIZE);
    let code = this.codePages.get(page);
    if (code === undefined) {
      code = [];
      if (page < this.mem.pageCount) {
        this.codePages.set(page, code);
        if (!this.isCode[page]) {
          this.isCode[page] = 1;
          this.tlbWTag.fill(Number.NaN); // writes to this page must now take the slow path
        }
      }
    }
    this.tlbXTag[idx] = vpn;
    this.noteTlbFill(idx);
    this.tlbXCode[idx] = code;
    this.tlbXPhys[idx] = phys - (phys % PAGE_SIZE);
    return code;
  }

  private decodeAt(la: number, code: (Insn | undefined)[], off: number): Insn {
    const idx = Math.floor(la / PAGE_SIZE) & TLB_MASK;
    const physPage = this.tlbXPhys[idx]!;
    const mem = this.mem;
    const limit = this.codeMode === 64 ? Number.POSITIVE_INFINITY : this.segLimit[CS]! - this.rip;
    let crossed = false;
    const fetch = (k: number): number => {
      if (k > limit) this.gp(0);
      if (off + k < PAGE_SIZE) return mem.read8(physPage + off + k);
      crossed = true;
      return mem.read8(this.translate(la + k, ACC_FETCH, this.tlbUser));
    };
    const insn = decode(fetch, this.codeMode);
    this.attachExec(insn);
    if (!crossed) {
      code[off] = insn;
      insn.cacheable = true;
      insn.physPage = physPage;
      insn.pageOffset = off;
    }
    return insn;
  }

  /** Chooses the handler of a decoded instruction. */
  private attachExec(insn: Insn): void {
    const key = insn.opcode >= 0x0f20 && insn.opcode <= 0x0f23 ? "mov_special" : insn.name;
    insn.exec = this.specializer(insn) ?? this.execTable.get(key) ?? this.udExec;
    insn.aux = this.inlineId(insn.exec as Exec);
    insn.vmxHook = VMX_INSTRUCTION_HOOK_MNEMONICS.has(insn.name);
    insn.vmxInstruction = VMX_INSTRUCTION_NAMES.has(insn.name);
    // LOCK is #UD unless the instruction is lockable and its destination is memory (SDM LOCK).
    if (insn.lock && (!insn.entry?.lock || insn.k0 !== K_MEM)) insn.exec = this.udExec;
  }

  /**
   * Compiles the block starting at `head` (executing at `rip`): further instructions come from the decoded-
   * instruction cache of head's page, decoded from the page's bytes when missing (never across the page end).
   */
  private compileBlockAt(head: Insn, rip: number): Block | null {
    const compiler = this.blockCompiler;
    const physPage = head.physPage;
    const code = this.codePages.get(Math.floor(physPage / PAGE_SIZE));
    if (compiler === undefined || code === undefined || physPage < 0) return null;
    const mem = this.mem;
    const decodeNext = (off: number): Insn | undefined => {
      const cached = code[off];
      if (cached !== undefined) return cached.mode === 64 ? cached : undefined;
      let crossed = false;
      const insn = decode((k) => {
        if (off + k < PAGE_SIZE) return mem.read8(physPage + off + k);
        crossed = true;
        return 0;
      }, 64);
      if (crossed) return undefined;
      this.attachExec(insn);
      code[off] = insn;
      insn.cacheable = true;
      insn.physPage = physPage;
      insn.pageOffset = off;
      return insn;
    };
    return compiler(head, rip, decodeNext) ?? null;
  }

  // ===================================================================================================
  // Step
  // ===================================================================================================

  /**
   * Executes one instruction (or delivers one event). Returns a stop reason when the run must stop.
   * Never throws.
   */
  step(): StopReason | undefined {
    const hooks = this.hooks;
    this.serviceDevicesIfDue();
    if (this.halted && !hooks.wantsBoundary && !this.irqCheck) {
      // HLT: an interrupt that can still come wakes the processor; time passes until the next device event.
      if (!this.waitForInterrupt()) return this.haltedStop();
    }
    const startRip = this.rip;
    this.insnRip = startRip;
    try {
      if (hooks.wantsBoundary) {
        const idle = this.idleTicks;
        hooks.boundary(this.vmxCpu);
        if (this.halted && !this.irqCheck) {
          if (this.idleTicks !== idle) {
            // VMX let time pass (the preemption timer) up to the next device event: look at the devices first.
            this.serviceDevicesIfDue();
            if (!this.irqCheck) return undefined;
          } else if (!this.waitForInterrupt()) return this.haltedStop();
        }
      }
      // An external interrupt is recognized at the instruction boundary (SDM 6.9), after VMX's own boundary
      // events (windows, MTF, preemption timer).
      if (this.irqCheck && this.pollInterrupt()) {
        if (this.pendingStop) {
          const s = this.pendingStop;
          this.pendingStop = undefined;
          return s;
        }
        return undefined;
      }
      if (this.halted) return undefined; // still waiting (the time advanced to the next device event)
      const insn = this.fetchDecode();
      this.current = insn;
      const mode = this.codeMode;
      let next = this.rip + insn.len;
      if (mode === 16) next &= 0xffff;
      else if (mode === 32) next >>>= 0;
      this.nextRip = next;
      if (insn.vmxHook && hooks.nonRoot && hooks.instruction(this.vmxCpu, viewOf(this, insn))) {
        // VMX performed a VM exit instead of the instruction (RIP and state are the host's now).
        this.instructionCount++;
        if (this.pendingStop) {
          const s = this.pendingStop;
          this.pendingStop = undefined;
          return s;
        }
        return undefined;
      }
      this.rip = next;
      this.inInsn = true;
      (insn.exec as Exec)(this, insn);
      this.inInsn = false;
      this.instructionCount++;
      this.flagsRest &= ~RF;
    } catch (e) {
      this.inInsn = false;
      if (e instanceof CpuFault) {
        this.rip = startRip;
        this.instructionCount++;
        return this.exception(e.vector, e.errorCode);
      }
      return this.nonFault(e);
    }
    if (this.pendingStop) {
      const s = this.pendingStop;
      this.pendingStop = undefined;
      return s;
    }
    return undefined;
  }

  /**
   * Runs up to `max` instructions on the fast path (no per-instruction try/catch); falls back to step()
   * whenever VMX needs per-instruction hooks. Returns the stop reason or undefined when the budget is used up.
   * `this.batchExecuted` tells how many steps were taken.
   */
  runBatch(max: number, bp?: LinearBreakpoints): StopReason | undefined {
    // Device events (timer edges) happen between batches: each batch ends at the next one, or when a port write
    // reschedules it (runBatchUntil returns early then).
    let done = 0;
    for (;;) {
      this.serviceDevicesIfDue();
      const room = this.deviceDeadline - this.deviceTime();
      const r = this.runBatchUntil(room < max - done ? Math.max(1, room) : max - done, bp, done > 0);
      done += this.batchExecuted;
      if (r !== undefined || done >= max) {
        this.batchExecuted = done;
        return r;
      }
    }
  }

  /** An INIT signal arrives (the chipset's INIT#): taken at the next instruction boundary. */
  raiseInit(): void {
    this.initFrom = this.codeMode === 64 ? this.insnRip : (this.segBase[CS]! + this.insnRip) >>> 0;
    this.initPending = true;
    this.irqCheck = true;
    this.epoch++;
  }

  /**
   * The processor's state after INIT (SDM 9.1.1, Table 9-1): real mode at F000:FFF0 (CS base FFFF0000h), general
   * registers cleared but EDX, CR0 = 60000010h with CD and NW kept, paging and IA-32e mode off, descriptor tables
   * and debug registers reset. Unlike RESET, INIT keeps the MSRs, the TSC, the x87/SSE state and XCR0.
   */
  private initReset(): void {
    const keep = {
      msrs: this.msrs,
      xmm: this.xmm.slice(),
      mxcsr: this.mxcsr,
      xcr0: this.xcr0,
      fpuCw: this.fpuCw,
      fpuSw: this.fpuSw,
      fpuTw: this.fpuTw,
      instructionCount: this.instructionCount,
      tscOffset: this.tscOffset,
      idleTicks: this.idleTicks,
      cdNw: this.cr0 & 0x60000000,
    };
    this.resetState();
    this.msrs = keep.msrs;
    this.xmm.set(keep.xmm);
    this.mxcsr = keep.mxcsr;
    this.xcr0 = keep.xcr0;
    this.fpuCw = keep.fpuCw;
    this.fpuSw = keep.fpuSw;
    this.fpuTw = keep.fpuTw;
    this.instructionCount = keep.instructionCount;
    this.tscOffset = keep.tscOffset;
    this.idleTicks = keep.idleTicks;
    this.cr0 = 0x10 | keep.cdNw;
    this.updateMode();
  }

  /** The device time now: retired instructions plus the time skipped while halted. */
  deviceTime(): number {
    return this.instructionCount + this.idleTicks;
  }

  /** Processes the device events that are due; INTR rising asks for a look at the next boundary. */
  serviceDevices(): void {
    const src = this.irq;
    src.advance(this.deviceTime());
    this.deviceDeadline = src.nextEvent();
    this.checkInterruptLines();
  }

  private serviceDevicesIfDue(): void {
    if (this.deviceTime() >= this.deviceDeadline) this.serviceDevices();
  }

  /** INTR high or an INIT pending: look at them at the next instruction boundary (pollInterrupt). */
  checkInterruptLines(): void {
    if (this.irq.intr || this.initPending) this.irqCheck = true;
  }

  /** A port write changed the interrupt controllers or the timer: re-read them and end the current batch. */
  interruptStateChanged(): void {
    this.deviceDeadline = this.irq.nextEvent();
    this.checkInterruptLines();
    this.epoch++;
  }

  /**
   * In the HLT state, whether an external interrupt can still end it: RFLAGS.IF = 1 (or, in VMX non-root
   * operation, external-interrupt exiting) and an interrupt requested now or a timer that can raise one.
   */
  interruptCanWake(): boolean {
    if (!(this.flagsRest & IF) && !(this.hooks.nonRoot && this.hooks.externalInterruptExiting)) return false;
    return this.irq.intr || this.irq.canInterruptLater();
  }

  /**
   * In the HLT state: lets time pass until the next device event when an interrupt could then wake the processor
   * (RFLAGS.IF = 1, or in VMX non-root operation external-interrupt exiting), and reports whether it did.
   */
  private waitForInterrupt(): boolean {
    if (!this.interruptCanWake()) return false;
    const now = this.deviceTime();
    if (this.deviceDeadline > now && this.deviceDeadline !== Number.POSITIVE_INFINITY) {
      const ticks = this.deviceDeadline - now;
      this.idleTicks += ticks;
      this.tscOffset += BigInt(ticks);
    }
    this.serviceDevices();
    return true;
  }

  /**
   * INTR is high: delivers the interrupt (or lets VMX exit for it) unless it is blocked. Returns true when
   * something happened instead of the next instruction.
   */
  private pollInterrupt(): boolean {
    const src = this.irq;
    // INIT has priority over external interrupts (SDM 6.9) and is not blocked by STI or MOV SS.
    if (this.initPending) {
      const taken = this.hooks.initSignal(this.vmxCpu);
      if (taken === "exit") {
        this.initPending = false;
        this.irqCheck = true; // the host may take an interrupt next
        return true;
      }
      if (taken === "none") {
        this.initPending = false;
        this.initReset();
        this.pendingStop = {
          kind: "init",
          rip: linBig(this.initFrom),
          message:
            "INIT signal (port 92h bit 0): the processor is in its INIT state (SDM 9.1.1) and would fetch from the reset vector FFFFFFF0h, where this machine has no firmware",
        };
        return true;
      }
    }
    if (!src.intr) {
      this.irqCheck = false;
      return false;
    }
    // Blocking by STI and by MOV SS lasts until the next instruction completes (SDM 6.8.3).
    const n = this.instructionCount;
    if (this.stiShadow === n || this.movSsShadow === n) return false;
    const hooks = this.hooks;
    // VMX non-root operation: external-interrupt exiting turns the interrupt into a VM exit whatever RFLAGS.IF
    // says (SDM 24.6.1, 25.2); with "acknowledge interrupt on exit" VMX acknowledges it (SDM 27.2.2).
    if (hooks.nonRoot && hooks.externalInterrupt(this.vmxCpu, () => src.acknowledge())) {
      this.irqCheck = src.intr;
      return true;
    }
    if (!(this.flagsRest & IF)) {
      this.irqCheck = false;
      return false;
    }
    const vector = src.acknowledge();
    this.irqCheck = src.intr;
    this.halted = false;
    this.activityState = 0;
    this.deliver(vector, -1, "ext", this.rip);
    return true;
  }

  /** runBatch without device events: up to `max` instructions; breakpoints checked from the first if `bpFirst`. */
  private runBatchUntil(max: number, bp: LinearBreakpoints | undefined, bpFirst: boolean): StopReason | undefined {
    let n = 0;
    const deadline = this.deviceDeadline;
    const hooks = this.hooks;
    let startRip = 0;
    let inBlock: Block | undefined;
    // Breakpoints are checked before each instruction except the first: a 64 Ki-entry filter on the low 16
    // address bits rejects almost every address with one array read; hits are confirmed in the exact set.
    const bpFilter = bp?.filter;
    this.repRestart = false;
    while (n < max) {
      if (this.deviceDeadline !== deadline) break; // rescheduled: runBatch caps the budget anew
      // VMX non-root operation stays on this path: only the instructions of VMX_INSTRUCTION_HOOK_MNEMONICS ask
      // VMX first (other intercepts throw VmExitSignal from inside the instruction, caught below).
      if (this.halted || hooks.wantsBoundary || this.irqCheck) {
        if (bpFilter !== undefined && (n > 0 || bpFirst) && !this.repRestart) {
          const la = this.ripLinear();
          if (bpFilter[la & 0xffff] !== 0 && bp?.set.has(la)) {
            this.batchExecuted = n;
            return { kind: "breakpoint", rip: linBig(this.rip), address: linBig(la), physical: false };
          }
        }
        n++;
        this.repRestart = false;
        const r = this.step();
        if (r !== undefined) {
          this.batchExecuted = n;
          return r;
        }
        continue;
      }
      try {
        let prev: Insn | undefined;
        // In VMX non-root operation every instruction takes the generic path (no inline cases): a VM exit from
        // inside it (EPT violation, intercepted access) must see insnRip/inInsn. VM entries and exits bump the
        // epoch, which re-reads this below.
        let guest = hooks.nonRoot;
        while (n < max) {
          startRip = this.rip;
          // (Only with breakpoints: repRestart matters for them alone and is cleared when the run starts.)
          if (bpFilter !== undefined && (n > 0 || bpFirst)) {
            if (this.repRestart) this.repRestart = false;
            else {
              const la = this.codeMode === 64 ? startRip : (this.segBase[CS]! + startRip) >>> 0;
              if (bpFilter[la & 0xffff] !== 0 && bp?.set.has(la)) {
                this.batchExecuted = n;
                return { kind: "breakpoint", rip: linBig(startRip), address: linBig(la), physical: false };
              }
            }
          }
          // Follow the successor links of the previous instruction when they are still valid (same epoch):
          // the fetch, TLB and cache lookups of fetchDecode() give the same answer then.
          let insn: Insn;
          const epoch = this.epoch;
          if (prev !== undefined && prev.link1Rip === startRip && prev.link1Epoch === epoch) insn = prev.link1!;
          else if (prev !== undefined && prev.link2Rip === startRip && prev.link2Epoch === epoch) insn = prev.link2!;
          else {
            insn = this.fetchDecode();
            if (prev !== undefined && insn.cacheable && this.epoch === epoch) {
              if (prev.link1Epoch !== epoch) {
                prev.link1Rip = startRip;
                prev.link1 = insn;
                prev.link1Epoch = epoch;
              } else {
                prev.link2Rip = startRip;
                prev.link2 = insn;
                prev.link2Epoch = epoch;
              }
            }
          }
          // A compiled block for a hot run of 64-bit instructions (block.ts): run it whole when the budget, the
          // breakpoints and RF allow; otherwise interpret as usual.
          let blk = insn.block;
          if (blk !== null && !guest && insn.mode === 64) {
            if (blk === undefined && ++insn.heat >= this.blockHeat) {
              blk = this.compileBlockAt(insn, startRip);
              insn.block = blk;
            }
            if (
              blk != null &&
              n + blk.count <= max &&
              (this.flagsRest & RF) === 0 &&
              (bpFilter === undefined || !blockHasBreakpoint(blk, bpFilter, bp))
            ) {
              inBlock = blk;
              const done = blk.run(this, max - n);
              inBlock = undefined;
              const before = n;
              n += done;
              this.instructionCount += done;
              prev = done % blk.count === 0 ? blk.last : undefined;
              if (this.epoch !== epoch || (n & ~1023) !== (before & ~1023)) {
                if (this.pendingStop !== undefined) {
                  const s = this.pendingStop;
                  this.pendingStop = undefined;
                  this.batchExecuted = n;
                  return s;
                }
                if (hooks.wantsBoundary || this.irqCheck || this.halted || this.deviceDeadline !== deadline) break;
                guest = hooks.nonRoot;
              }
              continue;
            }
          }
          let next = startRip + insn.len;
          const mode = insn.mode; // equals codeMode: a mode change bumps the epoch and forces a fetch
          if (mode === 16) next &= 0xffff;
          else if (mode === 32) next >>>= 0;
          this.rip = next;
          // The commonest handlers of exec-fast.ts, inlined (same code as there; see inlineIdOf). Only the
          // generic path and the memory forms need nextRip/insnRip/inInsn (RIP-relative addresses, VMX hooks).
          let recheck = false;
          switch (guest ? 0 : insn.aux) {
            case 1:
            case 2: {
              const lo = this.lo;
              const hi = this.hi;
              const d = insn.r0;
              const a = lo[d]!;
              const ah = hi[d]!;
              const b = lo[insn.r1]!;
              const bh = hi[insn.r1]!;
              let r: number;
              let rh: number;
              if (insn.aux === 1) {
                const l = (a >>> 0) + (b >>> 0);
                r = l | 0;
                rh = (ah + bh + (l > 0xffffffff ? 1 : 0)) | 0;
                this.lfOp = OP_ADD;
              } else {
                const l = (a >>> 0) - (b >>> 0);
                r = l | 0;
                rh = (ah - bh - (l < 0 ? 1 : 0)) | 0;
                this.lfOp = OP_SUB;
              }
              // lfCin is only read for ADC/SBB/INC/DEC.
              this.lfSize = 8;
              this.lfA = a;
              this.lfAHi = ah;
              this.lfB = b;
              this.lfBHi = bh;
              this.lfRes = r;
              this.lfResHi = rh;
              lo[d] = r;
              hi[d] = rh;
              break;
            }
            case 3: {
              // XOR: the logic flags need only the result.
              const lo = this.lo;
              const hi = this.hi;
              const d = insn.r0;
              const r = lo[d]! ^ lo[insn.r1]!;
              const rh = hi[d]! ^ hi[insn.r1]!;
              this.lfOp = OP_LOGIC;
              this.lfSize = 8;
              this.lfRes = r;
              this.lfResHi = rh;
              lo[d] = r;
              hi[d] = rh;
              break;
            }
            case 4:
            case 5: {
              // INC/DEC keep CF: evaluate it now (inline for the usual 64-bit SUB/CMP predecessor).
              let cf: number;
              if (this.lfOp === OP_SUB && this.lfSize === 8) {
                const xh = this.lfAHi;
                const yh = this.lfBHi;
                cf = xh !== yh ? (xh >>> 0 < yh >>> 0 ? 1 : 0) : this.lfA >>> 0 < this.lfB >>> 0 ? 1 : 0;
              } else cf = this.getCF();
              const lo = this.lo;
              const hi = this.hi;
              const d = insn.r0;
              const a = lo[d]!;
              const ah = hi[d]!;
              const dec = insn.aux === 4;
              const r = dec ? (a - 1) | 0 : (a + 1) | 0;
              const rh = dec ? (a === 0 ? (ah - 1) | 0 : ah) : r === 0 ? (ah + 1) | 0 : ah;
              this.lfOp = dec ? OP_DEC : OP_INC;
              this.lfSize = 8;
              this.lfA = a;
              this.lfAHi = ah;
              this.lfB = 1;
              this.lfBHi = 0;
              this.lfRes = r;
              this.lfResHi = rh;
              this.lfCin = cf;
              lo[d] = r;
              hi[d] = rh;
              break;
            }
            case 6:
            case 7: {
              let z: boolean;
              if (this.lfOp === OP_NONE) z = (this.arith & ZF) !== 0;
              else if (this.lfSize === 8) z = (this.lfRes | this.lfResHi) === 0;
              else z = this.lfRes === 0;
              if (z === (insn.aux === 7)) {
                const t = next + insn.imm;
                if (t < -CANON || t >= CANON) this.gp(0);
                this.rip = t;
              }
              break;
            }
            case 8: {
              this.nextRip = next;
              const v = this.rd64(insn.seg, this.ea(insn));
              this.hi[insn.r0] = this.h;
              this.lo[insn.r0] = v;
              break;
            }
            case 9:
              this.nextRip = next;
              this.wr64(insn.seg, this.ea(insn), this.lo[insn.r1]!, this.hi[insn.r1]!);
              break;
            case 10: {
              const t = next + insn.imm;
              if (t < -CANON || t >= CANON) this.gp(0);
              const hi = Math.floor(next / TWO32);
              this.push(8, (next - hi * TWO32) | 0, hi | 0);
              this.rip = t;
              if (this.calls !== undefined) this.calls.nearCall(startRip, next);
              break;
            }
            case 11: {
              const sp = this.sp();
              const lo = this.rd64(SS, sp);
              const t = this.h * TWO32 + (lo >>> 0);
              if (t < -CANON || t >= CANON) this.gp(0);
              this.setSp(sp + 8);
              this.rip = t;
              if (this.calls !== undefined) this.calls.returned(sp);
              break;
            }
            default:
              this.nextRip = next;
              this.insnRip = startRip;
              if (insn.vmxHook && hooks.nonRoot) {
                this.rip = startRip;
                this.current = insn;
                if (hooks.instruction(this.vmxCpu, viewOf(this, insn))) {
                  // A VM exit instead of the instruction: VMX has switched to the host (epoch bumped).
                  this.instructionCount++;
                  n++;
                  prev = undefined;
                  if (this.pendingStop !== undefined) {
                    const s = this.pendingStop;
                    this.pendingStop = undefined;
                    this.batchExecuted = n;
                    return s;
                  }
                  if (hooks.wantsBoundary || this.irqCheck || this.halted || this.deviceDeadline !== deadline) break;
                  guest = hooks.nonRoot;
                  continue;
                }
                this.rip = next;
              }
              this.inInsn = true;
              (insn.exec as Exec)(this, insn);
              this.inInsn = false;
              // A VM entry (or VMXOFF…) changes hooks.nonRoot / wantsBoundary without a cache epoch: re-read them.
              recheck = insn.vmxInstruction;
          }
          this.instructionCount++;
          if (this.flagsRest & RF) this.flagsRest &= ~RF;
          n++;
          prev = insn.cacheable ? insn : undefined;
          // Stop requests and VMX transitions bump the epoch; the hooks are re-read every 1024 steps as well.
          if (this.epoch !== epoch || recheck || (n & 1023) === 0) {
            if (this.pendingStop !== undefined) {
              const s = this.pendingStop;
              this.pendingStop = undefined;
              this.batchExecuted = n;
              return s;
            }
            if (hooks.wantsBoundary || this.irqCheck || this.halted || this.deviceDeadline !== deadline) break;
            guest = hooks.nonRoot;
          }
        }
      } catch (e) {
        this.inInsn = false;
        if (inBlock !== undefined) {
          // The instructions of the block before the faulting one completed.
          const k = this.blockDone;
          n += k;
          this.instructionCount += k;
          startRip = inBlock.rips[this.blockIndex] ?? startRip;
          inBlock = undefined;
        }
        n++;
        let r: StopReason | undefined;
        if (e instanceof CpuFault) {
          this.rip = startRip;
          this.instructionCount++;
          r = this.exception(e.vector, e.errorCode);
        } else r = this.nonFault(e);
        if (r === undefined && this.pendingStop !== undefined) {
          r = this.pendingStop;
          this.pendingStop = undefined;
        }
        if (r !== undefined) {
          this.batchExecuted = n;
          return r;
        }
      }
    }
    this.batchExecuted = n;
    return undefined;
  }

  batchExecuted = 0;

  /** The stop of a HLT nothing can end. */
  haltedStop(): StopReason {
    return { kind: "halted", rip: linBig(this.rip), interruptsEnabled: (this.flagsRest & IF) !== 0 };
  }

  /** Handles a non-CpuFault throw from an instruction or event delivery. */
  nonFault(e: unknown): StopReason | undefined {
    if (e instanceof VmExitSignal) {
      this.instructionCount++;
      return e.stop;
    }
    if (e instanceof StopSignal) {
      this.instructionCount++;
      return e.reason;
    }
    if (e instanceof CpuFault) return this.exception(e.vector, e.errorCode);
    // An emulator bug: never let it escape as a host exception; stop the run and say so.
    const msg = e instanceof Error ? `${e.message}` : String(e);
    return { kind: "shutdown", rip: linBig(this.rip), message: `internal emulator error: ${msg}` };
  }

  /** Delivers an exception raised by the instruction at RIP, with #DF and triple-fault handling (SDM 6.15). */
  exception(vector: number, errorCode: number): StopReason | undefined {
    try {
      this.deliverWithDf(vector, errorCode);
    } catch (e) {
      return this.nonFault(e);
    }
    if (this.pendingStop) {
      const s = this.pendingStop;
      this.pendingStop = undefined;
      return s;
    }
    return undefined;
  }

  private deliverWithDf(vector: number, errorCode: number): void {
    const first = vector;
    const faultRip = this.rip;
    try {
      this.deliver(vector, errorCode, "hw", this.rip);
      this.exceptionDelivered(vector, errorCode, faultRip);
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      const second = e.vector;
      if (first === 8) this.tripleFault(second);
      const contributory = (v: number) => v === 0 || (v >= 10 && v <= 13);
      const df =
        (contributory(first) && contributory(second)) || (first === 14 && (second === 14 || contributory(second)));
      if (!df) {
        // Handled serially: deliver the second exception instead (the first one is lost, SDM Table 6-5).
        try {
          this.deliver(second, e.errorCode, "hw", this.rip);
          this.exceptionDelivered(second, e.errorCode, faultRip);
        } catch (e2) {
          if (!(e2 instanceof CpuFault)) throw e2;
          this.deliverDoubleFault(faultRip);
        }
        return;
      }
      this.deliverDoubleFault(faultRip);
    }
  }

  private deliverDoubleFault(faultRip: number): void {
    try {
      this.deliver(8, 0, "hw", this.rip);
      this.exceptionDelivered(8, 0, faultRip);
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      this.tripleFault(e.vector);
    }
  }

  /**
   * Called after an exception (vector 0–31) was delivered through the IDT: with stopOnExceptionDelivery the run
   * stops now, with RIP at the handler's entry (resuming continues in the handler).
   */
  exceptionDelivered(vector: number, errorCode: number, faultRip: number): void {
    if (!this.stopOnExceptionDelivery || this.pendingStop !== undefined) return;
    const r: StopReason = {
      kind: "exceptionDelivered",
      vector,
      faultRip: linBig(faultRip),
      rip: linBig(this.rip),
      guest: this.hooks.nonRoot,
    };
    if (errorCode >= 0) r.errorCode = errorCode;
    if (vector === 14) r.cr2 = linBig(this.cr2);
    this.requestStop(r);
  }

  tripleFault(lastVector: number): never {
    if (this.hooks.nonRoot) this.hooks.tripleFault(this.vmxCpu);
    this.halted = true;
    this.activityState = 2;
    throw new StopSignal({
      kind: "tripleFault",
      rip: linBig(this.rip),
      vector: lastVector,
      message: `triple fault: exception ${lastVector} while delivering a double fault; the processor entered shutdown`,
    });
  }

  /** Event delivery through the IDT; implemented in interrupts.ts (installed by the machine). */
  deliver(
    vector: number,
    errorCode: number,
    kind: "hw" | "sw" | "intn" | "swx" | "ext" | "int1",
    returnRip: number,
  ): void {
    deliverImpl(this, vector, errorCode, kind, returnRip);
  }
}

/** Set by interrupts.ts (avoids a module cycle). */
export let deliverImpl: (cpu: Cpu, vector: number, errorCode: number, kind: string, returnRip: number) => void = () => {
  throw new Error("interrupt delivery not installed");
};
export function installDelivery(f: typeof deliverImpl): void {
  deliverImpl = f;
}

/** DecodedInstructionView builder; set by vmx-bridge.ts. */
export let viewOf: (cpu: Cpu, insn: Insn) => DecodedInstructionView = () => {
  throw new Error("vmx bridge not installed");
};
export function installViewOf(f: typeof viewOf): void {
  viewOf = f;
}

const K_MEM = 2;
/** The VMX instructions (executed through VmxHooks.executeVmxInstruction). */
const VMX_INSTRUCTION_NAMES = new Set(
  "vmxon,vmxoff,vmclear,vmptrld,vmptrst,vmread,vmwrite,vmlaunch,vmresume,vmcall,vmfunc,invept,invvpid".split(","),
);

/** Whether a breakpoint falls on an instruction of the block after its first (checked by the loop itself). */
function blockHasBreakpoint(b: Block, filter: Uint8Array, bp: LinearBreakpoints | undefined): boolean {
  const rips = b.rips;
  // A looping block runs its first instruction again without the run loop's check.
  for (let j = b.loops ? 0 : 1; j < rips.length; j++) {
    const la = rips[j]!;
    if (filter[la & 0xffff] !== 0 && bp?.set.has(la)) return true;
  }
  return false;
}
/** 2^(12 + 9·(level-1)): the region one entry of a level maps. */
const LEVEL_DIV = [0, 2 ** 12, 2 ** 21, 2 ** 30, 2 ** 39];
const ONES_VIEW = new DataView(ONES_PAGE.buffer, 0, PAGE_SIZE);
const ZERO_VIEW = new DataView(ZERO_PAGE.buffer, 0, PAGE_SIZE);

function pdpteAddr(p: number): number {
  return p - (p % 4096);
}

/** Unsigned a < b for the lazy flags' operand size. */
function ult(a: number, ah: number, b: number, bh: number, size: number): number {
  if (size === 8) {
    if (ah !== bh) return ah >>> 0 < bh >>> 0 ? 1 : 0;
    return a >>> 0 < b >>> 0 ? 1 : 0;
  }
  if (size === 4) return a >>> 0 < b >>> 0 ? 1 : 0;
  return a < b ? 1 : 0;
}

function ule(a: number, ah: number, b: number, bh: number, size: number): number {
  if (size === 8) {
    if (ah !== bh) return ah >>> 0 < bh >>> 0 ? 1 : 0;
    return a >>> 0 <= b >>> 0 ? 1 : 0;
  }
  if (size === 4) return a >>> 0 <= b >>> 0 ? 1 : 0;
  return a <= b ? 1 : 0;
}

/** A linear address number (signed canonical or unsigned 32-bit) as an unsigned 64-bit bigint. */
export function linBig(la: number): bigint {
  return BigInt.asUintN(64, BigInt(Math.trunc(la)));
}

/** Stores a JS number (signed, |v| < 2^53) into a 64-bit register. */
export function setNum64(cpu: Cpu, r: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  cpu.lo[r] = (v - hi * TWO32) | 0;
  cpu.hi[r] = hi | 0;
}

export { CS, DS, ES, FS, GS, SS };

/** Linear-address breakpoints for runBatch: the exact set and a filter indexed by the low 16 address bits. */
export interface LinearBreakpoints {
  readonly set: ReadonlySet<number>;
  readonly filter: Uint8Array;
}

export function makeLinearBreakpoints(addresses: Iterable<number>): LinearBreakpoints {
  const set = new Set<number>();
  const filter = new Uint8Array(0x10000);
  for (const a of addresses) {
    set.add(a);
    filter[a & 0xffff] = 1;
  }
  return { set, filter };
}
