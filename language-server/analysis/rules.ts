// Every diagnostic the analysis can report: a stable code, its default severity, and a one-line summary
// (shown in `vmx lint --help`, SARIF rule metadata and the settings documentation).
import type { Severity } from "./types";

export interface RuleInfo {
  code: string;
  severity: Severity;
  summary: string;
}

export const RULES: readonly RuleInfo[] = [
  {
    code: "vmcs-unknown-field",
    severity: "error",
    summary: "VMREAD/VMWRITE encoding names no VMCS field (VMfailValid(12))",
  },
  {
    code: "vmcs-reserved-bits",
    severity: "error",
    summary: "VMCS encoding sets reserved bit 12 or bits 31:15 (VMfailValid(12))",
  },
  { code: "vmcs-high-access", severity: "error", summary: "HIGH access (bit 0) to a field that is not 64 bits wide" },
  {
    code: "vmwrite-read-only",
    severity: "error",
    summary: "VMWRITE to a read-only VM-exit information field (VMfailValid(13))",
  },
  {
    code: "vmcs-value-too-wide",
    severity: "warning",
    summary: "VMWRITE value has bits beyond the field's width (they are dropped)",
  },
  {
    code: "vmcs-field-needs-feature",
    severity: "warning",
    summary: "VMCS field exists only with a feature the CPU model lacks",
  },
  {
    code: "vmx-swapped-operands",
    severity: "error",
    summary: "VMREAD/VMWRITE operands in the wrong order for the syntax",
  },
  { code: "msr-unknown", severity: "warning", summary: "RDMSR/WRMSR of an MSR the CPU model does not have (#GP)" },
  { code: "msr-read-only", severity: "error", summary: "WRMSR to a read-only MSR (#GP), e.g. a VMX capability MSR" },
  { code: "msr-reserved-bits", severity: "error", summary: "WRMSR value sets reserved bits of the MSR (#GP)" },
  {
    code: "control-not-allowed",
    severity: "error",
    summary: "VM-execution/exit/entry control value the CPU model's capability MSR forbids",
  },
  { code: "control-needs-feature", severity: "warning", summary: "Control bit enables a feature the CPU model lacks" },
  { code: "region-misaligned", severity: "error", summary: "VMXON/VMCS region not 4-KiB aligned (VMfail)" },
  {
    code: "region-alignment-unknown",
    severity: "warning",
    summary: "VMXON/VMCS region has no 4-KiB alignment directive",
  },
  {
    code: "vmptrld-vmxon-region",
    severity: "error",
    summary: "VMPTRLD/VMCLEAR of the VMXON region (VMfail(10)/VMfail(3))",
  },
  {
    code: "vmptrld-without-vmclear",
    severity: "warning",
    summary: "VMPTRLD of a VMCS not VMCLEARed on every path before it",
  },
  {
    code: "region-no-revision-id",
    severity: "warning",
    summary: "No VMCS revision identifier is written into the region before use",
  },
  {
    code: "vmx-unchecked-failure",
    severity: "warning",
    summary: "CF/ZF result of a VMX instruction overwritten before it is tested",
  },
  { code: "asm-syntax", severity: "error", summary: "Assembler front-end error (syntax or assembly)" },
  {
    code: "internal-error",
    severity: "information",
    summary: "The analysis hit an internal problem on this file (reported, not fatal)",
  },
];

export const RULE_BY_CODE: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.code, r]));

export type RuleSetting = Severity | "off";

/** The severity to report `code` with, or undefined when the rule is turned off. */
export function effectiveSeverity(
  code: string,
  fallback: Severity,
  overrides: Readonly<Record<string, RuleSetting>> | undefined,
): Severity | undefined {
  const o = overrides?.[code];
  if (o === "off") return undefined;
  if (o === "error" || o === "warning" || o === "information" || o === "hint") return o;
  return RULE_BY_CODE.get(code)?.severity ?? fallback;
}
