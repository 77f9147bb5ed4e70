// What sits at a position: the statement on that line and the symbol, operand, number or mnemonic under the
// cursor. Every editor feature starts here.
import type { Analysis } from "./index";
import type { Operand, Statement } from "./syntax";
import type { Position, Range } from "./types";

export type Target =
  | { kind: "mnemonic"; stmt: Statement; range: Range }
  | { kind: "directive"; stmt: Statement; range: Range }
  | { kind: "symbol"; stmt: Statement; name: string; written: string; range: Range; definition: boolean }
  | { kind: "operand"; stmt: Statement; operand: Operand; range: Range }
  | { kind: "number"; stmt: Statement; value: bigint; range: Range }
  | { kind: "include"; stmt: Statement; range: Range; target?: string };

const lineIndexCache = new WeakMap<Analysis, Map<string, Map<number, Statement[]>>>();

export function statementsOnLine(a: Analysis, file: string, line: number): Statement[] {
  let byFile = lineIndexCache.get(a);
  if (!byFile) {
    byFile = new Map();
    for (const st of a.unit.statements) {
      let m = byFile.get(st.file);
      if (!m) {
        m = new Map();
        byFile.set(st.file, m);
      }
      const list = m.get(st.line);
      if (list) list.push(st);
      else m.set(st.line, [st]);
    }
    lineIndexCache.set(a, byFile);
  }
  return byFile.get(file)?.get(line) ?? [];
}

function r(st: Statement, start: number, end: number): Range {
  return { start: { line: st.line, character: start }, end: { line: st.line, character: end } };
}

function inside(c: number, start: number, end: number): boolean {
  return c >= start && c <= end;
}

export function targetAt(a: Analysis, pos: Position, file: string = a.file): Target | undefined {
  const c = pos.character;
  for (const st of statementsOnLine(a, file, pos.line)) {
    for (const lab of st.labels)
      if (inside(c, lab.start, lab.end))
        return {
          kind: "symbol",
          stmt: st,
          name: a.unit.qualify(st, lab.name),
          written: lab.name,
          range: r(st, lab.start, lab.end),
          definition: true,
        };
    if (st.constName && inside(c, st.constName.start, st.constName.end))
      return {
        kind: "symbol",
        stmt: st,
        name: st.constName.name,
        written: st.constName.name,
        range: r(st, st.constName.start, st.constName.end),
        definition: true,
      };
    if (st.kind === "directive" && (st.name === "%macro" || st.name === "%imacro" || st.name === ".macro")) {
      const t = st.args[0];
      if (t && inside(c, t.start, t.end))
        return {
          kind: "symbol",
          stmt: st,
          name: t.text,
          written: t.text,
          range: r(st, t.start, t.end),
          definition: true,
        };
    }
    for (const ref of st.refs)
      if (inside(c, ref.start, ref.end))
        return {
          kind: "symbol",
          stmt: st,
          name: a.unit.qualify(st, ref.name),
          written: ref.name,
          range: r(st, ref.start, ref.end),
          definition: false,
        };
    if (st.nameStart !== undefined && st.nameEnd !== undefined && inside(c, st.nameStart, st.nameEnd)) {
      const range = r(st, st.nameStart, st.nameEnd);
      if (a.unit.isMacroCall(st))
        return { kind: "symbol", stmt: st, name: st.name!, written: st.name!, range, definition: false };
      if (st.kind === "directive") {
        const inc = a.unit.includes.find((i) => i.file === st.file && i.range.start.line === st.line);
        if (inc) return { kind: "include", stmt: st, range, ...(inc.target ? { target: inc.target } : {}) };
        return { kind: "directive", stmt: st, range };
      }
      if (st.kind === "instruction") return { kind: "mnemonic", stmt: st, range };
    }
    if (st.kind === "directive") {
      const inc = a.unit.includes.find(
        (i) =>
          i.file === st.file &&
          i.range.start.line === st.line &&
          inside(c, i.range.start.character, i.range.end.character),
      );
      if (inc) return { kind: "include", stmt: st, range: inc.range, ...(inc.target ? { target: inc.target } : {}) };
    }
    for (const n of st.numbers) {
      if (inside(c, n.start, n.end)) return { kind: "number", stmt: st, value: n.value, range: r(st, n.start, n.end) };
    }
    for (const op of st.operands)
      if (inside(c, op.start, op.end))
        return { kind: "operand", stmt: st, operand: op, range: r(st, op.start, op.end) };
  }
  return undefined;
}
