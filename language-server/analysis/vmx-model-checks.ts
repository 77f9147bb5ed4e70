// Rules that depend on the configured CPU model (arch/ CPU_MODELS): control values against the capability
// MSRs (SDM Appendix A.3-A.5, 26.2.1.1), fields and controls that need a feature the model lacks, and MSR
// accesses (unknown, read-only, reserved bits).
import {
  adjustControl,
  allowedControl,
  allowedSettings,
  type ControlSet,
  type CpuModel,
  controlByTitle,
  cpuModel,
  DEFAULT_CPU_MODEL,
  definedMask,
  fieldByEncoding,
  msrByIndex,
  PROC_BASED,
  PROC_BASED2,
  type VmcsField,
} from "../../arch/index";
import { controlSetCached } from "./arch-cache";
import type { MsrSite, Val, VmcsSite } from "./dataflow";
import type { Analysis } from "./index";
import { describeVal, hex, opRange } from "./text";
import type { AnalysisDiagnostic, CodeFix } from "./types";

export interface ModelContext {
  name: string;
  model: CpuModel;
  /** IA32_VMX_MISC[29]: VMWRITE may write VM-exit information fields. */
  writableExitInfo: boolean;
  /** Last constant written to each control set anywhere in the unit (for cross-field checks). */
  controlValues: Map<string, { value: bigint; site: VmcsSite }>;
}

export function modelContext(name: string): ModelContext {
  const model = cpuModel(name) ?? cpuModel(DEFAULT_CPU_MODEL)!;
  return { name: model.name, model, writableExitInfo: model.features.vmwriteAnyField, controlValues: new Map() };
}

/** Records the constant control values written in the unit before the per-site checks run. */
export function collectControlValues(m: ModelContext, sites: readonly VmcsSite[]): void {
  for (const s of sites) {
    if (s.kind !== "vmwrite" || s.enc?.k !== "num" || s.val?.k !== "num") continue;
    const set = controlSetCached(Number(s.enc.v));
    if (set) m.controlValues.set(set.name, { value: s.val.v, site: s });
  }
}

function msrName(index: number): string {
  return msrByIndex(index)?.name ?? hex(index);
}

function bitNames(set: ControlSet, mask: bigint): string {
  const names: string[] = [];
  for (let b = 0; b < set.width; b++) {
    if (!((mask >> BigInt(b)) & 1n)) continue;
    const info = set.bits.find((x) => x.bit === b);
    if (info) names.push(`bit ${b} "${info.title}"`);
    else names.push((set.default1 >> b) & 1 ? `bit ${b} (default1: reserved, must be 1)` : `reserved bit ${b}`);
  }
  return names.join(", ");
}

/** A field that exists only with a control the model cannot set: VMREAD/VMWRITE fail with VMfailValid(12). */
export function fieldFeatureCheck(
  m: ModelContext,
  site: VmcsSite,
  f: VmcsField,
  label: () => string,
  out: AnalysisDiagnostic[],
): void {
  if (!f.feature) return;
  const titles = f.feature.split(/ or /);
  const found = titles.map((t) => controlByTitle(t)).filter((x): x is NonNullable<typeof x> => !!x);
  if (found.length === 0) return;
  const supported = found.some(({ set, bit }) => {
    const a = allowedSettings(m.model, set);
    return !!a && ((a.allowed1 >> BigInt(bit.bit)) & 1n) === 1n;
  });
  if (supported) return;
  const first = found[0]!;
  const a = allowedSettings(m.model, first.set);
  out.push({
    file: site.stmt.file,
    range: opRange(site.stmt, site.encOp),
    severity: "warning",
    code: "vmcs-field-needs-feature",
    message:
      `${site.kind.toUpperCase()} of ${label()}: the field exists only with "${f.feature}" (${first.set.title}, bit ${first.bit.bit}), ` +
      `which ${m.name} does not support (${a ? `${msrName(a.msr)} allowed-1 bit ${first.bit.bit} is 0` : "no capability MSR"}). ` +
      `On this processor the access fails with VMfailValid(12) (SDM Vol. 3C ${f.see}, Appendix A).`,
  });
}

export function controlChecks(m: ModelContext, site: VmcsSite, f: VmcsField, v: Val, out: AnalysisDiagnostic[]): void {
  if (v.k !== "num") return;
  const set = controlSetCached(f.encoding);
  if (!set) return;
  const check = allowedControl(m.model, set, v.v);
  const st = site.stmt;
  if (!check.ok) {
    const fixed = adjustControl(m.model, set, v.v);
    const parts: string[] = [];
    if (check.mustBeOne) parts.push(`must be 1 but are 0: ${bitNames(set, check.mustBeOne)}`);
    if (check.mustBeZero) parts.push(`are 1 but ${m.name} cannot set them: ${bitNames(set, check.mustBeZero)}`);
    const capability = msrName(check.msr);
    const fixes: CodeFix[] = [];
    if (v.origin?.literal && !v.origin.symbol) {
      fixes.push({
        title: `Use ${hex(fixed)} (allowed by ${m.name}'s ${capability})`,
        edits: [{ file: v.origin.stmt.file, range: opRange(v.origin.stmt, v.origin), newText: hex(fixed) }],
      });
    }
    out.push({
      file: st.file,
      range: opRange(st, site.valOp),
      severity: "error",
      code: "control-not-allowed",
      message:
        `VMWRITE of ${describeVal(site.valOp, v)} to ${f.name}: on ${m.name} the ${set.title} bits ${parts.join("; ")}. ` +
        `VMLAUNCH would fail with VMfailValid(7) "VM entry with invalid control field(s)" (SDM Vol. 3C 26.2.1.1, Appendix A.3). ` +
        `Fix: read ${capability} (${hex(check.msr)}) with RDMSR, OR the desired value with EAX (allowed-0 = ${hex(check.allowed0)}) ` +
        `and AND it with EDX (allowed-1 = ${hex(check.allowed1)}); on ${m.name} that gives ${hex(fixed)}.`,
      ...(fixes.length ? { fixes } : {}),
    });
  }
  // Controls that only take effect with another control (SDM 25.6.2, 26.2.1.1).
  const primary = m.controlValues.get("PROC_BASED");
  if ((set.name === "PROC_BASED2" || set.name === "PROC_BASED3") && v.v !== 0n && primary) {
    const activate =
      set.name === "PROC_BASED2" ? PROC_BASED.ACTIVATE_SECONDARY_CONTROLS : PROC_BASED.ACTIVATE_TERTIARY_CONTROLS;
    if ((primary.value & BigInt(activate)) === 0n)
      out.push({
        file: st.file,
        range: opRange(st, site.valOp),
        severity: "warning",
        code: "control-needs-feature",
        message:
          `The ${set.title} are written (${hex(v.v)}) but the primary processor-based controls written on line ${primary.site.stmt.line + 1} ` +
          `(${hex(primary.value)}) leave "activate ${set.name === "PROC_BASED2" ? "secondary" : "tertiary"} controls" (bit ${Math.log2(activate)}) at 0, ` +
          `so the processor treats them as all 0 (SDM Vol. 3C 25.6.2). Set that bit in the primary controls.`,
      });
  }
  if (set.name === "PROC_BASED2") {
    const ug = BigInt(PROC_BASED2.UNRESTRICTED_GUEST);
    const ept = BigInt(PROC_BASED2.ENABLE_EPT);
    if ((v.v & ug) !== 0n && (v.v & ept) === 0n)
      out.push({
        file: st.file,
        range: opRange(st, site.valOp),
        severity: "warning",
        code: "control-needs-feature",
        message:
          `"unrestricted guest" (secondary control bit 7) needs "enable EPT" (bit 1) in the same value: VM entry fails with ` +
          `VMfailValid(7) otherwise (SDM Vol. 3C 26.2.1.1). Set bit 1 and load an EPT pointer.`,
      });
  }
}

/**
 * MSR indices 40000000H–400000FFH are reserved for software: Intel will never implement an MSR there (SDM Vol. 4
 * ch. 2, "MSR index ranges"). On bare metal RDMSR/WRMSR of them raises #GP(0); under a hypervisor that intercepts
 * them (MSR bitmaps, or RDMSR/WRMSR exiting) they are its synthetic MSRs. That is a range, not an MSR entry, so it
 * lives here rather than in arch/msrs.ts. Not an "unknown MSR" mistake: no diagnostic.
 */
const SOFTWARE_MSR_RANGE_FIRST = 0x4000_0000;
const SOFTWARE_MSR_RANGE_LAST = 0x4000_00ff;

export function isHypervisorMsrIndex(index: number): boolean {
  return index >= SOFTWARE_MSR_RANGE_FIRST && index <= SOFTWARE_MSR_RANGE_LAST;
}

export function msrChecks(m: ModelContext, site: MsrSite, out: AnalysisDiagnostic[]): void {
  const ecx = site.ecx;
  if (ecx?.k !== "num") return;
  const index = Number(ecx.v & 0xffff_ffffn);
  const info = msrByIndex(index);
  const st = site.stmt;
  const range = opRange(st, { start: st.nameStart ?? 0, end: st.nameEnd ?? 0 });
  const ecxText = `ECX = ${hex(index)}${ecx.origin && ecx.origin.stmt !== st ? ` (line ${ecx.origin.stmt.line + 1})` : ""}`;
  const implemented = m.model.msr.has(index);
  if (!info) {
    if (!implemented && !isHypervisorMsrIndex(index))
      out.push({
        file: st.file,
        range,
        severity: "warning",
        code: "msr-unknown",
        message:
          `${site.kind.toUpperCase()} with ${ecxText}: no MSR with this index is known (SDM Vol. 4 ch. 2), and ${m.name} does not implement it; ` +
          `an unimplemented MSR raises #GP(0). Check the number (e.g. IA32_VMX_BASIC is 0x480, IA32_FEATURE_CONTROL is 0x3A).`,
      });
    return;
  }
  if (site.kind !== "wrmsr") return;
  if (info.access === "ro") {
    out.push({
      file: st.file,
      range,
      severity: "error",
      code: "msr-read-only",
      message: `WRMSR to ${info.name} (${ecxText}), which is read-only: WRMSR raises #GP(0) (SDM ${info.sdm}). ${info.description}.`,
    });
    return;
  }
  if (site.value !== undefined && info.bits?.length) {
    const reserved = site.value & ~definedMask(info.bits);
    if (reserved !== 0n) {
      const bits: number[] = [];
      for (let b = 0; b < 64; b++) if ((reserved >> BigInt(b)) & 1n) bits.push(b);
      out.push({
        file: st.file,
        range,
        severity: "error",
        code: "msr-reserved-bits",
        message:
          `WRMSR of ${hex(site.value)} (EDX:EAX) to ${info.name} sets reserved bit${bits.length > 1 ? "s" : ""} ${bits.join(", ")}: WRMSR raises #GP(0) ` +
          `(SDM ${info.sdm}). Defined bits: ${info.bits.map((b) => b.name).join(", ")}.`,
      });
    }
  }
}

/** Quick fix at a VMWRITE of a control field: replace the value with the model's nearest allowed value. */
export function controlValueFix(a: Analysis, site: VmcsSite, modelName: string): CodeFix | undefined {
  if (site.kind !== "vmwrite" || site.enc?.k !== "num") return undefined;
  const f = fieldByEncoding(site.enc.v);
  const set = f && !f.high ? controlSetCached(f.field.encoding) : undefined;
  const v = site.val;
  if (!set || v?.k !== "num" || !v.origin?.literal || v.origin.symbol || v.origin.stmt.file !== a.file)
    return undefined;
  const model = cpuModel(modelName) ?? cpuModel(DEFAULT_CPU_MODEL)!;
  const fixed = adjustControl(model, set, v.v);
  if (fixed === v.v) return undefined;
  const a0 = allowedSettings(model, set);
  return {
    title: `Compute ${set.title} from ${model.name}'s ${a0 ? msrName(a0.msr) : "capability MSR"}: ${hex(fixed)}`,
    edits: [{ file: v.origin.stmt.file, range: opRange(v.origin.stmt, v.origin), newText: hex(fixed) }],
  };
}
