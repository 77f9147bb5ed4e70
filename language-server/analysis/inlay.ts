// Inlay hints: the VMCS field name next to a numeric encoding that reaches a VMREAD/VMWRITE, and the MSR name
// next to a number loaded into ECX for RDMSR/WRMSR.
import { fieldByEncoding, msrByIndex } from "../../arch/index";
import type { Origin } from "./dataflow";
import type { Analysis } from "./index";
import type { Position, Range } from "./types";

export interface InlayHintInfo {
  position: Position;
  label: string;
  tooltip?: string;
}

function inRange(r: Range, line: number): boolean {
  return line >= r.start.line && line <= r.end.line;
}

export function inlayHints(a: Analysis, range: Range): InlayHintInfo[] {
  const out: InlayHintInfo[] = [];
  const seen = new Set<string>();
  const add = (o: Origin | undefined, label: string, tooltip: string) => {
    if (!o?.literal || o.symbol || o.stmt.file !== a.file || !inRange(range, o.stmt.line)) return;
    const key = `${o.stmt.line}:${o.end}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ position: { line: o.stmt.line, character: o.end }, label, tooltip });
  };
  for (const s of a.flow.vmcs) {
    if (s.enc?.k !== "num") continue;
    const f = fieldByEncoding(s.enc.v);
    if (f) add(s.enc.origin, `${f.field.name}${f.high ? "_HIGH" : ""}`, f.field.description);
  }
  for (const s of a.flow.msr) {
    if (s.ecx?.k !== "num") continue;
    const m = msrByIndex(Number(s.ecx.v & 0xffff_ffffn));
    if (m) add(s.ecx.origin, m.name, m.description);
  }
  return out.sort((x, y) => x.position.line - y.position.line || x.position.character - y.position.character);
}
