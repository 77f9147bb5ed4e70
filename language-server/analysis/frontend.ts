// The one adapter to the assembler (assembler/index.ts): its syntax tree (`parse`), its expression evaluator,
// and the full assembly (syntax and assembly diagnostics, real label addresses for the 4-KiB alignment rules).
// Kept in this file so that following the assembler's API is a one-file change.

import { knownMnemonics } from "../../assembler/encoder/index";
import {
  type Expr as AsmExpr,
  assemble,
  type EvalEnv,
  evaluate,
  parse,
  parseExpression as parseAsmExpression,
  type SourceFile,
} from "../../assembler/index";
import { addKnownMnemonics } from "./mnemonics";
import type { AnalysisDiagnostic, Syntax } from "./types";

export type {
  DirectiveArg as AsmArg,
  Expr as AsmExpr,
  Operand as AsmOperand,
  Statement as AsmStatement,
} from "../../assembler/index";

export interface FrontendResult {
  diagnostics: AnalysisDiagnostic[];
  /** Label → address from the assembly (used for the 4-KiB alignment rules). */
  addresses?: Map<string, bigint>;
}

export interface FrontendInput {
  file: string;
  text: string;
  syntax: Syntax;
  includePaths: readonly string[];
  readFile(path: string): string | undefined;
}

let mnemonicsLoaded = false;

/** Teaches the analysis every mnemonic the encoder knows (NASM labels without colons, AT&T suffixes). */
export function loadEncoderMnemonics(): void {
  if (mnemonicsLoaded) return;
  mnemonicsLoaded = true;
  try {
    addKnownMnemonics(knownMnemonics());
  } catch {
    // The analysis keeps its own list.
  }
}

export function frontendCheck(input: FrontendInput): FrontendResult {
  loadEncoderMnemonics();
  const program = assemble(input.text, {
    fileName: input.file,
    syntax: input.syntax,
    readFile: input.readFile,
    includeDirs: input.includePaths,
  });
  const diagnostics: AnalysisDiagnostic[] = program.diagnostics.map((d) => ({
    file: d.file,
    range: d.range,
    severity: d.severity,
    code: d.code,
    message: d.message,
  }));
  const addresses = new Map<string, bigint>();
  // Addresses are only trustworthy when the layout is complete: without errors.
  if (!program.diagnostics.some((d) => d.severity === "error"))
    for (const [name, sym] of program.symbols) if (sym.label) addresses.set(name, sym.value);
  return { diagnostics, addresses };
}

/** Extensions of files meant to be included rather than assembled on their own. */
export const INCLUDE_FILE = /\.(inc|mac|h)$/i;

export interface ContextInput extends FrontendInput {
  /** A file that includes `file`: it is assembled instead, and `file` is read as part of it. */
  includer?: { file: string; text: string; syntax: Syntax };
}

/**
 * The assembler's diagnostics for a file: assembled as part of its includer when one is given, else on its
 * own. A NASM include file on its own without a `bits` directive that uses 64-bit registers is assembled as
 * 64-bit code (NASM would start in 16-bit mode and reject every 64-bit register, though the file is only
 * ever assembled inside a 64-bit includer).
 */
export function assembleInContext(input: ContextInput): FrontendResult {
  const { includer, ...own } = input;
  if (includer)
    return frontendCheck({
      ...own,
      file: includer.file,
      text: includer.text,
      syntax: includer.syntax,
      readFile: (p) => (p === input.file ? input.text : input.readFile(p)),
    });
  if (
    input.syntax !== "nasm" ||
    !INCLUDE_FILE.test(input.file) ||
    /^\s*\[?\s*(bits|use16|use32|use64)\b/im.test(input.text) ||
    !/\b(r[abcd]x|r[sd]i|r[sb]p|r(8|9|1[0-5])[dwb]?)\b/i.test(input.text)
  )
    return frontendCheck(own);
  const fe = frontendCheck({ ...own, text: `bits 64\n${input.text}` });
  const up = (r: AnalysisDiagnostic["range"]): AnalysisDiagnostic["range"] => ({
    start: { line: r.start.line - 1, character: r.start.character },
    end: { line: r.end.line - 1, character: r.end.character },
  });
  const diagnostics = fe.diagnostics
    .filter((d) => d.file !== input.file || d.range.start.line >= 1)
    .map((d) => (d.file === input.file ? { ...d, range: up(d.range) } : d));
  return fe.addresses ? { diagnostics, addresses: fe.addresses } : { diagnostics };
}

/** The assembler's syntax tree of `text` (no macro or include expansion; never throws). */
export function parseSource(text: string, file: string, syntax: Syntax): SourceFile {
  try {
    return parse(text, { fileName: file, syntax }).ast;
  } catch {
    return { fileName: file, syntax, lines: [] };
  }
}

/**
 * Parses `text` (found at `line`, `column`) as one expression with the assembler's expression parser. For
 * values the syntax tree keeps as text (`%if` conditions).
 */
export function parseExpression(text: string, syntax: Syntax, line: number, column: number): AsmExpr | undefined {
  try {
    return parseAsmExpression(text, { syntax, line, column });
  } catch {
    return undefined;
  }
}

/** A symbolic value: a number, or a label plus an offset (an address the assembler places). */
export type SymValue = { k: "num"; v: bigint } | { k: "addr"; label: string; off: bigint };

const MASK64 = (1n << 64n) - 1n;

export function wrap64(v: bigint): bigint {
  return v & MASK64;
}

/**
 * Evaluates an expression with the assembler's evaluator. `lookup` gives each symbol a number or a label
 * address; every label becomes its own "section" so that the label terms of the result say which label
 * (plus offset) a value is, or that labels cancelled out (`end - start` is a number).
 */
export function evaluateExpr(
  e: AsmExpr,
  lookup: (name: string) => SymValue | undefined,
  syntax: Syntax,
): SymValue | undefined {
  const labels: string[] = [];
  let failed = false;
  const env: EvalEnv = {
    lookup(name) {
      const v = lookup(name);
      if (!v) return undefined;
      if (v.k === "num") return { value: v.v, label: false, section: 0, frag: 0, terms: [], order: 0 };
      let id = labels.indexOf(v.label);
      if (id < 0) id = labels.push(v.label) - 1;
      return { value: v.off, label: true, section: id + 1, frag: 0, order: 0 };
    },
    here: undefined,
    hereSection: -1,
    hereFrag: 0,
    sectionStart: undefined,
    order: 0,
    dialect: syntax,
    onError() {
      failed = true;
    },
  };
  let r: ReturnType<typeof evaluate>;
  try {
    r = evaluate(e, env);
  } catch {
    return undefined;
  }
  if (failed || !r.known || r.terms === null) return undefined;
  const weight = new Map<number, number>();
  for (const t of r.terms) weight.set(t.section, (weight.get(t.section) ?? 0) + t.sign);
  let label: string | undefined;
  for (const [section, w] of weight) {
    if (w === 0) continue;
    if (w !== 1 || label !== undefined || section < 1) return undefined;
    label = labels[section - 1];
  }
  const v = r.value & MASK64;
  return label === undefined ? { k: "num", v } : { k: "addr", label, off: v };
}
