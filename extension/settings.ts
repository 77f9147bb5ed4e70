// Reads the `vmx.*` configuration into the VmxSettings shape the language server expects. Pure: the caller
// passes a getter over vscode's WorkspaceConfiguration, so this runs under node in tests.
import { isAbsolute, resolve } from "node:path";
import {
  DEFAULT_VMX_SETTINGS,
  type RuleSeverity,
  type VmxSettings,
  type VmxSyntaxSetting,
} from "../protocol/vmx-settings";

/** `get(key)` of the "vmx" configuration section (keys without the "vmx." prefix). */
export type SettingGetter = (key: string) => unknown;

const SYNTAXES: readonly VmxSyntaxSetting[] = ["auto", "gas", "nasm"];
const SEVERITIES: readonly RuleSeverity[] = ["error", "warning", "information", "hint", "off"];

/** Setting keys (relative to "vmx") whose change requires telling the server. */
export const SERVER_SETTING_KEYS = [
  "cpuModel",
  "syntax",
  "includePaths",
  "diagnostics.rules",
  "completion.insert",
  "inlayHints.enabled",
] as const;

/**
 * Reads and validates the settings; an invalid value falls back to the default rather than reaching the
 * server. Relative include paths are resolved against the first workspace folder.
 */
export function readVmxSettings(get: SettingGetter, workspaceFolders: readonly string[]): VmxSettings {
  const cpuModel = get("cpuModel");
  const syntax = get("syntax");
  const includePaths = get("includePaths");
  const rules = get("diagnostics.rules");
  const insert = get("completion.insert");
  const inlay = get("inlayHints.enabled");
  const base = workspaceFolders[0];
  return {
    cpuModel: typeof cpuModel === "string" && cpuModel.length > 0 ? cpuModel : DEFAULT_VMX_SETTINGS.cpuModel,
    syntax: SYNTAXES.includes(syntax as VmxSyntaxSetting) ? (syntax as VmxSyntaxSetting) : "auto",
    includePaths: Array.isArray(includePaths)
      ? includePaths
          .filter((p): p is string => typeof p === "string" && p.length > 0)
          .map((p) => (isAbsolute(p) || base === undefined ? p : resolve(base, p)))
      : [],
    rules: readRules(rules),
    completionInsert: insert === "encoding" ? "encoding" : "name",
    inlayHints: typeof inlay === "boolean" ? inlay : DEFAULT_VMX_SETTINGS.inlayHints,
  };
}

function readRules(raw: unknown): Record<string, RuleSeverity> {
  const out: Record<string, RuleSeverity> = {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return out;
  for (const [code, sev] of Object.entries(raw)) {
    if (SEVERITIES.includes(sev as RuleSeverity)) out[code] = sev as RuleSeverity;
  }
  return out;
}

/** True when a configuration change touches a setting the server reads. */
export function affectsServer(affects: (section: string) => boolean): boolean {
  return SERVER_SETTING_KEYS.some((k) => affects(`vmx.${k}`));
}
