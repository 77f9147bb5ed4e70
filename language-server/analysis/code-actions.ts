// Code actions: the quick fixes attached to diagnostics (swap VMREAD/VMWRITE operands, insert an alignment
// directive), replacing a magic encoding or MSR number with its named constant (defining it if missing), and
// computing a control value the CPU model allows.
import { fieldByEncoding, msrByIndex } from "../../arch/index";
import type { Origin } from "./dataflow";
import { defineConstantEdit, isDefined } from "./definitions";
import type { Analysis } from "./index";
import type { AnalysisDiagnostic, CodeFix, Range } from "./types";
import { controlValueFix } from "./vmx-model-checks";

export interface CodeActionInfo {
  kind: "quickfix" | "refactor";
  fix: CodeFix;
  diagnostic?: AnalysisDiagnostic;
}

function overlaps(a: Range, b: Range): boolean {
  if (a.end.line < b.start.line || b.end.line < a.start.line) return false;
  if (a.end.line === b.start.line && a.end.character < b.start.character) return false;
  if (b.end.line === a.start.line && b.end.character < a.start.character) return false;
  return true;
}

function originRange(o: Origin): Range {
  return { start: { line: o.stmt.line, character: o.start }, end: { line: o.stmt.line, character: o.end } };
}

function replaceWithName(a: Analysis, o: Origin, name: string, value: bigint, what: string): CodeFix {
  const edits = [{ file: o.stmt.file, range: originRange(o), newText: name }];
  const defined = isDefined(a, name);
  if (!defined) edits.unshift(defineConstantEdit(a, name, value));
  return {
    title: `Replace ${value === 0n ? "0" : `0x${value.toString(16).toUpperCase()}`} with ${what} ${name}${defined ? "" : " (and define it)"}`,
    edits,
  };
}

export function codeActionsAt(a: Analysis, range: Range, cpuModel: string): CodeActionInfo[] {
  const out: CodeActionInfo[] = [];
  for (const d of a.diagnostics) {
    if (d.file !== a.file || !d.fixes || !overlaps(d.range, range)) continue;
    for (const fix of d.fixes) out.push({ kind: "quickfix", fix, diagnostic: d });
  }
  const done = new Set<string>();
  for (const s of a.flow.vmcs) {
    const stRange: Range = { start: { line: s.stmt.line, character: 0 }, end: { line: s.stmt.line, character: 9999 } };
    if (s.enc?.k === "num") {
      const f = fieldByEncoding(s.enc.v);
      const o = s.enc.origin;
      if (
        f &&
        o &&
        !o.symbol &&
        o.literal &&
        o.stmt.file === a.file &&
        !done.has(`${o.stmt.line}:${o.start}`) &&
        (overlaps(originRange(o), range) || overlaps(stRange, range))
      ) {
        done.add(`${o.stmt.line}:${o.start}`);
        out.push({
          kind: "refactor",
          fix: replaceWithName(a, o, `${f.field.name}${f.high ? "_HIGH" : ""}`, s.enc.v, "VMCS field"),
        });
      }
    }
    if (overlaps(stRange, range) || (s.val?.origin && overlaps(originRange(s.val.origin), range))) {
      const fix = controlValueFix(a, s, cpuModel);
      const key = (f: CodeFix) => JSON.stringify(f.edits);
      if (fix && !out.some((o) => key(o.fix) === key(fix))) out.push({ kind: "quickfix", fix });
    }
  }
  for (const s of a.flow.msr) {
    if (s.ecx?.k !== "num") continue;
    const m = msrByIndex(Number(s.ecx.v & 0xffff_ffffn));
    const o = s.ecx.origin;
    const stRange: Range = { start: { line: s.stmt.line, character: 0 }, end: { line: s.stmt.line, character: 9999 } };
    if (
      m &&
      o &&
      !o.symbol &&
      o.literal &&
      o.stmt.file === a.file &&
      (overlaps(originRange(o), range) || overlaps(stRange, range)) &&
      !done.has(`${o.stmt.line}:${o.start}`)
    ) {
      done.add(`${o.stmt.line}:${o.start}`);
      out.push({ kind: "refactor", fix: replaceWithName(a, o, m.name, BigInt(m.index), "MSR") });
    }
  }
  return out;
}
