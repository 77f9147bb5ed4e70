// Semantic tokens for the analysed file: mnemonics (VMX instructions marked), registers, labels, constants,
// macros, directives, numbers and strings, in LSP's relative encoding.
import type { Analysis } from "./index";
import { type LexState, lexLine } from "./lexer";
import { baseMnemonic, VMX_INSTRUCTIONS } from "./mnemonics";
import type { Statement } from "./parser";
import { isRegister } from "./registers";

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
  const byLine = new Map<number, Statement[]>();
  for (const st of a.unit.statements) {
    if (st.file !== a.file) continue;
    const l = byLine.get(st.line);
    if (l) l.push(st);
    else byLine.set(st.line, [st]);
  }
  const out: SemanticToken[] = [];
  const state: LexState = { inBlockComment: false };
  file.lines.forEach((text, line) => {
    const lexed = lexLine(text, file.syntax, state);
    const stmts = byLine.get(line) ?? [];
    for (const tok of lexed.tokens) {
      // The statement the token belongs to: the last one starting at or before it (GAS allows `a; b`).
      let st: Statement | undefined = stmts[0];
      for (const c of stmts) if ((c.labels[0]?.start ?? c.nameStart ?? 0) <= tok.start) st = c;
      const push = (type: TokenType, modifiers: TokenModifier[] = []) =>
        out.push({ line, start: tok.start, length: tok.end - tok.start, type, modifiers });
      if (!st) continue;
      if (tok.kind === "number") {
        push("number");
        continue;
      }
      if (tok.kind === "string") {
        push("string");
        continue;
      }
      if (tok.kind === "reg") {
        push("variable", ["defaultLibrary"]);
        continue;
      }
      if (tok.kind !== "ident") continue;
      if (st.nameStart === tok.start && st.name) {
        if (a.unit.isMacroCall(st)) push("macro");
        else if (st.kind === "directive") push("macro", ["defaultLibrary"]);
        else if (st.kind === "instruction") {
          const base = baseMnemonic(st.name, st.intel).base;
          push("keyword", VMX_INSTRUCTIONS.has(base) ? ["vmx"] : []);
        }
        continue;
      }
      if (st.labels.some((l) => l.start === tok.start)) {
        push("function", ["declaration"]);
        continue;
      }
      if (st.constName?.start === tok.start) {
        push("enumMember", ["declaration", "readonly"]);
        continue;
      }
      if (st.intel && isRegister(tok.text)) {
        push("variable", ["defaultLibrary"]);
        continue;
      }
      if (st.refs.some((r) => r.start === tok.start)) {
        const def = a.unit.defs.get(a.unit.qualify(st, tok.text))?.[0];
        if (def?.kind === "label") push("function");
        else if (def?.kind === "constant") push("enumMember", ["readonly"]);
        else if (def?.kind === "macro") push("macro");
      }
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
