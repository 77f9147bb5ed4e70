// Adapter to the assembler front end (assembler/index.ts): its syntax and assembly diagnostics and, when it
// assembles, the real label addresses. Kept in this one file so that following the assembler's API is a
// one-file change.
import type { AnalysisDiagnostic, Syntax } from "./types";

export interface FrontendResult {
  diagnostics: AnalysisDiagnostic[];
  /** Label → address from a successful assembly (used for the 4-KiB alignment rules). */
  addresses?: Map<string, bigint>;
}

export interface FrontendInput {
  file: string;
  text: string;
  syntax: Syntax;
  includePaths: readonly string[];
  readFile(path: string): string | undefined;
}

/** The assembler's diagnostics for a file. Not yet wired: assembler/index.ts has not landed. */
export function frontendCheck(_input: FrontendInput): FrontendResult {
  return { diagnostics: [] };
}
