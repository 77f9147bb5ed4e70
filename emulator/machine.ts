// The Machine: a CPU, lazily allocated memory and devices, with start states, run/step with budgets and
// breakpoints, output events, and copy-on-write snapshots. This is the API the debugger and `vmx run` use.

import { FALLBACK_MODEL } from "./arch-adapter";
import { compileBlock } from "./block";
import { type CallFrame, type CallStacksState, CallTracker } from "./call-frames";
import { Cpu, type Exec, linBig, makeLinearBreakpoints } from "./cpu";
import type { CpuModel } from "./cpu-model";
import { decode, type Insn, SS } from "./decoder";
import { Devices, type OutputListener } from "./devices";
import { inlineIdOf, specialize } from "./exec-fast";
import { GENERAL } from "./exec-general";
import { SSE } from "./exec-sse";
import { SYSTEM, udExec } from "./exec-system";
import type { PicPair } from "./pic";
import "./interrupts";
import { type MemorySnapshot, PAGE_SIZE, PhysicalMemory } from "./memory";
import {
  FIRMWARE_EXIT_PORT,
  HAS_ERROR_CODE,
  inFirmwareHandlers,
  type StartState,
  setupLong64,
  setupProtected32,
  setupReal16,
} from "./start-states";
import type { StopReason } from "./stop-reason";
import { VmxCpuAdapter } from "./vmx-bridge";
import type { VmxFactory, VmxHooks } from "./vmx-hooks";

export interface MachineOptions {
  /** RAM size in bytes (default 64 MiB). */
  memoryBytes?: number;
  /** CPU model (CPUID, MSRs, MAXPHYADDR); default: arch/'s default model when available. */
  cpuModel?: CpuModel;
  /** Creates VMX for this machine (emulator/vmx); without it VMX instructions raise #UD. */
  vmx?: VmxFactory;
}

export interface RunOptions {
  /** Instruction budget (steps). */
  maxInstructions: number;
  /** Linear-address breakpoints: the run stops before executing an instruction there. */
  breakpoints?: ReadonlySet<bigint>;
  /** Physical-address breakpoints. */
  physicalBreakpoints?: ReadonlySet<bigint>;
  /** Called before each instruction when set (tracing; slows the run). */
  trace?: (m: Machine) => void;
  /**
   * Stop with `{ kind: "exceptionDelivered" }` after an exception (vectors 0–31 raised by an instruction or by
   * delivery, INT3/INTO/INT1 included, INT n and external interrupts not) is delivered through the IDT/IVT.
   */
  stopOnExceptionDelivery?: boolean;
}

export interface StepOptions {
  /** As RunOptions.stopOnExceptionDelivery: the step returns `exceptionDelivered` instead of `step`. */
  stopOnExceptionDelivery?: boolean;
}

export interface Snapshot {
  readonly memory: MemorySnapshot;
  readonly cpu: CpuSnapshot;
  readonly vmx: unknown;
  readonly devices: { port92: number; uart: object; pic?: object; pit?: object };
  readonly startState: StartState | undefined;
  /** The tracked call stacks when trackCalls was on. */
  readonly calls?: CallStacksState;
}

interface CpuSnapshot {
  [key: string]: unknown;
}

const EXEC = new Map<string, Exec>([...GENERAL, ...SYSTEM, ...SSE]);
const DEFAULT_MEMORY = 64 * 1024 * 1024;

const CPU_FIELDS = [
  "rip",
  "flagsRest",
  "lfOp",
  "lfSize",
  "lfRes",
  "lfResHi",
  "lfA",
  "lfAHi",
  "lfB",
  "lfBHi",
  "lfCin",
  "arith",
  "gdtrBase",
  "gdtrLimit",
  "idtrBase",
  "idtrLimit",
  "cr0",
  "cr2",
  "cr3",
  "cr4",
  "cr8",
  "efer",
  "cpl",
  "tscOffset",
  "instructionCount",
  "idleTicks",
  "irqCheck",
  "initPending",
  "initFrom",
  "halted",
  "stiShadow",
  "movSsShadow",
  "nmiBlocked",
  "activityState",
  "pendingDebug",
  "mxcsr",
  "xcr0",
  "fpuCw",
  "fpuSw",
  "fpuTw",
] as const;

export class Machine {
  readonly memory: PhysicalMemory;
  readonly devices: Devices;
  readonly cpu: Cpu;
  readonly model: CpuModel;
  readonly vmx: VmxHooks | undefined;
  startState: StartState | undefined;

  constructor(opts: MachineOptions = {}) {
    this.memory = new PhysicalMemory(opts.memoryBytes ?? DEFAULT_MEMORY);
    this.devices = new Devices();
    this.model = opts.cpuModel ?? FALLBACK_MODEL;
    this.cpu = new Cpu(this.memory, this.model, this.devices, EXEC, udExec);
    const cpu = this.cpu;
    cpu.irq = this.devices;
    this.devices.clock = () => cpu.deviceTime();
    this.devices.onInterruptStateChange = () => cpu.interruptStateChanged();
    this.devices.onInit = () => cpu.raiseInit();
    this.cpu.specializer = specialize;
    this.cpu.inlineId = inlineIdOf;
    this.cpu.blockCompiler = compileBlock;
    this.cpu.vmxCpu = new VmxCpuAdapter(this.cpu, (r) => {
      this.cpu.requestStop(r);
    });
    if (opts.vmx) {
      this.vmx = opts.vmx(this.cpu.vmxCpu);
      this.cpu.hooks = this.vmx;
    }
    this.devices.extra.set(FIRMWARE_EXIT_PORT, {
      in: () => 0xff,
      out: (_size, v) => this.firmwareExit(v & 0xff),
    });
  }

  // --- loading and start states ----------------------------------------------------------------------------

  /** Copies bytes into physical memory (beyond RAM they are dropped). */
  load(bytes: Uint8Array, physAddr: number | bigint): void {
    const a = Number(physAddr);
    for (let k = 0; k < bytes.length; k++) this.cpu.physWrite(a + k, 1, bytes[k]!);
  }

  /** Builds the firmware structures of a start state and sets every register (see emulator/README.md). */
  setupStart(state: StartState, entry: number | bigint): void {
    const e = Number(BigInt.asIntN(64, BigInt(entry)));
    const write = (addr: number, bytes: number[]) => this.load(Uint8Array.from(bytes), addr);
    this.vmx?.reset();
    this.devices.resetTimers();
    this.cpu.calls?.load(undefined);
    this.startState = state;
    if (state === "long64") setupLong64(this.cpu, write, e);
    else if (state === "protected32") setupProtected32(this.cpu, write, e);
    else setupReal16(this.cpu, write, e);
  }

  private firmwareExit(vector: number): void {
    const cpu = this.cpu;
    const la = cpu.codeMode === 64 ? cpu.insnRip : (cpu.segBase[1]! + cpu.insnRip) >>> 0;
    if (!inFirmwareHandlers(this.startState, la)) return; // an ordinary write to an unused port
    let reason: StopReason;
    try {
      if (this.startState === "real16") {
        const sp = cpu.sp();
        const ip = cpu.rd16(SS, sp);
        const cs = cpu.rd16(SS, (sp + 2) & 0xffff);
        reason = { kind: "exception", vector, rip: BigInt(cs * 16 + ip) };
      } else {
        const w = cpu.codeMode === 64 ? 8 : 4;
        const sp = cpu.sp();
        const err = cpu.rd(SS, sp, w) >>> 0;
        const lo = cpu.rd(SS, sp + w, w);
        const hi = w === 8 ? cpu.h : 0;
        const rip = w === 8 ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
        reason = { kind: "exception", vector, rip };
        if (HAS_ERROR_CODE.has(vector)) reason.errorCode = err;
        if (vector === 14) reason.cr2 = linBig(cpu.cr2);
      }
    } catch {
      reason = { kind: "exception", vector, rip: linBig(cpu.rip) };
    }
    cpu.requestStop(reason);
  }

  // --- execution -----------------------------------------------------------------------------------------

  /** Executes one instruction; returns why it stopped, or { kind: "step" }. */
  step(opts: StepOptions = {}): StopReason {
    this.cpu.stopOnExceptionDelivery = opts.stopOnExceptionDelivery === true;
    const r = this.cpu.step();
    return r ?? { kind: "step", rip: this.rip };
  }

  /** Runs until a stop reason. Breakpoints are checked before each instruction except the first. */
  run(opts: RunOptions): StopReason {
    const cpu = this.cpu;
    const max = opts.maxInstructions;
    cpu.stopOnExceptionDelivery = opts.stopOnExceptionDelivery === true;
    const bps = new Set<number>();
    for (const b of opts.breakpoints ?? []) {
      bps.add(Number(BigInt.asIntN(64, b)));
      if (b < 1n << 32n) bps.add(Number(b));
    }
    const pbps = opts.physicalBreakpoints ?? new Set<bigint>();
    const trace = opts.trace;
    const checkBp = bps.size > 0 || pbps.size > 0;
    if (!checkBp && !trace) {
      const r = cpu.runBatch(max);
      return r ?? { kind: "budget", rip: this.rip, executed: max };
    }
    // Linear breakpoints alone: the batched loop checks them (physical ones and tracing step one at a time).
    if (pbps.size === 0 && !trace) {
      const r = cpu.runBatch(max, makeLinearBreakpoints(bps));
      return r ?? { kind: "budget", rip: this.rip, executed: max };
    }
    cpu.repRestart = false;
    for (let n = 0; n < max; n++) {
      if (cpu.repRestart) cpu.repRestart = false;
      else if (checkBp && n > 0) {
        const la = cpu.ripLinear();
        if (bps.has(la)) return { kind: "breakpoint", rip: this.rip, address: linBig(la), physical: false };
        if (pbps.size > 0) {
          const pa = this.translateNoFault(la);
          if (pa !== undefined && pbps.has(BigInt(pa)))
            return { kind: "breakpoint", rip: this.rip, address: BigInt(pa), physical: true };
        }
      }
      if (trace) trace(this);
      const r = cpu.step();
      if (r !== undefined) return r;
    }
    return { kind: "budget", rip: this.rip, executed: max };
  }

  /** Fast run without breakpoints or tracing. */
  runFast(maxInstructions: number): StopReason {
    this.cpu.stopOnExceptionDelivery = false;
    const r = this.cpu.runBatch(maxInstructions);
    return r ?? { kind: "budget", rip: this.rip, executed: maxInstructions };
  }

  // --- tracked call stack (for the debugger's stack frames) ------------------------------------------------

  /**
   * Tracks CALL/RET, far calls, event delivery and IRET to maintain call frames (emulator/call-frames.ts). Off by
   * default (then the call/return paths test one field). Turning it on starts with no frames.
   */
  get trackCalls(): boolean {
    return this.cpu.calls !== undefined;
  }

  set trackCalls(on: boolean) {
    if (on === this.trackCalls) return;
    this.cpu.calls = on ? new CallTracker(this.cpu) : undefined;
  }

  /**
   * The tracked frames, innermost first (the frame of the current RIP itself is not one of them: frame k's
   * `returnAddress` is where frame k-1's code continues). "current" (default): in VMX non-root operation the
   * guest's frames followed by the host's (suspended at VM entry), else the host's. Empty when trackCalls is off.
   */
  callFrames(which: "current" | "host" | "guest" = "current"): readonly CallFrame[] {
    return this.cpu.calls?.view(which) ?? [];
  }

  get instructionCount(): number {
    return this.cpu.instructionCount;
  }

  get rip(): bigint {
    return linBig(this.cpu.rip);
  }

  /** Linear address of the next instruction (CS base + RIP outside 64-bit mode). */
  get pc(): bigint {
    return linBig(this.cpu.ripLinear());
  }

  // --- memory access for the debugger ------------------------------------------------------------------

  readPhys(addr: number | bigint, length: number): Uint8Array {
    return this.memory.readBytes(Number(addr), length);
  }

  writePhys(addr: number | bigint, bytes: Uint8Array): void {
    this.load(bytes, addr);
  }

  /** Linear → physical with the current paging mode, without faults or accessed/dirty updates. */
  translateNoFault(la: number): number | undefined {
    return probeTranslate(this.cpu, la);
  }

  /** Reads linear memory; bytes on unmapped pages are undefined in the result (returned as undefined). */
  readLinear(addr: number | bigint, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    const a = Number(BigInt.asIntN(64, BigInt(addr)));
    for (let k = 0; k < length; ) {
      const la = a + k;
      const pa = this.translateNoFault(la);
      if (pa === undefined) return undefined;
      const n = Math.min(length - k, PAGE_SIZE - (((la % PAGE_SIZE) + PAGE_SIZE) % PAGE_SIZE));
      out.set(this.memory.readBytes(pa, n), k);
      k += n;
    }
    return out;
  }

  onOutput(cb: OutputListener): () => void {
    return this.devices.onOutput(cb);
  }

  /** Queues bytes for the UART's receiver. */
  uartInput(bytes: Uint8Array): void {
    for (const b of bytes) this.devices.uart.input.push(b);
  }

  // --- snapshots ---------------------------------------------------------------------------------------

  snapshot(): Snapshot {
    const c = this.cpu as unknown as Record<string, unknown>;
    const cpu: CpuSnapshot = {};
    for (const f of CPU_FIELDS) cpu[f] = c[f];
    cpu.lo = this.cpu.lo.slice();
    cpu.hi = this.cpu.hi.slice();
    cpu.segSel = this.cpu.segSel.slice();
    cpu.segBase = this.cpu.segBase.slice();
    cpu.segLimit = this.cpu.segLimit.slice();
    cpu.segAr = this.cpu.segAr.slice();
    cpu.dr = this.cpu.dr.slice();
    cpu.xmm = this.cpu.xmm.slice();
    cpu.pdptes = this.cpu.pdptes.slice();
    cpu.msrs = new Map(this.cpu.msrs);
    const memory = this.memory.snapshot();
    this.cpu.flushFast(); // fast write entries may point at pages that are now shared
    return {
      memory,
      cpu,
      vmx: this.vmx?.saveState(),
      devices: {
        port92: this.devices.port92,
        uart: this.devices.uart.snapshot(),
        pic: this.devices.pic.snapshot(),
        pit: this.devices.pit.snapshot(),
      },
      startState: this.startState,
      ...(this.cpu.calls ? { calls: this.cpu.calls.save() } : {}),
    };
  }

  restore(s: Snapshot): void {
    const c = this.cpu as unknown as Record<string, unknown>;
    for (const f of CPU_FIELDS) c[f] = s.cpu[f];
    this.cpu.lo.set(s.cpu.lo as Int32Array);
    this.cpu.hi.set(s.cpu.hi as Int32Array);
    this.cpu.segSel.set(s.cpu.segSel as Int32Array);
    this.cpu.segBase.set(s.cpu.segBase as Float64Array);
    this.cpu.segLimit.set(s.cpu.segLimit as Float64Array);
    this.cpu.segAr.set(s.cpu.segAr as Int32Array);
    this.cpu.dr.set(s.cpu.dr as Float64Array);
    this.cpu.xmm.set(s.cpu.xmm as Int32Array);
    this.cpu.pdptes = (s.cpu.pdptes as number[]).slice();
    this.cpu.msrs = new Map(s.cpu.msrs as Map<number, bigint>);
    this.memory.restore(s.memory);
    this.cpu.codePages.clear();
    this.cpu.isCode.fill(0);
    for (let k = 0; k < 8; k++) this.cpu.refreshSegLimits(k);
    this.cpu.pendingStop = undefined;
    this.cpu.updateMode();
    this.cpu.flushTlb();
    this.devices.port92 = s.devices.port92;
    Object.assign(this.devices.uart, s.devices.uart);
    if (s.devices.pic) this.devices.pic.restore(s.devices.pic as ReturnType<PicPair["snapshot"]>);
    else this.devices.pic.reset();
    if (s.devices.pit) this.devices.pit.restore(s.devices.pit);
    else this.devices.pit.reset();
    this.cpu.deviceDeadline = this.devices.nextEvent();
    this.startState = s.startState;
    this.cpu.calls?.load(s.calls);
    if (this.vmx) this.vmx.restoreState(s.vmx);
  }

  /** Decoded instruction at a linear address (for the disassembler view); undefined if unmapped. */
  instructionAt(la: bigint, mode?: number): Insn | undefined {
    const bytes = this.readLinear(la, 15);
    if (!bytes) return undefined;
    return decodeBytes(bytes, mode ?? this.cpu.codeMode);
  }
}

export function decodeBytes(bytes: Uint8Array, mode: number): Insn {
  return decode((k) => (k < bytes.length ? bytes[k]! : 0), mode);
}

/** Translation without side effects for the debugger (no A/D updates, no #PF, no EPT exits). */
function probeTranslate(cpu: Cpu, la: number): number | undefined {
  if (cpu.hooks.eptActive) return undefined;
  const savedCr2 = cpu.cr2;
  cpu.probing = true;
  try {
    return cpu.translate(la, 0, false);
  } catch {
    return undefined;
  } finally {
    cpu.probing = false;
    cpu.cr2 = savedCr2;
  }
}
