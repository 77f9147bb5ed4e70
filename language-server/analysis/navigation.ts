// Go to definition, find references and rename for labels, constants and macros, across included files.
import type { Analysis } from "./index";
import { targetAt } from "./locate";
import type { Position, Range, TextEdit } from "./types";

export interface Location {
  file: string;
  range: Range;
}

function symbolAt(a: Analysis, pos: Position) {
  const t = targetAt(a, pos);
  return t?.kind === "symbol" ? t : undefined;
}

export function definitionAt(a: Analysis, pos: Position): Location[] {
  const t = targetAt(a, pos);
  if (t?.kind === "include")
    return t.target
      ? [{ file: t.target, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }]
      : [];
  if (t?.kind !== "symbol") return [];
  return (a.unit.defs.get(t.name) ?? []).map((d) => ({ file: d.file, range: d.range }));
}

export function referencesAt(a: Analysis, pos: Position, includeDeclaration: boolean): Location[] {
  const t = symbolAt(a, pos);
  if (!t) return [];
  const out: Location[] = [];
  if (includeDeclaration) for (const d of a.unit.defs.get(t.name) ?? []) out.push({ file: d.file, range: d.range });
  for (const ref of a.unit.refs) if (ref.name === t.name) out.push({ file: ref.file, range: ref.range });
  // Macro invocations are statements whose mnemonic is the macro's name.
  if ((a.unit.defs.get(t.name) ?? []).some((d) => d.kind === "macro"))
    for (const st of a.unit.statements)
      if (a.unit.isMacroCall(st) && st.name === t.name.toLowerCase() && st.nameStart !== undefined)
        out.push({
          file: st.file,
          range: {
            start: { line: st.line, character: st.nameStart },
            end: { line: st.line, character: st.nameEnd ?? st.nameStart },
          },
        });
  const seen = new Set<string>();
  return out.filter((l) => {
    const k = `${l.file}:${l.range.start.line}:${l.range.start.character}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface RenameResult {
  range: Range;
  oldName: string;
  edits: TextEdit[];
}

/** Rename edits for the symbol at `pos`; undefined when nothing renameable is there. */
export function renameAt(a: Analysis, pos: Position, newName: string): RenameResult | undefined {
  const t = symbolAt(a, pos);
  if (!t || !a.unit.defs.has(t.name)) return undefined;
  const edits: TextEdit[] = [];
  for (const loc of referencesAt(a, pos, true)) {
    const text =
      a.unit.files
        .get(loc.file)
        ?.lines[loc.range.start.line]?.slice(loc.range.start.character, loc.range.end.character) ?? "";
    // A NASM local label written in full (`outer.inner`) keeps its prefix.
    let replacement = newName;
    if (t.written.startsWith(".") && text.endsWith(t.written) && text !== t.written)
      replacement = text.slice(0, -t.written.length) + newName;
    edits.push({ file: loc.file, range: loc.range, newText: replacement });
  }
  return { range: t.range, oldName: t.written, edits };
}
