// The analysis core's public API: one call turns a file (plus what it includes) into diagnostics and the facts
// the editor features read (symbols, data-flow sites). Pure TypeScript; no LSP types; never throws.

import { basename } from "node:path";
import { analyzeFlow, type FlowResult } from "./dataflow";
import { assembleInContext, type FrontendResult, INCLUDE_FILE } from "./frontend";
import { buildUnit, detectSyntax, ParseCache, syntaxForFile, type Unit } from "./project";
import { effectiveSeverity, type RuleSetting } from "./rules";
import type { AnalysisDiagnostic, Range, Syntax } from "./types";
import { vmxDiagnostics } from "./vmx-checks";
import { modelContext } from "./vmx-model-checks";

export interface AnalysisSettings {
  cpuModel: string;
  syntax: "auto" | "gas" | "nasm";
  includePaths: readonly string[];
  rules: Readonly<Record<string, RuleSetting>>;
}

export const DEFAULT_ANALYSIS_SETTINGS: AnalysisSettings = {
  cpuModel: "skylake-x",
  syntax: "auto",
  includePaths: [],
  rules: {},
};

export interface AnalyzeInput {
  file: string;
  text: string;
  /** LSP language id (`vmx-gas` / `vmx-nasm`) when the editor knows it. */
  languageId?: string;
  settings: AnalysisSettings;
  readFile(path: string): string | undefined;
  cache?: ParseCache;
  /** Skip the assembler front end (its diagnostics) — for features that only need symbols. */
  skipFrontend?: boolean;
  /** A front-end result computed elsewhere (the server assembles on a worker thread). */
  frontend?: FrontendResult;
  /**
   * A file that includes `file` (directly or not): `file` is then analysed as part of it, with the symbols the
   * includer defines. Ignored when the includer turns out not to include `file`.
   */
  includer?: { file: string; text: string };
}

export interface Analysis {
  file: string;
  syntax: Syntax;
  unit: Unit;
  /** The file analysed as the root of the unit: `file` itself, or the includer it was analysed in. */
  root: string;
  flow: FlowResult;
  diagnostics: AnalysisDiagnostic[];
}

export function resolveSyntax(
  file: string,
  text: string,
  setting: AnalysisSettings["syntax"],
  languageId?: string,
): Syntax {
  if (setting === "gas" || setting === "nasm") return setting;
  if (languageId === "vmx-gas") return "gas";
  if (languageId === "vmx-nasm") return "nasm";
  return syntaxForFile(file, detectSyntax(text, file));
}

function internalError(file: string, where: string, e: unknown): AnalysisDiagnostic {
  return {
    file,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: "information",
    code: "internal-error",
    message: `The ${where} stopped on this file (${e instanceof Error ? e.message : String(e)}); other results are still shown.`,
  };
}

export function analyze(input: AnalyzeInput): Analysis {
  const syntax = resolveSyntax(input.file, input.text, input.settings.syntax, input.languageId);
  const cache = input.cache ?? new ParseCache();
  let unit: Unit | undefined;
  const includer = input.includer;
  if (includer && includer.file !== input.file) {
    const inContext = buildUnit({
      file: includer.file,
      text: includer.text,
      syntax: resolveSyntax(includer.file, includer.text, input.settings.syntax),
      includePaths: input.settings.includePaths,
      readFile: (p) => (p === input.file ? input.text : input.readFile(p)),
      cache,
    });
    if (inContext.files.has(input.file)) unit = inContext;
  }
  const root = unit ? unit.root : input.file;
  unit ??= buildUnit({
    file: input.file,
    text: input.text,
    syntax,
    includePaths: input.settings.includePaths,
    readFile: input.readFile,
    cache,
  });
  const raw: AnalysisDiagnostic[] = [];
  let addresses: Map<string, bigint> | undefined;
  if (input.frontend) {
    raw.push(...input.frontend.diagnostics);
    addresses = input.frontend.addresses;
  } else if (!input.skipFrontend) {
    try {
      const fe = assembleInContext({
        file: input.file,
        text: input.text,
        syntax,
        includePaths: input.settings.includePaths,
        readFile: input.readFile,
        ...(root !== input.file && includer
          ? { includer: { file: root, text: includer.text, syntax: unit.files.get(root)?.syntax ?? syntax } }
          : {}),
      });
      raw.push(...fe.diagnostics);
      addresses = fe.addresses;
    } catch (e) {
      raw.push(internalError(input.file, "assembler front end", e));
    }
  }
  let flow: FlowResult = {
    vmcs: [],
    msr: [],
    regions: [],
    unchecked: [],
    storedAtStart: new Set(),
    registerValues: new Map(),
  };
  try {
    flow = analyzeFlow(unit);
    raw.push(...vmxDiagnostics(unit, flow, modelContext(input.settings.cpuModel), addresses));
  } catch (e) {
    raw.push(internalError(input.file, "VMX analysis", e));
  }
  const diagnostics: AnalysisDiagnostic[] = [];
  // A file meant to be included, analysed without any file including it: the symbols it uses may well be
  // defined by its includer, so "undefined" is no error here.
  const alone = root === input.file && INCLUDE_FILE.test(input.file);
  for (const raw1 of raw) {
    const d =
      alone && raw1.code === "asm-undefined-symbol" && raw1.file === input.file && raw1.severity === "error"
        ? {
            ...raw1,
            severity: "information" as const,
            message: `${raw1.message} (no file that includes ${basename(input.file)} was found: the symbol may come from it)`,
          }
        : raw1;
    const sev = effectiveSeverity(d.code, d.severity, input.settings.rules);
    if (sev) diagnostics.push(sev === d.severity ? d : { ...d, severity: sev });
  }
  return { file: input.file, syntax, unit, root, flow, diagnostics };
}

export type { FrontendResult } from "./frontend";
export { ParseCache } from "./project";
export { RULES } from "./rules";
export type { AnalysisDiagnostic, Position, Range, Severity, Syntax } from "./types";

/**
 * The diagnostics to show in `file`: its own, plus errors and warnings found in files it includes, attached to
 * the `%include`/`.include` line that brings them in (an editor shows one file's diagnostics at a time, and a
 * problem may only exist with this file's definitions, e.g. `%define BREAK_…` before the include).
 */
export function diagnosticsForFile(a: Analysis, file: string = a.file): AnalysisDiagnostic[] {
  const own = a.diagnostics.filter((d) => d.file === file);
  const parent = new Map<string, { file: string; range: Range }>();
  for (const inc of a.unit.includes) if (inc.target && !parent.has(inc.target)) parent.set(inc.target, inc);
  const anchor = (f: string): Range | undefined => {
    let cur = f;
    for (let guard = 0; guard < 64; guard++) {
      const p = parent.get(cur);
      if (!p) return undefined;
      if (p.file === file) return p.range;
      cur = p.file;
    }
    return undefined;
  };
  for (const d of a.diagnostics) {
    if (d.file === file || (d.severity !== "error" && d.severity !== "warning")) continue;
    const range = anchor(d.file);
    if (!range) continue;
    own.push({
      file,
      range,
      severity: d.severity,
      code: d.code,
      message: `In ${basename(d.file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`,
    });
  }
  return own;
}
