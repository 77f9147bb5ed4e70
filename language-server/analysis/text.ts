// Small formatting helpers shared by the rules and features: hex numbers, statement ranges, value origins.
import type { Val } from "./dataflow";
import type { Operand, Statement } from "./syntax";
import type { Range } from "./types";

export function hex(v: bigint | number): string {
  return `0x${v.toString(16).toUpperCase()}`;
}

export function opRange(st: Statement, op: { start: number; end: number }): Range {
  // Code from a macro expansion is reported at the macro call.
  const r = st.expansion ?? op;
  return { start: { line: st.line, character: r.start }, end: { line: st.line, character: r.end } };
}

export function mnemonicRange(st: Statement): Range {
  return opRange(st, { start: st.nameStart ?? 0, end: st.nameEnd ?? 0 });
}

/** Where a value came from, for messages: "rax = 0x6C01 (line 12)". */
export function describeVal(op: Operand, v: Val | undefined): string {
  if (!v) return op.text;
  const value = v.k === "num" ? hex(v.v) : `${v.label}${v.off ? ` + ${hex(v.off)}` : ""}`;
  if (op.kind === "imm") return value;
  const where = v.origin && v.origin.stmt.line !== undefined ? ` (set on line ${v.origin.stmt.line + 1})` : "";
  return `${op.text} = ${value}${where}`;
}
