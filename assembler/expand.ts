// The expansion stage: reads the source (and its includes) line by line, runs the preprocessor of each
// dialect — GAS .macro/.rept/.irp/.if/.include, NASM %define/%assign/%macro/%rep/%if/%include — and turns
// every remaining line into statements with their static context (section, code size, syntax, the
// NASM local-label base, GAS numeric labels). The layout stage then assigns addresses.
import type { Diagnostic, Statement, Syntax } from "./ast";
import { GasExpander } from "./expand-gas";
import { NasmExpander } from "./expand-nasm";
import type { Token } from "./lexer";

export interface ExpandOptions {
  fileName: string;
  syntax: Syntax;
  readFile?: (path: string) => string | undefined;
  includeDirs?: readonly string[];
  /** Current directory for include resolution (default ""). */
  cwd?: string;
  isMnemonic(name: string): boolean;
  /** Stop after this many expanded lines (robustness against runaway .rept/%rep/recursion). */
  lineLimit?: number;
  /** GAS: run the C preprocessor subset first (default: for `.S` files, as gcc does). */
  cpp?: boolean;
}

export interface ExpandedStatement {
  stmt: Statement;
  /** File and 0-based line the statement maps to (for a macro expansion: the invocation). */
  file: string;
  line: number;
  column: number;
  bits: 16 | 32 | 64;
  /** GAS: Intel syntax in force. */
  intel: boolean;
  section: string;
  /** Source-order index (GAS forward-reference rules). */
  order: number;
  /** NASM `default rel`. */
  defaultRel: boolean;
  /** Came from a macro expansion (listing marks it). */
  macro: boolean;
  /** Came from a macro or repetition body (its text may have been substituted). */
  repeated?: boolean;
  /** For macro expansions: the expanded line's text, or its tokens (the listing shows it). */
  text?: string;
  tokens?: Token[];
  /** Index in ExpandResult.inclusions of the file reading this line is in (a macro expansion: its invocation's). */
  inclusion: number;
}

/** One reading of a source file: the main file (index 0) or an include, which can be read more than once. */
export interface Inclusion {
  file: string;
  /** The inclusion whose `%include`/`.include` line read this one, and that line (0-based); -1 for the main file. */
  parent: number;
  parentLine: number;
  /** Include nesting: 0 for the main file (the listing's `<depth>` on the lines of an included file). */
  depth: number;
}

/** A line of a macro body as it was expanded (for the listing, which shows every one like `nasm -l`). */
export interface MacroLine {
  /** Where the body line is written (0-based line). */
  file: string;
  line: number;
  /** Nesting below the main file: includes and macro/repetition frames (the listing's `<1>`). */
  depth: number;
  /** The inclusion the invocation is in. */
  inclusion: number;
  /** The statements the line produced: indices [first, end) in `statements`. */
  first: number;
  end: number;
  /** The invocation the expansion belongs to. */
  invocationFile: string;
  invocationLine: number;
  /** The text listed, when it is not the body line's (a label before the call). */
  text?: string;
}

export interface ExpandResult {
  statements: ExpandedStatement[];
  /** Macro body lines in expansion order. */
  macroLines?: MacroLine[];
  diagnostics: Diagnostic[];
  /** Every file read, by name, split in lines (for the listing). */
  files: Map<string, string[]>;
  /** Every reading of a file, in the order they began: [0] is the main file. */
  inclusions: Inclusion[];
  /** GAS: the C preprocessor ran (`.S`): source text alone does not determine a statement. */
  cpp?: boolean;
  /** Code size in force at the end of the source (GNU as 2.40 pads all code alignment for this mode). */
  finalBits: 16 | 32 | 64;
}

export function expand(source: string, opts: ExpandOptions): ExpandResult {
  const expander = opts.syntax === "nasm" ? new NasmExpander(opts) : new GasExpander(opts);
  return expander.run(source);
}
