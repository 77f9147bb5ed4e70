// Constant expressions as written in operands and directives, parsed with source columns so that every symbol
// reference has a range (for references, rename and semantic tokens).
import { parseNumberLiteral, type Token } from "./lexer";
import type { Syntax } from "./types";

export type Expr =
  | { k: "num"; value: bigint; start: number; end: number }
  | { k: "sym"; name: string; start: number; end: number }
  | { k: "reg"; name: string; start: number; end: number }
  | { k: "here"; start: number; end: number }
  | { k: "str"; text: string; start: number; end: number }
  | { k: "un"; op: string; arg: Expr; start: number; end: number }
  | { k: "bin"; op: string; l: Expr; r: Expr; start: number; end: number }
  | { k: "bad"; start: number; end: number };

const binaryPrecedence: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "|": 3,
  "^": 4,
  "&": 5,
  "==": 6,
  "!=": 6,
  "<": 7,
  ">": 7,
  "<=": 7,
  ">=": 7,
  "<<": 8,
  ">>": 8,
  "+": 9,
  "-": 9,
  "*": 10,
  "/": 10,
  "//": 10,
  "%": 10,
};

export interface ExprParseOptions {
  syntax: Syntax;
  /** Classifies an identifier as a register (Intel syntax has no `%`). */
  isRegister(name: string): boolean;
}

/** Parses tokens[from..to) as one expression; never throws (unparseable parts become `bad`). */
export function parseExpr(tokens: readonly Token[], opts: ExprParseOptions): Expr {
  let pos = 0;
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return { k: "bad", start: 0, end: 0 };

  function primary(): Expr {
    const t = tokens[pos];
    if (!t) return { k: "bad", start: last!.end, end: last!.end };
    pos++;
    if (t.kind === "number") {
      const v = parseNumberLiteral(t.text, opts.syntax);
      if (v !== undefined) return { k: "num", value: v, start: t.start, end: t.end };
      // GAS local label references: 1f / 1b.
      if (opts.syntax === "gas" && /^[0-9]+[fb]$/i.test(t.text))
        return { k: "sym", name: t.text, start: t.start, end: t.end };
      return { k: "bad", start: t.start, end: t.end };
    }
    if (t.kind === "string") {
      return { k: "str", text: t.text.slice(1, -1), start: t.start, end: t.end };
    }
    if (t.kind === "reg") return { k: "reg", name: t.text.slice(1).toLowerCase(), start: t.start, end: t.end };
    if (t.kind === "ident") {
      if (t.text === "$" || t.text === "." || t.text === "$$") return { k: "here", start: t.start, end: t.end };
      if (opts.isRegister(t.text)) return { k: "reg", name: t.text.toLowerCase(), start: t.start, end: t.end };
      return { k: "sym", name: t.text, start: t.start, end: t.end };
    }
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) {
      const close = t.text === "(" ? ")" : "]";
      const inner = binary(0);
      if (tokens[pos]?.text === close) pos++;
      return { ...inner, start: t.start, end: tokens[pos - 1]?.end ?? inner.end };
    }
    if (t.kind === "punct" && ["-", "+", "~", "!"].includes(t.text)) {
      const arg = primary();
      return { k: "un", op: t.text, arg, start: t.start, end: arg.end };
    }
    return { k: "bad", start: t.start, end: t.end };
  }

  function binary(minPrec: number): Expr {
    let left = primary();
    for (;;) {
      const t = tokens[pos];
      if (t?.kind !== "punct") break;
      const prec = binaryPrecedence[t.text];
      if (prec === undefined || prec < minPrec) break;
      pos++;
      const right = binary(prec + 1);
      left = { k: "bin", op: t.text, l: left, r: right, start: left.start, end: right.end };
    }
    return left;
  }

  const e = binary(0);
  if (pos < tokens.length) return { k: "bad", start: first.start, end: last.end };
  return e;
}

/** Every symbol referenced by an expression. */
export function exprSymbols(
  e: Expr | undefined,
  out: Extract<Expr, { k: "sym" }>[] = [],
): Extract<Expr, { k: "sym" }>[] {
  if (!e) return out;
  if (e.k === "sym") out.push(e);
  else if (e.k === "un") exprSymbols(e.arg, out);
  else if (e.k === "bin") {
    exprSymbols(e.l, out);
    exprSymbols(e.r, out);
  }
  return out;
}

/** A symbolic value: a number, or a label plus an offset (an address the assembler places). */
export type SymValue = { k: "num"; v: bigint } | { k: "addr"; label: string; off: bigint };

const MASK64 = (1n << 64n) - 1n;

export function wrap64(v: bigint): bigint {
  return v & MASK64;
}

/**
 * Evaluates an expression. `lookup` resolves a symbol to a value (or undefined when unknown). Arithmetic is
 * 64-bit two's complement, as both assemblers do it.
 */
export function evalExpr(e: Expr, lookup: (name: string) => SymValue | undefined): SymValue | undefined {
  switch (e.k) {
    case "num":
      return { k: "num", v: wrap64(e.value) };
    case "sym":
      return lookup(e.name);
    case "str": {
      // A character constant: NASM and GAS both store it little-endian.
      if (e.text.length === 0 || e.text.length > 8) return undefined;
      let v = 0n;
      for (let i = e.text.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(e.text.charCodeAt(i) & 0xff);
      return { k: "num", v };
    }
    case "un": {
      const a = evalExpr(e.arg, lookup);
      if (!a) return undefined;
      if (e.op === "+") return a;
      if (a.k !== "num") return undefined;
      if (e.op === "-") return { k: "num", v: wrap64(-a.v) };
      if (e.op === "~") return { k: "num", v: wrap64(~a.v) };
      if (e.op === "!") return { k: "num", v: a.v === 0n ? 1n : 0n };
      return undefined;
    }
    case "bin": {
      const l = evalExpr(e.l, lookup);
      const r = evalExpr(e.r, lookup);
      if (!l || !r) return undefined;
      if (l.k === "addr" || r.k === "addr") {
        if (e.op === "+" && l.k === "addr" && r.k === "num")
          return { k: "addr", label: l.label, off: wrap64(l.off + r.v) };
        if (e.op === "+" && l.k === "num" && r.k === "addr")
          return { k: "addr", label: r.label, off: wrap64(r.off + l.v) };
        if (e.op === "-" && l.k === "addr" && r.k === "num")
          return { k: "addr", label: l.label, off: wrap64(l.off - r.v) };
        if (e.op === "-" && l.k === "addr" && r.k === "addr" && l.label === r.label)
          return { k: "num", v: wrap64(l.off - r.off) };
        return undefined;
      }
      const a = l.v;
      const b = r.v;
      switch (e.op) {
        case "+":
          return { k: "num", v: wrap64(a + b) };
        case "-":
          return { k: "num", v: wrap64(a - b) };
        case "*":
          return { k: "num", v: wrap64(a * b) };
        case "/":
        case "//":
          return b === 0n ? undefined : { k: "num", v: a / b };
        case "%":
          return b === 0n ? undefined : { k: "num", v: a % b };
        case "<<":
          return { k: "num", v: b > 63n ? 0n : wrap64(a << b) };
        case ">>":
          return { k: "num", v: b > 63n ? 0n : a >> b };
        case "|":
          return { k: "num", v: a | b };
        case "&":
          return { k: "num", v: a & b };
        case "^":
          return { k: "num", v: a ^ b };
        case "==":
          return { k: "num", v: a === b ? 1n : 0n };
        case "!=":
          return { k: "num", v: a !== b ? 1n : 0n };
        case "<":
          return { k: "num", v: a < b ? 1n : 0n };
        case ">":
          return { k: "num", v: a > b ? 1n : 0n };
        case "<=":
          return { k: "num", v: a <= b ? 1n : 0n };
        case ">=":
          return { k: "num", v: a >= b ? 1n : 0n };
        case "&&":
          return { k: "num", v: a !== 0n && b !== 0n ? 1n : 0n };
        case "||":
          return { k: "num", v: a !== 0n || b !== 0n ? 1n : 0n };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
