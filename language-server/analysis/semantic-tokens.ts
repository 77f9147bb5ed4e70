// Semantic tokens for the analysed file: mnemonics (VMX instructions marked), registers, labels, constants,
// macros, directives, numbers and strings, in LSP's relative encoding.
import type { Analysis } from "./index";
import { baseMnemonic, VMX_INSTRUCTIONS } from "./mnemonics";
import type { Statement } from "./syntax";

export const SEMANTIC_TOKEN_TYPES = [
  "keyword",
  "variable",
  "function",
  "enumMember",
  "macro",
  "number",
  "string",
] as const;
export const SEMANTIC_TOKEN_MODIFIERS = ["declaration", "readonly", "defaultLibrary", "vmx"] as const;

type TokenType = (typeof SEMANTIC_TOKEN_TYPES)[number];
type TokenModifier = (typeof SEMANTIC_TOKEN_MODIFIERS)[number];

const typeIndex = (t: TokenType) => SEMANTIC_TOKEN_TYPES.indexOf(t);
const modBits = (mods: TokenModifier[]) => mods.reduce((b, m) => b | (1 << SEMANTIC_TOKEN_MODIFIERS.indexOf(m)), 0);

export interface SemanticToken {
  line: number;
  start: number;
  length: number;
  type: TokenType;
  modifiers: TokenModifier[];
}

export function semanticTokenList(a: Analysis): SemanticToken[] {
  const file = a.unit.files.get(a.file);
  if (!file) return [];
  const out: SemanticToken[] = [];
  // The unit's statements (a lone word naming a macro is a call there), grouped by line.
  const byLine: Statement[][] = [];
  for (const st of a.unit.statements) {
    if (st.file !== a.file) continue;
    const l = byLine[st.line];
    if (l) l.push(st);
    else byLine[st.line] = [st];
  }
  byLine.forEach((stmts, line) => {
    const row: SemanticToken[] = [];
    const push = (start: number, end: number, type: TokenType, modifiers: TokenModifier[] = []) => {
      if (end > start) row.push({ line, start, length: end - start, type, modifiers });
    };
    for (const st of stmts) {
      for (const l of st.labels) push(l.start, l.end, "function", ["declaration"]);
      if (st.nameStart !== undefined && st.nameEnd !== undefined && st.name) {
        if (a.unit.isMacroCall(st)) push(st.nameStart, st.nameEnd, "macro");
        else if (st.kind === "directive" || st.kind === "constant")
          push(st.nameStart, st.nameEnd, "macro", ["defaultLibrary"]);
        else if (st.kind === "instruction") {
          const base = baseMnemonic(st.name, st.intel).base;
          push(st.nameStart, st.nameEnd, "keyword", VMX_INSTRUCTIONS.has(base) ? ["vmx"] : []);
        }
      }
      if (st.constName) push(st.constName.start, st.constName.end, "enumMember", ["declaration", "readonly"]);
      for (const r of st.registers) push(r.start, r.end, "variable", ["defaultLibrary"]);
      for (const n of st.numbers) push(n.start, n.end, "number");
      for (const t of st.strings) push(t.start, t.end, "string");
      for (const r of st.refs) {
        const def = a.unit.defs.get(a.unit.qualify(st, r.name))?.[0];
        if (def?.kind === "label") push(r.start, r.end, "function");
        else if (def?.kind === "constant") push(r.start, r.end, "enumMember", ["readonly"]);
        else if (def?.kind === "macro") push(r.start, r.end, "macro");
      }
    }
    // LSP wants tokens in order and without overlaps.
    row.sort((x, y) => x.start - y.start);
    let end = -1;
    for (const t of row) {
      if (t.start < end) continue;
      out.push(t);
      end = t.start + t.length;
    }
  });
  return out;
}

/** The LSP encoding: [deltaLine, deltaStart, length, type, modifiers] per token. */
export function semanticTokens(a: Analysis): number[] {
  const data: number[] = [];
  let prevLine = 0;
  let prevStart = 0;
  for (const t of semanticTokenList(a)) {
    const dl = t.line - prevLine;
    data.push(dl, dl === 0 ? t.start - prevStart : t.start, t.length, typeIndex(t.type), modBits(t.modifiers));
    prevLine = t.line;
    prevStart = t.start;
  }
  return data;
}
