// A compilation unit: the root file plus every file it includes (followed recursively, as the assemblers do),
// flattened into one statement list, with the symbol table (labels, constants, macros) and its references.
import { dirname, isAbsolute, join, resolve } from "node:path";
import { evaluateExpr, type SymValue } from "./frontend";
import { expandCall, type MacroDef, macroFromLines } from "./macros";
import { mnemonicsVersion } from "./mnemonics";
import { type Expr, type ParsedFile, parseFile, type Statement } from "./syntax";
import type { Range, Syntax } from "./types";

export type SymbolKind = "label" | "constant" | "macro";

export interface SymbolDef {
  /** Qualified name: NASM local labels `.x` become `parent.x`. */
  name: string;
  /** The name as written at the definition. */
  written: string;
  kind: SymbolKind;
  file: string;
  range: Range;
  stmt: Statement;
  expr?: Expr;
}

export interface SymbolRef {
  name: string;
  file: string;
  range: Range;
  stmt: Statement;
}

export interface IncludeRef {
  file: string;
  range: Range;
  /** Resolved path, when found. */
  target?: string;
  written: string;
}

export interface Unit {
  root: string;
  files: Map<string, ParsedFile>;
  /** Statements of every file in assembly order (included files expanded in place). */
  statements: Statement[];
  /** What the data flow runs over: `statements` that are code, with macro calls replaced by their expansions. */
  code: Statement[];
  /** Statements that are not code: macro bodies and branches of conditional assembly not taken. */
  inMacro: Set<Statement>;
  defs: Map<string, SymbolDef[]>;
  refs: SymbolRef[];
  includes: IncludeRef[];
  /** Qualified name for each written label/ref (NASM local labels), keyed by statement. */
  qualify(stmt: Statement, name: string): string;
  /** Resolves a constant or label to a value (labels as symbolic addresses). */
  lookup(name: string, stmt?: Statement): SymValue | undefined;
  /** Evaluates an expression of `stmt` (its symbols resolved in its scope, in its file's dialect). */
  evaluate(e: Expr | undefined, stmt: Statement): SymValue | undefined;
  /** True when the statement is a call of a macro defined in the unit. */
  isMacroCall(stmt: Statement): boolean;
}

export interface UnitOptions {
  file: string;
  text: string;
  syntax: Syntax;
  includePaths: readonly string[];
  readFile(path: string): string | undefined;
  /** Parsed files to reuse (keyed by path and text), so an edit re-parses only the edited file. */
  cache?: ParseCache;
}

export class ParseCache {
  private readonly entries = new Map<string, { text: string; syntax: Syntax; parsed: ParsedFile }>();
  private mnemonicsSeen = mnemonicsVersion();
  get(file: string, text: string, syntax: Syntax): ParsedFile {
    if (this.mnemonicsSeen !== mnemonicsVersion()) {
      // The known mnemonics decide NASM labels without colons: parse everything again.
      this.entries.clear();
      this.mnemonicsSeen = mnemonicsVersion();
    }
    const e = this.entries.get(file);
    if (e && e.text === text && e.syntax === syntax) return e.parsed;
    const parsed = parseFile(text, file, syntax, e?.parsed, e?.text);
    this.entries.set(file, { text, syntax, parsed });
    return parsed;
  }

  /** Forgets a file (closed, or no longer part of any unit). */
  delete(file: string): void {
    this.entries.delete(file);
  }
}

export function syntaxForFile(file: string, fallback: Syntax): Syntax {
  if (/\.(s|S|sx)$/.test(file)) return "gas";
  if (/\.(asm|nasm|inc|mac)$/i.test(file)) return "nasm";
  return fallback;
}

/** Guesses the dialect from the text (for `vmx.syntax: auto` on files without a telling extension). */
export function detectSyntax(text: string, file: string): Syntax {
  if (/\.(s|S|sx)$/.test(file)) return "gas";
  if (/\.(asm|nasm)$/i.test(file)) return "nasm";
  const sample = text.slice(0, 20000);
  let gas = 0;
  let nasm = 0;
  if (/%[re][a-ds][xip]\b/.test(sample)) gas += 3;
  if (
    /^\s*\.(text|data|section|globl|global|intel_syntax|att_syntax|code64|quad|long|byte|balign|p2align|set|equ)\b/m.test(
      sample,
    )
  )
    gas += 3;
  if (/^\s*(section|segment|bits|global|extern|default)\s/im.test(sample)) nasm += 3;
  if (/^\s*%(define|macro|include|assign)\b/m.test(sample)) nasm += 3;
  if (/\b(equ|db|dw|dd|dq|resb|resq|times)\b/i.test(sample)) nasm += 1;
  if (/\[[a-z]/.test(sample)) nasm += 1;
  return gas > nasm ? "gas" : "nasm";
}

function toRange(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

const INCLUDE_DIRECTIVES = new Set(["%include", ".include", "#include"]);
const IF_OPEN = new Set([
  "%if",
  "%ifdef",
  "%ifndef",
  "%ifmacro",
  "%ifidn",
  "%ifidni",
  "%ifnum",
  "%ifstr",
  "%ifid",
  "#if",
  "#ifdef",
  "#ifndef",
  ".if",
  ".ifdef",
  ".ifndef",
  ".ifnotdef",
  ".ifc",
  ".ifeq",
  ".ifne",
  ".ifb",
  ".ifnb",
]);

/** A name starting with `.` among the statement's labels or references (a NASM local label, maybe). */
function mentionsLocalName(st: Statement): boolean {
  // Indexed loops: this runs for every statement on every edit (no iterator objects).
  for (let i = 0; i < st.refs.length; i++) if (st.refs[i]!.name.charCodeAt(0) === 46) return true;
  for (let i = 0; i < st.labels.length; i++) if (st.labels[i]!.name.charCodeAt(0) === 46) return true;
  return false;
}

const isActive = (c: { active: boolean }) => c.active;

export function buildUnit(opts: UnitOptions): Unit {
  const cache = opts.cache ?? new ParseCache();
  const files = new Map<string, ParsedFile>();
  const statements: Statement[] = [];
  const includes: IncludeRef[] = [];
  const visiting = new Set<string>();

  const resolveInclude = (from: string, written: string): string | undefined => {
    const candidates = isAbsolute(written)
      ? [written]
      : [join(dirname(from), written), ...opts.includePaths.map((d) => join(d, written))];
    for (const c of candidates) {
      const p = resolve(c);
      if (p === resolve(opts.file)) return p;
      if (opts.readFile(p) !== undefined) return p;
    }
    return undefined;
  };

  const visit = (file: string, text: string, syntax: Syntax, depth: number) => {
    const parsed = cache.get(file, text, syntax);
    files.set(file, parsed);
    visiting.add(file);
    for (let k = 0; k < parsed.statements.length; k++) {
      const st = parsed.statements[k]!;
      statements.push(st);
      if (st.kind === "directive" && st.name && INCLUDE_DIRECTIVES.has(st.name)) {
        const arg = st.args[0];
        if (!arg) continue;
        const written = arg.text.replace(/^["'<`]|["'>`]$/g, "");
        const target = resolveInclude(file, written);
        const ref: IncludeRef = { file, range: toRange(st.line, arg.start, arg.end), written };
        if (target) ref.target = target;
        includes.push(ref);
        if (!target || visiting.has(target) || depth > 32) continue;
        const sub = target === resolve(opts.file) ? opts.text : opts.readFile(target);
        if (sub === undefined) continue;
        visit(target, sub, syntaxForFile(target, syntax), depth + 1);
      }
    }
    visiting.delete(file);
  };
  visit(opts.file, opts.text, opts.syntax, 0);

  // Macro bodies, symbol definitions and NASM local-label scopes.
  const inMacro = new Set<Statement>();
  const defs = new Map<string, SymbolDef[]>();
  const scopeOf = new Map<Statement, string>();
  const addDef = (d: SymbolDef) => {
    const list = defs.get(d.name);
    if (list) list.push(d);
    else defs.set(d.name, [d]);
  };
  let scope = "";
  let macroDepth = 0;
  const macroNames = new Set<string>();
  const macroDefs = new Map<string, MacroDef>();
  let openMacro: Statement | undefined;
  // A lone word naming a macro is a call of that macro, not a label.
  const declaredMacros = new Set<string>();
  for (let k = 0; k < statements.length; k++) {
    const st = statements[k]!;
    if (
      st.kind === "directive" &&
      (st.name === "%macro" || st.name === "%imacro" || st.name === ".macro") &&
      st.args[0]
    )
      declaredMacros.add(st.args[0].text.toLowerCase());
  }
  if (declaredMacros.size > 0)
    for (let k = 0; k < statements.length; k++) {
      const st = statements[k]!;
      const lab = st.labels[0];
      if (st.bareWord && lab && declaredMacros.has(lab.name.toLowerCase()))
        statements[k] = {
          ...st,
          labels: [],
          kind: "instruction",
          name: lab.name.toLowerCase(),
          written: lab.name,
          nameStart: lab.start,
          nameEnd: lab.end,
          bareWord: false,
        };
    }
  const qualify = (stmt: Statement, name: string): string => {
    const syntax = files.get(stmt.file)?.syntax ?? opts.syntax;
    if (syntax === "nasm" && name.startsWith(".") && !name.startsWith("..")) return `${scopeOf.get(stmt) ?? ""}${name}`;
    return name;
  };

  const evaluating = new Set<string>();
  const lookup = (name: string, stmt?: Statement): SymValue | undefined => {
    const q = stmt ? qualify(stmt, name) : name;
    const list = defs.get(q);
    // GAS/NASM symbols are case-sensitive; fall back to a case-insensitive match for %define'd names only.
    const d = list?.[list.length - 1];
    if (!d) return undefined;
    if (d.kind === "label") return { k: "addr", label: d.name, off: 0n };
    if (d.kind !== "constant" || !d.expr || evaluating.has(q)) return undefined;
    evaluating.add(q);
    try {
      return evaluate(d.expr, d.stmt);
    } finally {
      evaluating.delete(q);
    }
  };
  const evaluate = (e: Expr | undefined, stmt: Statement): SymValue | undefined =>
    e ? evaluateExpr(e, (n) => lookup(n, stmt), files.get(stmt.file)?.syntax ?? opts.syntax) : undefined;

  // Conditional assembly (%ifdef/%if/%else/%endif, .ifdef/.if, #ifdef): statements in branches not taken are
  // not code. Conditions that cannot be evaluated take the first branch.
  const defined = new Set<string>();
  const conditions: { active: boolean; taken: boolean }[] = [];
  const active = () => conditions.length === 0 || conditions.every(isActive);
  const evalCondition = (st: Statement, n: string): boolean => {
    const arg = st.args[0]?.text ?? "";
    const isDefined = () => defined.has(arg) || defs.has(arg);
    if (["%ifdef", "#ifdef", ".ifdef"].includes(n)) return isDefined();
    if (["%ifndef", "#ifndef", ".ifndef", ".ifnotdef"].includes(n)) return !isDefined();
    if (["%if", "%elif", "#if", "#elif", ".if", ".elseif"].includes(n) && st.condition) {
      const v = evaluate(st.condition, st);
      return v?.k === "num" ? v.v !== 0n : true;
    }
    return true;
  };
  for (let k = 0; k < statements.length; k++) {
    const st = statements[k]!;
    const syntax = files.get(st.file)?.syntax ?? opts.syntax;
    const name = st.name ?? "";
    if (st.kind === "directive" && macroDepth === 0) {
      if (IF_OPEN.has(name)) {
        const on = active() && evalCondition(st, name);
        conditions.push({ active: on, taken: on || !active() });
        inMacro.add(st);
        continue;
      }
      const top = conditions[conditions.length - 1];
      if (top && (name === "%else" || name === "#else" || name === ".else")) {
        top.active = !top.taken;
        top.taken = true;
        inMacro.add(st);
        continue;
      }
      if (top && ["%elif", "#elif", ".elseif"].includes(name)) {
        top.active = false;
        if (!top.taken) {
          top.active = evalCondition(st, name);
          top.taken = top.active;
        }
        inMacro.add(st);
        continue;
      }
      if (top && (name === "%endif" || name === "#endif" || name === ".endif")) {
        conditions.pop();
        inMacro.add(st);
        continue;
      }
    }
    if (!active()) {
      inMacro.add(st);
      continue;
    }
    if (
      st.kind === "directive" &&
      ["%define", "%xdefine", "%assign", "#define", "%idefine"].includes(name) &&
      st.args[0]
    )
      defined.add(st.args[0].text);
    if (st.kind === "directive" && (name === "%undef" || name === "#undef") && st.args[0])
      defined.delete(st.args[0].text);
    if (st.kind === "constant" && st.constName) defined.add(st.constName.name);
    const opensMacro = st.kind === "directive" && (name === "%macro" || name === "%imacro" || name === ".macro");
    const closesMacro = st.kind === "directive" && (name === "%endmacro" || name === ".endm" || name === ".endmacro");
    if (opensMacro) {
      const nameTok = st.args[0];
      if (macroDepth === 0) openMacro = st;
      if (nameTok && macroDepth === 0) {
        const d: SymbolDef = {
          name: nameTok.text,
          written: nameTok.text,
          kind: "macro",
          file: st.file,
          range: toRange(st.line, nameTok.start, nameTok.end),
          stmt: st,
        };
        addDef(d);
        // NASM %macro names are case-sensitive; %imacro and GAS .macro names are not.
        macroNames.add(name === "%macro" ? nameTok.text : nameTok.text.toLowerCase());
      }
      macroDepth++;
      inMacro.add(st);
      continue;
    }
    if (macroDepth > 0) {
      inMacro.add(st);
      if (closesMacro) macroDepth--;
      if (closesMacro && macroDepth === 0 && openMacro && openMacro.file === st.file) {
        const lines = files.get(st.file)?.lines ?? [];
        const def = macroFromLines(syntax, lines[openMacro.line] ?? "", lines.slice(openMacro.line + 1, st.line));
        if (def)
          macroDefs.set(/^\s*%macro/i.test(lines[openMacro.line] ?? "") ? def.name : def.name.toLowerCase(), def);
        openMacro = undefined;
      }
      continue;
    }
    for (let li = 0; li < st.labels.length; li++) {
      const lab = st.labels[li]!;
      const isLocal = syntax === "nasm" && lab.name.startsWith(".") && !lab.name.startsWith("..");
      const qualified = isLocal ? `${scope}${lab.name}` : lab.name;
      if (!isLocal && !/^[0-9]+$/.test(lab.name)) scope = lab.name;
      addDef({
        name: qualified,
        written: lab.name,
        kind: "label",
        file: st.file,
        range: toRange(st.line, lab.start, lab.end),
        stmt: st,
      });
    }
    // Only statements that mention a NASM local name (`.x`) need their scope.
    if (scope && mentionsLocalName(st)) scopeOf.set(st, scope);
    if (st.kind === "constant" && st.constName) {
      const d: SymbolDef = {
        name: st.constName.name,
        written: st.constName.name,
        kind: "constant",
        file: st.file,
        range: toRange(st.line, st.constName.start, st.constName.end),
        stmt: st,
      };
      if (st.constExpr) d.expr = st.constExpr;
      addDef(d);
    }
  }

  // References are only needed by navigation requests: built on first use.
  let refs: SymbolRef[] | undefined;
  const allRefs = (): SymbolRef[] => {
    if (refs) return refs;
    const list: SymbolRef[] = [];
    for (const st of statements) {
      if (inMacro.has(st)) continue;
      for (const r of st.refs)
        list.push({ name: qualify(st, r.name), file: st.file, range: toRange(st.line, r.start, r.end), stmt: st });
    }
    refs = list;
    return list;
  };

  const isMacroCall = (st: Statement) =>
    st.kind === "instruction" && !!st.name && (macroNames.has(st.name) || (!!st.written && macroNames.has(st.written)));
  const macroDefOf = (st: Statement): MacroDef | undefined =>
    macroDefs.get(st.written ?? "") ?? macroDefs.get(st.name ?? "");
  let code: Statement[] | undefined;
  const codeStatements = (): Statement[] => {
    if (code) return code;
    const out: Statement[] = [];
    const visit = (st: Statement, depth: number) => {
      const def = isMacroCall(st) && depth < 8 ? macroDefOf(st) : undefined;
      if (!def) {
        out.push(st);
        return;
      }
      const written = st.intel ? st.operands : [...st.operands].reverse();
      const argText = st.callArgs ?? written.map((o) => o.text).join(", ");
      for (const e of expandCall(def, st, argText, files.get(st.file)?.syntax ?? opts.syntax)) visit(e, depth + 1);
    };
    for (let k = 0; k < statements.length; k++) if (!inMacro.has(statements[k]!)) visit(statements[k]!, 0);
    code = out;
    return out;
  };

  return {
    root: opts.file,
    get code() {
      return codeStatements();
    },
    files,
    statements,
    inMacro,
    defs,
    get refs() {
      return allRefs();
    },
    includes,
    qualify,
    lookup,
    evaluate,
    isMacroCall,
  };
}
