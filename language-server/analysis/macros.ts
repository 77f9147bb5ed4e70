// Macro expansion for the data flow: a call of a NASM `%macro` or GAS `.macro` defined in the unit is replaced
// by its body with the arguments substituted, parsed like any other code. Expanded statements carry
// `expansion` (the call's name range): every diagnostic on them points at the call.
import { parseFile, type Statement } from "./syntax";
import type { Syntax } from "./types";

export interface MacroDef {
  name: string;
  syntax: Syntax;
  /** GAS parameter names with their defaults; NASM: none (positional %1…). */
  params: { name: string; def?: string }[];
  /** NASM: default arguments after the parameter count (`%macro M 1-2 fail`). */
  defaults: string[];
  body: string[];
}

/** Reads a macro definition from the line of its `%macro`/`.macro` directive and its body lines. */
export function macroFromLines(syntax: Syntax, header: string, body: string[]): MacroDef | undefined {
  if (syntax === "nasm") {
    const m = /^\s*%i?macro\s+([^\s]+)\s*(\S+)?\s*(.*)$/i.exec(header);
    if (!m) return undefined;
    const defaults = (m[3] ?? "").trim() ? splitArgs((m[3] ?? "").replace(/;.*$/, "").trim()) : [];
    return { name: m[1]!, syntax, params: [], defaults, body };
  }
  const m = /^\s*\.macro\s+([A-Za-z_.$][\w.$]*)\s*,?\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params = (m[2] ?? "")
    .replace(/#.*$/, "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((p) => {
      const [name, def] = p.split("=");
      const param: { name: string; def?: string } = { name: name!.replace(/:(req|vararg)$/, "") };
      if (def !== undefined) param.def = def;
      return param;
    });
  return { name: m[1]!, syntax, params, defaults: [], body };
}

/** Splits macro arguments at top-level commas (brackets, parentheses, quotes and NASM braces respected). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let cur = "";
  for (const c of text) {
    if (quote) {
      cur += c;
      if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    if (c === "(" || c === "[" || c === "{") depth++;
    if (c === ")" || c === "]" || c === "}") depth--;
    if (c === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += c;
  }
  if (cur.trim() || out.length) out.push(cur.trim());
  return out.map((a) => (a.startsWith("{") && a.endsWith("}") ? a.slice(1, -1) : a));
}

let uniqueCounter = 0;

/** The body lines with arguments substituted. */
export function substitute(def: MacroDef, args: string[]): string[] {
  const id = ++uniqueCounter;
  if (def.syntax === "nasm") {
    const all = [...args];
    for (let i = args.length; i < args.length + def.defaults.length; i++) {
      const d = def.defaults[i - args.length];
      if (all[i] === undefined && d !== undefined) all[i] = d;
    }
    return def.body.map((line) =>
      line.replace(/%(%|\+|-)?([0-9]+|[A-Za-z_.$?@][\w.$?@]*)/g, (whole, mod: string | undefined, what: string) => {
        if (mod === "%") return `..@${id}.${what}`;
        if (/^[0-9]+$/.test(what) && !mod) {
          const n = Number(what);
          if (n === 0) return String(args.length);
          return all[n - 1] ?? "";
        }
        return whole;
      }),
    );
  }
  const values = new Map<string, string>();
  def.params.forEach((p, i) => {
    values.set(p.name, args[i] ?? p.def ?? "");
  });
  return def.body.map((line) =>
    line
      .replace(/\\@/g, String(id))
      .replace(/\\\(\)/g, "")
      .replace(/\\([A-Za-z_.$][\w.$]*)/g, (whole, name: string) => values.get(name) ?? whole),
  );
}

/** Parses an expansion as statements attributed to the call. */
export function expandCall(def: MacroDef, call: Statement, callArgs: string, syntax: Syntax): Statement[] {
  const lines = substitute(def, splitArgs(callArgs));
  const prefix = syntax === "gas" && call.intel ? [".intel_syntax noprefix"] : [];
  const parsed = parseFile([...prefix, ...lines].join("\n"), call.file, syntax);
  const start = call.nameStart ?? 0;
  const end = call.nameEnd ?? start;
  return parsed.statements
    .filter((st) => st.line >= prefix.length)
    .map((st) => ({ ...st, file: call.file, line: call.line, expansion: { start, end, macro: def.name } }));
}
