// The syntax tree shared by the GAS (AT&T and Intel) and NASM front ends. Every node carries a source
// range with 0-based line and character (UTF-16 column) numbers, the same convention LSP uses.

export type Syntax = "gas" | "nasm";

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based column (UTF-16 code units). */
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = "error" | "warning" | "information" | "hint";

export interface Diagnostic {
  file: string;
  range: Range;
  severity: Severity;
  /** Stable identifier, e.g. "asm-unknown-mnemonic". */
  code: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | { kind: "number"; value: bigint; range: Range }
  /** A string used as a number (NASM 'ab', GAS 'a): bytes packed little-endian. */
  | { kind: "string"; value: string; range: Range }
  | { kind: "symbol"; name: string; range: Range }
  /** `$` / `.` — the address of the current item. */
  | { kind: "here"; range: Range }
  /** NASM `$$` — the start of the current section. */
  | { kind: "sectionStart"; range: Range }
  /** GAS numeric local label reference `1b` / `1f`. */
  | { kind: "localRef"; label: string; direction: "b" | "f"; range: Range }
  | { kind: "unary"; op: string; operand: Expr; range: Range }
  | { kind: "binary"; op: string; left: Expr; right: Expr; range: Range }
  | { kind: "conditional"; test: Expr; whenTrue: Expr; whenFalse: Expr; range: Range };

// ---------------------------------------------------------------------------------------------------------
// Operands, in the dialect-neutral form both syntaxes are translated into (Intel operand order).

/** 48: GNU as Intel `fword ptr` (a 16:32 far pointer). */
export type OperandSize = 8 | 16 | 32 | 48 | 64 | 80 | 128 | 256 | 512;

export type Operand =
  | { kind: "register"; name: string; range: Range }
  | {
      kind: "immediate";
      value: Expr;
      size?: OperandSize;
      /**
       * GAS Intel syntax: an expression written without brackets or `offset`. GAS reads it as a memory
       * operand when it refers to a label, and as an immediate when it is a constant.
       */
      gasIntelBare?: boolean;
      range: Range;
    }
  | {
      kind: "memory";
      segment?: string;
      base?: string;
      index?: string;
      scale: number;
      disp?: Expr;
      /** Explicit size (`dword [x]`, `dword ptr`); AT&T takes it from the suffix. */
      size?: OperandSize;
      /** NASM `[rel x]` / GAS `x(%rip)`: displacement relative to the next instruction. */
      ripRelative: boolean;
      /** NASM `[abs x]`. */
      absolute?: boolean;
      /** Where the base and index registers are written (for a register written twice, its first use). */
      baseRange?: Range;
      indexRange?: Range;
      range: Range;
    }
  /** `jmp far 0x08:label`, AT&T `ljmp $0x08, $label`. */
  /** `size`: NASM `jmp dword 0x08:entry` — the offset size (16:32 in 16-bit code gets a 66 prefix). */
  | { kind: "far"; segment: Expr; offset: Expr; size?: 16 | 32; range: Range };

// ---------------------------------------------------------------------------------------------------------
// Statements: one per source statement (a line may hold several in GAS via `;`).

export interface Label {
  kind: "label";
  name: string;
  /** GAS numeric label (`1:`), NASM `.x` local label, or GAS `.L` label. */
  local: boolean;
  range: Range;
}

export interface Instruction {
  kind: "instruction";
  /** Mnemonic as written (lower case), e.g. "movl" in AT&T. */
  mnemonic: string;
  /** Mnemonic after AT&T suffix stripping, e.g. "mov". */
  baseMnemonic: string;
  /** Operand size implied by an AT&T suffix (b/w/l/q) or by a movzbl-style name. */
  suffixSize?: OperandSize;
  /** For movzx/movsx written as movzbl etc.: the source operand size. */
  sourceSize?: OperandSize;
  prefixes: { name: string; range: Range }[];
  /** In Intel order (destination first) regardless of the syntax written. */
  operands: Operand[];
  /** AT&T `*` before a jump/call target. */
  indirect: boolean;
  /** `far` / lcall / ljmp. */
  far: boolean;
  /** NASM `short` / `near` / `strict` hints on the branch target. */
  branchHint?: "short" | "near";
  strict?: boolean;
  mnemonicRange: Range;
  range: Range;
}

export interface DirectiveArg {
  /** The text of the argument as written, trimmed. */
  text: string;
  /** Parsed as an expression when it parses as one. */
  expr?: Expr;
  /** NASM `count dup (values...)` in data declarations. */
  dup?: { count: Expr; values: DirectiveArg[] };
  range: Range;
  /** The argument means something else to the reference assembler than it seems to: a warning at `range`. */
  warning?: { message: string; range: Range };
}

export interface Directive {
  kind: "directive";
  /** Lower-case name, e.g. ".byte", "db", "%define", "section", "bits", "times". */
  name: string;
  args: DirectiveArg[];
  /** For `name equ x`, `name db 1`, `x = 3`: the symbol before the directive. */
  symbol?: { name: string; range: Range };
  /** For NASM `times N <statement>`: the repeated statement. */
  body?: Statement;
  /**
   * For `%define/%xdefine/%idefine/%assign NAME value` (and `#define` in .S files): the value, parsed as an
   * expression when it is one; the name is in `symbol`. (`args` keeps the whole text after the directive.)
   */
  value?: DirectiveArg;
  nameRange: Range;
  range: Range;
}

export interface ErrorStatement {
  kind: "error";
  range: Range;
}

export type Statement = Label | Instruction | Directive | ErrorStatement;

export interface SourceLine {
  /** 0-based line number of the first character of the line. */
  line: number;
  statements: Statement[];
  /** The syntax in force on this line (GAS changes between AT&T and Intel). */
  intel: boolean;
}

export interface SourceFile {
  fileName: string;
  syntax: Syntax;
  lines: SourceLine[];
}

export function rangeOf(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

/** The range from the start of `a` to the end of `b`; just `a` when `b` does not follow it on the same line
 * (tokens of a macro expansion can come from different places). */
export function spanRange(a: Range, b: Range): Range {
  if (a.start.line !== b.end.line || b.end.character < a.start.character) return a;
  return { start: a.start, end: b.end };
}
