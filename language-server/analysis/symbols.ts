// Document outline (sections → labels, constants, macros) and workspace symbol search.
import type { Analysis } from "./index";
import type { Statement } from "./syntax";
import type { Range } from "./types";

export interface OutlineSymbol {
  name: string;
  kind: "label" | "constant" | "macro" | "section" | "data";
  detail?: string;
  range: Range;
  selectionRange: Range;
  children: OutlineSymbol[];
}

function sectionName(st: Statement): string | undefined {
  if (st.kind !== "directive" || !st.name) return undefined;
  if (st.name === "section" || st.name === "segment" || st.name === ".section") return st.args[0]?.text;
  if ([".text", ".data", ".bss", ".rodata"].includes(st.name)) return st.name;
  return undefined;
}

function lineRange(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

export function documentSymbols(a: Analysis): OutlineSymbol[] {
  const top: OutlineSymbol[] = [];
  let section: OutlineSymbol | undefined;
  let lastLabel: OutlineSymbol | undefined;
  const lines = a.unit.files.get(a.file)?.lines ?? [];
  const close = (s: OutlineSymbol | undefined, line: number) => {
    if (s && line >= s.range.start.line)
      s.range = { start: s.range.start, end: { line, character: lines[line]?.length ?? 0 } };
  };
  const push = (s: OutlineSymbol) => (section ? section.children.push(s) : top.push(s));
  const macroDepth = 0;
  for (const st of a.unit.statements) {
    if (st.file !== a.file) continue;
    if (a.unit.inMacro.has(st)) {
      if (
        st.kind === "directive" &&
        (st.name === "%macro" || st.name === "%imacro" || st.name === ".macro") &&
        macroDepth === 0
      ) {
        const t = st.args[0];
        if (t)
          push({
            name: t.text,
            kind: "macro",
            range: lineRange(st.line, 0, lines[st.line]?.length ?? 0),
            selectionRange: lineRange(st.line, t.start, t.end),
            children: [],
          });
      }
      continue;
    }
    const sec = sectionName(st);
    if (sec) {
      close(lastLabel, st.line - 1);
      close(section, st.line - 1);
      lastLabel = undefined;
      section = {
        name: sec,
        kind: "section",
        range: lineRange(st.line, 0, lines[st.line]?.length ?? 0),
        selectionRange: lineRange(st.line, st.nameStart ?? 0, st.nameEnd ?? 0),
        children: [],
      };
      top.push(section);
      continue;
    }
    for (const lab of st.labels) {
      const local = lab.name.startsWith(".") || /^[0-9]+$/.test(lab.name);
      const sym: OutlineSymbol = {
        name: lab.name,
        kind: st.data ? "data" : "label",
        range: lineRange(st.line, lab.start, lines[st.line]?.length ?? lab.end),
        selectionRange: lineRange(st.line, lab.start, lab.end),
        children: [],
      };
      if (local && lastLabel) {
        lastLabel.children.push(sym);
        close(lastLabel, st.line);
      } else {
        close(lastLabel, st.line - 1);
        push(sym);
        lastLabel = sym;
      }
    }
    if (lastLabel) close(lastLabel, st.line);
    if (st.kind === "constant" && st.constName) {
      const text = (lines[st.line] ?? "").slice(st.constName.end).trim();
      push({
        name: st.constName.name,
        kind: "constant",
        detail: text.replace(/^(equ|=|,)\s*/i, ""),
        range: lineRange(st.line, 0, lines[st.line]?.length ?? 0),
        selectionRange: lineRange(st.line, st.constName.start, st.constName.end),
        children: [],
      });
    }
    if (section) close(section, st.line);
  }
  return top;
}

export interface WorkspaceSymbolInfo {
  name: string;
  kind: OutlineSymbol["kind"];
  file: string;
  range: Range;
  container?: string;
}

export function workspaceSymbols(analyses: readonly Analysis[], query: string): WorkspaceSymbolInfo[] {
  const q = query.toLowerCase();
  const out: WorkspaceSymbolInfo[] = [];
  const seen = new Set<string>();
  for (const a of analyses) {
    for (const [name, defs] of a.unit.defs) {
      if (q && !name.toLowerCase().includes(q)) continue;
      for (const d of defs) {
        const key = `${d.file}:${d.range.start.line}:${d.range.start.character}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ name, kind: d.kind, file: d.file, range: d.range });
        if (out.length >= 500) return out;
      }
    }
  }
  return out;
}
