// Public API of the assembler front end: GAS (AT&T and .intel_syntax) and NASM → Program.
//   assemble(source, options) → Program (sections, symbols, line map, listing, diagnostics); never throws.
//   parse(source, options) → { ast, diagnostics }: the syntax tree with ranges, for the language server.
//   flatBinary(program) → the bytes `nasm -f bin` / `ld --oformat binary` would write.
import type { Diagnostic, Directive, Expr, SourceFile, SourceLine, Statement, Syntax } from "./ast";
import { cppLine } from "./cpp";
import { isMnemonic } from "./encoder-bridge";
import { expand } from "./expand";
import { Cursor, type ExprError, parseExpr } from "./expr-parse";
import { layout } from "./layout";
import { type LexState, lexLine, splitLines, type Token } from "./lexer";
import { defineParts, parseLineTokens } from "./parse-line";
import type { Program } from "./program";

export type * from "./ast";
export { rangeOf, spanRange } from "./ast";
export type { EvalEnv, LabelTerm, SymbolValue, Value } from "./eval";
export { evaluate, isRelocatable } from "./eval";
export type { LineMapEntry, Program, Section, SymbolInfo } from "./program";
export { addressesOf, flatBinary, lineAt } from "./program";

export interface AssembleOptions {
  fileName: string;
  /** Default: from the file extension (.s/.S → gas, .asm/.nasm/.inc → nasm), else gas. */
  syntax?: Syntax;
  /** Reads an include file; return undefined if it does not exist. */
  readFile?: (path: string) => string | undefined;
  /** Reads a binary file for incbin/.incbin; without it, readFile's text is used byte per character. */
  readBinary?: (path: string) => Uint8Array | undefined;
  /** `-I` directories, searched after the including file's directory and the current directory. */
  includeDirs?: readonly string[];
  /** Current directory for include resolution. */
  cwd?: string;
  /** GAS: load address of .text (default 0). */
  base?: bigint;
}

export interface ParseOptions {
  fileName: string;
  syntax?: Syntax;
  /** GAS: keep C-preprocessor lines (`#define`, `#include` …) as directives (default: for `.S` files). */
  cpp?: boolean;
}

/**
 * Parses `text`, found at 0-based `line` and `column`, as one expression of the dialect (ranges are in the
 * file's coordinates). Undefined when it is not exactly one well-formed expression.
 */
export function parseExpression(
  text: string,
  options: { syntax: Syntax; line?: number; column?: number },
): Expr | undefined {
  const line = options.line ?? 0;
  const column = options.column ?? 0;
  let tokens: Token[];
  try {
    tokens = lexLine(text, options.syntax === "nasm" ? "nasm" : "gas-att", { inBlockComment: false });
  } catch {
    return undefined;
  }
  if (tokens.length === 0) return undefined;
  if (column !== 0) tokens = tokens.map((t) => ({ ...t, start: t.start + column, end: t.end + column }));
  const cur = new Cursor(tokens, line, column + text.length);
  const errors: ExprError[] = [];
  const e = parseExpr(cur, { dialect: options.syntax }, errors);
  return e && errors.length === 0 && cur.atEnd() ? e : undefined;
}

/** A C-preprocessor line of a `.S` file as a directive statement (`#define`, `#include`, `#ifdef` …). */
function cppStatement(text: string, line: number): Statement | undefined {
  const c = cppLine(text);
  if (!c) return undefined;
  const range = (a: number, b: number) => ({ start: { line, character: a }, end: { line, character: b } });
  const end = text.trimEnd().length;
  const d: Directive = {
    kind: "directive",
    name: `#${c.directive}`,
    args: [],
    nameRange: range(c.start, c.end),
    range: range(c.start, Math.max(c.end, end)),
  };
  const restText = c.rest.trim();
  if (restText) {
    const from = c.restColumn + (c.rest.length - c.rest.trimStart().length);
    d.args.push({ text: restText, range: range(from, from + restText.length) });
    if (c.directive === "define") {
      let tokens: Token[] = [];
      try {
        tokens = lexLine(text.slice(c.restColumn), "gas-att", { inBlockComment: false }).map((t) => ({
          ...t,
          start: t.start + c.restColumn,
          end: t.end + c.restColumn,
        }));
      } catch {
        tokens = [];
      }
      defineParts(d, tokens, new Cursor(tokens, line, text.length), "gas");
    }
  }
  return d;
}

/** The dialect for a file name: .s/.S → gas, .asm/.nasm/.inc → nasm. */
export function syntaxForFile(fileName: string): Syntax | undefined {
  const m = /\.([A-Za-z]+)$/.exec(fileName);
  const ext = m?.[1];
  if (ext === "s" || ext === "S") return "gas";
  if (ext && ["asm", "nasm", "inc"].includes(ext.toLowerCase())) return "nasm";
  return undefined;
}

/** Assembles a source file. Never throws: every problem is a diagnostic. */
export function assemble(source: string, options: AssembleOptions): Program {
  const syntax = options.syntax ?? syntaxForFile(options.fileName) ?? "gas";
  try {
    const exp = expand(source, {
      fileName: options.fileName,
      syntax,
      readFile: options.readFile,
      includeDirs: options.includeDirs,
      cwd: options.cwd,
      isMnemonic: (n) => isMnemonic(n, syntax),
    });
    return layout(exp, {
      syntax,
      base: options.base,
      readFile: options.readFile,
      readBinary: options.readBinary,
      includeDirs: options.includeDirs,
      cwd: options.cwd,
    });
  } catch (e) {
    // A bug in the assembler must not take the editor or the CLI down; report it as a diagnostic.
    return {
      syntax,
      sections: [],
      symbols: new Map(),
      lineMap: [],
      listing: "",
      diagnostics: [
        {
          file: options.fileName,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: "error",
          code: "asm-internal-error",
          message: `internal assembler error: ${e instanceof Error ? e.message : String(e)}`,
        },
      ],
    };
  }
}

/**
 * Parses a file into its syntax tree without expanding macros or includes (fast enough for every
 * keystroke). Macro bodies are parsed too, but their errors are not reported (parameters make them
 * incomplete until expanded).
 */
export function parse(source: string, options: ParseOptions): { ast: SourceFile; diagnostics: Diagnostic[] } {
  const syntax = options.syntax ?? syntaxForFile(options.fileName) ?? "gas";
  const lines = splitLines(source);
  const out: SourceLine[] = [];
  const diagnostics: Diagnostic[] = [];
  const lex: LexState = { inBlockComment: false };
  let intel = false;
  let intelPrefixed = true;
  let macroDepth = 0;
  // NASM macros defined in this file: their invocations are statements, not labels.
  const macroNames = new Set<string>();
  if (syntax === "nasm")
    for (const m of source.matchAll(/^[ \t]*%i?macro[ \t]+([A-Za-z_.?$][\w.?$#@~]*)/gim))
      macroNames.add(m[1]!.toLowerCase());
  const ctx = {
    syntax,
    get intel() {
      return intel;
    },
    get intelPrefixed() {
      return intelPrefixed;
    },
    isMnemonic: (n: string) => isMnemonic(n, syntax) || macroNames.has(n.toLowerCase()),
    lenient: true,
  };
  const cpp = syntax === "gas" && (options.cpp ?? /\.S$/.test(options.fileName));
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (cpp && !lex.inBlockComment && /^\s*#/.test(text)) {
      const st = cppStatement(text, i);
      if (st) {
        out.push({ line: i, statements: [st], intel });
        continue;
      }
    }
    let tokens: Token[];
    try {
      tokens = lexLine(text, syntax === "nasm" ? "nasm" : "gas-att", lex);
    } catch {
      tokens = [];
    }
    if (tokens.length === 0) continue;
    const lineIntel = intel;
    const r = parseLineTokens(tokens, i, text.length, ctx);
    for (const s of r.statements) {
      if (s.kind !== "directive") continue;
      const n = s.name;
      if (n === ".intel_syntax") {
        intel = true;
        intelPrefixed = s.args[0]?.text.toLowerCase() !== "noprefix";
      } else if (n === ".att_syntax") {
        intel = false;
        intelPrefixed = true;
      } else if (n === ".macro" || n === "%macro" || n === "%imacro") macroDepth++;
      else if ((n === ".endm" || n === ".endmacro" || n === "%endmacro" || n === "%endm") && macroDepth > 0)
        macroDepth--;
    }
    if (
      macroDepth === 0 ||
      r.statements.some((s) => s.kind === "directive" && /^(\.endm|\.endmacro|%endmacro|%endm)$/.test(s.name))
    )
      for (const e of r.errors)
        diagnostics.push({
          file: options.fileName,
          range: e.range,
          severity: "error",
          code: e.code ?? "asm-syntax",
          message: e.message,
        });
    out.push({ line: i, statements: r.statements, intel: lineIntel });
  }
  return { ast: { fileName: options.fileName, syntax, lines: out }, diagnostics };
}
