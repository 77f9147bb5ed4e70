// Code actions: the quick fixes attached to diagnostics (swap VMREAD/VMWRITE operands, insert an alignment
// directive), replacing a magic encoding or MSR number with its named constant (defining it if missing), and
// computing a control value the CPU model allows.
import { cpuModel, DEFAULT_CPU_MODEL, effectiveControlMsr, fieldByEncoding, msrByIndex } from "../../arch/index";
import { controlSetCached } from "./arch-cache";
import type { Origin, VmcsSite } from "./dataflow";
import { defineConstantEdit, isDefined } from "./definitions";
import type { Analysis } from "./index";
import { gpr, gprName } from "./registers";
import { hex } from "./text";
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
      const runtime = runtimeAdjustFix(a, s, cpuModel);
      if (runtime) out.push({ kind: "refactor", fix: runtime });
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

/**
 * "Adjust with the capability MSR at run time": code before a VMWRITE of a 32-bit control field that ORs the
 * value register with the allowed-0 settings (EAX of RDMSR) and ANDs it with the allowed-1 settings (EDX), the
 * portable form of SDM Appendix A.3's rule. Offered when the value is in a register other than RAX/RCX/RDX.
 */
export function runtimeAdjustFix(a: Analysis, site: VmcsSite, modelName: string): CodeFix | undefined {
  const st = site.stmt;
  if (site.kind !== "vmwrite" || st.expansion || site.enc?.k !== "num" || site.valOp.kind !== "reg" || !site.valOp.reg)
    return undefined;
  const f = fieldByEncoding(site.enc.v);
  const set = f && !f.high ? controlSetCached(f.field.encoding) : undefined;
  const g = gpr(site.valOp.reg);
  if (set?.width !== 32 || !g || g.index <= 2) return undefined;
  const model = cpuModel(modelName) ?? cpuModel(DEFAULT_CPU_MODEL)!;
  const msr = effectiveControlMsr(model, set);
  if (msr === undefined) return undefined;
  const msrInfo = msrByIndex(msr);
  const line = a.unit.files.get(st.file)?.lines[st.line] ?? "";
  const indent = /^\s*/.exec(line)?.[0] ?? "    ";
  const syntax = a.unit.files.get(st.file)?.syntax ?? a.syntax;
  const r32 = gprName(g.index, 32);
  const name = msrInfo?.name ?? hex(msr);
  const msrOperand = msrInfo && isDefined(a, msrInfo.name) ? msrInfo.name : hex(msr);
  const comment = syntax === "nasm" ? ";" : "#";
  const lines = st.intel
    ? [
        "push rax",
        "push rcx",
        "push rdx",
        `mov ecx, ${msrOperand}${msrOperand === name ? "" : `    ${comment} ${name}`}`,
        "rdmsr",
        `or ${r32}, eax    ${comment} bits that must be 1 (allowed-0 settings)`,
        `and ${r32}, edx    ${comment} bits that may be 1 (allowed-1 settings)`,
        "pop rdx",
        "pop rcx",
        "pop rax",
      ]
    : [
        "push %rax",
        "push %rcx",
        "push %rdx",
        `mov $${msrOperand}, %ecx${msrOperand === name ? "" : `    # ${name}`}`,
        "rdmsr",
        `or %eax, %${r32}    # bits that must be 1 (allowed-0 settings)`,
        `and %edx, %${r32}    # bits that may be 1 (allowed-1 settings)`,
        "pop %rdx",
        "pop %rcx",
        "pop %rax",
      ];
  return {
    title: `Adjust the ${set.title} with ${name} at run time (RDMSR, OR allowed-0, AND allowed-1)`,
    edits: [
      {
        file: st.file,
        range: { start: { line: st.line, character: 0 }, end: { line: st.line, character: 0 } },
        newText: lines.map((l) => `${indent}${l}\n`).join(""),
      },
    ],
  };
}
