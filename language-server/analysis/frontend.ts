// Adapter to the assembler front end (assembler/index.ts): its syntax and assembly diagnostics and, when it
// assembles, the real label addresses (for the 4-KiB alignment rules). Kept in this one file so that
// following the assembler's API is a one-file change.

import { knownMnemonics } from "../../assembler/encoder/index";
import { assemble } from "../../assembler/index";
import { addKnownMnemonics } from "./mnemonics";
import type { AnalysisDiagnostic, Syntax } from "./types";

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
