// Breakpoints of every kind the debugger offers, as plain data: source lines (moved to the nearest
// instruction), labels (function breakpoints), instruction addresses, and data breakpoints on memory and VMCS
// fields. Conditions, hit conditions and log messages are evaluated by the engine.
import { parseNumber } from "./format";
import type { SourceMap } from "./source-map";

export type CodeBreakpointKind = "source" | "function" | "instruction";

export interface BreakpointOptions {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface CodeBreakpoint extends BreakpointOptions {
  id: number;
  kind: CodeBreakpointKind;
  verified: boolean;
  message?: string;
  address?: bigint;
  /** Where the breakpoint really is (after moving to the nearest instruction). */
  file?: string;
  line?: number;
  column?: number;
  /** What the user asked for: the line for source breakpoints, the name for function breakpoints. */
  requestedLine?: number;
  name?: string;
  hits: number;
}

export type DataBreakpointTarget =
  | { kind: "memory"; address: bigint; size: number }
  | { kind: "vmcs"; encoding: number; name: string }
  /** A register by its debugger name (registers.ts): "rax", "eflags", "cr3", "cs.base" … */
  | { kind: "register"; name: string }
  /** A model-specific register by its arch/ name. */
  | { kind: "msr"; index: number; name: string };

export interface DataBreakpoint extends BreakpointOptions {
  id: number;
  dataId: string;
  target: DataBreakpointTarget;
  verified: boolean;
  message?: string;
  hits: number;
}

/** Hit conditions: "5" or "==5" (the 5th hit), ">5", ">=5", "<5", "%3" (every 3rd hit). */
export function hitConditionMet(hitCondition: string, hits: number): boolean | undefined {
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(hitCondition);
  if (!m) return undefined;
  const n = Number(m[2]);
  switch (m[1]) {
    case ">=":
      return hits >= n;
    case "<=":
      return hits <= n;
    case ">":
      return hits > n;
    case "<":
      return hits < n;
    case "%":
      return n > 0 && hits % n === 0;
    default:
      return hits === n;
  }
}

/** "mem:0x1000:8" / "vmcs:GUEST_RIP" / "reg:rax" — the dataId of DAP's dataBreakpointInfo. */
export function dataIdOf(t: DataBreakpointTarget): string {
  if (t.kind === "memory") return `mem:0x${t.address.toString(16)}:${t.size}`;
  return t.kind === "vmcs" ? `vmcs:${t.name}` : t.kind === "msr" ? `msr:${t.name}` : `reg:${t.name}`;
}

export function parseDataId(
  dataId: string,
):
  | { kind: "memory"; address: bigint; size: number }
  | { kind: "vmcs"; name: string }
  | { kind: "register"; name: string }
  | { kind: "msr"; name: string }
  | undefined {
  const msr = /^msr:([A-Z0-9_]+)$/.exec(dataId);
  if (msr) return { kind: "msr", name: msr[1] as string };
  const r = /^reg:([a-z0-9]+(\.[a-z]+)?)$/.exec(dataId);
  if (r) return { kind: "register", name: r[1] as string };
  const m = /^mem:(0x[0-9a-f]+):(\d+)$/i.exec(dataId);
  if (m) {
    const size = Number(m[2]);
    if (size < 1 || size > 8) return undefined;
    return { kind: "memory", address: BigInt(m[1] as string), size };
  }
  const v = /^vmcs:([A-Z0-9_]+)$/.exec(dataId);
  return v ? { kind: "vmcs", name: v[1] as string } : undefined;
}

export class BreakpointStore {
  private nextId = 1;
  private readonly source = new Map<string, CodeBreakpoint[]>();
  private functions: CodeBreakpoint[] = [];
  private instructions: CodeBreakpoint[] = [];
  data: DataBreakpoint[] = [];
  /** VMCS fields watched through the vmx/fieldBreakpoint request (kept apart from DAP's data breakpoints). */
  readonly fieldWatches = new Map<string, DataBreakpoint>();
  private byAddress = new Map<bigint, CodeBreakpoint[]>();

  constructor(private sourceMap: SourceMap | undefined) {}

  newId(): number {
    return this.nextId++;
  }

  /** After a restart: the program may have changed, so every breakpoint is resolved again. */
  rebind(sourceMap: SourceMap): void {
    this.sourceMap = sourceMap;
    for (const [file, bps] of this.source)
      this.setSource(
        file,
        bps.map((b) => ({
          line: b.requestedLine ?? 0,
          condition: b.condition,
          hitCondition: b.hitCondition,
          logMessage: b.logMessage,
        })),
        bps.map((b) => b.id),
      );
    this.setFunctions(
      this.functions.map((b) => ({ name: b.name ?? "", condition: b.condition, hitCondition: b.hitCondition })),
      this.functions.map((b) => b.id),
    );
    this.reindex();
  }

  /** Source breakpoints of a file (any spelling of its path: they are kept under its canonical path). */
  setSource(path: string, specs: (BreakpointOptions & { line: number })[], ids?: number[]): CodeBreakpoint[] {
    const file = this.sourceMap ? this.sourceMap.canonical(path) : path;
    const out = specs.map((s, i): CodeBreakpoint => {
      const id = ids?.[i] ?? this.newId();
      const base: CodeBreakpoint = {
        id,
        kind: "source",
        verified: false,
        requestedLine: s.line,
        hits: 0,
        ...options(s),
      };
      const r = this.sourceMap?.resolveLine(file, s.line);
      if (!r) return { ...base, file, line: s.line, message: "no instruction at or after this line in the program" };
      return { ...base, verified: true, file, line: r.line, column: r.column, address: r.address };
    });
    this.source.set(file, out);
    this.reindex();
    return out;
  }

  setFunctions(specs: (BreakpointOptions & { name: string })[], ids?: number[]): CodeBreakpoint[] {
    this.functions = specs.map((s, i): CodeBreakpoint => {
      const id = ids?.[i] ?? this.newId();
      const base: CodeBreakpoint = { id, kind: "function", verified: false, name: s.name, hits: 0, ...options(s) };
      const sym = this.sourceMap?.symbol(s.name.trim());
      // Also an address, as in other debuggers: "0x100010" or "*0x100010".
      const addr = sym ? undefined : parseNumber(s.name.trim().replace(/^\*/, ""));
      if (addr !== undefined) {
        const loc = this.sourceMap?.locationOf(addr);
        return { ...base, verified: true, address: addr, file: loc?.file, line: loc?.line, column: loc?.column };
      }
      if (!sym) return { ...base, message: `no label '${s.name}' in the program` };
      if (!sym.label) return { ...base, message: `'${s.name}' is a constant, not a label` };
      const loc = this.sourceMap?.locationOf(sym.value);
      return { ...base, verified: true, address: sym.value, file: loc?.file, line: loc?.line, column: loc?.column };
    });
    this.reindex();
    return this.functions;
  }

  setInstructions(specs: (BreakpointOptions & { address: bigint | undefined })[]): CodeBreakpoint[] {
    this.instructions = specs.map((s): CodeBreakpoint => {
      const base: CodeBreakpoint = { id: this.newId(), kind: "instruction", verified: false, hits: 0, ...options(s) };
      if (s.address === undefined) return { ...base, message: "not an address" };
      const loc = this.sourceMap?.locationOf(s.address);
      return { ...base, verified: true, address: s.address, file: loc?.file, line: loc?.line, column: loc?.column };
    });
    this.reindex();
    return this.instructions;
  }

  private reindex(): void {
    this.byAddress = new Map();
    const all = [...[...this.source.values()].flat(), ...this.functions, ...this.instructions];
    for (const b of all) {
      if (!b.verified || b.address === undefined) continue;
      const list = this.byAddress.get(b.address);
      if (list) list.push(b);
      else this.byAddress.set(b.address, [b]);
    }
  }

  /** Linear addresses with at least one code breakpoint. */
  addresses(): IterableIterator<bigint> {
    return this.byAddress.keys();
  }

  at(address: bigint): readonly CodeBreakpoint[] {
    return this.byAddress.get(address) ?? [];
  }

  hasDataBreakpoints(): boolean {
    return this.data.length > 0 || this.fieldWatches.size > 0;
  }

  allData(): DataBreakpoint[] {
    return [...this.data, ...this.fieldWatches.values()];
  }
}

function options(s: BreakpointOptions): BreakpointOptions {
  const o: BreakpointOptions = {};
  if (s.condition?.trim()) o.condition = s.condition;
  if (s.hitCondition?.trim()) o.hitCondition = s.hitCondition;
  if (s.logMessage !== undefined && s.logMessage !== "") o.logMessage = s.logMessage;
  return o;
}
