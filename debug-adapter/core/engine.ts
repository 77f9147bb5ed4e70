// The debug engine: runs the machine in slices (so the adapter keeps answering and a pause lands within
// milliseconds), evaluates breakpoints, steps (in/over/out, into and over VM entries), watches the VMX
// instructions of the program (VMWRITE provenance, VMfail, VM-entry sites), records VM exits, keeps the time
// line for reverse execution, and reports stops as plain data. It knows nothing of DAP.
import { EXIT_REASONS, fieldByEncoding, fieldByName, VM_INSTRUCTION_ERRORS, VMCS } from "../../arch/index";
import { BreakpointStore, type CodeBreakpoint, type DataBreakpoint, hitConditionMet } from "./breakpoints";
import { makeEvalEnv, pointerSize, readValue } from "./eval-env";
import { deliveryText, describeDelivery, type ExceptionDelivery } from "./exception-delivery";
import { evaluate } from "./expression";
import { SnapshotTimeline, TimedLog } from "./history";
import { classifyInstruction, type VmxMnemonic } from "./insn-class";
import { vectorName } from "./names";
import { type RegisterRef, registerRef } from "./registers";
import type { SourceLocation, SourceMap } from "./source-map";
import type { DebugTarget, StopReason } from "./target";

export const BREAK_FILTERS = ["vmExit", "vmEntryFailure", "vmFail", "exception", "tripleFault"] as const;
export type BreakFilter = (typeof BREAK_FILTERS)[number];

/** DAP's stepping granularity reduced to what assembly has: one instruction, or one source line. */
export type StepGranularity = "instruction" | "line";

export interface EngineConfig {
  syntax: "gas" | "nasm";
  /** Total instruction budget of the run (the launch's maxInstructions). */
  maxInstructions?: number;
  /** Log every VM exit to the console. */
  trace: boolean;
  breakOn: ReadonlySet<BreakFilter>;
}

export type StopCause =
  | "entry"
  | "step"
  | "breakpoint"
  | "function breakpoint"
  | "instruction breakpoint"
  | "data breakpoint"
  | "exception"
  | "pause"
  | "goto";

export interface ExceptionDetails {
  filter: BreakFilter | "budget" | "internal";
  /** Short id, e.g. "VM exit 10 (CPUID)", "GCR-03". */
  id: string;
  description: string;
  /** Several lines: fields, values, provenance. */
  details?: string;
  entryFailure?: EntryFailureExplanation;
  delivery?: ExceptionDelivery;
}

export interface EngineStop {
  cause: StopCause;
  description: string;
  hitBreakpointIds?: number[];
  exception?: ExceptionDetails;
}

/** Provenance of a VMCS field value: the VMWRITE that last wrote it. */
export interface VmwriteRecord {
  count: number;
  vmcs: bigint;
  encoding: number;
  value: bigint;
  address: bigint;
  /** The source line of the VMWRITE instruction itself. */
  location?: SourceLocation;
  /** For a one-VMWRITE helper entered by CALL (`call vmw`): the line of that CALL. */
  calledFrom?: SourceLocation;
}

export interface ExitRecord {
  count: number;
  index: number;
  reason: number;
  entryFailure: boolean;
  qualification: bigint;
  guestRip: bigint;
  guestLocation?: SourceLocation;
}

export interface EntryFailureField {
  name: string;
  value: bigint;
  provenance?: VmwriteRecord;
}

export interface EntryFailureExplanation {
  kind: "vmfailInvalid" | "vmfailValid" | "entryFailureExit";
  instruction: "vmlaunch" | "vmresume";
  address?: bigint;
  location?: SourceLocation;
  checkId: string;
  sdm: string;
  message: string;
  errorNumber?: number;
  exitReason?: number;
  fields: EntryFailureField[];
  count: number;
}

export interface EngineEvents {
  output(text: string, category: "stdout" | "console" | "stderr", location?: SourceLocation): void;
  stopped(stop: EngineStop): void;
  /** The program ended (halt, crash, budget); nothing more can run forward. */
  ended(exitCode: number, message: string): void;
}

type Plan =
  | { kind: "continue" }
  | { kind: "stepIn" }
  | { kind: "until"; address: bigint; minSp: bigint }
  | { kind: "untilExit" }
  /** Until the tracked call stack of `world` is shallower than `depth` (an IRET popped the handler's frame). */
  | { kind: "untilReturn"; world: "host" | "guest"; depth: number }
  | { kind: "replay"; to: number }
  | { kind: "scan"; to: number; hits: ScanHit[] };

/** A point where a reverse continue may stop, found by replaying forward (scan). */
interface ScanHit {
  /** Instruction count to travel to. */
  count: number;
  kind: "breakpoint" | "vmExit" | "exception" | "data";
  ids?: number[];
  description?: string;
}

interface Terminal {
  terminal: true;
  exitCode: number;
  message: string;
  /** Stop first (an enabled exception filter), end on the next resume. */
  stop?: EngineStop;
}

type DriveResult = EngineStop | Terminal | "slice" | "done";

const SLICE_TARGET_MS = 8;
/** Instructions between automatic snapshots while running (a replay of this many takes a few tens of ms). */
const SNAPSHOT_INTERVAL = 2_000_000;
/** How many instructions a line step back goes through at most (a source line is a few instructions). */
const LINE_BACK_LIMIT = 64;
/** How many emulator steps of one REP string instruction a step back undoes at most (512 iterations each). */
const REP_BACK_LIMIT = 4096;
/** Longest slice while data breakpoints are set. */
const DATA_WATCH_SLICE = 20_000;

function isTerminal(r: DriveResult): r is Terminal {
  return typeof r === "object" && "terminal" in r;
}

export class DebugEngine {
  readonly breakpoints: BreakpointStore;
  readonly timeline = new SnapshotTimeline();
  readonly vmwrites = new TimedLog<VmwriteRecord>();
  readonly exits = new TimedLog<ExitRecord & { count: number }>();
  readonly entryFailures = new TimedLog<EntryFailureExplanation>();
  /** VM entries (successful VMLAUNCH/VMRESUME): where the host entered the guest. */
  readonly entries = new TimedLog<{ count: number; address: bigint }>();
  filterConditions = new Map<BreakFilter, string>();
  /** Run without debugging (Ctrl+F5): breakpoints, data breakpoints and exception filters are ignored. */
  noDebug = false;
  enabledFilters: Set<BreakFilter>;
  /** Addresses of VMX instructions in the program: executed one at a time so the engine sees their outcome. */
  private readonly vmxSites = new Map<bigint, VmxMnemonic>();
  private sliceBudget = 200_000;
  private running = false;
  private pauseRequested = false;
  private ended: { exitCode: number; message: string } | undefined;
  private pendingEnd: { exitCode: number; message: string } | undefined;
  /** Incremented at each stop (the custom requests' stopId). */
  stopId = 0;
  lastStop: EngineStop | undefined;
  private dataValues = new Map<number, bigint | undefined>();
  /** The furthest instruction count ever reached: output produced before it was already shown once. */
  private frontier = 0;

  constructor(
    public target: DebugTarget,
    public sourceMap: SourceMap | undefined,
    readonly config: EngineConfig,
    private readonly events: EngineEvents,
  ) {
    this.breakpoints = new BreakpointStore(sourceMap);
    this.enabledFilters = new Set(config.breakOn);
    this.scanVmxSites();
    this.timeline.add(target.instructionCount, target.snapshot());
  }

  get isRunning(): boolean {
    return this.running;
  }

  get hasEnded(): boolean {
    return this.ended !== undefined;
  }

  get endState(): { exitCode: number; message: string } | undefined {
    return this.ended;
  }

  get syntax(): "gas" | "nasm" {
    return this.config.syntax;
  }

  /** Replaces the machine (restart) keeping breakpoints. */
  reset(target: DebugTarget, sourceMap: SourceMap | undefined): void {
    this.target = target;
    this.sourceMap = sourceMap;
    if (sourceMap) this.breakpoints.rebind(sourceMap);
    this.vmxSites.clear();
    this.scanVmxSites();
    this.vmwrites.truncateAfter(-1);
    this.exits.truncateAfter(-1);
    this.entryFailures.truncateAfter(-1);
    this.entries.truncateAfter(-1);
    this.timeline.add(-1, undefined);
    this.frontier = 0;
    this.timeline.add(target.instructionCount, target.snapshot());
    this.ended = undefined;
    this.pendingEnd = undefined;
    this.lastStop = undefined;
    this.pauseRequested = false;
  }

  private scanVmxSites(): void {
    if (!this.sourceMap) return;
    for (const e of this.sourceMap.entries) {
      if (e.length < 3 || e.length > 15) continue;
      const c = classifyInstruction(this.target.readLinear(e.address, e.length), true);
      if (c.kind === "vmx") this.vmxSites.set(e.address, c.mnemonic);
    }
  }

  // ---- queries --------------------------------------------------------------------------------------------

  evalContext(): Map<string, bigint> | undefined {
    const last = this.exits.entries[this.exits.length - 1];
    if (!last) return undefined;
    return new Map([
      ["reason", BigInt(last.reason)],
      ["qualification", last.qualification],
    ]);
  }

  /** The VMWRITE that last set a field of a VMCS (the current one by default). */
  provenance(encoding: number, vmcs = this.target.vmx.currentVmcs()): VmwriteRecord | undefined {
    if (vmcs === undefined) return undefined;
    const list = this.vmwrites.entries;
    for (let i = list.length - 1; i >= 0; i--) {
      const w = list[i] as VmwriteRecord;
      if (w.encoding === encoding && w.vmcs === vmcs) return w;
    }
    return undefined;
  }

  /** The guest's exit site while the host handles that exit (the VMCS is launched and the guest is not running). */
  lastExitSite(): { guestRip: bigint; reasonName: string } | undefined {
    const t = this.target;
    const x = this.exits.entries[this.exits.length - 1];
    if (!x || x.entryFailure || t.vmx.operation() !== "root" || t.vmx.launchState() !== "launched") return undefined;
    return { guestRip: x.guestRip, reasonName: EXIT_REASONS[x.reason]?.name ?? `reason ${x.reason}` };
  }

  lastEntrySite(): { address: bigint } | undefined {
    return this.entries.entries[this.entries.length - 1];
  }

  lastEntryFailure(): EntryFailureExplanation | undefined {
    return this.entryFailures.entries[this.entryFailures.length - 1];
  }

  // ---- run control ----------------------------------------------------------------------------------------

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  continue(): Promise<void> {
    return this.resume({ kind: "continue" });
  }

  /** Step in: one instruction, or with "line" granularity every instruction of the source line (see stepLine). */
  stepIn(granularity: StepGranularity = "instruction"): Promise<void> {
    if (granularity === "line") return this.stepLine(false);
    return this.resume({ kind: "stepIn" });
  }

  /** Step over: CALL and INT n run to their return, VMLAUNCH/VMRESUME run the guest to its next exit. */
  stepOver(granularity: StepGranularity = "instruction"): Promise<void> {
    if (granularity === "line") return this.stepLine(true);
    const s = this.instructionStep(true);
    return this.resume(s.plan, s.follow);
  }

  /**
   * One instruction step; `over`: a CALL or INT n continues to its return address, VMLAUNCH/VMRESUME to the
   * guest's next VM exit. `follow` gives the follow-up plan once the instruction has run.
   */
  private instructionStep(over: boolean): { plan: Plan; follow?: () => Plan | undefined } {
    const t = this.target;
    const step: Plan = { kind: "stepIn" };
    if (!over) return { plan: step };
    const pc = t.currentInstructionAddress();
    const cls = classifyInstruction(t.readLinear(pc, 15), t.cpuMode() === "long64");
    if (cls.kind === "call" || cls.kind === "int") {
      const sp = t.readGpr(4);
      const world = t.vmx.operation() === "non-root" ? "guest" : "host";
      const depth = t.callFrames(world).length;
      return {
        plan: step,
        follow: () => {
          // INT n entered its handler: run until the handler's IRET pops the frame, wherever it returns to.
          const frames = cls.kind === "int" && !this.ended ? t.callFrames(world) : [];
          if (frames.length > depth && frames[0]?.kind === "interrupt")
            return { kind: "untilReturn", world, depth: frames.length };
          const nsp = t.readGpr(4);
          if (nsp >= sp || this.ended) return undefined;
          try {
            const ret = readValue(t, t.getSegment(2).base + nsp, pointerSize(t));
            return { kind: "until", address: ret, minSp: sp };
          } catch {
            return undefined;
          }
        },
      };
    }
    if (cls.kind === "vmx" && (cls.mnemonic === "vmlaunch" || cls.mnemonic === "vmresume"))
      return { plan: step, follow: () => (t.vmx.operation() === "non-root" ? { kind: "untilExit" } : undefined) };
    return { plan: step };
  }

  /**
   * A source-line step: instruction steps (over or in) until the next instruction belongs to another source line
   * — a macro invocation or `times` line is one step — or the line loops back to where the step began, or a
   * breakpoint, VM exit or other stop intervenes. Code without a source line is one instruction.
   */
  private stepLine(over: boolean): Promise<void> {
    const t = this.target;
    const start = t.currentInstructionAddress();
    const line = this.sourceMap?.entryAt(start);
    let s = this.instructionStep(over);
    if (!line) return this.resume(s.plan, s.follow);
    let inner = s.follow;
    return this.resume(s.plan, () => {
      if (inner) {
        const follow = inner();
        inner = undefined;
        if (follow) return follow;
      }
      if (this.ended || this.pendingEnd) return undefined;
      const pc = t.currentInstructionAddress();
      const here = this.sourceMap?.entryAt(pc);
      if (!here || here.file !== line.file || here.line !== line.line || pc === start) return undefined;
      s = this.instructionStep(over);
      inner = s.follow;
      return s.plan;
    });
  }

  /**
   * Step out: run to the return address of the current frame; out of an interrupt or exception handler, until its
   * IRET pops the frame (handlers often change the return address: a fault handler skips the instruction); in a
   * guest without frames, to the next VM exit.
   */
  stepOut(
    caller: { returnAddress?: bigint; returnSlot?: bigint; kind?: "call" | "interrupt" | "exception" } | undefined,
  ): Promise<void> {
    const t = this.target;
    const returnAddress = caller?.returnAddress;
    if (caller?.kind === "interrupt" || caller?.kind === "exception") {
      const world = t.vmx.operation() === "non-root" ? "guest" : "host";
      return this.resume({ kind: "untilReturn", world, depth: t.callFrames(world).length });
    }
    if (returnAddress !== undefined) {
      // Back in the caller once the return address's slot is popped (RSP above it): a recursive call of the same
      // function returning to the same address does not count. The slot is linear; RSP is an SS offset.
      const slot = caller?.returnSlot;
      const minSp = slot !== undefined ? slot - t.getSegment(2).base + 1n : t.readGpr(4) + 1n;
      return this.resume({ kind: "until", address: returnAddress, minSp });
    }
    if (t.vmx.operation() === "non-root") return this.resume({ kind: "untilExit" });
    return this.resume({ kind: "continue" });
  }

  /**
   * Runs a plan to its stop. `then` may turn a finished plan into a follow-up plan (step over a call continues
   * to the return address; a line step takes the next instruction of the line); it is asked again after each.
   */
  async resume(plan: Plan, then?: () => Plan | undefined): Promise<void> {
    if (this.running) return;
    if (this.ended) {
      this.events.ended(this.ended.exitCode, this.ended.message);
      return;
    }
    if (this.pendingEnd) {
      this.finish(this.pendingEnd.exitCode, this.pendingEnd.message);
      return;
    }
    this.running = true;
    this.pauseRequested = false;
    this.captureDataValues();
    try {
      let current = plan;
      let first = true;
      for (;;) {
        const r = this.drive(current, first);
        this.noteProgress();
        first = false;
        if (r === "slice") {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.pauseRequested) {
            this.pauseRequested = false;
            this.stop({ cause: "pause", description: "Paused" });
            return;
          }
          continue;
        }
        if (r === "done") {
          // `then` is asked after every finished plan until it has no follow-up.
          const next = then?.();
          if (next) {
            current = next;
            continue;
          }
          this.stop({ cause: "step", description: "Step" });
          return;
        }
        if (isTerminal(r)) {
          if (r.stop) {
            this.pendingEnd = { exitCode: r.exitCode, message: r.message };
            this.stop(r.stop);
          } else this.finish(r.exitCode, r.message);
          return;
        }
        this.stop(r);
        return;
      }
    } finally {
      this.running = false;
    }
  }

  private finish(exitCode: number, message: string): void {
    this.ended = { exitCode, message };
    this.pendingEnd = undefined;
    this.events.ended(exitCode, message);
  }

  private stop(stop: EngineStop): void {
    this.stopId++;
    this.lastStop = stop;
    const t = this.target;
    this.timeline.add(t.instructionCount, t.snapshot());
    this.events.stopped(stop);
  }

  /** Runs for one time slice. `first`: the instruction at the current address runs without a breakpoint check. */
  private drive(plan: Plan, first: boolean): DriveResult {
    const t = this.target;
    const deadline = performance.now() + SLICE_TARGET_MS;
    let skipArrival = first;
    const stopAddrs = this.stopAddresses(plan);
    const watchData = !this.noDebug && this.breakpoints.hasDataBreakpoints() && plan.kind !== "replay";
    // Instruction by instruction: registers and MSRs (a slice's net change would miss a counter that changes and
    // comes back), memory whose page is written all the time (hotPage), and leaving a handler (untilReturn: there
    // is no address to run to). Other memory and VMCS fields are compared per slice.
    const stepEach =
      plan.kind === "untilReturn" ||
      (watchData &&
        (this.hotPage ||
          this.breakpoints.allData().some((d) => d.target.kind === "register" || d.target.kind === "msr")));
    let steps = 0;
    // Requests are handled between slices only, so the watched list is fixed for this slice.
    const watched = watchData ? this.breakpoints.allData() : [];
    let nextPc: bigint | undefined;
    for (;;) {
      const pc = nextPc ?? t.currentInstructionAddress();
      nextPc = undefined;
      if (!skipArrival) {
        const a = this.arrive(pc, plan);
        if (a) return a;
      }
      skipArrival = false;
      if (plan.kind === "stepIn" || stepEach || this.vmxSites.has(pc) || stopAddrs.has(pc)) {
        const before = t.instructionCount;
        const r = stepEach && !this.vmxSites.has(pc) ? this.plainStep(plan) : this.executeOne(plan);
        if (r) return r;
        if (watchData) {
          const d = this.checkData(plan, before, watched);
          if (d) return d;
        }
        nextPc = this.noteRepRestart(pc, before);
        if (plan.kind === "stepIn") {
          // A REP string instruction is one instruction however many steps the emulator takes for it.
          if (this.midRep !== pc) return "done";
          if (performance.now() > deadline) return "slice";
          continue;
        }
        if (stepEach && (++steps & 1023) !== 0) continue;
        if (stepEach) this.periodicSnapshot(plan);
        if (performance.now() > deadline) return "slice";
        continue;
      }
      // With data breakpoints a slice is replayed one instruction at a time when a value changed in it: keep
      // slices short so finding the instruction stays quick (and pause stays prompt).
      let budget = watchData ? Math.min(this.sliceBudget, DATA_WATCH_SLICE) : this.sliceBudget;
      if (plan.kind === "replay" || plan.kind === "scan") budget = Math.min(budget, plan.to - t.instructionCount);
      if (this.config.maxInstructions !== undefined) {
        const left = this.config.maxInstructions - t.instructionCount;
        if (left <= 0) return this.budgetEnd();
        budget = Math.min(budget, left);
      }
      if (budget <= 0) return plan.kind === "replay" || plan.kind === "scan" ? "done" : "slice";
      const snap = watchData ? t.snapshot() : undefined;
      const startCount = t.instructionCount;
      const started = performance.now();
      const r = t.run({
        maxInstructions: budget,
        breakpoints: stopAddrs.size ? new Set([...stopAddrs, ...this.vmxSites.keys()]) : this.vmxSiteSet(),
        stopOnVmExit: true,
        stopOnExceptionDelivery: this.watchDeliveries(plan),
      });
      const elapsed = performance.now() - started;
      if (t.instructionCount !== startCount) this.midRep = undefined;
      if (r.kind === "budget" && plan.kind !== "replay" && plan.kind !== "scan") {
        // Adapt the slice so one run() takes about SLICE_TARGET_MS.
        if (elapsed < SLICE_TARGET_MS / 2) this.sliceBudget = Math.min(this.sliceBudget * 2, 50_000_000);
        else if (elapsed > SLICE_TARGET_MS * 2) this.sliceBudget = Math.max(this.sliceBudget >> 1, 1000);
      }
      if (watchData && snap !== undefined) {
        const changed = this.dataChanged();
        if (changed || this.watchedMemoryWritten(snap)) {
          // Something changed during the slice (or a watched page was written: the value may have changed and come
          // back): go back to its start and find the instruction that did it.
          const endCount = t.instructionCount;
          this.travelTo(startCount, snap);
          const found = this.findDataChange(endCount, plan);
          if (found) return found;
          // Only neighbours on the page were written: compare after every instruction from now on (cheaper than
          // running each slice twice) until the next stop.
          if (!changed) this.hotPage = true;
          continue;
        }
      }
      this.periodicSnapshot(plan);
      const h = this.handleMachineStop(r, plan);
      if (h) return h;
      if (performance.now() > deadline) return "slice";
    }
  }

  /**
   * A REP string instruction the emulator restarted at the same RIP after a chunk of iterations (SDM Vol. 2
   * "REP": architecturally one instruction) is still in progress: `midRep` holds its address.
   */
  private midRep: bigint | undefined;
  /** After an instruction that began at `pc`: notes a REP restart; returns the next instruction's address. */
  private noteRepRestart(pc: bigint, before: number): bigint {
    const t = this.target;
    const now = t.currentInstructionAddress();
    if (now !== pc || t.instructionCount === before) {
      this.midRep = undefined;
      return now;
    }
    const long64 = t.cpuMode() === "long64";
    this.midRep = classifyInstruction(t.readLinear(pc, 15), long64).kind === "repString" ? pc : undefined;
    return now;
  }

  /** Periodic snapshots bound the replay needed to travel back (stepBack after a long continue). */
  private periodicSnapshot(plan: Plan): void {
    if (plan.kind === "replay" || plan.kind === "scan") return;
    const t = this.target;
    const last = this.timeline.last();
    if (!last || t.instructionCount - last.count >= SNAPSHOT_INTERVAL)
      this.timeline.add(t.instructionCount, t.snapshot());
  }

  /** One instruction without the VMX bookkeeping (it is not a VMX instruction of the program). */
  private plainStep(plan: Plan): DriveResult | undefined {
    const t = this.target;
    if (this.config.maxInstructions !== undefined && t.instructionCount >= this.config.maxInstructions)
      return this.budgetEnd();
    const r = t.step({ stopOnExceptionDelivery: this.watchDeliveries(plan) });
    return r ? this.handleMachineStop(r, plan) : undefined;
  }

  /** Exceptions delivered through the program's own IDT stop under the "exception" filter. */
  private watchDeliveries(plan: Plan): boolean {
    return !this.noDebug && plan.kind !== "replay" && this.enabledFilters.has("exception");
  }

  private vmxSiteSetCache: Set<bigint> | undefined;
  private vmxSiteSet(): Set<bigint> {
    if (!this.vmxSiteSetCache || this.vmxSiteSetCache.size !== this.vmxSites.size)
      this.vmxSiteSetCache = new Set(this.vmxSites.keys());
    return this.vmxSiteSetCache;
  }

  private stopAddresses(plan: Plan): Set<bigint> {
    const s = new Set<bigint>();
    if (plan.kind !== "replay" && !this.noDebug) for (const a of this.breakpoints.addresses()) s.add(a);
    if (plan.kind === "until") s.add(plan.address);
    return s;
  }

  private budgetEnd(): Terminal {
    const n = this.config.maxInstructions ?? 0;
    const message = `instruction budget exhausted: ${n} instructions (launch configuration maxInstructions)`;
    return {
      terminal: true,
      exitCode: 1,
      message,
      stop: {
        cause: "exception",
        description: message,
        exception: { filter: "budget", id: "maxInstructions", description: message },
      },
    };
  }

  /** Arrival at `pc` before executing it: plan targets and code breakpoints. */
  private arrive(pc: bigint, plan: Plan): DriveResult | undefined {
    const t = this.target;
    if (plan.kind === "replay") return t.instructionCount >= plan.to ? "done" : undefined;
    // The restart of a REP string instruction is not an arrival (its breakpoint fired when it began).
    if (this.midRep !== undefined) {
      if (this.midRep === pc) return undefined;
      this.midRep = undefined;
    }
    if (plan.kind === "until" && pc === plan.address && t.readGpr(4) >= plan.minSp) return "done";
    if (plan.kind === "untilReturn") {
      const world = t.vmx.operation() === "non-root" ? "guest" : "host";
      if (world !== plan.world || t.callFrames(world).length < plan.depth) return "done";
    }
    const bps = this.noDebug ? [] : this.breakpoints.at(pc);
    if (bps.length === 0) {
      if (plan.kind === "scan" && t.instructionCount >= plan.to) return "done";
      return undefined;
    }
    if (plan.kind === "scan") {
      if (t.instructionCount >= plan.to) return "done";
      const ids = bps.filter((b) => !b.logMessage && this.conditionHolds(b.condition) !== false).map((b) => b.id);
      if (ids.length) plan.hits.push({ count: t.instructionCount, kind: "breakpoint", ids });
      return undefined;
    }
    const hit: CodeBreakpoint[] = [];
    for (const b of bps) {
      const c = this.conditionHolds(b.condition);
      if (c === false) continue;
      b.hits++;
      if (b.hitCondition && hitConditionMet(b.hitCondition, b.hits) === false) continue;
      if (b.logMessage !== undefined) {
        this.events.output(`${this.interpolate(b.logMessage)}\n`, "console", this.sourceMap?.locationOf(pc));
        continue;
      }
      hit.push(b);
    }
    if (hit.length === 0) return undefined;
    const kind = (hit[0] as CodeBreakpoint).kind;
    const cause: StopCause =
      kind === "function" ? "function breakpoint" : kind === "instruction" ? "instruction breakpoint" : "breakpoint";
    return { cause, description: `Breakpoint at 0x${pc.toString(16)}`, hitBreakpointIds: hit.map((b) => b.id) };
  }

  /** true/false, or undefined when there is no condition; a condition that fails to evaluate stops (true). */
  private conditionHolds(condition: string | undefined, context?: ReadonlyMap<string, bigint>): boolean | undefined {
    if (!condition) return undefined;
    try {
      return (
        evaluate(condition, makeEvalEnv(this.target, this.sourceMap, this.syntax, context ?? this.evalContext()))
          .value !== 0n
      );
    } catch (e) {
      this.events.output(`breakpoint condition '${condition}': ${(e as Error).message}\n`, "stderr");
      return true;
    }
  }

  /** Logpoint text: `{expr}` is replaced by the expression's value in hex. */
  interpolate(message: string): string {
    return message.replace(/\{([^}]+)\}/g, (_, expr: string) => {
      try {
        return `0x${evaluate(expr, makeEvalEnv(this.target, this.sourceMap, this.syntax, this.evalContext())).value.toString(16)}`;
      } catch (e) {
        return `<${(e as Error).message}>`;
      }
    });
  }

  /** Executes one instruction with the VMX bookkeeping: VMWRITE provenance, VM-entry sites, VMfail. */
  private executeOne(plan: Plan): DriveResult | undefined {
    const t = this.target;
    if (this.config.maxInstructions !== undefined && t.instructionCount >= this.config.maxInstructions)
      return this.budgetEnd();
    const pc = t.currentInstructionAddress();
    const mnemonic = this.vmxSites.get(pc) ?? this.vmxAt(pc);
    const root = t.vmx.operation() !== "non-root";
    let encoding: number | undefined;
    let vmcs: bigint | undefined;
    if (mnemonic === "vmwrite" && root) {
      const cls = classifyInstruction(t.readLinear(pc, 15), t.cpuMode() === "long64");
      if (cls.kind === "vmx" && cls.encodingReg !== undefined)
        encoding = Number(t.readGpr(cls.encodingReg) & 0xffffffffn);
      vmcs = t.vmx.currentVmcs();
    }
    const calledFrom = mnemonic === "vmwrite" && root ? this.helperCallSite(pc) : undefined;
    const r = t.step({ stopOnExceptionDelivery: this.watchDeliveries(plan) });
    if (mnemonic && root && t.vmx.operation() !== "non-root" && (!r || r.kind === "step")) {
      // Still in root operation after the instruction: VMsucceed or VMfail (SDM 30.2 conventions).
      const flags = t.getRflags();
      const cf = (flags & 1n) !== 0n;
      const zf = (flags & 0x40n) !== 0n;
      if (mnemonic === "vmwrite" && !cf && !zf && encoding !== undefined && vmcs !== undefined) {
        // A HIGH access (SDM 24.11.2) writes the upper half of the 64-bit field: provenance is per field.
        const full = fieldByEncoding(encoding)?.field.encoding ?? encoding;
        this.vmwrites.push({
          count: t.instructionCount,
          vmcs,
          encoding: full,
          value: t.vmx.readField(full) ?? 0n,
          address: pc,
          location: this.sourceMap?.locationOf(pc),
          calledFrom,
        });
      }
      if (cf || zf) {
        const s = this.onVmFail(pc, mnemonic, cf, plan);
        if (s) return s;
      }
    } else if ((mnemonic === "vmlaunch" || mnemonic === "vmresume") && root && t.vmx.operation() === "non-root") {
      this.entries.push({ count: t.instructionCount, address: pc });
    }
    if ((mnemonic === "vmlaunch" || mnemonic === "vmresume") && r?.kind === "vmEntryFailure")
      this.pendingEntry = { address: pc, mnemonic };
    if (r && r.kind !== "step") return this.handleMachineStop(r, plan, pc, mnemonic);
    return undefined;
  }

  /** Functions (by label) with exactly one VMWRITE: wrappers like `vmw: vmwrite rdi, rsi; ...; ret`. */
  private isVmwriteHelper(pc: bigint): boolean {
    const fn = this.sourceMap?.functionFor(pc);
    if (!fn) return false;
    const start = pc - fn.offset;
    let n = 0;
    for (const [a, m] of this.vmxSites)
      if (m === "vmwrite" && this.sourceMap?.functionFor(a)?.name === fn.name && a >= start) n++;
    return n === 1;
  }

  /**
   * The CALL that entered a one-VMWRITE helper (`vmw: vmwrite rdi, rsi; ...; ret`), when the machine's tracked
   * stack proves it: the innermost frame is a near/far CALL whose target is the first instruction of the
   * VMWRITE's function. A helper reached by JMP, or code after a JMP into the middle of a function, has none.
   */
  private helperCallSite(pc: bigint): SourceLocation | undefined {
    const fn = this.sourceMap?.functionFor(pc);
    if (!fn || !this.isVmwriteHelper(pc)) return undefined;
    const f = this.target.callFrames("host")[0];
    if (f?.kind !== "call" || f.target !== pc - fn.offset) return undefined;
    return this.sourceMap?.locationOf(f.callSite);
  }

  private pendingEntry: { address: bigint; mnemonic: VmxMnemonic } | undefined;

  private vmxAt(pc: bigint): VmxMnemonic | undefined {
    const c = classifyInstruction(this.target.readLinear(pc, 15), this.target.cpuMode() === "long64");
    return c.kind === "vmx" ? c.mnemonic : undefined;
  }

  private onVmFail(pc: bigint, mnemonic: VmxMnemonic, invalid: boolean, plan: Plan): DriveResult | undefined {
    const t = this.target;
    const error = invalid ? undefined : Number(t.vmx.readField(VMCS.VM_INSTRUCTION_ERROR) ?? 0n);
    const what = invalid
      ? "VMfailInvalid"
      : `VMfailValid(${error}): ${VM_INSTRUCTION_ERRORS[error ?? 0] ?? "unknown error"}`;
    const description = `${mnemonic.toUpperCase()} failed: ${what}`;
    if (mnemonic === "vmlaunch" || mnemonic === "vmresume") {
      const lastFailure = this.lastEntryFailure();
      // The machine may already have explained this failure (a vmEntryFailure stop); otherwise the VM-instruction
      // error number is the explanation (SDM 30.4).
      if (!lastFailure || lastFailure.count !== t.instructionCount) {
        this.entryFailures.push({
          kind: invalid ? "vmfailInvalid" : "vmfailValid",
          instruction: mnemonic,
          address: pc,
          location: this.sourceMap?.locationOf(pc),
          checkId: invalid ? "VMfailInvalid" : `VMfailValid(${error})`,
          sdm: invalid ? "26.1" : error === 7 || error === 8 ? "26.2" : "26.1",
          message: description,
          errorNumber: error,
          fields: [],
          count: t.instructionCount,
        });
      }
    }
    if (plan.kind === "replay" || plan.kind === "scan") return undefined;
    if (
      this.enabledFilters.has("vmFail") ||
      ((mnemonic === "vmlaunch" || mnemonic === "vmresume") && this.enabledFilters.has("vmEntryFailure"))
    ) {
      const failure = mnemonic === "vmlaunch" || mnemonic === "vmresume" ? this.lastEntryFailure() : undefined;
      return {
        cause: "exception",
        description,
        exception: {
          filter: failure ? "vmEntryFailure" : "vmFail",
          id: invalid ? "VMfailInvalid" : `VMfailValid(${error})`,
          description: failure?.message ?? description,
          details: failure ? explanationText(failure) : undefined,
          entryFailure: failure,
        },
      };
    }
    return undefined;
  }

  /** Interprets a machine stop; returns what the drive loop reports, or undefined to keep running. */
  private handleMachineStop(r: StopReason, plan: Plan, pc?: bigint, mnemonic?: VmxMnemonic): DriveResult | undefined {
    const t = this.target;
    const quiet = plan.kind === "replay" || plan.kind === "scan";
    switch (r.kind) {
      case "step":
      case "breakpoint":
      case "budget":
        return undefined;
      case "vmExit": {
        const e = this.recordExit(r.exitReason, r.qualification);
        if (e.entryFailure) this.recordEntryFailureExit(e, pc, mnemonic);
        if (plan.kind === "scan") {
          if (this.exitStops(e))
            plan.hits.push({ count: t.instructionCount, kind: "vmExit", description: exitLine(e) });
          return undefined;
        }
        if (quiet) return undefined;
        if (this.config.trace) this.events.output(`${exitLine(e)}\n`, "console");
        if (e.entryFailure && this.enabledFilters.has("vmEntryFailure")) return this.entryFailureStop();
        const guestException = this.guestExceptionStop(e);
        if (guestException) return guestException;
        if (this.exitStops(e)) {
          const name = EXIT_REASONS[e.reason]?.name ?? "unknown";
          return {
            cause: "exception",
            description: `VM exit: reason ${e.reason} (${name})`,
            exception: {
              filter: "vmExit",
              id: `VM exit ${e.reason} (${name})`,
              description: exitLine(e),
              details: exitDetails(e),
            },
          };
        }
        if (plan.kind === "untilExit" || plan.kind === "until" || plan.kind === "untilReturn")
          return { cause: "step", description: `VM exit: reason ${e.reason}` };
        return undefined;
      }
      case "vmEntryFailure": {
        const entry = this.pendingEntry ?? (pc !== undefined && mnemonic ? { address: pc, mnemonic } : undefined);
        this.pendingEntry = undefined;
        const flags = t.getRflags();
        const kind =
          (flags & 1n) !== 0n ? "vmfailInvalid" : (flags & 0x40n) !== 0n ? "vmfailValid" : "entryFailureExit";
        const errorNumber =
          kind === "vmfailValid" ? Number(t.vmx.readField(VMCS.VM_INSTRUCTION_ERROR) ?? 0n) : undefined;
        const exitReason =
          kind === "entryFailureExit" ? Number((t.vmx.readField(VMCS.EXIT_REASON) ?? 0n) & 0xffffn) : undefined;
        // A VM-entry failure that loads host state is a VM exit (SDM 26.8): exit reason with bit 31 set and an exit
        // qualification, so it belongs in the VM-exit history like any other exit.
        if (kind === "entryFailureExit") this.recordEntryFailureAsExit();
        const prev = this.lastEntryFailure();
        if (prev && prev.count === t.instructionCount) this.entryFailures.entries.pop();
        this.entryFailures.push({
          kind,
          instruction: entry?.mnemonic === "vmresume" ? "vmresume" : "vmlaunch",
          address: entry?.address,
          location: entry ? this.sourceMap?.locationOf(entry.address) : undefined,
          checkId: r.checkId,
          sdm: r.sdmSection,
          message: r.message,
          errorNumber,
          exitReason,
          fields: r.fields.map((f) => ({ name: f.name, value: f.value, provenance: this.fieldProvenance(f.name) })),
          count: t.instructionCount,
        });
        if (quiet) return undefined;
        if (this.enabledFilters.has("vmEntryFailure")) return this.entryFailureStop();
        return undefined;
      }
      case "halted":
        return {
          terminal: true,
          exitCode: 0,
          message: `halted at 0x${r.rip.toString(16)} after ${t.instructionCount} instructions`,
        };
      case "tripleFault": {
        const message = `triple fault at 0x${r.rip.toString(16)}: ${r.message}`;
        const stop =
          this.enabledFilters.has("tripleFault") && !quiet
            ? {
                cause: "exception" as const,
                description: message,
                exception: { filter: "tripleFault" as const, id: "triple fault", description: message },
              }
            : undefined;
        return { terminal: true, exitCode: 1, message, stop };
      }
      case "exception": {
        const message = `unhandled exception ${vectorName(r.vector)}${r.errorCode !== undefined ? ` (error code 0x${r.errorCode.toString(16)})` : ""} at 0x${r.rip.toString(16)}${r.cr2 !== undefined ? `, CR2=0x${r.cr2.toString(16)}` : ""}`;
        const cond = this.filterConditions.get("exception");
        const wanted =
          this.enabledFilters.has("exception") &&
          !quiet &&
          (this.conditionHolds(cond, new Map([["vector", BigInt(r.vector)]])) ?? true);
        const stop = wanted
          ? {
              cause: "exception" as const,
              description: message,
              exception: { filter: "exception" as const, id: vectorName(r.vector), description: message },
            }
          : undefined;
        return { terminal: true, exitCode: 1, message, stop };
      }
      case "shutdown":
        return { terminal: true, exitCode: 1, message: `shutdown: ${r.message}` };
      case "init":
        return { terminal: true, exitCode: 1, message: `INIT at 0x${r.rip.toString(16)}: ${r.message}` };
      case "exceptionDelivered": {
        // One that reaches the start state's own handlers ends the program with an `exception` stop next.
        if (t.isFirmwareHandler(t.currentInstructionAddress())) return undefined;
        const d = describeDelivery(t, this.sourceMap, this.syntax, r);
        const context = new Map([
          ["vector", BigInt(d.vector)],
          ["error_code", BigInt(d.errorCode ?? 0)],
          ["guest", d.guest ? 1n : 0n],
        ]);
        if (this.conditionHolds(this.filterConditions.get("exception"), context) === false) return undefined;
        if (plan.kind === "scan") {
          plan.hits.push({
            count: t.instructionCount,
            kind: "exception",
            description: this.deliveryStop(d).description,
          });
          return undefined;
        }
        return this.deliveryStop(d);
      }
    }
    return undefined;
  }

  private deliveryStop(d: ExceptionDelivery): EngineStop {
    const name = vectorName(d.vector);
    const where = d.guest ? "guest " : "";
    const description = `${where}exception ${name}${d.errorCode !== undefined ? ` (error code 0x${d.errorCode.toString(16)})` : ""} delivered to the program's handler${d.handlerName ? ` ${d.handlerName}` : ""}`;
    return {
      cause: "exception",
      description,
      exception: { filter: "exception", id: name, description, details: deliveryText(d), delivery: d },
    };
  }

  /**
   * A guest exception intercepted by the exception bitmap (exit reason 0, SDM 27.2.2: the vector is in bits 7:0
   * of the VM-exit interruption information) is a CPU exception for the "exception" filter too.
   */
  private guestExceptionStop(e: ExitRecord): EngineStop | undefined {
    if (e.reason !== 0 || !this.enabledFilters.has("exception")) return undefined;
    const info = this.target.vmx.readField(VMCS.VM_EXIT_INTERRUPTION_INFORMATION) ?? 0n;
    const type = Number((info >> 8n) & 7n);
    if (type === 2) return undefined; // NMI, not an exception
    const vector = Number(info & 0xffn);
    const cond = this.filterConditions.get("exception");
    if (this.conditionHolds(cond, new Map([["vector", BigInt(vector)]])) === false) return undefined;
    const message = `guest exception ${vectorName(vector)} at guest RIP 0x${e.guestRip.toString(16)} (VM exit, exception bitmap)`;
    return {
      cause: "exception",
      description: message,
      exception: { filter: "exception", id: vectorName(vector), description: message, details: exitDetails(e) },
    };
  }

  private exitStops(e: ExitRecord): boolean {
    if (!this.enabledFilters.has("vmExit")) return false;
    const cond = this.filterConditions.get("vmExit");
    if (!cond) return true;
    return (
      this.conditionHolds(
        cond,
        new Map([
          ["reason", BigInt(e.reason)],
          ["qualification", e.qualification],
          ["guest_rip", e.guestRip],
        ]),
      ) ?? true
    );
  }

  private entryFailureStop(): EngineStop {
    const f = this.lastEntryFailure();
    const description = f ? `VM-entry failure: ${f.message}` : "VM-entry failure";
    return {
      cause: "exception",
      description,
      exception: {
        filter: "vmEntryFailure",
        id: f ? `${f.checkId} (SDM ${f.sdm})` : "VM-entry failure",
        description: f?.message ?? description,
        details: f ? explanationText(f) : undefined,
        entryFailure: f,
      },
    };
  }

  private fieldProvenance(name: string): VmwriteRecord | undefined {
    const f = fieldByName(name);
    return f ? this.provenance(f.encoding) : undefined;
  }

  private recordExit(reason: number, qualification: bigint): ExitRecord {
    const t = this.target;
    const full = t.vmx.readField(VMCS.EXIT_REASON);
    const guestRip = t.vmx.readField(VMCS.GUEST_RIP) ?? 0n;
    const e: ExitRecord = {
      count: t.instructionCount,
      index: this.exits.length,
      reason: reason & 0xffff,
      entryFailure: full !== undefined ? ((full >> 31n) & 1n) === 1n : (reason & 0x80000000) !== 0,
      qualification,
      guestRip,
      guestLocation: this.sourceMap?.locationOf(guestRip),
    };
    this.exits.push(e);
    return e;
  }

  /** Records the exit of a failed VM entry (SDM 26.8) unless the machine already reported it as a VM exit. */
  private recordEntryFailureAsExit(): void {
    const t = this.target;
    const last = this.exits.entries[this.exits.length - 1];
    if (last && last.count === t.instructionCount && last.entryFailure) return;
    const full = Number((t.vmx.readField(VMCS.EXIT_REASON) ?? 0n) & 0xffff_ffffn);
    this.recordExit(full, t.vmx.readField(VMCS.EXIT_QUALIFICATION) ?? 0n);
  }

  private recordEntryFailureExit(e: ExitRecord, pc: bigint | undefined, mnemonic: VmxMnemonic | undefined): void {
    const prev = this.lastEntryFailure();
    if (prev && prev.count === e.count) return;
    const name = EXIT_REASONS[e.reason]?.name ?? `reason ${e.reason}`;
    this.entryFailures.push({
      kind: "entryFailureExit",
      instruction: mnemonic === "vmresume" ? "vmresume" : "vmlaunch",
      address: pc,
      location: pc !== undefined ? this.sourceMap?.locationOf(pc) : undefined,
      checkId: name,
      sdm: e.reason === 34 ? "26.4" : "26.3",
      message: `VM entry failed: ${name}, qualification 0x${e.qualification.toString(16)}`,
      exitReason: e.reason,
      fields: [],
      count: e.count,
    });
  }

  // ---- data breakpoints -------------------------------------------------------------------------------------

  private readData(d: DataBreakpoint): bigint | undefined {
    const t = this.target;
    try {
      switch (d.target.kind) {
        case "memory":
          return readValue(t, d.target.address, d.target.size);
        case "vmcs":
          return t.vmx.readField(d.target.encoding);
        case "register":
          return this.registerOf(d.target.name)?.read();
        case "msr":
          return t.readMsr(d.target.index);
      }
    } catch {
      return undefined;
    }
  }

  /** Register accessors of register data breakpoints, made once per machine (a restart brings a new one). */
  private registers = new WeakMap<DebugTarget, Map<string, RegisterRef | undefined>>();
  private registerOf(name: string): RegisterRef | undefined {
    let m = this.registers.get(this.target);
    if (!m) {
      m = new Map();
      this.registers.set(this.target, m);
    }
    if (!m.has(name)) m.set(name, registerRef(this.target, name));
    return m.get(name);
  }

  captureDataValues(): void {
    this.hotPage = false;
    this.dataValues = new Map(this.breakpoints.allData().map((d) => [d.id, this.readData(d)]));
  }

  /** A watched value's page is written all the time: values are compared after every instruction until the next stop. */
  private hotPage = false;

  /** A page holding a watched memory value was written since `snapshot` (the value may have changed and returned). */
  private watchedMemoryWritten(snapshot: unknown): boolean {
    for (const d of this.breakpoints.allData())
      if (d.target.kind === "memory" && this.target.writtenSince(snapshot, d.target.address, d.target.size))
        return true;
    return false;
  }

  private dataChanged(): boolean {
    return this.breakpoints.allData().some((d) => this.readData(d) !== this.dataValues.get(d.id));
  }

  /**
   * After one instruction (which started at count `before`): the data breakpoints whose value it changed. Running
   * forward this is a stop right after the instruction; in a scan for reverse continue it is a hit at `before`,
   * on the instruction that made the change (as a reverse watchpoint stops in GDB), so that one more reverse
   * continue looks further back.
   */
  private checkData(
    plan: Plan,
    before: number,
    watched: readonly DataBreakpoint[] = this.breakpoints.allData(),
  ): EngineStop | undefined {
    const scan = plan.kind === "scan";
    let changed: { d: DataBreakpoint; old: bigint | undefined; now: bigint | undefined }[] | undefined;
    for (const d of watched) {
      const v = this.readData(d);
      const old = this.dataValues.get(d.id);
      if (v === old) continue;
      this.dataValues.set(d.id, v);
      // A VMCS field appears and disappears with the current VMCS (VMPTRLD/VMCLEAR): not a write to it.
      if (d.target.kind === "vmcs" && (v === undefined || old === undefined)) continue;
      if (this.conditionHolds(d.condition) === false) continue;
      if (!scan) {
        d.hits++;
        if (d.hitCondition && hitConditionMet(d.hitCondition, d.hits) === false) continue;
      }
      changed ??= [];
      changed.push({ d, old, now: v });
    }
    if (!changed) return undefined;
    const hex = (v: bigint | undefined) => (v === undefined ? "(unreadable)" : `0x${v.toString(16)}`);
    const what = changed.map(({ d, old, now }) => `${dataName(d)} changed from ${hex(old)} to ${hex(now)}`).join(", ");
    const ids = changed.map((c) => c.d.id);
    if (scan) {
      plan.hits.push({ count: before, kind: "data", ids, description: `${what} by this instruction` });
      return undefined;
    }
    return { cause: "data breakpoint", description: what, hitBreakpointIds: ids };
  }

  /** Single-steps up to `endCount` until a watched value changes (after travelling back to the slice start). */
  private findDataChange(endCount: number, plan: Plan): DriveResult | undefined {
    const t = this.target;
    const watched = this.breakpoints.allData();
    while (t.instructionCount < endCount) {
      const before = t.instructionCount;
      // Only VMX instructions need the bookkeeping of executeOne; the others are plain steps.
      if (this.vmxSites.has(t.currentInstructionAddress())) {
        const r = this.executeOne(plan);
        if (r) return r;
      } else {
        const r = t.step({ stopOnExceptionDelivery: this.watchDeliveries(plan) });
        const h = r ? this.handleMachineStop(r, plan) : undefined;
        if (h) return h;
      }
      const d = this.checkData(plan, before, watched);
      if (d) return d;
    }
    return undefined;
  }

  // ---- time travel ------------------------------------------------------------------------------------------

  /** Program output is new (not a replay after travelling back in time). */
  isNewOutput(): boolean {
    return this.target.instructionCount >= this.frontier;
  }

  private noteProgress(): void {
    if (this.target.instructionCount > this.frontier) this.frontier = this.target.instructionCount;
  }

  private travelTo(count: number, state: unknown): void {
    this.noteProgress();
    this.midRep = undefined;
    this.target.restore(state);
    this.vmwrites.truncateAfter(count);
    this.exits.truncateAfter(count);
    this.entryFailures.truncateAfter(count);
    this.entries.truncateAfter(count);
  }

  /** Moves the machine to the state at instruction count `target` (backwards or forwards). */
  goTo(count: number): boolean {
    if (this.running) return false;
    const snap = this.timeline.atOrBefore(count);
    if (!snap) return false;
    const now = this.target.instructionCount;
    if (!(count >= now && snap.count <= now)) this.travelTo(snap.count, snap.state);
    for (;;) {
      const r = this.drive({ kind: "replay", to: count }, false);
      if (r === "slice") continue;
      break;
    }
    this.ended = undefined;
    this.pendingEnd = undefined;
    this.captureDataValues();
    return this.target.instructionCount === count;
  }

  /**
   * Step back one instruction, or with "line" granularity to the first instruction of the source line executed
   * before (at most LINE_BACK_LIMIT instructions); a watched value changed on the way is reported as a data
   * breakpoint.
   */
  stepBack(granularity: StepGranularity = "instruction"): void {
    const now = this.target.instructionCount;
    if (now === 0 || !this.timeline.atOrBefore(now - 1)) {
      this.stop({ cause: "step", description: "At the beginning of the recorded history" });
      return;
    }
    const data = this.noDebug ? [] : this.breakpoints.allData();
    const after = data.map((d) => this.readData(d));
    // One instruction can advance the clock by more than one (an exception delivered on the way, a triple fault):
    // go back until the machine is really before now.
    for (let c = now - 1; c >= 0; c--) {
      this.goTo(c);
      if (this.target.instructionCount < now) break;
    }
    this.backToRepStart();
    const line = granularity === "line" ? this.sourceMap?.entryAt(this.target.currentInstructionAddress()) : undefined;
    if (line) {
      const t = this.target;
      let count = now - 1;
      const seen = new Set([t.currentInstructionAddress()]);
      for (let i = 0; i < LINE_BACK_LIMIT && count > 0 && this.timeline.atOrBefore(count - 1); i++) {
        this.goTo(count - 1);
        const pc = t.currentInstructionAddress();
        const e = this.sourceMap?.entryAt(pc);
        if (!e || e.file !== line.file || e.line !== line.line || seen.has(pc)) {
          this.goTo(count);
          break;
        }
        seen.add(pc);
        count--;
      }
    }
    const hex = (v: bigint | undefined) => (v === undefined ? "(unreadable)" : `0x${v.toString(16)}`);
    const changed = data.flatMap((d, i) => {
      const before = this.readData(d);
      const a = after[i];
      if (before === a || (d.target.kind === "vmcs" && (before === undefined || a === undefined))) return [];
      return [{ id: d.id, text: `${dataName(d)} changed from ${hex(before)} to ${hex(a)} by this instruction` }];
    });
    if (changed.length) {
      this.stop({
        cause: "data breakpoint",
        description: `${changed.map((c) => c.text).join(", ")} (reverse)`,
        hitBreakpointIds: changed.map((c) => c.id),
      });
      return;
    }
    this.stop({ cause: "step", description: "Stepped back" });
  }

  /**
   * Inside a REP string instruction the emulator took several steps for (each restarts it at the same RIP): back to
   * where it began, so stepping back undoes the instruction as a whole.
   */
  private backToRepStart(): void {
    const t = this.target;
    const pc = t.currentInstructionAddress();
    if (classifyInstruction(t.readLinear(pc, 15), t.cpuMode() === "long64").kind !== "repString") return;
    for (let i = 0; i < REP_BACK_LIMIT; i++) {
      const c = t.instructionCount;
      if (c === 0 || !this.timeline.atOrBefore(c - 1)) return;
      this.goTo(c - 1);
      if (t.currentInstructionAddress() !== pc || t.instructionCount >= c) {
        this.goTo(c);
        return;
      }
    }
  }

  /**
   * Runs backwards to the latest point before now where running forward would have stopped: a code breakpoint,
   * an enabled VM-exit or exception stop, or the instruction that changed a watched value (data breakpoint);
   * else to the start.
   */
  async reverseContinue(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.pauseRequested = false;
    const now = this.target.instructionCount;
    const back = this.timeline.atOrBefore(now);
    try {
      const snaps = this.timeline.before(now);
      let end = now;
      for (const s of snaps) {
        this.travelTo(s.count, s.state);
        this.captureDataValues();
        const plan = { kind: "scan" as const, to: end, hits: [] as ScanHit[] };
        for (;;) {
          const r = this.drive(plan, false);
          if (r !== "slice") break;
          // The scan runs in slices too: the adapter keeps answering, and a pause cancels it where it began.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.pauseRequested) {
            this.pauseRequested = false;
            this.running = false;
            if (back) this.goTo(now);
            this.stop({ cause: "pause", description: "Paused: reverse continue cancelled" });
            return;
          }
        }
        const hits = plan.hits.filter((h) => h.count < now);
        const hit = hits.reduce<ScanHit | undefined>(
          (best, h) => (!best || h.count >= best.count ? h : best),
          undefined,
        );
        if (hit) {
          this.running = false;
          this.goTo(hit.count);
          this.stop(reverseStop(hit));
          return;
        }
        end = s.count;
      }
      const first = this.timeline.atOrBefore(0);
      if (first) this.travelTo(first.count, first.state);
      this.captureDataValues();
      this.ended = undefined;
      this.pendingEnd = undefined;
      this.running = false;
      this.stop({ cause: "entry", description: "Reached the start of the program" });
    } finally {
      this.running = false;
    }
  }

  /** Travel to a time point chosen by the user (the VM-exit history view) and stop there. */
  goToAndStop(count: number): boolean {
    const ok = this.goTo(count);
    this.stop({ cause: "goto", description: `Instruction ${this.target.instructionCount}` });
    return ok;
  }

  /** Makes the instruction at a linear address the next to execute (RIP = address - CS.base) and stops there. */
  jumpTo(address: bigint): void {
    const t = this.target;
    const base = t.cpuMode() === "long64" ? 0n : t.getSegment(1).base;
    t.setRip(BigInt.asUintN(64, address - base));
    this.stop({ cause: "goto", description: `Jumped to 0x${address.toString(16)}` });
  }

  /** The initial stop (stopOnEntry). */
  stopOnEntry(): void {
    this.stop({ cause: "entry", description: "Entry" });
  }
}

function dataName(d: DataBreakpoint): string {
  const t = d.target;
  return t.kind === "memory" ? `[0x${t.address.toString(16)}]` : t.name;
}

function reverseStop(h: ScanHit): EngineStop {
  switch (h.kind) {
    case "breakpoint":
      return { cause: "breakpoint", description: "Breakpoint (reverse)", hitBreakpointIds: h.ids };
    case "data":
      return {
        cause: "data breakpoint",
        description: `${h.description ?? "value changed"} (reverse)`,
        hitBreakpointIds: h.ids,
      };
    case "exception":
      return { cause: "goto", description: `${h.description ?? "exception"} (reverse)` };
    case "vmExit":
      return { cause: "goto", description: `${h.description ?? "VM exit"} (reverse)` };
  }
}

export type { ExceptionDelivery };
export { vectorName };

export function exitLine(e: ExitRecord): string {
  const name = EXIT_REASONS[e.reason]?.name ?? "unknown";
  const where = e.guestLocation ? ` (${e.guestLocation.file.split(/[\\/]/).pop()}:${e.guestLocation.line + 1})` : "";
  return `VM exit #${e.index}: reason ${e.reason} ${name}${e.entryFailure ? " [VM-entry failure]" : ""}, qualification 0x${e.qualification.toString(16)}, guest RIP 0x${e.guestRip.toString(16)}${where}, instruction ${e.count}`;
}

function exitDetails(e: ExitRecord): string {
  return `${EXIT_REASONS[e.reason]?.description ?? ""}\n${exitLine(e)}`;
}

/** The explanation of a failed VM entry in plain lines (exceptionInfo details, Debug Console). */
export function explanationText(f: EntryFailureExplanation): string {
  const lines = [`${f.instruction.toUpperCase()} failed (${f.kind}): ${f.message}`, `check ${f.checkId}, SDM ${f.sdm}`];
  if (f.location) lines.push(`at ${f.location.file}:${f.location.line + 1}`);
  if (f.errorNumber !== undefined)
    lines.push(`VM-instruction error ${f.errorNumber}: ${VM_INSTRUCTION_ERRORS[f.errorNumber] ?? "unknown"}`);
  for (const fd of f.fields) {
    const p = fd.provenance?.location;
    const from = fd.provenance?.calledFrom;
    const where = p
      ? `  (set at ${p.file}:${p.line + 1}${from ? `, called from ${from.file}:${from.line + 1}` : ""})`
      : "  (not written by the program)";
    lines.push(`  ${fd.name} = 0x${fd.value.toString(16)}${where}`);
  }
  return lines.join("\n");
}
