// The analysis' view of a source file, built from the assembler's syntax tree (frontend.ts → parse()): one
// Statement per source statement with its labels, the instruction's operands (Intel order, with ranges), the
// directive's arguments, constant definitions and data, and every symbol reference and number (with columns
// on its line, for navigation, rename and semantic tokens).
// An edit re-parses only the lines it changed (the assembler parses line by line; the state carried from one
// line to the next is the GAS `.intel_syntax`/`.att_syntax` mode, restored by prepending that directive).
import {
  type AsmArg,
  type AsmExpr,
  type AsmOperand,
  type AsmStatement,
  loadEncoderMnemonics,
  parseExpression,
  parseSource,
} from "./frontend";
import { isKnownMnemonic } from "./mnemonics";
import type { Syntax } from "./types";

export type Expr = AsmExpr;

export interface Operand {
  start: number;
  end: number;
  /** The operand as written. */
  text: string;
  kind: "reg" | "imm" | "mem";
  /** Register name, lower case, without `%`. */
  reg?: string;
  /** Immediate value, or the displacement of a memory operand. */
  expr?: Expr;
  base?: string;
  index?: string;
  scale?: number;
  /** Operand size in bytes from a size keyword (`qword`, `dword ptr`). */
  size?: number;
  /** RIP-relative (`[rel x]`, `x(%rip)`, `[rip + x]`). */
  rel?: boolean;
  /** GAS Intel syntax: a bare expression, memory unless every symbol in it is an absolute constant. */
  bare?: boolean;
  /** `*` (AT&T) indirect branch target. */
  indirect?: boolean;
}

export interface NameRef {
  name: string;
  start: number;
  end: number;
}

export type LabelDef = NameRef;

/** A directive argument: its text and columns, and its expression when it is one. */
export interface Arg {
  text: string;
  start: number;
  end: number;
  expr?: Expr;
}

export interface DataDirective {
  /** Bytes per item (1, 2, 4, 8, 10, 16); 0 for reserved/zero-filled space. */
  itemSize: number;
  items: Arg[];
  /** Reserve/zero directives: the count, in units of `reserveUnit` bytes. */
  reserve?: Expr;
  reserveUnit?: number;
}

export type StatementKind = "empty" | "instruction" | "directive" | "constant";

export interface Statement {
  file: string;
  line: number;
  /** Intel syntax (NASM, GAS `.intel_syntax`): the operands were written destination first. */
  intel: boolean;
  labels: LabelDef[];
  kind: StatementKind;
  /** Lower-case mnemonic or directive name as written (AT&T suffixes kept; see mnemonics.ts). */
  name?: string;
  nameStart?: number;
  nameEnd?: number;
  /** The mnemonic or directive as written (case kept: NASM macro names are case-sensitive). */
  written?: string;
  /** Instruction operands in Intel order (destination first), whatever the syntax written. */
  operands: Operand[];
  /** Directive arguments (preprocessor directives: the words after the name). */
  args: Arg[];
  /** End column of the statement (instruction: its last operand). */
  end: number;
  constName?: NameRef;
  constExpr?: Expr;
  /** `%if`/`.if`/`#if` condition. */
  condition?: Expr;
  data?: DataDirective;
  /** `times N` repeat count. */
  times?: Expr;
  /** Every name in the statement that may refer to a symbol (excluding definitions). */
  refs: NameRef[];
  /** Every numeric literal (for hovers and semantic tokens). */
  numbers: { start: number; end: number; value: bigint }[];
  /** Registers (for semantic tokens). */
  registers: { start: number; end: number }[];
  /** Strings (for semantic tokens). */
  strings: { start: number; end: number }[];
  /** A macro call (a mnemonic no instruction has): its argument text as written. */
  callArgs?: string;
  /** NASM: a lone word taken as a label; a macro of that name makes it a macro call (see project.ts). */
  bareWord?: boolean;
  /** Set on statements produced by expanding a macro call: the call's name range on `line`. */
  expansion?: { start: number; end: number; macro: string };
}

export interface ParsedFile {
  file: string;
  syntax: Syntax;
  lines: string[];
  statements: Statement[];
  /** Per line: its statements. */
  lineStatements: Statement[][];
  /** Per line: the GAS syntax mode it starts in (bit 0 Intel, bit 1 `noprefix`); one more entry: after the last. */
  startState: Uint8Array;
  /**
   * Changes whenever an edit changes more than the operands of instructions: labels, constants, directives,
   * data, macro calls, stores to named memory, or statements next to data. What the data flow of unchanged
   * code depends on stays the same while it does not change (see dataflow.ts).
   */
  structure: number;
}

let structureCounter = 0;

/** An instruction whose change cannot affect the analysis of other statements except through the data flow. */
function plain(st: Statement): boolean {
  if (st.kind !== "instruction" || st.labels.length > 0 || st.callArgs !== undefined || st.times) return false;
  for (const op of st.operands) if (op.kind === "mem" && op.expr && op.expr.kind !== "number") return false;
  return true;
}

function allPlain(lines: readonly Statement[][], from: number, to: number): boolean {
  for (let ln = from; ln < to; ln++) for (const st of lines[ln]!) if (!plain(st)) return false;
  return true;
}

/** The statement nearest before `line` (or after, with `step` 1) is a plain instruction, or there is none. */
function plainNeighbour(lines: readonly Statement[][], line: number, step: -1 | 1): boolean {
  for (let ln = line; ln >= 0 && ln < lines.length; ln += step) {
    const stmts = lines[ln]!;
    if (stmts.length > 0) return plain(stmts[step === 1 ? 0 : stmts.length - 1]!);
  }
  return true;
}

const DATA_SIZES: Record<string, number> = {
  db: 1,
  dw: 2,
  dd: 4,
  dq: 8,
  dt: 10,
  do: 16,
  dy: 32,
  dz: 64,
  ".byte": 1,
  ".word": 2,
  ".short": 2,
  ".value": 2,
  ".hword": 2,
  ".2byte": 2,
  ".long": 4,
  ".int": 4,
  ".4byte": 4,
  ".quad": 8,
  ".8byte": 8,
  ".octa": 16,
};

const RESERVE_SIZES: Record<string, number> = {
  resb: 1,
  resw: 2,
  resd: 4,
  resq: 8,
  rest: 10,
  reso: 16,
  resy: 32,
  resz: 64,
  ".zero": 1,
  ".skip": 1,
  ".space": 1,
};

/** Directives whose identifier arguments name symbols (for find references and rename). */
const SYMBOL_ARG_DIRECTIVES = new Set([
  "global",
  "extern",
  "common",
  "static",
  ".globl",
  ".global",
  ".extern",
  ".local",
  ".weak",
  ".hidden",
  ".type",
  ".size",
]);

const NO_REF_DIRECTIVES = new Set([
  "section",
  "segment",
  "bits",
  "default",
  "cpu",
  ".section",
  ".intel_syntax",
  ".att_syntax",
  ".arch",
  ".file",
  ".ident",
]);

const PREPROCESSOR_DEFINES = new Set(["%define", "%xdefine", "%assign", "%idefine", "%ixdefine", "#define"]);
const CONDITIONS = new Set(["%if", "%elif", "#if", "#elif"]);
const IDENT = /^[A-Za-z_.?@$][\w.?@$#~]*$/;
const EMPTY: Statement[] = [];

/** The statement's operands in Intel order (destination first), whatever the source syntax. */
export function intelOperands(st: Statement): Operand[] {
  return st.operands;
}

/** Symbol references (and their ranges) of an expression, numbers and strings too. */
function collectExpr(st: Statement, e: Expr | undefined): void {
  if (!e) return;
  switch (e.kind) {
    case "symbol":
      st.refs.push({ name: e.name, start: e.range.start.character, end: e.range.end.character });
      return;
    case "localRef":
      st.refs.push({
        name: `${e.label}${e.direction}`,
        start: e.range.start.character,
        end: e.range.end.character,
      });
      return;
    case "number":
      st.numbers.push({ start: e.range.start.character, end: e.range.end.character, value: e.value });
      return;
    case "string":
      st.strings.push({ start: e.range.start.character, end: e.range.end.character });
      return;
    case "unary":
      collectExpr(st, e.operand);
      return;
    case "binary":
      collectExpr(st, e.left);
      collectExpr(st, e.right);
      return;
    case "conditional":
      collectExpr(st, e.test);
      collectExpr(st, e.whenTrue);
      collectExpr(st, e.whenFalse);
      return;
    default:
      return;
  }
}

/** Every symbol an expression names. */
export function exprSymbols(e: Expr | undefined, out: string[] = []): string[] {
  if (!e) return out;
  if (e.kind === "symbol") out.push(e.name);
  else if (e.kind === "unary") exprSymbols(e.operand, out);
  else if (e.kind === "binary") {
    exprSymbols(e.left, out);
    exprSymbols(e.right, out);
  } else if (e.kind === "conditional") {
    exprSymbols(e.test, out);
    exprSymbols(e.whenTrue, out);
    exprSymbols(e.whenFalse, out);
  }
  return out;
}

const SIZE_BYTES: Record<number, number> = { 8: 1, 16: 2, 32: 4, 48: 6, 64: 8, 80: 10, 128: 16, 256: 32, 512: 64 };

function convertOperand(st: Statement, op: AsmOperand, lineText: string, indirect: boolean): Operand {
  const start = op.range.start.character;
  const end = op.range.end.character;
  const out: Operand = { start, end, text: lineText.slice(start, end), kind: "imm" };
  switch (op.kind) {
    case "register":
      out.kind = "reg";
      out.reg = op.name.toLowerCase();
      st.registers.push({ start, end });
      break;
    case "immediate":
      out.expr = op.value;
      if (op.size) out.size = SIZE_BYTES[op.size] ?? 8;
      if (op.gasIntelBare) out.bare = true;
      collectExpr(st, op.value);
      break;
    case "memory":
      out.kind = "mem";
      if (op.disp) out.expr = op.disp;
      if (op.base) {
        if (op.base === "rip" || op.base === "eip") out.rel = true;
        else out.base = op.base.toLowerCase();
      }
      if (op.index) {
        out.index = op.index.toLowerCase();
        out.scale = op.scale;
      }
      if (op.size) out.size = SIZE_BYTES[op.size] ?? 8;
      if (op.ripRelative) out.rel = true;
      collectExpr(st, op.disp);
      for (const r of [op.baseRange, op.indexRange])
        if (r) st.registers.push({ start: r.start.character, end: r.end.character });
      break;
    case "far":
      collectExpr(st, op.segment);
      collectExpr(st, op.offset);
      break;
  }
  if (indirect) out.indirect = true;
  return out;
}

function argOf(a: AsmArg): Arg {
  const arg: Arg = { text: a.text, start: a.range.start.character, end: a.range.end.character };
  if (a.expr) arg.expr = a.expr;
  return arg;
}

/** The words of a preprocessor directive's argument text, with their columns. */
function words(lineText: string, from: number, to: number): Arg[] {
  const out: Arg[] = [];
  const text = lineText.slice(from, to);
  for (const m of text.matchAll(/"[^"]*"?|'[^']*'?|<[^>]*>?|[^\s,()]+/g))
    out.push({ text: m[0], start: from + m.index, end: from + m.index + m[0].length });
  return out;
}

/** Shared by every statement without items of a kind (a file holds thousands of statements). */
const NONE: never[] = Object.freeze([]) as never[];

/** Gives each array of a new statement its exact size (or the shared empty array). */
function compact(st: Statement): Statement {
  const fit = <T>(a: T[]): T[] => (a.length === 0 ? NONE : a.slice());
  st.labels = fit(st.labels);
  st.operands = fit(st.operands);
  st.args = fit(st.args);
  st.refs = fit(st.refs);
  st.numbers = fit(st.numbers);
  st.registers = fit(st.registers);
  st.strings = fit(st.strings);
  return st;
}

function newStatement(file: string, line: number, intel: boolean, labels: LabelDef[]): Statement {
  return {
    file,
    line,
    intel,
    labels,
    kind: "empty",
    operands: [],
    args: [],
    end: 0,
    refs: [],
    numbers: [],
    registers: [],
    strings: [],
  };
}

interface LineContext {
  file: string;
  syntax: Syntax;
  line: number;
  text: string;
  intel: boolean;
}

function convertDirective(ctx: LineContext, st: Statement, d: Extract<AsmStatement, { kind: "directive" }>): void {
  const { text: lineText, syntax, line } = ctx;
  if (d.name === "times" && d.body) {
    st.times = d.args[0]?.expr;
    collectExpr(st, st.times);
    if (d.body.kind === "instruction") convertInstruction(ctx, st, d.body);
    else if (d.body.kind === "directive") convertDirective(ctx, st, d.body);
    return;
  }
  st.kind = "directive";
  st.name = d.name;
  st.nameStart = d.nameRange.start.character;
  st.nameEnd = d.nameRange.end.character;
  st.written = lineText.slice(st.nameStart, st.nameEnd);
  st.end = d.range.end.character;
  const name = d.name;
  if (name.startsWith("%") || name.startsWith("#")) {
    const from = d.args[0]?.range.start.character ?? st.nameEnd;
    st.args = words(lineText, from, Math.max(from, st.end));
    const first = st.args[0];
    if (PREPROCESSOR_DEFINES.has(name) && d.symbol && d.value) {
      // `%define NAME value`: a constant when the value is an expression (a text macro otherwise).
      st.kind = "constant";
      st.constName = {
        name: d.symbol.name,
        start: d.symbol.range.start.character,
        end: d.symbol.range.end.character,
      };
      if (d.value.expr) st.constExpr = d.value.expr;
      collectExpr(st, d.value.expr);
      return;
    }
    if (CONDITIONS.has(name) && first) {
      const e = parseExpression(
        lineText.slice(first.start, st.end).replace(/\bdefined\b/g, (w) => " ".repeat(w.length)),
        syntax,
        line,
        first.start,
      );
      if (e) st.condition = e;
      collectExpr(st, e);
      return;
    }
    if (/^[%#](ifn?def|undef)$/.test(name) && first && IDENT.test(first.text))
      st.refs.push({ name: first.text, start: first.start, end: first.end });
    return;
  }
  st.args =
    name === ".macro" || name === ".irp" || name === ".irpc"
      ? words(lineText, d.args[0]?.range.start.character ?? st.end, st.end)
      : d.args.map(argOf);
  if ((name === ".if" || name === ".elseif") && d.args[0]?.expr) st.condition = d.args[0].expr;
  if ((name === "equ" || name === "=" || name === "==") && d.symbol) {
    st.kind = "constant";
    st.constName = {
      name: d.symbol.name,
      start: d.symbol.range.start.character,
      end: d.symbol.range.end.character,
    };
    const e = d.args[0]?.expr;
    if (e) st.constExpr = e;
    collectExpr(st, e);
    return;
  }
  if ((name === ".set" || name === ".equ" || name === ".equiv" || name === ".eqv") && st.args.length >= 2) {
    const first = st.args[0]!;
    if (IDENT.test(first.text)) {
      st.kind = "constant";
      st.constName = { name: first.text, start: first.start, end: first.end };
      const e = st.args[1]!.expr;
      if (e) st.constExpr = e;
      collectExpr(st, e);
      return;
    }
  }
  if (name in DATA_SIZES) {
    st.data = { itemSize: DATA_SIZES[name]!, items: st.args.filter((a) => a.text !== "" || a.expr) };
    for (const a of d.args) {
      collectExpr(st, a.expr);
      if (a.dup) {
        collectExpr(st, a.dup.count);
        for (const v of a.dup.values) collectExpr(st, v.expr);
      }
    }
    return;
  }
  if (name in RESERVE_SIZES) {
    const count = st.args[0]?.expr;
    st.data = count
      ? { itemSize: 0, items: [], reserve: count, reserveUnit: RESERVE_SIZES[name]! }
      : { itemSize: 0, items: [] };
    for (const a of st.args) collectExpr(st, a.expr);
    return;
  }
  if (NO_REF_DIRECTIVES.has(name)) return;
  for (const a of st.args) {
    if (a.expr) collectExpr(st, a.expr);
    else if (SYMBOL_ARG_DIRECTIVES.has(name) && IDENT.test(a.text))
      st.refs.push({ name: a.text, start: a.start, end: a.start + a.text.length });
    else if (/^["'`]/.test(a.text)) st.strings.push({ start: a.start, end: a.end });
  }
}

function convertInstruction(
  ctx: LineContext,
  st: Statement,
  ins: Extract<AsmStatement, { kind: "instruction" }>,
): void {
  st.kind = "instruction";
  st.name = ins.mnemonic;
  st.nameStart = ins.mnemonicRange.start.character;
  st.nameEnd = ins.mnemonicRange.end.character;
  st.written = ctx.text.slice(st.nameStart, st.nameEnd);
  st.end = ins.range.end.character;
  st.operands = ins.operands.map((op) => convertOperand(st, op, ctx.text, ins.indirect));
  // Not an instruction: a macro call, whose arguments are text (in the order written).
  if (!isKnownMnemonic(ins.mnemonic)) st.callArgs = ctx.text.slice(st.nameEnd, st.end).trim();
}

/** Converts the statements of one line of the assembler's tree. */
function convertLine(ctx: LineContext, stmts: readonly AsmStatement[]): Statement[] {
  const out: Statement[] = [];
  let labels: LabelDef[] = [];
  for (const s of stmts) {
    if (s.kind === "label") {
      labels.push({ name: s.name, start: s.range.start.character, end: s.range.end.character });
      continue;
    }
    const st = newStatement(ctx.file, ctx.line, ctx.intel, labels);
    labels = [];
    if (s.kind === "instruction") convertInstruction(ctx, st, s);
    else if (s.kind === "directive") convertDirective(ctx, st, s);
    else st.end = s.range.end.character;
    // A lone word that is no instruction (a NASM label without a colon, or a call of a macro without
    // arguments): decided by project.ts, which knows the macros of the whole unit.
    if (
      ctx.syntax === "nasm" &&
      st.kind === "instruction" &&
      st.labels.length === 0 &&
      st.operands.length === 0 &&
      stmts.length === 1 &&
      !isKnownMnemonic(st.name ?? "") &&
      IDENT.test(st.written ?? "")
    ) {
      out.push({
        ...newStatement(ctx.file, ctx.line, ctx.intel, [
          { name: st.written ?? "", start: st.nameStart ?? 0, end: st.nameEnd ?? 0 },
        ]),
        bareWord: true,
      });
      continue;
    }
    out.push(st);
  }
  if (labels.length > 0) {
    const st = newStatement(ctx.file, ctx.line, ctx.intel, labels);
    const only = labels[0]!;
    if (ctx.syntax === "nasm" && labels.length === 1 && stmts.length === 1 && ctx.text[only.end] !== ":")
      st.bareWord = true;
    out.push(st);
  }
  return out;
}

function stateAfter(stmts: readonly Statement[], state: number): number {
  let s = state;
  for (const st of stmts) {
    if (st.kind !== "directive") continue;
    if (st.name === ".intel_syntax") s = st.args[0]?.text.toLowerCase() === "noprefix" ? 3 : 1;
    else if (st.name === ".att_syntax") s = 0;
  }
  return s;
}

/**
 * Parses lines [from, to) starting in `state`; fills `lineStatements` and `startState` for them and returns
 * the state after the last one.
 */
/** Lines parsed per call of the assembler's parser: its tree of one chunk is garbage before the next is made. */
const CHUNK_LINES = 1000;

function parseLines(
  file: string,
  syntax: Syntax,
  lines: readonly string[],
  from: number,
  to: number,
  state: number,
  lineStatements: Statement[][],
  startState: Uint8Array,
): number {
  // A GAS block comment may span chunks: such files are parsed in one piece.
  const whole = syntax === "gas" && lines.some((l) => l.includes("/*"));
  let s = state;
  for (let at = from; at < to; at += CHUNK_LINES) {
    const end = whole ? to : Math.min(to, at + CHUNK_LINES);
    s = parseChunk(file, syntax, lines, at, end, s, lineStatements, startState);
    if (whole) break;
  }
  startState[to] = s;
  return s;
}

function parseChunk(
  file: string,
  syntax: Syntax,
  lines: readonly string[],
  from: number,
  to: number,
  state: number,
  lineStatements: Statement[][],
  startState: Uint8Array,
): number {
  const prelude = syntax === "gas" && state & 1 ? (state & 2 ? ".intel_syntax noprefix" : ".intel_syntax prefix") : "";
  const offset = prelude ? 1 : 0;
  const chunk = lines.slice(from, to);
  const tree = parseSource(prelude ? `${prelude}\n${chunk.join("\n")}` : chunk.join("\n"), file, syntax);
  const byLine = new Map<number, readonly AsmStatement[]>();
  for (const l of tree.lines) if (l.line >= offset) byLine.set(l.line - offset + from, l.statements);
  let s = state;
  for (let ln = from; ln < to; ln++) {
    startState[ln] = s;
    const ctx: LineContext = { file, syntax, line: ln, text: lines[ln]!, intel: syntax === "nasm" || (s & 1) === 1 };
    const asm = byLine.get(ln);
    const stmts = asm ? convertLine(ctx, asm) : EMPTY;
    for (const st of stmts) compact(st);
    lineStatements[ln] = stmts;
    s = stateAfter(stmts, s);
  }
  startState[to] = s;
  return s;
}

function moved(stmts: Statement[], line: number): Statement[] {
  if (stmts.length === 0 || stmts[0]!.line === line) return stmts;
  return stmts.map((st) => ({ ...st, line }));
}

/**
 * Parses a file. With the previous parse of the same file, the unchanged lines before and after the edited
 * region are reused (copied only when their line number moved).
 */
const LINE_BREAK = /\r\n|\r|\n/;

function isBreak(c: number): boolean {
  return c === 10 || c === 13;
}

/** Line breaks in text[from, to) (\r\n counts once; the range never ends between \r and \n). */
function countBreaks(t: string, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i);
    if (c === 10 || (c === 13 && t.charCodeAt(i + 1) !== 10)) k++;
  }
  return k;
}

/**
 * The lines of `text` (split as LSP and the assembler do: \r\n, \r or \n), sharing the line strings of the
 * previous text outside the part that changed, so an edit makes a few new strings, not one per line.
 */
export function splitLines(text: string, previous?: { text: string; lines: readonly string[] }): string[] {
  if (!previous) return text.split(LINE_BREAK);
  const old = previous.text;
  const n = Math.min(text.length, old.length);
  let a = 0;
  while (a < n && text.charCodeAt(a) === old.charCodeAt(a)) a++;
  let common = 0;
  while (common < n - a && text.charCodeAt(text.length - 1 - common) === old.charCodeAt(old.length - 1 - common))
    common++;
  // The unchanged head ends at a line break inside the common prefix (never between \r and \n).
  for (;;) {
    while (a > 0 && !isBreak(text.charCodeAt(a - 1))) a--;
    if (a > 0 && text.charCodeAt(a - 1) === 13 && text.charCodeAt(a) === 10) {
      a--;
      continue;
    }
    break;
  }
  // The unchanged tail starts after a line break inside the common suffix (so in both texts).
  let b = common > 0 ? common - 1 : 0;
  while (b > 0) {
    const at = text.length - b;
    const c = text.charCodeAt(at - 1);
    if (isBreak(c) && !(c === 13 && text.charCodeAt(at) === 10)) break;
    b--;
  }
  if (a === 0 && b === 0) return text.split(LINE_BREAK);
  const at = text.length - b;
  const head = countBreaks(text, 0, a);
  const tail = b > 0 ? countBreaks(text, at, text.length) + 1 : 0;
  if (head + tail > previous.lines.length) return text.split(LINE_BREAK);
  let middle: string[];
  if (b === 0) middle = text.slice(a).split(LINE_BREAK);
  else if (a === at) middle = [];
  else {
    const breakLength = text.charCodeAt(at - 1) === 10 && text.charCodeAt(at - 2) === 13 ? 2 : 1;
    middle = text.slice(a, at - breakLength).split(LINE_BREAK);
  }
  return [...previous.lines.slice(0, head), ...middle, ...previous.lines.slice(previous.lines.length - tail)];
}

export function parseFile(
  text: string,
  file: string,
  syntax: Syntax,
  previous?: ParsedFile,
  previousText?: string,
): ParsedFile {
  // Which words are instructions decides NASM labels without colons (see convertLine).
  loadEncoderMnemonics();
  const lines = splitLines(
    text,
    previous && previousText !== undefined ? { text: previousText, lines: previous.lines } : undefined,
  );
  const n = lines.length;
  const lineStatements: Statement[][] = new Array(n);
  const startState = new Uint8Array(n + 1);
  // A GAS block comment carries state across lines that the assembler's tree does not show: with one in
  // either text, parse everything.
  const prev =
    previous &&
    previous.syntax === syntax &&
    previous.file === file &&
    !(syntax === "gas" && (text.includes("/*") || previous.lines.some((l) => l.includes("/*"))))
      ? previous
      : undefined;
  let structure: number;
  if (!prev) {
    parseLines(file, syntax, lines, 0, n, 0, lineStatements, startState);
    structure = ++structureCounter;
  } else {
    const m = prev.lines.length;
    let prefix = 0;
    while (prefix < n && prefix < m && lines[prefix] === prev.lines[prefix]) prefix++;
    let suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix && lines[n - 1 - suffix] === prev.lines[m - 1 - suffix]) suffix++;
    for (let ln = 0; ln < prefix; ln++) {
      lineStatements[ln] = prev.lineStatements[ln]!;
      startState[ln] = prev.startState[ln]!;
    }
    const shift = n - m;
    const s = parseLines(file, syntax, lines, prefix, n - suffix, prev.startState[prefix]!, lineStatements, startState);
    if (s === prev.startState[n - suffix - shift]) {
      for (let ln = n - suffix; ln < n; ln++) {
        lineStatements[ln] = moved(prev.lineStatements[ln - shift]!, ln);
        startState[ln] = prev.startState[ln - shift]!;
      }
      startState[n] = prev.startState[m]!;
    } else {
      // The edit changed the syntax mode of the lines after it: parse them again.
      parseLines(file, syntax, lines, n - suffix, n, s, lineStatements, startState);
      suffix = 0;
    }
    const countBefore = prev.lineStatements.slice(prefix, m - suffix).reduce((k, l) => k + l.length, 0);
    const countAfter = lineStatements.slice(prefix, n - suffix).reduce((k, l) => k + l.length, 0);
    const unchangedStructure =
      allPlain(prev.lineStatements, prefix, m - suffix) &&
      allPlain(lineStatements, prefix, n - suffix) &&
      (countBefore === countAfter ||
        (plainNeighbour(lineStatements, prefix - 1, -1) && plainNeighbour(lineStatements, n - suffix, 1)));
    structure = unchangedStructure ? prev.structure : ++structureCounter;
  }
  const statements: Statement[] = [];
  for (const stmts of lineStatements) for (const st of stmts) statements.push(st);
  return { file, syntax, lines, statements, lineStatements, startState, structure };
}
