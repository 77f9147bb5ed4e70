// Expression parser for both dialects (precedence climbing). Operator sets and precedence:
//  GAS (as manual "Infix Operators", expr.c op_rank): * / % << >>  >  | & ^ !  >  + -  >  == != <> < <= > >=
//      >  &&  >  ||. Comparisons yield -1 for true.
//  NASM (manual 3.5): * / // % %%  >  + -  >  << >> <<< >>>  >  &  >  ^  >  |  >  comparisons  >  &&  >  ^^
//      >  ||  >  ?: . Comparisons yield 1 for true.
import { type Expr, type Position, type Range, spanRange } from "./ast";
import type { Token } from "./lexer";

export type ExprDialect = "gas" | "nasm";

const GAS_BINARY: Record<string, number> = {
  "*": 9,
  "/": 9,
  "%": 9,
  "<<": 9,
  ">>": 9,
  "|": 7,
  "&": 7,
  "^": 7,
  "!": 7,
  "+": 5,
  "-": 5,
  "==": 4,
  "!=": 4,
  "<>": 4,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "&&": 3,
  "||": 2,
};

const NASM_BINARY: Record<string, number> = {
  "*": 11,
  "/": 11,
  "//": 11,
  "%": 11,
  "%%": 11,
  "+": 10,
  "-": 10,
  "<<": 9,
  ">>": 9,
  "<<<": 9,
  ">>>": 9,
  "&": 8,
  "^": 7,
  "|": 6,
  "=": 5,
  "==": 5,
  "!=": 5,
  "<>": 5,
  "<": 5,
  "<=": 5,
  ">": 5,
  ">=": 5,
  "<=>": 5,
  "&&": 4,
  "^^": 3,
  "||": 2,
};

export interface ExprError {
  message: string;
  range: Range;
  /** Diagnostic code; default "asm-syntax". */
  code?: string;
}

/** A cursor over the tokens of one statement, tracking the source line for ranges. */
/** Limits that keep evaluation (recursive over the tree) far from the JavaScript stack limit. */
const MAX_DEPTH = 200;
const MAX_NODES = 5000;

// Ranges share their Position objects (never mutated): a line's tokens produce a few dozen ranges, and
// the syntax tree of a large file lives until it is assembled, so fewer objects means less GC work.
let positionLine = -1;
let positions: Position[] = [];

/** The (shared, immutable) position at `line`, `character`. */
export function position(line: number, character: number): Position {
  if (line !== positionLine) {
    positionLine = line;
    positions = [];
  }
  if (character < 0 || character > 4096) return { line, character };
  let p = positions[character];
  if (p === undefined) {
    p = { line, character };
    positions[character] = p;
  }
  return p;
}

export class Cursor {
  pos = 0;
  /** Current nesting of parentheses/unary operators, and operators parsed, in this expression. */
  depth = 0;
  nodes = 0;
  tooComplex = false;
  constructor(
    readonly tokens: Token[],
    readonly line: number,
    readonly lineLength: number,
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  next(): Token | undefined {
    return this.tokens[this.pos++];
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  isPunct(text: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t !== undefined && t.kind === "punct" && t.text === text;
  }
  range(t: Token): Range {
    if (t.origin) return { start: position(t.origin.line, t.origin.start), end: position(t.origin.line, t.origin.end) };
    return { start: position(this.line, t.start), end: position(this.line, t.end) };
  }
  /** Range from token a to token b inclusive. */
  span(a: Token, b: Token): Range {
    const ra = this.range(a);
    const rb = this.range(b);
    // Tokens from a macro expansion may come from different places: never build a backwards range.
    if (ra.start.line !== rb.start.line || rb.end.character < ra.start.character) return ra;
    return { start: ra.start, end: rb.end };
  }
  /** A zero-width range at the end of the statement (for "expected X" errors). */
  endRange(): Range {
    const last = this.tokens[this.tokens.length - 1];
    const c = last ? last.end : this.lineLength;
    if (last?.origin) return this.range(last);
    return { start: { line: this.line, character: c }, end: { line: this.line, character: c } };
  }
  here(): Range {
    const t = this.peek();
    return t ? this.range(t) : this.endRange();
  }
}

export interface ExprOptions {
  dialect: ExprDialect;
  /** Stop at these punctuation tokens at depth 0 (besides `,`). */
  stop?: Set<string>;
  /** In NASM `[...]` and Intel memory, `:` is a segment override, not part of an expression. */
}

/**
 * Parses an expression starting at the cursor. Returns undefined (and an error) when no expression
 * starts there. Stops before `,`, `)` `]` and tokens it cannot use.
 */
export function parseExpr(cur: Cursor, opts: ExprOptions, errors: ExprError[]): Expr | undefined {
  const table = opts.dialect === "gas" ? GAS_BINARY : NASM_BINARY;
  const e = parseBinary(cur, opts, table, 0, errors);
  if (!e) return undefined;
  if (opts.dialect === "nasm" && cur.isPunct("?")) {
    cur.next();
    const t = parseExpr(cur, opts, errors);
    if (!t) return e;
    if (!cur.isPunct(":")) {
      errors.push({ message: "expected ':' in conditional expression", range: cur.here() });
      return e;
    }
    cur.next();
    const f = parseExpr(cur, opts, errors);
    if (!f) return e;
    return {
      kind: "conditional",
      test: e,
      whenTrue: t,
      whenFalse: f,
      range: spanRange(e.range, f.range),
    };
  }
  return e;
}

function parseBinary(
  cur: Cursor,
  opts: ExprOptions,
  table: Record<string, number>,
  minPrec: number,
  errors: ExprError[],
): Expr | undefined {
  let left = parseUnary(cur, opts, table, errors);
  if (!left) return undefined;
  for (;;) {
    const t = cur.peek();
    if (t?.kind !== "punct") break;
    if (opts.stop?.has(t.text)) break;
    const prec = table[t.text];
    if (prec === undefined || prec <= minPrec) break;
    cur.next();
    const right = parseBinary(cur, opts, table, prec, errors);
    if (!right) {
      errors.push({ message: `expected an operand after '${t.text}'`, range: cur.here() });
      return left;
    }
    left = { kind: "binary", op: t.text, left, right, range: spanRange(left.range, right.range) };
  }
  return left;
}

function parseUnary(
  cur: Cursor,
  opts: ExprOptions,
  table: Record<string, number>,
  errors: ExprError[],
): Expr | undefined {
  const t = cur.peek();
  if (!t) {
    errors.push({ message: "expected an expression", range: cur.endRange() });
    return undefined;
  }
  if (cur.depth > MAX_DEPTH || cur.nodes > MAX_NODES) {
    if (!cur.tooComplex) errors.push({ message: "expression is too deeply nested or too long", range: cur.range(t) });
    cur.tooComplex = true;
    cur.pos = cur.tokens.length;
    return undefined;
  }
  cur.nodes++;
  cur.depth++;
  try {
    return parseUnaryInner(cur, opts, table, errors, t);
  } finally {
    cur.depth--;
  }
}

function parseUnaryInner(
  cur: Cursor,
  opts: ExprOptions,
  table: Record<string, number>,
  errors: ExprError[],
  t: Token,
): Expr | undefined {
  if (t.kind === "punct" && (t.text === "-" || t.text === "+" || t.text === "~" || t.text === "!")) {
    cur.next();
    const operand = parseUnary(cur, opts, table, errors);
    if (!operand) return undefined;
    return { kind: "unary", op: t.text, operand, range: spanRange(cur.range(t), operand.range) };
  }
  if (opts.dialect === "nasm" && t.kind === "ident" && t.text.toLowerCase() === "seg") {
    cur.next();
    const operand = parseUnary(cur, opts, table, errors);
    if (!operand) return undefined;
    return { kind: "unary", op: "seg", operand, range: spanRange(cur.range(t), operand.range) };
  }
  return parsePrimary(cur, opts, errors);
}

function parsePrimary(cur: Cursor, opts: ExprOptions, errors: ExprError[]): Expr | undefined {
  const t = cur.peek();
  if (!t) {
    errors.push({ message: "expected an expression", range: cur.endRange() });
    return undefined;
  }
  const range = cur.range(t);
  if (t.kind === "number") {
    cur.next();
    if (t.localRef) return { kind: "localRef", label: t.localRef.label, direction: t.localRef.direction, range };
    return { kind: "number", value: t.value ?? 0n, range };
  }
  if (t.kind === "string") {
    cur.next();
    return { kind: "string", value: t.str ?? "", range };
  }
  if (t.kind === "ident") {
    cur.next();
    if (opts.dialect === "gas" && t.text === ".") return { kind: "here", range };
    let name = t.text;
    if (opts.dialect === "nasm" && name.startsWith("$")) name = name.slice(1);
    return { kind: "symbol", name, range };
  }
  if (t.kind === "punct") {
    if (t.text === "(") {
      cur.next();
      const inner = parseExpr(cur, { ...opts, stop: undefined }, errors);
      if (!inner) return undefined;
      const close = cur.peek();
      if (close?.kind !== "punct" || close.text !== ")") {
        errors.push({ message: "expected ')'", range: cur.here() });
        return inner;
      }
      cur.next();
      return { ...inner, range: spanRange(range, cur.range(close)) } as Expr;
    }
    if (opts.dialect === "nasm" && t.text === "$") {
      cur.next();
      return { kind: "here", range };
    }
    if (opts.dialect === "nasm" && t.text === "$$") {
      cur.next();
      return { kind: "sectionStart", range };
    }
  }
  errors.push({ message: `expected an expression, found '${t.text}'`, range });
  return undefined;
}

/** Names of the symbols an expression refers to. */
export function exprSymbols(e: Expr, out: string[] = []): string[] {
  switch (e.kind) {
    case "symbol":
      out.push(e.name);
      break;
    case "unary":
      exprSymbols(e.operand, out);
      break;
    case "binary":
      exprSymbols(e.left, out);
      exprSymbols(e.right, out);
      break;
    case "conditional":
      exprSymbols(e.test, out);
      exprSymbols(e.whenTrue, out);
      exprSymbols(e.whenFalse, out);
      break;
    default:
      break;
  }
  return out;
}
