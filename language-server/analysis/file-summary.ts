// What the workspace index keeps of a file it does not analyse: the symbols it defines (for workspace symbol
// search) and the files it includes (to find the includer a file opened on its own belongs to). Small on
// purpose: the statements are dropped once read.
import { dirname, isAbsolute, join, resolve } from "node:path";
import { detectSyntax, syntaxForFile } from "./project";
import { parseFile } from "./syntax";
import type { Range, Syntax } from "./types";

export interface SummarySymbol {
  name: string;
  kind: "label" | "constant" | "macro";
  range: Range;
}

export interface FileSummary {
  file: string;
  symbols: SummarySymbol[];
  /** Resolved paths of the files it includes (those found). */
  includes: string[];
}

const INCLUDES = new Set(["%include", ".include", "#include"]);
const MACROS = new Set(["%macro", "%imacro", ".macro"]);

/** Where an include of `written` from `from` lands: its directory, then the include paths (as the assemblers do). */
export function resolveIncludePath(
  from: string,
  written: string,
  includePaths: readonly string[],
  exists: (path: string) => boolean,
): string | undefined {
  const candidates = isAbsolute(written)
    ? [written]
    : [join(dirname(from), written), ...includePaths.map((d) => join(d, written))];
  for (const c of candidates) {
    const p = resolve(c);
    if (exists(p)) return p;
  }
  return undefined;
}

export function summarizeFile(
  file: string,
  text: string,
  setting: "auto" | Syntax,
  includePaths: readonly string[],
  exists: (path: string) => boolean,
): FileSummary {
  const syntax = setting === "auto" ? syntaxForFile(file, detectSyntax(text, file)) : setting;
  const parsed = parseFile(text, file, syntax);
  const symbols: SummarySymbol[] = [];
  const includes: string[] = [];
  const at = (line: number, start: number, end: number): Range => ({
    start: { line, character: start },
    end: { line, character: end },
  });
  let scope = "";
  let inMacro = 0;
  for (const st of parsed.statements) {
    const name = st.name ?? "";
    if (st.kind === "directive" && MACROS.has(name)) {
      const m = st.args[0];
      if (m && inMacro === 0) symbols.push({ name: m.text, kind: "macro", range: at(st.line, m.start, m.end) });
      inMacro++;
      continue;
    }
    if (st.kind === "directive" && /^(%endmacro|%endm|\.endm|\.endmacro)$/.test(name)) {
      inMacro = Math.max(0, inMacro - 1);
      continue;
    }
    if (inMacro > 0) continue;
    if (st.kind === "directive" && INCLUDES.has(name) && st.args[0]) {
      const written = st.args[0].text.replace(/^["'<`]|["'>`]$/g, "");
      const target = resolveIncludePath(file, written, includePaths, exists);
      if (target) includes.push(target);
    }
    for (const l of st.labels) {
      const local = syntax === "nasm" && l.name.startsWith(".") && !l.name.startsWith("..");
      if (!local && !/^[0-9]+$/.test(l.name)) scope = l.name;
      if (/^[0-9]+$/.test(l.name)) continue;
      symbols.push({ name: local ? `${scope}${l.name}` : l.name, kind: "label", range: at(st.line, l.start, l.end) });
    }
    if (st.kind === "constant" && st.constName)
      symbols.push({
        name: st.constName.name,
        kind: "constant",
        range: at(st.line, st.constName.start, st.constName.end),
      });
  }
  return { file, symbols, includes };
}
