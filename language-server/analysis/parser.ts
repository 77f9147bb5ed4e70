// Turns lexed lines into statements: labels, an instruction with operands (each with its range), a directive
// with arguments, or a constant definition. Tolerant: anything odd is kept as raw tokens, never thrown.
import { type Expr, exprSymbols, parseExpr } from "./expr";
import { type LexState, lexLine, type Token } from "./lexer";
import { isRegister } from "./registers";
import type { Syntax } from "./types";

export interface Operand {
  start: number;
  end: number;
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

export interface LabelDef {
  name: string;
  start: number;
  end: number;
}

export interface NameRef {
  name: string;
  start: number;
  end: number;
}

export interface DataDirective {
  /** Bytes per item (1, 2, 4, 8, 10, 16); 0 for reserved/zero-filled space. */
  itemSize: number;
  items: Expr[];
  /** For reserve/zero directives: number of bytes (when constant) as an expression. */
  reserve?: Expr;
}

export type StatementKind = "empty" | "instruction" | "directive" | "constant";

export interface Statement {
  file: string;
  line: number;
  /** Operand order of the instruction: Intel (destination first) or AT&T (source first). */
  intel: boolean;
  labels: LabelDef[];
  kind: StatementKind;
  /** Lower-case mnemonic or directive name as written (AT&T suffixes kept; see mnemonics.ts). */
  name?: string;
  nameStart?: number;
  nameEnd?: number;
  prefixes: string[];
  operands: Operand[];
  /** Raw argument tokens after the name (directives, macro calls). */
  args: Token[];
  constName?: NameRef;
  constExpr?: Expr;
  data?: DataDirective;
  /** `times N` repeat count. */
  times?: Expr;
  /** Every identifier in the statement that may name a symbol (excluding definitions). */
  refs: NameRef[];
  /** Every numeric literal (for semantic tokens). */
  numbers: { start: number; end: number }[];
  /** Token kinds for semantic highlighting: registers. */
  registers: { start: number; end: number }[];
  /** Start column of the trailing comment. */
  commentStart?: number;
  /** NASM: a lone word taken as a label; a macro of that name makes it a macro call (see project.ts). */
  bareWord?: boolean;
  /** The mnemonic or directive as written (case kept: NASM macro names are case-sensitive). */
  written?: string;
  /** Set on statements produced by expanding a macro call: the call's name range on `line`. */
  expansion?: { start: number; end: number; macro: string };
  /** For GAS `.intel_syntax`/`.att_syntax` switching. */
}

export interface ParsedFile {
  file: string;
  syntax: Syntax;
  lines: string[];
  statements: Statement[];
  /** Per line: its statements, and the lexer state it starts in (bit 0 Intel syntax, bit 1 in a block comment). */
  lineStatements: Statement[][];
  startState: number[];
}

const NASM_DIRECTIVES = new Set([
  "section",
  "segment",
  "bits",
  "use16",
  "use32",
  "use64",
  "global",
  "extern",
  "common",
  "static",
  "align",
  "alignb",
  "org",
  "default",
  "cpu",
  "incbin",
  "struc",
  "endstruc",
  "istruc",
  "at",
  "iend",
  "absolute",
  "times",
  "equ",
  "db",
  "dw",
  "dd",
  "dq",
  "dt",
  "do",
  "dy",
  "dz",
  "resb",
  "resw",
  "resd",
  "resq",
  "rest",
  "reso",
  "resy",
  "resz",
]);

export const NASM_DIRECTIVE_NAMES: readonly string[] = [...NASM_DIRECTIVES];

const DATA_SIZES: Record<string, number> = {
  db: 1,
  dw: 2,
  dd: 4,
  dq: 8,
  dt: 10,
  do: 16,
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

const SIZE_KEYWORDS: Record<string, number> = {
  byte: 1,
  word: 2,
  dword: 4,
  qword: 8,
  tword: 10,
  tbyte: 10,
  oword: 16,
  xmmword: 16,
  yword: 32,
  ymmword: 32,
  zword: 64,
  zmmword: 64,
};

export function isDataDirective(name: string): boolean {
  return name in DATA_SIZES || name in RESERVE_SIZES;
}

export function isNasmDirective(name: string): boolean {
  return NASM_DIRECTIVES.has(name.toLowerCase());
}

function splitTopLevel(tokens: Token[], sep: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) depth++;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]")) depth = Math.max(0, depth - 1);
    if (depth === 0 && t.kind === "punct" && t.text === sep) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

export interface ParseOptions {
  file: string;
  syntax: Syntax;
  /** True when `name` is an instruction mnemonic (for NASM labels written without a colon). */
  isMnemonic(name: string): boolean;
}

/** Parsed lines keyed by their text and the state they start in, so an edit re-parses only what changed. */
export type LineCache = Map<string, { stmts: Statement[]; blockAfter: boolean; intelAfter: boolean }>;

/**
 * Parses a file. With the previous parse of the same file, the unchanged lines before and after the edited
 * region are reused (copied only when their line number moved); edited lines whose text was seen before come
 * from `cache`.
 */
export function parseFile(text: string, opts: ParseOptions, cache?: LineCache, previous?: ParsedFile): ParsedFile {
  const lines = text.split(/\r?\n/);
  const state: LexState = { inBlockComment: false };
  const statements: Statement[] = [];
  const lineStatements: Statement[][] = new Array(lines.length);
  const startState: number[] = new Array(lines.length);
  let intel = opts.syntax === "nasm";
  const prev = previous && previous.syntax === opts.syntax ? previous : undefined;
  const n = lines.length;
  const m = prev?.lines.length ?? 0;
  let prefix = 0;
  let suffix = 0;
  if (prev) {
    while (prefix < n && prefix < m && lines[prefix] === prev.lines[prefix]) prefix++;
    while (suffix < n - prefix && suffix < m - prefix && lines[n - 1 - suffix] === prev.lines[m - 1 - suffix]) suffix++;
  }
  const shift = n - m;
  const packed = () => (intel ? 1 : 0) | (state.inBlockComment ? 2 : 0);
  const unpack = (v: number) => {
    intel = (v & 1) !== 0;
    state.inBlockComment = (v & 2) !== 0;
  };
  for (let ln = 0; ln < n; ln++) {
    const here = packed();
    startState[ln] = here;
    if (prev && (ln < prefix || (ln >= n - suffix && prev.startState[ln - shift] === here))) {
      const pl = ln < prefix ? ln : ln - shift;
      const reused =
        shift === 0 || ln < prefix
          ? prev.lineStatements[pl]!
          : prev.lineStatements[pl]!.map((st) => ({ ...st, line: ln }));
      lineStatements[ln] = reused;
      for (const st of reused) statements.push(st);
      const next = pl + 1 < m ? prev.startState[pl + 1]! : undefined;
      if (next !== undefined) unpack(next);
      else {
        // The last line: recompute the state after it.
        lexLine(lines[ln]!, opts.syntax, state);
        for (const st of reused)
          if (st.kind === "directive" && opts.syntax === "gas") {
            if (st.name === ".intel_syntax") intel = true;
            else if (st.name === ".att_syntax") intel = false;
          }
      }
      continue;
    }
    const key = cache ? `${here}${lines[ln]}` : "";
    const hit = cache?.get(key);
    if (hit) {
      // Statements are per-line objects (they key data-flow maps): copy with the new line number.
      const copies = hit.stmts[0]?.line === ln ? hit.stmts : hit.stmts.map((st) => ({ ...st, line: ln }));
      lineStatements[ln] = copies;
      for (const st of copies) statements.push(st);
      state.inBlockComment = hit.blockAfter;
      intel = hit.intelAfter;
      continue;
    }
    const first = statements.length;
    const lexed = lexLine(lines[ln]!, opts.syntax, state);
    const pieces = opts.syntax === "gas" ? splitTopLevel(lexed.tokens, ";") : [lexed.tokens];
    for (const piece of pieces) {
      const st = parseStatement(piece, ln, intel, opts);
      for (const op of st.operands) op.text = lines[ln]!.slice(op.start, op.end);
      if (lexed.commentStart !== undefined) st.commentStart = lexed.commentStart;
      if (st.kind === "directive" && opts.syntax === "gas") {
        if (st.name === ".intel_syntax") intel = true;
        else if (st.name === ".att_syntax") intel = false;
      }
      statements.push(st);
    }
    lineStatements[ln] = statements.slice(first);
    if (cache) {
      if (cache.size > 200_000) cache.clear();
      cache.set(key, { stmts: lineStatements[ln]!, blockAfter: state.inBlockComment, intelAfter: intel });
    }
  }
  return { file: opts.file, syntax: opts.syntax, lines, statements, lineStatements, startState };
}

function parseStatement(tokens: Token[], line: number, intel: boolean, opts: ParseOptions): Statement {
  const st: Statement = {
    file: opts.file,
    line,
    intel,
    labels: [],
    kind: "empty",
    prefixes: [],
    operands: [],
    args: [],
    refs: [],
    numbers: [],
    registers: [],
  };
  const syntax = opts.syntax;
  let i = 0;
  // NASM `[bits 64]` / `[section .text]`: the raw directive form.
  if (syntax === "nasm" && tokens[0]?.text === "[" && tokens[tokens.length - 1]?.text === "]" && tokens[1]) {
    tokens = tokens.slice(1, -1);
  }
  // Labels: `name:` (GAS allows several on a line).
  while (
    tokens[i] &&
    (tokens[i]!.kind === "ident" || (syntax === "gas" && tokens[i]!.kind === "number")) &&
    tokens[i + 1]?.kind === "punct" &&
    tokens[i + 1]!.text === ":" &&
    tokens[i + 2]?.text !== ":"
  ) {
    st.labels.push({ name: tokens[i]!.text, start: tokens[i]!.start, end: tokens[i]!.end });
    i += 2;
  }
  let head = tokens[i];
  if (!head) return st;

  // Constant definitions.
  if (syntax === "gas" && head.kind === "ident" && tokens[i + 1]?.text === "=" && tokens[i + 2]?.text !== "=") {
    return defineConstant(st, head, tokens.slice(i + 2), opts);
  }
  if (
    syntax === "nasm" &&
    head.kind === "ident" &&
    tokens[i + 1]?.kind === "ident" &&
    tokens[i + 1]!.text.toLowerCase() === "equ"
  ) {
    return defineConstant(st, head, tokens.slice(i + 2), opts);
  }
  if (syntax === "nasm" && head.kind === "ident" && head.text.toLowerCase() === "equ" && st.labels.length > 0) {
    const lab = st.labels.pop()!;
    return defineConstant(
      st,
      { kind: "ident", text: lab.name, start: lab.start, end: lab.end },
      tokens.slice(i + 1),
      opts,
    );
  }
  const headLower = head.kind === "ident" ? head.text.toLowerCase() : "";
  if (
    [".set", ".equ", ".equiv", ".eqv"].includes(headLower) &&
    tokens[i + 1]?.kind === "ident" &&
    tokens[i + 2]?.text === ","
  ) {
    st.name = headLower;
    st.nameStart = head.start;
    st.nameEnd = head.end;
    return defineConstant(st, tokens[i + 1]!, tokens.slice(i + 3), opts);
  }
  if (
    ["%define", "%xdefine", "%assign", "#define"].includes(headLower) &&
    tokens[i + 1]?.kind === "ident" &&
    tokens[i + 2] &&
    tokens[i + 2]!.text !== "("
  ) {
    st.name = headLower;
    st.nameStart = head.start;
    st.nameEnd = head.end;
    return defineConstant(st, tokens[i + 1]!, tokens.slice(i + 2), opts);
  }

  // NASM data labels without a colon: `msg db "hi"`, `ptr dq region`, `buf resb 64`, `x times 4 db 0`.
  if (syntax === "nasm" && head.kind === "ident" && !head.text.startsWith("%")) {
    const next = tokens[i + 1];
    const nextLower = next?.kind === "ident" ? next.text.toLowerCase() : "";
    const headIsKnown = isNasmDirective(headLower) || opts.isMnemonic(headLower);
    if (!headIsKnown && (isDataDirective(nextLower) || nextLower === "times")) {
      st.labels.push({ name: head.text, start: head.start, end: head.end });
      i++;
      head = tokens[i]!;
    } else if (!headIsKnown && !next && st.labels.length === 0 && /^[A-Za-z_.?@$][\w.?@$#~]*$/.test(head.text)) {
      // A lone word that is no instruction: NASM treats it as a label (and warns about it).
      if (!opts.isMnemonic(headLower)) {
        st.labels.push({ name: head.text, start: head.start, end: head.end });
        st.bareWord = true;
        return st;
      }
    }
  }

  // `times N` prefix.
  if (syntax === "nasm" && head.kind === "ident" && head.text.toLowerCase() === "times") {
    let j = i + 1;
    let depth = 0;
    while (tokens[j]) {
      const t = tokens[j]!;
      if (t.text === "(" || t.text === "[") depth++;
      if (t.text === ")" || t.text === "]") depth--;
      const lower = t.kind === "ident" ? t.text.toLowerCase() : "";
      if (depth === 0 && j > i + 1 && t.kind === "ident" && (isDataDirective(lower) || opts.isMnemonic(lower))) break;
      j++;
    }
    st.times = parseExpr(tokens.slice(i + 1, j), exprOptions(opts, intel));
    collectRefs(st, st.times);
    i = j;
    head = tokens[i];
    if (!head) return st;
  }

  if (head.kind !== "ident") {
    st.kind = "instruction";
    st.name = head.text.toLowerCase();
    st.nameStart = head.start;
    st.nameEnd = head.end;
    st.args = tokens.slice(i + 1);
    return st;
  }
  let name = head.text.toLowerCase();
  // Instruction prefixes.
  while (
    ["rep", "repe", "repz", "repne", "repnz", "lock", "data16", "addr32", "rex64", "o16", "o32", "a32"].includes(
      name,
    ) &&
    tokens[i + 1]?.kind === "ident"
  ) {
    st.prefixes.push(name);
    i++;
    head = tokens[i]!;
    name = head.text.toLowerCase();
  }
  st.name = name;
  st.written = head.text;
  st.nameStart = head.start;
  st.nameEnd = head.end;
  const rest = tokens.slice(i + 1);
  st.args = rest;
  const isDirective =
    (syntax === "gas" && (name.startsWith(".") || name.startsWith("#"))) ||
    (syntax === "nasm" && (isNasmDirective(name) || name.startsWith("%")));
  if (isDirective) {
    st.kind = "directive";
    parseDirectiveArgs(st, name, rest, opts, intel);
    return st;
  }
  st.kind = "instruction";
  if (rest.length > 0) {
    for (const part of splitTopLevel(rest, ",")) {
      if (part.length === 0) continue;
      const op = parseOperand(part, opts, intel);
      st.operands.push(op);
      collectOperand(st, op);
    }
  }
  return st;
}

function exprOptions(opts: ParseOptions, intel: boolean) {
  return {
    syntax: opts.syntax,
    // AT&T registers always carry `%`; in Intel syntax a register is a bare word.
    isRegister: (n: string) => intel && isRegister(n),
  };
}

function defineConstant(st: Statement, nameTok: Token, exprTokens: Token[], opts: ParseOptions): Statement {
  st.kind = "constant";
  st.constName = { name: nameTok.text, start: nameTok.start, end: nameTok.end };
  st.constExpr = parseExpr(exprTokens, exprOptions(opts, st.intel));
  collectRefs(st, st.constExpr);
  for (const t of exprTokens) if (t.kind === "number") st.numbers.push({ start: t.start, end: t.end });
  st.args = exprTokens;
  return st;
}

function collectRefs(st: Statement, e: Expr | undefined): void {
  for (const s of exprSymbols(e)) st.refs.push({ name: s.name, start: s.start, end: s.end });
  collectNumbers(st, e);
}

function collectNumbers(st: Statement, e: Expr | undefined): void {
  if (!e) return;
  if (e.k === "num") st.numbers.push({ start: e.start, end: e.end });
  else if (e.k === "reg") st.registers.push({ start: e.start, end: e.end });
  else if (e.k === "un") collectNumbers(st, e.arg);
  else if (e.k === "bin") {
    collectNumbers(st, e.l);
    collectNumbers(st, e.r);
  }
}

function collectOperand(st: Statement, op: Operand): void {
  for (const s of exprSymbols(op.expr)) st.refs.push({ name: s.name, start: s.start, end: s.end });
  collectNumbers(st, op.expr);
}

function parseDirectiveArgs(st: Statement, name: string, rest: Token[], opts: ParseOptions, intel: boolean): void {
  const eo = exprOptions(opts, intel);
  if (name in DATA_SIZES) {
    const items: Expr[] = [];
    for (const part of splitTopLevel(rest, ",")) {
      if (part.length === 0) continue;
      const e = parseExpr(part, eo);
      items.push(e);
      collectRefs(st, e);
    }
    st.data = { itemSize: DATA_SIZES[name]!, items };
    return;
  }
  if (name in RESERVE_SIZES) {
    const parts = splitTopLevel(rest, ",");
    const count = parts[0] && parts[0].length > 0 ? parseExpr(parts[0], eo) : undefined;
    if (count) collectRefs(st, count);
    const itemSize = RESERVE_SIZES[name]!;
    const reserve: Expr | undefined =
      count && itemSize !== 1
        ? {
            k: "bin",
            op: "*",
            l: count,
            r: { k: "num", value: BigInt(itemSize), start: 0, end: 0 },
            start: count.start,
            end: count.end,
          }
        : count;
    st.data = reserve ? { itemSize: 0, items: [], reserve } : { itemSize: 0, items: [] };
    return;
  }
  // Other directives: record symbol references in the arguments (e.g. `global main`, `.globl main`,
  // `align 4096`, `.balign 4096`) without claiming to understand their grammar.
  const parts = splitTopLevel(rest, ",");
  for (const part of parts) {
    if (part.length === 0) continue;
    if (part.some((t) => t.kind === "string")) continue;
    const e = parseExpr(part, eo);
    if (e.k !== "bad") collectRefs(st, e);
    else for (const t of part) if (t.kind === "number") st.numbers.push({ start: t.start, end: t.end });
  }
}

function parseOperand(tokens: Token[], opts: ParseOptions, intel: boolean): Operand {
  const first = tokens[0]!;
  const last = tokens[tokens.length - 1]!;
  const base: Operand = { start: first.start, end: last.end, text: "", kind: "imm" };
  const eo = exprOptions(opts, intel);
  if (!intel) return parseAttOperand(tokens, base, eo);
  let toks = tokens;
  // Size keywords and `ptr`, `rel`, `abs`, `strict`, `short`, `near`, `offset`.
  let offset = false;
  for (;;) {
    const t = toks[0];
    if (t?.kind !== "ident") break;
    const lower = t.text.toLowerCase();
    if (lower in SIZE_KEYWORDS && toks.length > 1) {
      base.size = SIZE_KEYWORDS[lower]!;
      toks = toks.slice(1);
      if (toks[0]?.kind === "ident" && toks[0].text.toLowerCase() === "ptr") toks = toks.slice(1);
      continue;
    }
    if (["strict", "short", "near", "far", "abs"].includes(lower) && toks.length > 1) {
      toks = toks.slice(1);
      continue;
    }
    if (lower === "rel" && toks.length > 1) {
      base.rel = true;
      toks = toks.slice(1);
      continue;
    }
    if (lower === "offset" && toks.length > 1) {
      offset = true;
      toks = toks.slice(1);
      continue;
    }
    break;
  }
  // Segment override: `fs:[...]`.
  if (toks[0]?.kind === "ident" && toks[1]?.text === ":" && isRegister(toks[0].text)) toks = toks.slice(2);
  const open = toks.findIndex((t) => t.text === "[");
  if (open >= 0) {
    base.kind = "mem";
    const close = toks.findIndex((t, k) => k > open && t.text === "]");
    let inner = toks.slice(open + 1, close < 0 ? undefined : close);
    if (inner[0]?.kind === "ident" && inner[1]?.text === ":" && isRegister(inner[0].text)) inner = inner.slice(2);
    while (inner[0]?.kind === "ident" && ["rel", "abs", "qword", "dword"].includes(inner[0].text.toLowerCase())) {
      if (inner[0].text.toLowerCase() === "rel") base.rel = true;
      inner = inner.slice(1);
    }
    // Displacement outside the brackets (GAS Intel `8[rax]`).
    const outside = toks.slice(0, open);
    const expr = inner.length > 0 ? parseExpr(inner, eo) : undefined;
    splitAddress(base, expr);
    if (outside.length > 0) {
      const d = parseExpr(outside, eo);
      base.expr = base.expr ? { k: "bin", op: "+", l: d, r: base.expr, start: d.start, end: base.expr.end } : d;
    }
    return base;
  }
  if (toks.length === 1 && toks[0]!.kind === "ident" && isRegister(toks[0]!.text)) {
    base.kind = "reg";
    base.reg = toks[0]!.text.toLowerCase();
    return base;
  }
  base.kind = "imm";
  base.expr = parseExpr(toks, eo);
  if (opts.syntax === "gas" && !offset) base.bare = true;
  return base;
}

/** Splits `base + index*scale + disp` (Intel) into its parts. */
function splitAddress(op: Operand, e: Expr | undefined): void {
  if (!e) return;
  const terms: { e: Expr; neg: boolean }[] = [];
  const walk = (x: Expr, neg: boolean) => {
    if (x.k === "bin" && (x.op === "+" || x.op === "-")) {
      walk(x.l, neg);
      walk(x.r, x.op === "-" ? !neg : neg);
    } else terms.push({ e: x, neg });
  };
  walk(e, false);
  let disp: Expr | undefined;
  for (const { e: t, neg } of terms) {
    if (t.k === "reg" && !neg) {
      if (t.name === "rip" || t.name === "eip") op.rel = true;
      else if (!op.base) op.base = t.name;
      else if (!op.index) {
        op.index = t.name;
        op.scale = 1;
      }
      continue;
    }
    if (t.k === "bin" && t.op === "*" && !neg) {
      const [r, s] = t.l.k === "reg" ? [t.l, t.r] : t.r.k === "reg" ? [t.r, t.l] : [undefined, undefined];
      if (r && r.k === "reg" && s && s.k === "num") {
        op.index = r.name;
        op.scale = Number(s.value);
        continue;
      }
    }
    const term: Expr = neg ? { k: "un", op: "-", arg: t, start: t.start, end: t.end } : t;
    disp = disp ? { k: "bin", op: "+", l: disp, r: term, start: disp.start, end: term.end } : term;
  }
  if (disp) op.expr = disp;
}

function parseAttOperand(tokens: Token[], op: Operand, eo: ReturnType<typeof exprOptions>): Operand {
  let toks = tokens;
  if (toks[0]?.text === "*") {
    op.indirect = true;
    toks = toks.slice(1);
  }
  const first = toks[0];
  if (!first) return op;
  if (first.text === "$") {
    op.kind = "imm";
    op.expr = parseExpr(toks.slice(1), eo);
    return op;
  }
  if (first.kind === "reg" && toks.length === 1) {
    op.kind = "reg";
    op.reg = first.text.slice(1).toLowerCase();
    return op;
  }
  // Segment override `%fs:disp(...)`.
  if (first.kind === "reg" && toks[1]?.text === ":") toks = toks.slice(2);
  op.kind = "mem";
  const open = toks.findIndex((t) => t.text === "(");
  const dispToks = open >= 0 ? toks.slice(0, open) : toks;
  if (dispToks.length > 0) op.expr = parseExpr(dispToks, eo);
  if (open >= 0) {
    const close = toks.findIndex((t, k) => k > open && t.text === ")");
    const inner = toks.slice(open + 1, close < 0 ? undefined : close);
    const parts = splitTopLevel(inner, ",");
    const b = parts[0]?.[0];
    const x = parts[1]?.[0];
    const s = parts[2]?.[0];
    if (b?.kind === "reg") {
      const name = b.text.slice(1).toLowerCase();
      if (name === "rip" || name === "eip") op.rel = true;
      else op.base = name;
    }
    if (x?.kind === "reg") {
      op.index = x.text.slice(1).toLowerCase();
      op.scale = s?.kind === "number" ? Number.parseInt(s.text, 10) || 1 : 1;
    }
  }
  return op;
}

/** The statement's operands in Intel order (destination first), whatever the source syntax. */
export function intelOperands(st: Statement): Operand[] {
  return st.intel ? st.operands : [...st.operands].reverse();
}
