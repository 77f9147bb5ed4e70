// Shared pieces of the expansion stage (expand-*.ts): the line-source frames, macro and define records,
// conditional state, and token helpers.
import type { Expr, Range } from "./ast";
import { type LexState, lexLine, type Token } from "./lexer";

export interface Origin {
  file: string;
  range: Range;
}

export interface LineSrc {
  text?: string;
  tokens?: Token[];
  file: string;
  line: number;
  origin?: Origin;
}

export interface Frame {
  kind: "file" | "macro" | "rept";
  body: LineSrc[];
  pos: number;
  iterations: number;
  iteration: number;
  file: string;
  lex: LexState;
  /** Per-line transformation (macro parameter substitution) applied when a line is consumed. */
  subst?: (src: LineSrc, frame: Frame) => LineSrc;
  nasmArgs?: Token[][];
  nasmLocalId?: number;
  /** Values for each .irp/.irpc iteration. */
  irp?: { param: string; values: string[] };
  condDepth: number;
  /** Repetitions: the line that ends the block (the listing shows the expansion after it). */
  listFile?: string;
  listLine?: number;
  /** File frames: which reading of the file this is (ExpandResult.inclusions). */
  inclusion?: number;
}

export interface GasMacro {
  name: string;
  params: { name: string; def?: string; vararg: boolean; required: boolean }[];
  body: LineSrc[];
}

export interface NasmMacro {
  name: string;
  min: number;
  max: number;
  greedy: boolean;
  defaults: Token[][];
  body: LineSrc[];
  caseInsensitive: boolean;
}

export interface NasmDefine {
  params?: string[];
  body: Token[];
  caseInsensitive: boolean;
}

export interface Cond {
  /** This branch is being assembled. */
  active: boolean;
  /** Some branch of this if-chain has been taken. */
  done: boolean;
  /** The enclosing context is active. */
  parent: boolean;
  /** An %else/.else has been seen. */
  sawElse: boolean;
}

export interface Collecting {
  kind: "gas-macro" | "gas-rept" | "nasm-macro" | "nasm-rep";
  depth: number;
  body: LineSrc[];
  start: { file: string; range: Range };
  finish(body: LineSrc[]): void;
}

export const DEFAULT_LIMIT = 200_000;
export const STRUC_WORDS = new Set(["struc", "endstruc", "istruc", "at", "iend", "absolute"]);

/** Applies `fn` bottom-up; allocates new nodes only where something changed. */
export function rewriteExpr(e: Expr, fn: (e: Expr) => Expr): Expr {
  switch (e.kind) {
    case "unary": {
      const o = rewriteExpr(e.operand, fn);
      return fn(o === e.operand ? e : { ...e, operand: o });
    }
    case "binary": {
      const l = rewriteExpr(e.left, fn);
      const r = rewriteExpr(e.right, fn);
      return fn(l === e.left && r === e.right ? e : { ...e, left: l, right: r });
    }
    case "conditional": {
      const t = rewriteExpr(e.test, fn);
      const a = rewriteExpr(e.whenTrue, fn);
      const b = rewriteExpr(e.whenFalse, fn);
      return fn(
        t === e.test && a === e.whenTrue && b === e.whenFalse ? e : { ...e, test: t, whenTrue: a, whenFalse: b },
      );
    }
    default:
      return fn(e);
  }
}

export function lineRange(line: number, a: number, b: number): Range {
  return { start: { line, character: a }, end: { line, character: b } };
}

export function tokenText(tokens: Token[]): string {
  let s = "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (i > 0 && t.spaceBefore) s += " ";
    s += t.kind === "register" ? `%${t.text}` : t.text;
  }
  return s;
}

/** Splits macro arguments at depth-0 commas; `{a, b}` groups one argument. */
export function splitTokenArgs(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  let brace = 0;
  for (const t of tokens) {
    if (t.kind === "punct") {
      if (t.text === "{") {
        if (brace++ === 0 && depth === 0) continue;
      } else if (t.text === "}") {
        if (--brace === 0 && depth === 0) continue;
      } else if (t.text === "(" || t.text === "[") depth++;
      else if (t.text === ")" || t.text === "]") depth--;
      else if (t.text === "," && depth === 0 && brace === 0) {
        out.push([]);
        continue;
      }
    }
    out[out.length - 1]!.push(t);
  }
  return out;
}

/**
 * NASM's implicit pasting after a macro's parameters are substituted into a line (nasm 2.16 pp.c,
 * expand_mmac_params): an identifier directly followed, without blanks, by an identifier or a number becomes one
 * identifier — `call put_hex%1` with %1 = 32 calls `put_hex32`, `r%1` with %1 = 8 is `r8`.
 */
export function pasteAdjacent(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    const prev = out[out.length - 1];
    if (
      prev &&
      !t.spaceBefore &&
      (prev.kind === "ident" || prev.kind === "register") &&
      !prev.text.startsWith("%") &&
      (t.kind === "ident" || t.kind === "register" || t.kind === "number") &&
      !t.text.startsWith("%")
    ) {
      const text = prev.text + t.text;
      const relexed = lexLine(text, "nasm", { inBlockComment: false });
      const one = relexed.length === 1 ? relexed[0]! : undefined;
      out[out.length - 1] = {
        ...prev,
        kind: one ? one.kind : "ident",
        text,
        value: one?.value,
        end: t.end,
      };
      continue;
    }
    out.push(t);
  }
  return out;
}

/** NASM `%+`: concatenates the tokens on either side. */
export function pasteTokens(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === "%+" && out.length > 0 && tokens[i + 1]) {
      const prev = out.pop()!;
      const next = tokens[++i]!;
      out.push({ ...prev, kind: "ident", text: prev.text + next.text, end: next.end });
      continue;
    }
    out.push(t);
  }
  return out;
}
