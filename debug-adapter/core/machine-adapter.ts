// The one place where the debug core meets the assembler and the emulator: assembling the launch's sources,
// building a Machine in the chosen start state with the program loaded, and presenting it as a DebugTarget.
// Everything that depends on the exact emulator API lives here, so an API change is a change in this file.
import { dirname, resolve } from "node:path";
import {
  CPU_MODELS,
  cpuModel,
  DEFAULT_CPU_MODEL,
  fieldByEncoding,
  MSR,
  VMCS,
  vmcsFieldSupported,
} from "../../arch/index";
import { assemble, type Diagnostic, flatBinary, type Program, syntaxForFile } from "../../assembler/index";
import {
  type CallFrame,
  decodeBytes,
  formatInstruction,
  Machine,
  SEG,
  type SegmentIndex,
  type StopReason,
  type VmxCpu,
} from "../../emulator/index";
import { inFirmwareHandlers } from "../../emulator/start-states";
import type { VmxEvent } from "../../emulator/vmx/events";
import { INVALID_POINTER } from "../../emulator/vmx/state";
import { createVmx, type Vmx } from "../../emulator/vmx/vmx";
import { eptTranslate, guestTranslate } from "./ept-walk";
import { type Canonicalize, makeCanonicalizer } from "./paths";
import type { LineEntry, SymbolEntry } from "./source-map";
import { SourceMap } from "./source-map";
import type { DebugTarget, DisassembledInstruction, RunOptions, StartMode, StepOptions, VmxView } from "./target";

export interface BuildInput {
  files: string[];
  syntax?: "gas" | "nasm";
  includePaths: string[];
  readFile(path: string): string | undefined;
  /** How file names become one canonical path each (default: realpath, see paths.ts). */
  canonical?: Canonicalize;
}

export interface BuiltProgram {
  program: Program;
  syntax: "gas" | "nasm";
  sourceMap: SourceMap;
  errors: Diagnostic[];
  /** The files the program was assembled from (absolute). */
  files: string[];
}

/**
 * Assembles the launch's file(s). Several files are assembled as one unit: a root that includes each in
 * order, so labels are shared across them as if linked, and the line map still names each file.
 */
export function buildProgram(input: BuildInput): BuiltProgram {
  const files = input.files.map((f) => resolve(f));
  const first = files[0] as string;
  const syntax = input.syntax ?? syntaxForFile(first) ?? "gas";
  let source: string;
  let fileName: string;
  if (files.length === 1) {
    fileName = first;
    source = input.readFile(first) ?? "";
  } else {
    fileName = resolve(dirname(first), syntax === "gas" ? "__vmx_link__.s" : "__vmx_link__.asm");
    source = files.map((f) => (syntax === "gas" ? `.include "${f}"` : `%include "${f}"`)).join("\n");
  }
  const program = assemble(source, {
    fileName,
    syntax,
    readFile: input.readFile,
    includeDirs: input.includePaths,
    cwd: dirname(first),
  });
  // Included files are named as the include directive joined them ("/x/broken/../hypervisor.asm", or relative to
  // the working directory for an include directory given relatively): the source map makes them canonical, so
  // breakpoints and stack frames agree with the editor's paths.
  const lines: LineEntry[] = program.lineMap.map((e) => ({ ...e }));
  const symbols: SymbolEntry[] = [...program.symbols].map(([name, s]) => ({
    name,
    value: s.value,
    label: s.label,
    file: s.file,
    line: s.line,
  }));
  return {
    program,
    syntax,
    sourceMap: new SourceMap(lines, symbols, input.canonical ?? makeCanonicalizer()),
    errors: program.diagnostics.filter((d) => d.severity === "error"),
    files,
  };
}

export function cpuModelNames(): string[] {
  return CPU_MODELS.map((m) => m.name);
}

export interface TargetOptions {
  start: StartMode;
  entry: bigint;
  cpuModel?: string;
  memoryBytes?: number;
}

export type OutputSink = (bytes: Uint8Array, stream: "uart" | "e9") => void;

/** A VM-entry failure reported by emulator/vmx during the last step (it explains VMfail and exits 33/34). */
type EntryFailureEvent = Extract<VmxEvent, { kind: "vmEntryFailure" }>;

class MachineTarget implements DebugTarget {
  private readonly cpu: VmxCpu;
  private readonly hooks: Vmx;
  private entryFailure: EntryFailureEvent | undefined;
  readonly vmx: VmxView;

  constructor(
    readonly machine: Machine,
    private readonly model: NonNullable<ReturnType<typeof cpuModel>>,
    private readonly start: StartMode,
  ) {
    this.cpu = machine.cpu.vmxCpu;
    const hooks = machine.vmx as Vmx;
    this.hooks = hooks;
    // Every VM exit ends run()/step() with a vmExit stop: the debugger records each one (exit history,
    // trace, "break on VM exit") and decides whether to go on.
    hooks.stopOnVmExit = true;
    hooks.onEvent((e) => {
      if (e.kind === "vmEntryFailure") this.entryFailure = e;
    });
    const current = (): number | undefined =>
      hooks.state.currentVmcs === INVALID_POINTER ? undefined : hooks.state.currentVmcs;
    const supported = (encoding: number): boolean => {
      const f = fieldByEncoding(encoding);
      return f !== undefined && !f.high && vmcsFieldSupported(this.model, f.field);
    };
    this.vmx = {
      operation: () => (!hooks.state.inVmx ? "off" : hooks.state.nonRoot ? "non-root" : "root"),
      vmxonPointer: () => (hooks.state.inVmx ? BigInt(hooks.state.vmxonPointer) : undefined),
      currentVmcs: () => {
        const p = current();
        return p === undefined ? undefined : BigInt(p);
      },
      launchState: () => {
        const p = current();
        return p === undefined ? undefined : hooks.store.launched(p) ? "launched" : "clear";
      },
      readField: (encoding) => {
        const p = current();
        return p === undefined || !supported(encoding) ? undefined : hooks.store.get(p, encoding);
      },
      writeField: (encoding, value) => {
        const p = current();
        if (p === undefined || !supported(encoding)) return false;
        hooks.store.set(p, encoding, value);
        return true;
      },
      fieldSupported: supported,
    };
  }

  /** A VM-entry failure event seen during the last step/run becomes the stop reason that explains it. */
  private withEntryFailure(r: StopReason | undefined): StopReason | undefined {
    const f = this.entryFailure;
    this.entryFailure = undefined;
    if (!f || (r && r.kind !== "step" && r.kind !== "vmExit" && r.kind !== "budget" && r.kind !== "breakpoint"))
      return r;
    return {
      kind: "vmEntryFailure",
      rip: this.getRip(),
      checkId: f.failure.checkId,
      sdmSection: f.failure.sdmSection,
      message: f.failure.message,
      fields: f.failure.fields,
    };
  }

  get instructionCount(): number {
    return this.machine.instructionCount;
  }
  get cpl(): number {
    return this.cpu.cpl;
  }

  step(o: StepOptions = {}): StopReason | undefined {
    this.entryFailure = undefined;
    const r = this.machine.step({ stopOnExceptionDelivery: o.stopOnExceptionDelivery === true });
    return this.withEntryFailure(r.kind === "step" ? undefined : r);
  }

  run(o: RunOptions): StopReason {
    this.entryFailure = undefined;
    this.hooks.stopOnVmExit = o.stopOnVmExit;
    const r = this.machine.run({
      maxInstructions: o.maxInstructions,
      breakpoints: o.breakpoints,
      stopOnExceptionDelivery: o.stopOnExceptionDelivery === true,
    });
    this.hooks.stopOnVmExit = true;
    return this.withEntryFailure(r) ?? r;
  }

  snapshot(): unknown {
    return this.machine.snapshot();
  }
  restore(s: unknown): void {
    this.machine.restore(s as ReturnType<Machine["snapshot"]>);
  }

  readGpr(r: number): bigint {
    return this.cpu.readGpr(r);
  }
  writeGpr(r: number, v: bigint): void {
    this.cpu.writeGpr(r, BigInt.asUintN(64, v));
  }
  getRip(): bigint {
    return this.cpu.getRip();
  }
  setRip(v: bigint): void {
    this.cpu.setRip(v);
  }
  getRflags(): bigint {
    return this.cpu.getRflags();
  }
  setRflags(v: bigint): void {
    this.cpu.setRflags(v);
  }
  getSegment(s: number) {
    return this.cpu.getSegment(s as SegmentIndex);
  }
  setSegment(s: number, c: Parameters<VmxCpu["setSegment"]>[1]): void {
    this.cpu.setSegment(s as SegmentIndex, c);
  }
  getGdtr() {
    return this.cpu.getGdtr();
  }
  getIdtr() {
    return this.cpu.getIdtr();
  }
  readCr(n: 0 | 2 | 3 | 4 | 8): bigint {
    return this.cpu.readCr(n);
  }
  writeCr(n: 0 | 2 | 3 | 4 | 8, v: bigint): void {
    this.cpu.writeCr(n, v);
  }
  readDr(n: number): bigint {
    return this.cpu.readDr(n);
  }
  writeDr(n: number, v: bigint): void {
    this.cpu.writeDr(n, v);
  }
  readMsr(i: number): bigint | undefined {
    return this.cpu.readMsr(i);
  }
  writeMsr(i: number, v: bigint): boolean {
    return this.cpu.writeMsr(i, v);
  }
  cpuMode() {
    return this.cpu.mode();
  }

  devices() {
    const c = this.machine.cpu;
    const now = c.deviceTime();
    return { ...this.machine.devices.view(now), initPending: c.initPending, deviceTime: now };
  }

  currentInstructionAddress(): bigint {
    return this.cpu.linearAddress(SEG.CS, this.cpu.getRip());
  }

  private translate(la: bigint): number | undefined {
    if (!this.hooks.eptActive) return this.machine.translateNoFault(Number(BigInt.asIntN(64, la)));
    // A guest under EPT: the machine's probe stops at EPT; walk the guest's paging and EPT here.
    const eptp = this.vmx.readField(VMCS.EPT_POINTER);
    if (eptp === undefined) return undefined;
    const read64 = (pa: bigint): bigint => {
      const b = this.machine.readPhys(pa, 8);
      let v = 0n;
      for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
      return v;
    };
    const gpaRead = (gpa: bigint, size: 4 | 8): bigint | undefined => {
      const hpa = eptTranslate(eptp, gpa, read64);
      if (hpa === undefined) return undefined;
      const v = read64(hpa);
      return size === 8 ? v : v & 0xffffffffn;
    };
    const cpu = this.cpu;
    const gpa = guestTranslate(
      { cr0: cpu.readCr(0), cr3: cpu.readCr(3), cr4: cpu.readCr(4), efer: cpu.readMsr(MSR.IA32_EFER) ?? 0n },
      la,
      gpaRead,
    );
    const hpa = gpa === undefined ? undefined : eptTranslate(eptp, gpa, read64);
    return hpa === undefined ? undefined : Number(hpa);
  }

  readLinear(address: bigint, length: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, length));
    let k = 0;
    while (k < length) {
      const la = BigInt.asUintN(64, address + BigInt(k));
      const pa = this.translate(la);
      if (pa === undefined) break;
      const inPage = 4096 - Number(la & 0xfffn);
      const n = Math.min(length - k, inPage);
      out.set(this.machine.readPhys(pa, n), k);
      k += n;
    }
    return out.subarray(0, k);
  }

  writtenSince(snapshot: unknown, address: bigint, length: number): boolean {
    // Memory is copy-on-write after a snapshot: a page written since has a new page object (SDM-independent;
    // emulator/memory.ts). A page never allocated then and still not now was not written.
    const then = (snapshot as ReturnType<Machine["snapshot"]>).memory.pages;
    const now = this.machine.memory.pages;
    const first = address & ~0xfffn;
    for (let la = first; la < address + BigInt(Math.max(length, 1)); la += 0x1000n) {
      const pa = this.translate(BigInt.asUintN(64, la));
      if (pa === undefined) return true;
      const page = Math.floor(pa / 4096);
      if (then[page] !== now[page]) return true;
    }
    return false;
  }

  writeLinear(address: bigint, bytes: Uint8Array): number {
    let k = 0;
    while (k < bytes.length) {
      const la = BigInt.asUintN(64, address + BigInt(k));
      const pa = this.translate(la);
      if (pa === undefined) break;
      const n = Math.min(bytes.length - k, 4096 - Number(la & 0xfffn));
      this.machine.writePhys(pa, bytes.subarray(k, k + n));
      k += n;
    }
    return k;
  }

  callFrames(which: "current" | "host" | "guest" = "current"): readonly CallFrame[] {
    return this.machine.callFrames(which);
  }

  isFirmwareHandler(address: bigint): boolean {
    return address < 0x1_0000_0000n && inFirmwareHandlers(this.start, Number(address));
  }

  disassemble(address: bigint, syntax: "intel" | "att"): DisassembledInstruction | undefined {
    // Bytes through the debugger's own translation (works for guests under EPT too).
    const bytes = this.readLinear(address, 15);
    if (bytes.length === 0) return undefined;
    const mode = this.cpu.mode();
    const insn = decodeBytes(bytes, mode === "long64" ? 64 : mode === "protected32" || mode === "compat32" ? 32 : 16);
    if (insn.len === 0 || insn.len > bytes.length) return undefined;
    return { length: insn.len, mnemonic: insn.name, text: formatInstruction(insn, syntax, { address }) };
  }
}

/** Creates the machine, loads the program and sets up the start state. Throws an Error with a message for bad options. */
export function createTarget(built: BuiltProgram, opts: TargetOptions, output: OutputSink): DebugTarget {
  const model = cpuModel(opts.cpuModel ?? DEFAULT_CPU_MODEL);
  if (!model) throw new Error(`unknown CPU model '${opts.cpuModel}' (known: ${cpuModelNames().join(", ")})`);
  const machine = new Machine({ memoryBytes: opts.memoryBytes, cpuModel: model, vmx: createVmx });
  // As `vmx run`: firmware structures first, so a program loaded over them (an org below 0x10000) wins.
  machine.setupStart(opts.start, opts.entry);
  // Stack frames and VMWRITE call sites come from the machine's CALL/RET/interrupt tracking.
  machine.trackCalls = true;
  const p = built.program;
  if (p.origin !== undefined) machine.load(flatBinary(p), p.origin);
  else for (const s of p.sections) if (!s.nobits && s.size > 0) machine.load(s.bytes.subarray(0, s.size), s.address);
  machine.onOutput((bytes, stream) => output(bytes, stream));
  return new MachineTarget(machine, model, opts.start);
}

/** The default entry: `vmx run`'s rule — the label `start` or `_start`, else the program's first byte. */
export function defaultEntry(built: BuiltProgram): bigint | undefined {
  const p = built.program;
  if (p.entry !== undefined) return p.entry;
  for (const n of ["start", "_start"]) {
    const s = p.symbols.get(n);
    if (s) return s.value;
  }
  const first = p.sections.find((s) => !s.nobits && s.size > 0);
  return first?.address;
}
