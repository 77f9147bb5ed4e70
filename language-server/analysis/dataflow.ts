// Forward data-flow over the unit's instructions: constant propagation through registers, memory cells named
// by labels and a small model of the stack, plus the VMX facts the rules need (which regions were VMCLEARed on
// every path, whether a VMX instruction's CF/ZF result is still untested). Basic blocks start at labels and
// after branches; states meet at block heads (equal constants survive, everything else becomes unknown).
import { type SymValue, wrap64 } from "./frontend";
import {
  baseMnemonic,
  implicitWrites,
  isConditionalJump,
  isUnconditionalJump,
  readsFlags,
  VMX_FAILING,
  VMX_INSTRUCTIONS,
  writesFirstOperand,
  writesFlags,
} from "./mnemonics";
import type { Unit } from "./project";
import { gpr } from "./registers";
import { type Expr, exprSymbols, intelOperands, type Operand, type Statement } from "./syntax";

/** Where a constant entered the program: the literal or symbol in an operand. */
export interface Origin {
  stmt: Statement;
  start: number;
  end: number;
  /** The named constant used, if the operand was a single symbol. */
  symbol?: string;
  /** The range is a number or constant expression as written (so a fix may replace it). */
  literal?: boolean;
}

export type Val = SymValue & { origin?: Origin };

export interface VmcsSite {
  stmt: Statement;
  kind: "vmread" | "vmwrite";
  /** The operand that selects the field (ModRM.reg) and the other one. */
  encOp: Operand;
  valOp: Operand;
  enc?: Val;
  /** VMWRITE: the value written; VMREAD: whatever the destination held (for the swapped-operands rule). */
  val?: Val;
}

export interface MsrSite {
  stmt: Statement;
  kind: "rdmsr" | "wrmsr";
  ecx?: Val;
  /** EDX:EAX for WRMSR when both are known. */
  value?: bigint;
}

export interface RegionSite {
  stmt: Statement;
  kind: "vmxon" | "vmclear" | "vmptrld";
  op: Operand;
  /** The physical address the m64 operand holds: usually a label (the region). */
  pointer?: Val;
  /** Regions VMCLEARed on every path before this instruction; null when unknown (an entry we cannot see). */
  cleared: ReadonlySet<string> | null;
}

export interface UncheckedFailure {
  stmt: Statement;
  mnemonic: string;
  overwrittenBy: Statement;
  overwriterName: string;
}

export interface FlowResult {
  vmcs: VmcsSite[];
  msr: MsrSite[];
  regions: RegionSite[];
  unchecked: UncheckedFailure[];
  /** Regions (see regionKey) that receive a store at their first byte somewhere (a revision identifier). */
  storedAtStart: Set<string>;
  /** Known register values at each VMX/MSR site, by register name as written. */
  registerValues: Map<Statement, Map<string, Val>>;
}

interface Pending {
  stmt: Statement;
  mnemonic: string;
}

interface State {
  regs: (Val | undefined)[];
  stack: (Val | undefined)[];
  // `mem` and `cleared` are never changed in place (a change makes a new one), so copies of a state share them.
  mem: ReadonlyMap<string, Val>;
  cleared: ReadonlySet<string> | null;
  pending: Pending | undefined;
}

function sameVal(a: Val | undefined, b: Val | undefined): boolean {
  if (!a || !b) return false;
  if (a.k === "num" && b.k === "num") return a.v === b.v;
  if (a.k === "addr" && b.k === "addr") return a.label === b.label && a.off === b.off;
  return false;
}

function copy(s: State): State {
  return {
    regs: [...s.regs],
    mem: s.mem,
    stack: [...s.stack],
    cleared: s.cleared,
    pending: s.pending,
  };
}

/** Meets `incoming` into `target`; returns true when target changed. */
function meetInto(target: State, incoming: State): boolean {
  let changed = false;
  for (let r = 0; r < 16; r++) {
    if (target.regs[r] && !sameVal(target.regs[r], incoming.regs[r])) {
      target.regs[r] = undefined;
      changed = true;
    }
  }
  // (`mem` and `cleared` are shared between copies and never changed in place: the same object is the same
  // contents, and forEach walks a map without allocating its entries)
  let mem: Map<string, Val> | undefined;
  if (target.mem.size > 0 && target.mem !== incoming.mem) {
    const from = target.mem;
    from.forEach((v, k) => {
      if (!sameVal(v, incoming.mem.get(k))) {
        mem ??= new Map(from);
        mem.delete(k);
        changed = true;
      }
    });
  }
  if (mem) target.mem = mem;
  if (target.stack.length !== incoming.stack.length) {
    if (target.stack.length > 0) changed = true;
    target.stack = [];
  } else {
    for (let i = 0; i < target.stack.length; i++)
      if (target.stack[i] && !sameVal(target.stack[i], incoming.stack[i])) {
        target.stack[i] = undefined;
        changed = true;
      }
  }
  if (incoming.cleared) {
    if (target.cleared === null) {
      target.cleared = incoming.cleared;
      changed = true;
    } else if (target.cleared !== incoming.cleared) {
      let kept: Set<string> | undefined;
      const from = target.cleared;
      const inc = incoming.cleared;
      from.forEach((c) => {
        if (!inc.has(c)) {
          kept ??= new Set(from);
          kept.delete(c);
          changed = true;
        }
      });
      if (kept) target.cleared = kept;
    }
  }
  if (!target.pending && incoming.pending) {
    target.pending = incoming.pending;
    changed = true;
  }
  return changed;
}

const MASK32 = 0xffff_ffffn;

function memKey(label: string, off: bigint): string {
  return `${label}+${off}`;
}

/** A region's identity: its label (plus offset), or `@` and its physical address when it is a number. */
export function regionKey(v: SymValue): string {
  if (v.k === "num") return `@0x${v.v.toString(16).toUpperCase()}`;
  return v.off === 0n ? v.label : `${v.label}+0x${v.off.toString(16).toUpperCase()}`;
}

interface Block {
  start: number;
  end: number; // exclusive
  succ: number[];
  /** Call targets (block indices) of a call ending this block. */
  callTarget?: number;
  endsInCall: boolean;
}

interface Graph {
  mnem: string[];
  blocks: Block[];
  writtenLabels: Set<string>;
}

/** Basic blocks and their edges, the base mnemonic of each statement, and the labels instructions store to. */
function buildGraph(unit: Unit, stmts: readonly Statement[]): Graph {
  const labelIndex = new Map<string, number>();
  stmts.forEach((s, i) => {
    for (const l of s.labels) {
      const q = unit.qualify(s, l.name);
      if (!labelIndex.has(q)) labelIndex.set(q, i);
    }
  });
  // GAS numeric local labels resolve by direction: `1f` is the next `1:` and `1b` the previous one.
  const numericLabelAt = new Map<string, number[]>();
  stmts.forEach((s, i) => {
    for (const l of s.labels)
      if (/^[0-9]+$/.test(l.name)) numericLabelAt.set(l.name, [...(numericLabelAt.get(l.name) ?? []), i]);
  });
  const targetIndex = (st: Statement, i: number): number | undefined => {
    const ops = st.operands;
    if (ops.length !== 1) return undefined;
    const op = ops[0]!;
    if (op.indirect || op.kind === "reg" || op.base || op.index) return undefined;
    const e = op.expr;
    if (e?.kind === "localRef") {
      // GAS numeric local labels: `1f` is the next `1:`, `1b` the previous one.
      const list = numericLabelAt.get(e.label) ?? [];
      return e.direction === "f" ? list.find((k) => k > i) : [...list].reverse().find((k) => k <= i);
    }
    if (e?.kind !== "symbol") return undefined;
    return labelIndex.get(unit.qualify(st, e.name));
  };

  // Data-only statements stay in the list so labels before data are known, but they end flow.
  // Basic blocks.
  const isLeader = new Array<boolean>(stmts.length).fill(false);
  if (stmts.length > 0) isLeader[0] = true;
  const mnem = stmts.map((s) => (s.kind === "instruction" && s.name ? baseMnemonic(s.name, s.intel).base : ""));
  stmts.forEach((s, i) => {
    if (s.labels.length > 0) isLeader[i] = true;
    const m = mnem[i]!;
    if (m === "jmp" || m === "call" || m === "ret" || isConditionalJump(m) || isUnconditionalJump(m) || isDataStmt(s)) {
      if (i + 1 < stmts.length) isLeader[i + 1] = true;
    }
  });
  const blocks: Block[] = [];
  const blockOf = new Array<number>(stmts.length);
  for (let i = 0; i < stmts.length; i++) {
    if (isLeader[i]) blocks.push({ start: i, end: i + 1, succ: [], endsInCall: false });
    else blocks[blocks.length - 1]!.end = i + 1;
    blockOf[i] = blocks.length - 1;
  }
  for (let b = 0; b < blocks.length; b++) {
    const blk = blocks[b]!;
    const lastIdx = blk.end - 1;
    const last = stmts[lastIdx]!;
    const m = mnem[lastIdx]!;
    const fall = b + 1 < blocks.length ? b + 1 : undefined;
    if (isDataStmt(last) || m === "hlt") {
      // `hlt` in a loop is usually `jmp` back; data is not code.
      if (m === "hlt" && fall !== undefined) blk.succ.push(fall);
      continue;
    }
    const t = m === "jmp" || m === "call" || isConditionalJump(m) ? targetIndex(last, lastIdx) : undefined;
    if (m === "call") {
      blk.endsInCall = true;
      if (t !== undefined) blk.callTarget = blockOf[t]!;
      if (fall !== undefined) blk.succ.push(fall);
      continue;
    }
    if (t !== undefined) blk.succ.push(blockOf[t]!);
    if (!isUnconditionalJump(m) && fall !== undefined) blk.succ.push(fall);
  }

  const writtenLabels = new Set<string>();
  // Labels that any instruction stores to (their static data is then not trustworthy).
  for (const s of stmts) {
    if (s.kind !== "instruction" || !s.name || !writesFirstOperand(baseMnemonic(s.name, s.intel).base)) continue;
    const dst = intelOperands(s)[0];
    if (dst?.kind === "mem" && !dst.base && !dst.index && dst.expr)
      for (const sym of exprSymbols(dst.expr)) writtenLabels.add(unit.qualify(s, sym));
  }
  return { mnem, blocks, writtenLabels };
}

/**
 * A statement whose replacement by another such statement leaves the graph as it is: an instruction without
 * labels that neither branches nor stores to a named location (see `plain` in syntax.ts).
 */
function graphNeutral(st: Statement, m: string): boolean {
  if (st.kind !== "instruction" || st.labels.length > 0 || st.callArgs !== undefined || st.times) return false;
  if (m === "jmp" || m === "call" || m === "ret" || m === "hlt" || isConditionalJump(m) || isUnconditionalJump(m))
    return false;
  for (const op of st.operands) if (op.kind === "mem" && op.expr && op.expr.kind !== "number") return false;
  return true;
}

/** The previous graph of each unit (by root file), reused when an edit only changed graph-neutral statements. */
const graphs = new Map<string, { stmts: readonly Statement[]; graph: Graph }>();

function graphFor(unit: Unit, stmts: readonly Statement[]): Graph {
  const prev = graphs.get(unit.root);
  let graph: Graph | undefined;
  if (prev && prev.stmts.length === stmts.length) {
    let mnem: string[] | undefined = prev.graph.mnem;
    for (let i = 0; i < stmts.length && mnem; i++) {
      const st = stmts[i]!;
      if (st === prev.stmts[i]) continue;
      const m = st.kind === "instruction" && st.name ? baseMnemonic(st.name, st.intel).base : "";
      if (!graphNeutral(st, m) || !graphNeutral(prev.stmts[i]!, mnem[i]!)) mnem = undefined;
      else {
        if (mnem === prev.graph.mnem) mnem = [...mnem];
        mnem[i] = m;
      }
    }
    if (mnem) graph = { ...prev.graph, mnem };
  }
  graph ??= buildGraph(unit, stmts);
  graphs.delete(unit.root);
  graphs.set(unit.root, { stmts, graph });
  if (graphs.size > 16) graphs.delete(graphs.keys().next().value as string);
  return graph;
}

export function analyzeFlow(unit: Unit): FlowResult {
  const stmts = unit.code.filter(
    (s) => !unit.inMacro.has(s) && (s.kind === "instruction" || s.labels.length > 0 || isDataStmt(s)),
  );
  const { mnem, blocks, writtenLabels } = graphFor(unit, stmts);
  const result: FlowResult = {
    vmcs: [],
    msr: [],
    regions: [],
    unchecked: [],
    storedAtStart: new Set(),
    registerValues: new Map(),
  };

  const ctx: Ctx = {
    unit,
    immCache: new Map(),
    writtenLabels,
    report: false,
    result,
    vmclearRegions: new Map<Statement, Set<string> | null>(),
  };

  const env = environmentId(unit);
  // Findings of each block, from its last processing in the reporting fixpoint (which uses its final in-state).
  const blockResults = new Array<FlowResult | undefined>(blocks.length);
  const runFixpoint = (summaries: Map<number, Set<string> | null> | undefined, report: boolean) => {
    ctx.report = report;
    const inState = new Array<State | undefined>(blocks.length);
    const work: number[] = [];
    // An in-state first reached from one predecessor is that predecessor's out-state itself (out-states are
    // never changed after their block ran); a meet into it copies it first.
    const shared = new Uint8Array(blocks.length);
    const seed = (b: number, s: State) => {
      inState[b] = s;
      work.push(b);
    };
    const flowTo = (to: number, st: State) => {
      const cur = inState[to];
      if (!cur) {
        shared[to] = 1;
        seed(to, st);
      } else if (shared[to]) {
        const own = copy(cur);
        if (meetInto(own, st)) {
          inState[to] = own;
          shared[to] = 0;
          work.push(to);
        }
      } else if (meetInto(cur, st)) work.push(to);
    };
    const drain = () => {
      while (work.length > 0) {
        const b = work.pop()!;
        const blk = blocks[b]!;
        const first = stmts[blk.start]!;
        const memo = report ? blockMemos.get(first) : undefined;
        let s: State;
        if (
          memo &&
          sameBlock(memo.stmts, stmts, blk) &&
          sameState(memo.in, inState[b]!) &&
          (memo.env === env || depsHold(ctx, memo.deps))
        ) {
          memo.env = env;
          // The same statements from the same state in the same program: the same findings and out-state.
          s = memo.out;
          blockResults[b] = memo.result;
          for (const k of memo.stored) result.storedAtStart.add(k);
        } else {
          s = copy(inState[b]!);
          if (report) {
            ctx.result = {
              vmcs: [],
              msr: [],
              regions: [],
              unchecked: [],
              storedAtStart: result.storedAtStart,
              registerValues: new Map(),
            };
            blockResults[b] = ctx.result;
            ctx.storedLog = [];
            ctx.deps = [];
          }
          for (let i = blk.start; i < blk.end; i++) step(ctx, s, stmts[i]!, mnem[i]!);
          if (report) {
            const r = ctx.result;
            const found = r.vmcs.length + r.msr.length + r.regions.length + r.unchecked.length + r.registerValues.size;
            if (found === 0) blockResults[b] = NO_FINDINGS;
            blockMemos.set(first, {
              env,
              stmts: stmts.slice(blk.start, blk.end),
              in: shared[b] ? inState[b]! : copy(inState[b]!),
              out: s,
              result: found === 0 ? NO_FINDINGS : r,
              stored: ctx.storedLog && ctx.storedLog.length > 0 ? ctx.storedLog : NO_STORES,
              deps: ctx.deps ?? [],
            });
          }
          ctx.storedLog = undefined;
          ctx.deps = undefined;
        }
        if (!blk.endsInCall) {
          for (const to of blk.succ) flowTo(to, s);
          continue;
        }
        // After a call: registers are unknown, the callee's VMCLEARs are added, flags were consumed.
        const after = copy(s);
        after.regs = new Array(16).fill(undefined);
        after.stack = [];
        after.pending = undefined;
        const callee = blk.callTarget !== undefined ? summaries?.get(blk.callTarget) : null;
        // An unknown callee may VMCLEAR anything: the set becomes unknown (no warning after it).
        if (callee === null || callee === undefined) after.cleared = null;
        else if (after.cleared && callee.size > 0) after.cleared = new Set([...after.cleared, ...callee]);
        for (const to of blk.succ) flowTo(to, after);
        if (blk.callTarget !== undefined) {
          const entry = copy(s);
          entry.pending = undefined;
          flowTo(blk.callTarget, entry);
        }
      }
    };
    if (blocks.length > 0) {
      seed(0, emptyState([]));
      drain();
    }
    // Code no path reaches (functions called from outside, interrupt handlers): analyse from an unknown state.
    for (let b = 0; b < blocks.length; b++) {
      if (inState[b]) continue;
      const first = stmts[blocks[b]!.start]!;
      if (isDataStmt(first) && blocks[b]!.end - blocks[b]!.start === 1 && first.kind !== "instruction") continue;
      seed(b, emptyState(null));
      drain();
    }
    return inState;
  };

  // Pass 1 finds which regions each VMCLEAR names; pass 2 uses per-function summaries of them at calls.
  const hasCalls = blocks.some((b) => b.callTarget !== undefined);
  const hasVmclear = mnem.includes("vmclear");
  const pass1 = hasCalls && hasVmclear ? runFixpoint(undefined, false) : undefined;
  const summaries = new Map<number, Set<string> | null>();
  const callTargets = new Set<number>();
  for (const blk of blocks) if (blk.callTarget !== undefined) callTargets.add(blk.callTarget);
  for (const b of callTargets) summaries.set(b, pass1 ? functionClears(b) : new Set());
  function functionClears(entry: number): Set<string> | null {
    const seen = new Set<number>();
    const todo = [entry];
    const out = new Set<string>();
    while (todo.length > 0) {
      const b = todo.pop()!;
      if (seen.has(b)) continue;
      seen.add(b);
      const blk = blocks[b]!;
      for (let i = blk.start; i < blk.end; i++) {
        if (mnem[i] === "vmclear") {
          const regs = ctx.vmclearRegions.get(stmts[i]!);
          if (regs === null || regs === undefined) return null;
          for (const r of regs) out.add(r);
        }
        if (mnem[i] === "ret") break;
      }
      if (blk.endsInCall && blk.callTarget !== undefined) todo.push(blk.callTarget);
      const lastM = mnem[blk.end - 1]!;
      if (lastM !== "ret") for (const s of blk.succ) todo.push(s);
    }
    return out;
  }
  runFixpoint(summaries, true);
  ctx.result = result;
  for (const r of blockResults) {
    if (!r) continue;
    for (const x of r.vmcs) result.vmcs.push(x);
    for (const x of r.msr) result.msr.push(x);
    for (const x of r.regions) result.regions.push(x);
    for (const x of r.unchecked) result.unchecked.push(x);
    if (r.registerValues.size > 0) for (const [k, v] of r.registerValues) result.registerValues.set(k, v);
  }
  return result;
}

/**
 * What a block's processing depends on besides its statements and in-state: the symbols (constants, labels,
 * macros), the data statements and where instruction runs sit among them (static data of labels), and the
 * labels some instruction stores to — everything but the operands of plain instructions, which the parse
 * tracks as each file's `structure`. Equal descriptions get the same id, so memos compare one number.
 */
function environmentId(unit: Unit): number {
  const parts: string[] = [];
  for (const [file, parsed] of unit.files) parts.push(`${file}@${parsed.structure}`);
  const key = parts.join("\n");
  const known = environmentIds.get(unit.root);
  if (known?.key === key) return known.id;
  const id = ++environmentCounter;
  environmentIds.set(unit.root, { key, id });
  return id;
}

let environmentCounter = 0;
const environmentIds = new Map<string, { key: string; id: number }>();

const NO_FINDINGS: FlowResult = {
  vmcs: [],
  msr: [],
  regions: [],
  unchecked: [],
  storedAtStart: new Set(),
  registerValues: new Map(),
};
const NO_STORES: string[] = [];

interface BlockMemo {
  /** The program structure it was made (or last checked) in: while it is the same, the memo holds as is. */
  env: number;
  /** What the processing read from the program, checked again when the structure changed. */
  deps: Dep[];
  stmts: Statement[];
  in: State;
  out: State;
  result: FlowResult;
  stored: string[];
}

/** The last processing of each block (by its first statement) in the reporting fixpoint, across analyses. */
const blockMemos = new WeakMap<Statement, BlockMemo>();

function sameBlock(memo: readonly Statement[], stmts: readonly Statement[], blk: Block): boolean {
  if (memo.length !== blk.end - blk.start) return false;
  for (let i = 0; i < memo.length; i++) if (memo[i] !== stmts[blk.start + i]) return false;
  return true;
}

function sameOrigin(a: Origin | undefined, b: Origin | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.stmt === b.stmt && a.start === b.start && a.end === b.end && a.symbol === b.symbol && a.literal === b.literal
  );
}

/** Equal values with equal origins (the origin is part of what a finding reports). */
function identical(a: Val | undefined, b: Val | undefined): boolean {
  if (!a || !b) return a === b;
  return sameVal(a, b) && sameOrigin(a.origin, b.origin);
}

function sameState(a: State, b: State): boolean {
  for (let r = 0; r < 16; r++) if (!identical(a.regs[r], b.regs[r])) return false;
  if (a.mem.size !== b.mem.size || a.stack.length !== b.stack.length) return false;
  if (a.mem.size > 0 && a.mem !== b.mem) {
    let same = true;
    const other = b.mem;
    a.mem.forEach((v, k) => {
      if (same && !identical(v, other.get(k))) same = false;
    });
    if (!same) return false;
  }
  for (let i = 0; i < a.stack.length; i++) if (!identical(a.stack[i], b.stack[i])) return false;
  if ((a.cleared === null) !== (b.cleared === null)) return false;
  if (a.cleared && b.cleared && a.cleared !== b.cleared) {
    if (a.cleared.size !== b.cleared.size) return false;
    let same = true;
    const other = b.cleared;
    a.cleared.forEach((c) => {
      if (same && !other.has(c)) same = false;
    });
    if (!same) return false;
  }
  if (!a.pending || !b.pending) return a.pending === b.pending;
  return a.pending.stmt === b.pending.stmt && a.pending.mnemonic === b.pending.mnemonic;
}

const suffixCache = new WeakMap<Statement, number | undefined>();
function suffixOf(st: Statement): number | undefined {
  if (st.intel) return undefined;
  if (suffixCache.has(st)) return suffixCache.get(st);
  const size = baseMnemonic(st.name ?? "", false).size;
  suffixCache.set(st, size);
  return size;
}

function isDataStmt(s: Statement): boolean {
  return s.kind === "directive" && !!s.data;
}

const NO_MEM: ReadonlyMap<string, Val> = new Map();
const NO_CLEARED: ReadonlySet<string> = new Set();

function emptyState(cleared: null | never[]): State {
  return {
    regs: new Array(16).fill(undefined),
    mem: NO_MEM,
    stack: [],
    cleared: cleared === null ? null : NO_CLEARED,
    pending: undefined,
  };
}

interface Ctx {
  unit: Unit;
  immCache: Map<Operand, Val | null>;
  writtenLabels: Set<string>;
  report: boolean;
  result: FlowResult;
  vmclearRegions: Map<Statement, Set<string> | null>;
  /** Regions stored to while a block is processed (replayed when the block's memo is reused). */
  storedLog?: string[];
  /** What a block's processing read from the program besides its statements and in-state (see BlockMemo). */
  deps?: Dep[];
}

/** A value a block's processing read from the program: re-read, it tells whether the memo still holds. */
type Dep =
  | { k: "eval"; expr: Expr; st: Statement; v: SymValue | undefined }
  | { k: "static"; label: string; off: bigint; size: number; v: Val | undefined }
  | { k: "macro"; st: Statement; v: boolean };

function evaluateDep(ctx: Ctx, e: Expr, st: Statement): SymValue | undefined {
  const v = ctx.unit.evaluate(e, st);
  ctx.deps?.push({ k: "eval", expr: e, st, v });
  return v;
}

function sameSymValue(a: SymValue | undefined, b: SymValue | undefined): boolean {
  if (!a || !b) return a === b;
  return sameVal(a, b);
}

/** Whether every value the memo's block read is still what it was (after a change of the program's structure). */
function depsHold(ctx: Ctx, deps: readonly Dep[]): boolean {
  for (const d of deps) {
    if (d.k === "eval") {
      if (!sameSymValue(ctx.unit.evaluate(d.expr, d.st), d.v)) return false;
    } else if (d.k === "static") {
      if (!identical(staticData(ctx, d.label, d.off, d.size), d.v)) return false;
    } else if (ctx.unit.isMacroCall(d.st) !== d.v) return false;
  }
  return true;
}

function readReg(s: State, name: string): Val | undefined {
  const g = gpr(name);
  if (!g) return undefined;
  const v = s.regs[g.index];
  if (!v) return undefined;
  if (g.width === 64) return v;
  if (v.k !== "num") return g.width === 32 ? v : undefined;
  const bits = BigInt(g.width);
  const shifted = g.high8 ? v.v >> 8n : v.v;
  const out: Val = { k: "num", v: shifted & ((1n << bits) - 1n) };
  if (v.origin) out.origin = v.origin;
  return out;
}

function writeReg(s: State, name: string, v: Val | undefined): void {
  const g = gpr(name);
  if (!g) return;
  if (g.width === 64) {
    s.regs[g.index] = v;
    return;
  }
  if (g.width === 32) {
    // SDM Vol. 1 3.4.1.1: a 32-bit destination is zero-extended to 64 bits.
    if (!v) s.regs[g.index] = undefined;
    else if (v.k === "num") s.regs[g.index] = { ...v, v: v.v & MASK32 };
    else s.regs[g.index] = v;
    return;
  }
  const old = s.regs[g.index];
  if (v?.k !== "num" || !old || old.k !== "num") {
    s.regs[g.index] = undefined;
    return;
  }
  const shift = g.high8 ? 8n : 0n;
  const mask = ((1n << BigInt(g.width)) - 1n) << shift;
  s.regs[g.index] = { k: "num", v: (old.v & ~mask) | ((v.v << shift) & mask) };
}

type Address = { k: "addr"; label: string; off: bigint } | { k: "num"; v: bigint } | { k: "stack"; depth: number };

function resolveAddress(ctx: Ctx, s: State, st: Statement, op: Operand): Address | undefined {
  if (op.index) return undefined;
  let disp: SymValue | undefined = { k: "num", v: 0n };
  if (op.expr) disp = evaluateDep(ctx, op.expr, st);
  if (!disp) return undefined;
  if (!op.base) return disp;
  const b = gpr(op.base);
  if (b?.width !== 64) return undefined;
  if (b.index === 4 && disp.k === "num" && disp.v % 8n === 0n) {
    const depth = Number(disp.v / 8n);
    return depth >= 0 && depth < s.stack.length ? { k: "stack", depth } : undefined;
  }
  const bv = s.regs[b.index];
  if (!bv || disp.k !== "num") return undefined;
  if (bv.k === "num") return { k: "num", v: wrap64(bv.v + disp.v) };
  return { k: "addr", label: bv.label, off: wrap64(bv.off + disp.v) };
}

/** Reads `size` bytes of a label's initial data, if the assembler would put constants there. */
function staticData(ctx: Ctx, label: string, off: bigint, size: number): Val | undefined {
  if (ctx.writtenLabels.has(label)) return undefined;
  const defs = ctx.unit.defs.get(label);
  const def = defs?.[0];
  if (def?.kind !== "label" || (defs?.length ?? 0) > 1) return undefined;
  const all = ctx.unit.statements;
  let k = all.indexOf(def.stmt);
  let pos = 0n;
  for (let guard = 0; k >= 0 && k < all.length && guard < 256; k++, guard++) {
    const s = all[k]!;
    if (s !== def.stmt && s.kind === "empty" && s.labels.length === 0) continue;
    if (s !== def.stmt && s.kind !== "directive" && s.kind !== "empty") return undefined;
    const d = s.data;
    if (!d) {
      if (s === def.stmt || s.kind === "empty") continue;
      return undefined;
    }
    if (s.times) return undefined;
    if (d.itemSize === 0) {
      const n = ctx.unit.evaluate(d.reserve, s);
      if (n?.k !== "num") return undefined;
      const bytes = n.v * BigInt(d.reserveUnit ?? 1);
      if (off >= pos && off + BigInt(size) <= pos + bytes) return { k: "num", v: 0n };
      pos += bytes;
      continue;
    }
    for (const item of d.items) {
      if (item.expr?.kind === "string" && d.itemSize === 1) {
        pos += BigInt(item.expr.value.length);
        continue;
      }
      if (pos === off && d.itemSize === size) {
        const v = ctx.unit.evaluate(item.expr, s);
        if (!v) return undefined;
        const out: Val = { ...v };
        out.origin = { stmt: s, start: item.start, end: item.end, literal: true };
        if (item.expr?.kind === "symbol") out.origin.symbol = item.expr.name;
        return out;
      }
      pos += BigInt(d.itemSize);
      if (pos > off + 64n) return undefined;
    }
  }
  return undefined;
}

function load(ctx: Ctx, s: State, st: Statement, op: Operand, size: number): Val | undefined {
  const a = resolveAddress(ctx, s, st, op);
  if (!a) return undefined;
  if (a.k === "stack") return size === 8 ? s.stack[s.stack.length - 1 - a.depth] : undefined;
  if (a.k === "num") return s.mem.get(regionKey(a));
  const cell = s.mem.get(memKey(a.label, a.off));
  if (cell) return cell;
  const v = staticData(ctx, a.label, a.off, size);
  ctx.deps?.push({ k: "static", label: a.label, off: a.off, size, v });
  return v;
}

function store(ctx: Ctx, s: State, st: Statement, op: Operand, v: Val | undefined): void {
  const a = resolveAddress(ctx, s, st, op);
  if (!a) return;
  if (a.k === "stack") {
    s.stack[s.stack.length - 1 - a.depth] = v;
    return;
  }
  if (a.k === "num" || a.off === 0n) {
    ctx.result.storedAtStart.add(regionKey(a));
    ctx.storedLog?.push(regionKey(a));
  }
  const key = a.k === "num" ? regionKey(a) : memKey(a.label, a.off);
  if (!v && !s.mem.has(key)) return;
  const mem = new Map(s.mem);
  if (v) mem.set(key, v);
  else mem.delete(key);
  s.mem = mem;
}

function opSize(op: Operand | undefined, other: Operand | undefined, suffix?: number): number {
  if (op?.kind === "reg") return (gpr(op.reg!)?.width ?? 64) / 8;
  if (op?.size) return op.size;
  if (suffix) return suffix;
  if (other?.kind === "reg") return (gpr(other.reg!)?.width ?? 64) / 8;
  return 8;
}

/** The value of an operand before the instruction executes. */
function readOperand(ctx: Ctx, s: State, st: Statement, op: Operand | undefined, size: number): Val | undefined {
  if (!op) return undefined;
  if (op.kind === "reg") return op.reg ? readReg(s, op.reg) : undefined;
  if (op.kind === "imm" && op.expr) {
    // Immediates do not depend on the state: evaluate each once per analysis.
    const cached = ctx.immCache.get(op);
    if (cached !== undefined && !op.bare) {
      ctx.deps?.push({ k: "eval", expr: op.expr, st, v: cached ?? undefined });
      return cached ?? undefined;
    }
    const v = evaluateDep(ctx, op.expr, st);
    // GAS Intel syntax: a bare label is a memory operand, a bare absolute constant an immediate.
    if (op.bare && (!v || v.k === "addr")) return load(ctx, s, st, { ...op, kind: "mem" }, size);
    if (!v) {
      ctx.immCache.set(op, null);
      return undefined;
    }
    const out: Val = { ...v };
    out.origin = {
      stmt: st,
      start: op.expr.range.start.character,
      end: op.expr.range.end.character,
      literal: !st.expansion,
    };
    if (op.expr.kind === "symbol") out.origin.symbol = op.expr.name;
    ctx.immCache.set(op, out);
    return out;
  }
  if (op.kind === "mem") return load(ctx, s, st, op, size);
  return undefined;
}

function writeOperand(ctx: Ctx, s: State, st: Statement, op: Operand | undefined, v: Val | undefined): void {
  if (!op) return;
  if (op.kind === "reg" && op.reg) writeReg(s, op.reg, v);
  else if (op.kind === "mem" || (op.kind === "imm" && op.bare))
    store(ctx, s, st, op.kind === "mem" ? op : { ...op, kind: "mem" }, v);
}

function arith(m: string, a: bigint, b: bigint, bits: number): bigint | undefined {
  const mask = (1n << BigInt(bits)) - 1n;
  switch (m) {
    case "add":
      return (a + b) & mask;
    case "sub":
      return (a - b) & mask;
    case "or":
      return (a | b) & mask;
    case "and":
      return a & b & mask;
    case "xor":
      return (a ^ b) & mask;
    case "shl":
    case "sal":
      return (a << (b & 63n)) & mask;
    case "shr":
      return (a & mask) >> (b & 63n);
    case "bts":
      return (a | (1n << (b & 63n))) & mask;
    case "btr":
      return a & ~(1n << (b & 63n)) & mask;
    default:
      return undefined;
  }
}

function recordRegs(ctx: Ctx, s: State, st: Statement, names: string[]): void {
  let map = ctx.result.registerValues.get(st);
  for (const n of names) {
    const v = readReg(s, n);
    if (!v) continue;
    if (!map) {
      map = new Map();
      ctx.result.registerValues.set(st, map);
    }
    map.set(n, v);
  }
}

function step(ctx: Ctx, s: State, st: Statement, m: string): void {
  if (st.kind !== "instruction" || !st.name) return;
  const macroCall = ctx.unit.isMacroCall(st);
  ctx.deps?.push({ k: "macro", st, v: macroCall });
  if (macroCall) {
    // A macro may do anything: forget registers and treat its flags as consumed.
    s.regs.fill(undefined);
    s.stack = [];
    s.pending = undefined;
    return;
  }
  let base = m;
  let suffix: number | undefined;
  if (m) suffix = suffixOf(st);
  else {
    const b = baseMnemonic(st.name, st.intel);
    base = b.base;
    suffix = b.size;
  }
  const ops = intelOperands(st);
  const [dst, src] = ops;

  // Unchecked VMX failure: a pending result overwritten before any flag test.
  if (s.pending && ctx.report && writesFlags(base) && !readsFlags(base)) {
    ctx.result.unchecked.push({
      stmt: s.pending.stmt,
      mnemonic: s.pending.mnemonic,
      overwrittenBy: st,
      overwriterName: st.name,
    });
  }
  if (readsFlags(base) || base === "call" || base === "ret") s.pending = undefined;
  else if (writesFlags(base)) s.pending = undefined;

  if (ctx.report && (VMX_INSTRUCTIONS.has(base) || base === "rdmsr" || base === "wrmsr")) {
    const regs = st.operands.filter((o) => o.kind === "reg" && o.reg).map((o) => o.reg!);
    for (const o of st.operands) if (o.base) regs.push(o.base);
    if (base === "rdmsr" || base === "wrmsr") regs.push("ecx", "eax", "edx");
    recordRegs(ctx, s, st, regs);
  } else if (ctx.report && (base === "in" || base === "out") && st.operands.some((o) => o.reg === "dx"))
    recordRegs(ctx, s, st, ["dx"]); // the port, for hovers

  switch (base) {
    case "vmread":
    case "vmwrite": {
      // Intel order: vmread dst(r/m), enc(reg); vmwrite enc(reg), value(r/m). SDM Vol. 3C 31.3.
      const encOp = base === "vmread" ? src : dst;
      const valOp = base === "vmread" ? dst : src;
      if (encOp && valOp && ctx.report) {
        const site: VmcsSite = { stmt: st, kind: base, encOp, valOp };
        const e = readOperand(ctx, s, st, encOp, 8);
        if (e) site.enc = e;
        const v = readOperand(ctx, s, st, valOp, 8);
        if (v) site.val = v;
        ctx.result.vmcs.push(site);
      }
      if (base === "vmread") writeOperand(ctx, s, st, valOp, undefined);
      break;
    }
    case "rdmsr":
    case "wrmsr": {
      if (ctx.report) {
        const site: MsrSite = { stmt: st, kind: base };
        const ecx = readReg(s, "ecx");
        if (ecx) site.ecx = ecx;
        const eax = readReg(s, "eax");
        const edx = readReg(s, "edx");
        if (base === "wrmsr" && eax?.k === "num" && edx?.k === "num") site.value = (edx.v << 32n) | eax.v;
        ctx.result.msr.push(site);
      }
      break;
    }
    case "vmxon":
    case "vmclear":
    case "vmptrld": {
      const op = ops[0];
      const ptr =
        op?.kind === "mem" || op?.bare
          ? readOperand(ctx, s, st, op.kind === "mem" ? op : { ...op, kind: "mem" }, 8)
          : undefined;
      if (base === "vmclear") {
        const region = ptr ? regionKey(ptr) : undefined;
        if (!ctx.report) {
          const prev = ctx.vmclearRegions.get(st);
          if (!region) ctx.vmclearRegions.set(st, null);
          else if (prev !== null) ctx.vmclearRegions.set(st, new Set([...(prev ?? []), region]));
        }
        if (region && s.cleared && !s.cleared.has(region)) s.cleared = new Set([...s.cleared, region]);
      }
      if (ctx.report && op) {
        const site: RegionSite = { stmt: st, kind: base, op, cleared: s.cleared };
        if (ptr) site.pointer = ptr;
        ctx.result.regions.push(site);
      }
      break;
    }
    case "mov":
    case "movabs": {
      const size = opSize(dst, src, suffix);
      writeOperand(ctx, s, st, dst, readOperand(ctx, s, st, src, size));
      break;
    }
    case "movzx": {
      const v = readOperand(ctx, s, st, src, src?.size ?? 1);
      writeOperand(ctx, s, st, dst, v);
      break;
    }
    case "lea": {
      if (dst?.reg && src) {
        const a = resolveAddress(ctx, s, st, src);
        let v: Val | undefined;
        if (a && a.k !== "stack") v = { ...a, origin: { stmt: st, start: src.start, end: src.end } };
        writeReg(s, dst.reg, v);
      }
      break;
    }
    case "push": {
      s.stack.push(readOperand(ctx, s, st, dst, 8));
      if (s.stack.length > 32) s.stack.shift();
      break;
    }
    case "pop": {
      const v = s.stack.pop();
      writeOperand(ctx, s, st, dst, v);
      break;
    }
    case "xchg": {
      const a = readOperand(ctx, s, st, dst, 8);
      const b = readOperand(ctx, s, st, src, 8);
      writeOperand(ctx, s, st, dst, b);
      writeOperand(ctx, s, st, src, a);
      break;
    }
    case "call":
      s.regs.fill(undefined);
      s.stack = [];
      break;
    case "not":
    case "neg":
    case "inc":
    case "dec": {
      const size = opSize(dst, undefined, suffix);
      const v = readOperand(ctx, s, st, dst, size);
      const mask = (1n << BigInt(size * 8)) - 1n;
      let out: Val | undefined;
      if (v?.k === "num") {
        const r = base === "not" ? ~v.v : base === "neg" ? -v.v : base === "inc" ? v.v + 1n : v.v - 1n;
        out = { k: "num", v: r & mask };
      }
      writeOperand(ctx, s, st, dst, out);
      break;
    }
    case "add":
    case "sub":
    case "or":
    case "and":
    case "xor":
    case "shl":
    case "sal":
    case "shr":
    case "bts":
    case "btr": {
      // `xor eax, eax` / `sub rax, rax`: zero whatever the register held.
      if ((base === "xor" || base === "sub") && dst?.reg && src?.reg && gpr(dst.reg)?.index === gpr(src.reg)?.index) {
        writeReg(s, dst.reg, { k: "num", v: 0n, origin: { stmt: st, start: dst.start, end: src.end } });
        break;
      }
      const size = opSize(dst, src, suffix);
      const a = readOperand(ctx, s, st, dst, size);
      const b = src ? readOperand(ctx, s, st, src, size) : undefined;
      let out: Val | undefined;
      if (a?.k === "num" && b?.k === "num") {
        const r = arith(base, a.v, b.v, size * 8);
        if (r !== undefined) out = { k: "num", v: r };
      } else if (a?.k === "addr" && b?.k === "num" && (base === "add" || base === "sub")) {
        out = { k: "addr", label: a.label, off: wrap64(base === "add" ? a.off + b.v : a.off - b.v) };
      }
      writeOperand(ctx, s, st, dst, out);
      break;
    }
    case "cmp":
    case "test":
    case "bt":
    case "jmp":
    case "out":
    case "ret":
    case "nop":
    case "hlt":
    case "cli":
    case "sti":
    case "vmptrst":
    case "vmlaunch":
    case "vmresume":
    case "vmxoff":
    case "invept":
    case "invvpid":
    case "lgdt":
    case "lidt":
    case "ltr":
    case "invlpg":
      break;
    default:
      if (dst && writesFirstOperand(base)) writeOperand(ctx, s, st, dst, undefined);
  }
  for (const r of implicitWrites(base)) s.regs[r] = undefined;
  if (base === "pushf" || base === "pushfq") s.stack.push(undefined);
  if (base === "popf" || base === "popfq") s.stack.pop();

  if (VMX_FAILING.has(base)) s.pending = { stmt: st, mnemonic: base };
}
