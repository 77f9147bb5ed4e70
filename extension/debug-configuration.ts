// Resolution of `vmx` launch configurations (what F5 does). Pure: the vscode DebugConfigurationProvider in
// ./debug.ts passes the active editor and the settings in, and shows the error this returns.
import { basename } from "node:path";
import { VMX_BREAK_ON, VMX_START_MODES, type VmxLaunchArguments } from "../protocol/vmx-debug";

export const VMX_DEBUG_TYPE = "vmx";

/** A VS Code launch variable such as `${file}` (written as a template so it is not mistaken for a typo). */
export function launchVariable(name: string): string {
  return `\${${name}}`;
}
export const VMX_LANGUAGE_IDS: readonly string[] = ["vmx-gas", "vmx-nasm"];

export interface ActiveFile {
  path: string;
  languageId: string;
}

export interface LaunchDefaults {
  cpuModel: string;
  syntax: "auto" | "gas" | "nasm";
  includePaths: string[];
}

/** A launch configuration as VS Code holds it: the DAP arguments plus type/request/name. */
export type VmxLaunchConfiguration = { type: string; request: string; name: string } & VmxLaunchArguments;

export type ResolveResult = { config: VmxLaunchConfiguration } | { error: string };

const NO_FILE =
  "Open a GAS (.s, .S) or NASM (.asm, .nasm, .inc) file to debug it, or add a `vmx` configuration to launch.json.";

/**
 * Before variable substitution. An empty configuration (F5 with no launch.json) becomes a launch of the
 * active assembly file; a configuration without `program` gets the active file; settings fill cpuModel,
 * syntax and includePaths when the configuration does not say.
 */
export function resolveLaunchConfiguration(
  raw: Record<string, unknown>,
  active: ActiveFile | undefined,
  defaults: LaunchDefaults,
): ResolveResult {
  const activeAsm = active && VMX_LANGUAGE_IDS.includes(active.languageId) ? active : undefined;
  const empty = raw.type === undefined && raw.request === undefined && raw.name === undefined;
  if (empty) {
    if (!activeAsm) return { error: NO_FILE };
    return {
      config: {
        type: VMX_DEBUG_TYPE,
        request: "launch",
        name: `Debug ${basename(activeAsm.path)}`,
        program: activeAsm.path,
        cpuModel: defaults.cpuModel,
        syntax: defaults.syntax,
        includePaths: [...defaults.includePaths],
        stopOnEntry: false,
      },
    };
  }
  if (raw.request !== undefined && raw.request !== "launch") {
    return { error: `The vmx debugger only supports "request": "launch" (got ${JSON.stringify(raw.request)}).` };
  }
  const config = { ...raw, type: VMX_DEBUG_TYPE, request: "launch" } as Record<string, unknown>;
  if (typeof config.name !== "string") config.name = "Debug VMX program";
  if (config.program === undefined || config.program === "") {
    if (!activeAsm) return { error: NO_FILE };
    config.program = activeAsm.path;
  }
  if (config.cpuModel === undefined) config.cpuModel = defaults.cpuModel;
  if (config.syntax === undefined) config.syntax = defaults.syntax;
  if (config.includePaths === undefined) config.includePaths = [...defaults.includePaths];
  const problem = validateLaunchArguments(config);
  // validateLaunchArguments checked every attribute the type declares.
  return problem ? { error: problem } : { config: config as unknown as VmxLaunchConfiguration };
}

/** One sentence naming the first invalid attribute, or undefined when the configuration is well formed. */
export function validateLaunchArguments(c: Record<string, unknown>): string | undefined {
  const p = c.program;
  const programs = typeof p === "string" ? [p] : Array.isArray(p) ? p : undefined;
  if (!programs || programs.length === 0 || programs.some((x) => typeof x !== "string" || x.length === 0)) {
    return '"program" must be a file path or a non-empty list of file paths.';
  }
  if (c.syntax !== undefined && !["auto", "gas", "nasm"].includes(c.syntax as string)) {
    return '"syntax" must be "auto", "gas" or "nasm".';
  }
  if (c.start !== undefined && !(VMX_START_MODES as readonly unknown[]).includes(c.start)) {
    return `"start" must be one of ${VMX_START_MODES.join(", ")}.`;
  }
  if (c.breakOn !== undefined) {
    if (!Array.isArray(c.breakOn)) return '"breakOn" must be a list.';
    const bad = c.breakOn.find((b) => !(VMX_BREAK_ON as readonly unknown[]).includes(b));
    if (bad !== undefined) return `"breakOn" entry ${JSON.stringify(bad)} is not one of ${VMX_BREAK_ON.join(", ")}.`;
  }
  const max = c.maxInstructions;
  if (max !== undefined && !(typeof max === "number" && Number.isInteger(max) && max > 0)) {
    return '"maxInstructions" must be a positive integer.';
  }
  const mem = c.memory;
  if (
    mem !== undefined &&
    !(typeof mem === "number" && Number.isInteger(mem) && mem > 0) &&
    !(typeof mem === "string" && /^\d+\s*[KMG]?i?B?$/i.test(mem))
  ) {
    return '"memory" must be a byte count or a size such as "64M".';
  }
  for (const key of ["stopOnEntry", "trace", "noDebug"]) {
    if (c[key] !== undefined && typeof c[key] !== "boolean") return `"${key}" must be true or false.`;
  }
  if (c.entry !== undefined && typeof c.entry !== "string") return '"entry" must be a label or an address string.';
  if (
    c.includePaths !== undefined &&
    !(Array.isArray(c.includePaths) && c.includePaths.every((x) => typeof x === "string"))
  )
    return '"includePaths" must be a list of directories.';
  return undefined;
}

/** After variable substitution: every program file must exist. */
export function checkProgramsExist(
  config: VmxLaunchConfiguration,
  exists: (path: string) => boolean,
): string | undefined {
  const programs = typeof config.program === "string" ? [config.program] : config.program;
  const missing = programs.find((p) => !exists(p));
  return missing === undefined ? undefined : `Cannot find the program file ${missing}.`;
}
