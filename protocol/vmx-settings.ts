// The `vmx.*` settings as the extension hands them to the language server: once as `initializationOptions`
// and again, whole, in every `workspace/didChangeConfiguration` notification (`settings.vmx`).
// Declared once here so the extension (reader) and the language server (consumer) agree on the shape.
import { DEFAULT_CPU_MODEL } from "../arch/index";

export type VmxSyntaxSetting = "auto" | "gas" | "nasm";

/** A rule's configured severity; "off" disables the rule. */
export type RuleSeverity = "error" | "warning" | "information" | "hint" | "off";

export interface VmxSettings {
  /** CPU model name from arch/ CPU_MODELS (e.g. "skylake-x"): which VMX capabilities the lints assume. */
  cpuModel: string;
  /** Dialect: "auto" = by file extension (.s/.S GAS, .asm/.nasm/.inc NASM). */
  syntax: VmxSyntaxSetting;
  /** Directories searched by `.include` / `%include`, absolute (workspace-relative entries are resolved). */
  includePaths: string[];
  /** Per-rule severity overrides keyed by diagnostic code; rules not listed keep their default. */
  rules: Record<string, RuleSeverity>;
  /** VMCS field and MSR completions insert the symbolic name or the numeric encoding. */
  completionInsert: "name" | "encoding";
  /** Show field / MSR names as inlay hints next to numeric encodings. */
  inlayHints: boolean;
}

export const VMX_SETTINGS_SECTION = "vmx";

export const DEFAULT_VMX_SETTINGS: VmxSettings = {
  cpuModel: DEFAULT_CPU_MODEL,
  syntax: "auto",
  includePaths: [],
  rules: {},
  completionInsert: "name",
  inlayHints: true,
};
