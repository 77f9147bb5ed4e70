// Rules that depend on the configured CPU model: control values against the capability MSRs, fields and
// controls that need a feature, and MSR accesses. (Being filled in as arch/'s CPU models and MSR table land.)
import type { VmcsField } from "../../arch/index";
import type { MsrSite, Val, VmcsSite } from "./dataflow";
import type { AnalysisDiagnostic } from "./types";

export interface ModelContext {
  name: string;
  /** IA32_VMX_MISC[29]: VMWRITE may write VM-exit information fields. */
  writableExitInfo: boolean;
}

export function modelContext(name: string): ModelContext {
  return { name, writableExitInfo: false };
}

export function fieldFeatureCheck(
  _m: ModelContext,
  _site: VmcsSite,
  _f: VmcsField,
  _label: string,
  _out: AnalysisDiagnostic[],
): void {}

export function controlChecks(
  _m: ModelContext,
  _site: VmcsSite,
  _f: VmcsField,
  _v: Val,
  _out: AnalysisDiagnostic[],
): void {}

export function msrChecks(_m: ModelContext, _site: MsrSite, _out: AnalysisDiagnostic[]): void {}

export function controlValueFix(_a: unknown, _site: VmcsSite, _model: string): import("./types").CodeFix | undefined {
  return undefined;
}
