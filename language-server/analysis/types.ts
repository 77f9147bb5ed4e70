// Plain data types shared by the analysis modules. Positions are 0-based (line, UTF-16 character), the same
// convention as the assembler's diagnostics and LSP, so server.ts converts nothing but names.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = "error" | "warning" | "information" | "hint";

/** The source dialect of a file. `gas` covers AT&T and `.intel_syntax` (tracked per statement). */
export type Syntax = "gas" | "nasm";

export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

export interface CodeFix {
  title: string;
  edits: TextEdit[];
  preferred?: boolean;
}

export interface AnalysisDiagnostic {
  file: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  /** Quick fixes that repair exactly this diagnostic. */
  fixes?: CodeFix[];
}

export function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

export function contains(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}
