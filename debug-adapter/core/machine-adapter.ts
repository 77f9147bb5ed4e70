// The one place where the debug core meets the assembler and the emulator: assembling the launch's sources,
// building a Machine in the chosen start state with the program loaded, and presenting it as a DebugTarget.
// Everything that depends on the exact emulator API lives here, so an API change is a change in this file.
import { dirname, resolve } from "node:path";
import { CPU_MODELS, cpuModel, DEFAULT_CPU_MODEL, fieldByEncoding, VMCS, vmcsFieldSupported } from "../../arch/index";
import { assemble, type Diagnostic, type Program, syntaxForFile } from "../../assembler/index";
import { Machine, SEG, type SegmentIndex, type StopReason, type VmxCpu, type VmxHooks } from "../../emulator/index";
import { VmcsStore } from "../../emulator/vmx/vmcs";
import type { LineEntry, SymbolEntry } from "./source-map";
import { SourceMap } from "./source-map";
import type { DebugTarget, DisassembledInstruction, RunOptions, StartMode, VmxOperation, VmxView } from "./target";

/** GAS sources have no `org`: their .text is placed here (what `ld -Ttext=0x100000` would do). */
export const GAS_BASE = 0x100000n;

export interface BuildInput {
  files: string[];
  syntax?: "gas" | "nasm";
  includePaths: string[];
  readFile(path: string): string | undefined;
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
    base: syntax === "gas" ? GAS_BASE : undefined,
  });
  const lines: LineEntry[] = program.lineMap;
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
    sourceMap: new SourceMap(lines, symbols),
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

/**
 * What the debugger needs from emulator/vmx beyond the VmxHooks contract. The VMX object the machine creates
 * is asked for these by name; until emulator/vmx provides them, the VMX scope reads "off".
 */
interface VmxIntrospection {
  /** "off" | "root" | "non-root". */
  operation(): VmxOperation;
  vmxonPointer(): bigint | undefined;
  currentVmcsPointer(): bigint | undefined;
}

function introspection(hooks: VmxHooks | undefined): VmxIntrospection | undefined {
  const h = hooks as unknown as Partial<VmxIntrospection> | undefined;
  if (
    h &&
    typeof h.operation === "function" &&
    typeof h.vmxonPointer === "function" &&
    typeof h.currentVmcsPointer === "function"
  )
    return h as VmxIntrospection;
  return undefined;
}

/** Thrown by the trace hook to end a run right after a VM exit (the machine has no stop-on-exit option). */
class VmExitSeen {}
const VM_EXIT_SEEN = new VmExitSeen();

class MachineTarget implements DebugTarget {
  private readonly cpu: VmxCpu;
  private readonly store: VmcsStore;
  private readonly vmxInfo: VmxIntrospection | undefined;
  readonly vmx: VmxView;

  constructor(
    readonly machine: Machine,
    private readonly model: NonNullable<ReturnType<typeof cpuModel>>,
  ) {
    this.cpu = machine.cpu.vmxCpu;
    const mem = machine.memory;
    this.store = new VmcsStore(
      {
        read32: (pa) => {
          const b = mem.readBytes(pa, 4);
          return (
            ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16) | ((b[3] as number) << 24)) >>> 0
          );
        },
        write32: (pa, v) =>
          machine.writePhys(pa, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff)),
      },
      model,
    );
    this.vmxInfo = introspection(machine.vmx);
    this.vmx = {
      operation: () => this.vmxInfo?.operation() ?? (machine.vmx?.nonRoot ? "non-root" : "off"),
      vmxonPointer: () => this.vmxInfo?.vmxonPointer(),
      currentVmcs: () => this.vmxInfo?.currentVmcsPointer(),
      launchState: () => {
        const p = this.vmxInfo?.currentVmcsPointer();
        return p === undefined ? undefined : this.store.launched(Number(p)) ? "launched" : "clear";
      },
      readField: (encoding) => {
        const p = this.vmxInfo?.currentVmcsPointer();
        if (p === undefined || !this.vmx.fieldSupported(encoding)) return undefined;
        return this.store.get(Number(p), encoding);
      },
      writeField: (encoding, value) => {
        const p = this.vmxInfo?.currentVmcsPointer();
        if (p === undefined || !this.vmx.fieldSupported(encoding)) return false;
        this.store.set(Number(p), encoding, value);
        return true;
      },
      fieldSupported: (encoding) => {
        const f = fieldByEncoding(encoding);
        return f !== undefined && !f.high && vmcsFieldSupported(this.model, f.field);
      },
    };
  }

  get instructionCount(): number {
    return this.machine.instructionCount;
  }
  get cpl(): number {
    return this.cpu.cpl;
  }

  step(): StopReason | undefined {
    const r = this.machine.step();
    return r.kind === "step" ? undefined : r;
  }

  run(o: RunOptions): StopReason {
    const m = this.machine;
    const hooks = m.vmx;
    if (!o.stopOnVmExit || !hooks?.nonRoot)
      return m.run({ maxInstructions: o.maxInstructions, breakpoints: o.breakpoints });
    // In the guest: end the run after the first instruction that left non-root operation (a VM exit).
    try {
      return m.run({
        maxInstructions: o.maxInstructions,
        breakpoints: o.breakpoints,
        trace: () => {
          if (!hooks.nonRoot) throw VM_EXIT_SEEN;
        },
      });
    } catch (e) {
      if (e !== VM_EXIT_SEEN) throw e;
      const reason = this.vmx.readField(VMCS.EXIT_REASON) ?? 0n;
      const qual = this.vmx.readField(VMCS.EXIT_QUALIFICATION) ?? 0n;
      return { kind: "vmExit", rip: this.getRip(), exitReason: Number(reason & 0xffffffffn), qualification: qual };
    }
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

  currentInstructionAddress(): bigint {
    return this.cpu.linearAddress(SEG.CS, this.cpu.getRip());
  }

  private translate(la: bigint): number | undefined {
    return this.machine.translateNoFault(Number(BigInt.asIntN(64, la)));
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

  disassemble(address: bigint, _syntax: "intel" | "att"): DisassembledInstruction | undefined {
    const insn = this.machine.instructionAt(address);
    if (!insn || insn.len === 0) return undefined;
    // The emulator's decoder gives the mnemonic and length; operands are shown from the source when mapped.
    return { length: insn.len, mnemonic: insn.name, text: insn.name };
  }
}

/** Creates the machine, loads the program and sets up the start state. Throws an Error with a message for bad options. */
export function createTarget(built: BuiltProgram, opts: TargetOptions, output: OutputSink): DebugTarget {
  const model = cpuModel(opts.cpuModel ?? DEFAULT_CPU_MODEL);
  if (!model) throw new Error(`unknown CPU model '${opts.cpuModel}' (known: ${cpuModelNames().join(", ")})`);
  const machine = new Machine({ memoryBytes: opts.memoryBytes, cpuModel: model });
  for (const s of built.program.sections) {
    if (s.nobits || s.size === 0) continue;
    machine.load(s.bytes.subarray(0, s.size), s.address);
  }
  machine.setupStart(opts.start, opts.entry);
  machine.onOutput((bytes, stream) => output(bytes, stream));
  return new MachineTarget(machine, model);
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
