// Validation of the `launch` request arguments (protocol/vmx-debug.ts VmxLaunchArguments). Every problem is
// reported as a message; nothing here throws.
import { VMX_BREAK_ON, VMX_START_MODES, type VmxBreakOn, type VmxStartMode } from "../protocol/vmx-debug";

export interface LaunchSettings {
  files: string[];
  syntax?: "gas" | "nasm";
  start: VmxStartMode;
  entry?: string;
  cpuModel?: string;
  memoryBytes?: number;
  stopOnEntry: boolean;
  breakOn: VmxBreakOn[];
  maxInstructions?: number;
  trace: boolean;
  includePaths: string[];
  noDebug: boolean;
}

export function parseMemorySize(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+)\s*([KMG]i?B?)?\s*$/i.exec(v);
  if (!m) return undefined;
  const unit = (m[2] ?? "").charAt(0).toUpperCase();
  const mult = unit === "K" ? 1024 : unit === "M" ? 1024 ** 2 : unit === "G" ? 1024 ** 3 : 1;
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export function parseLaunchArguments(raw: unknown): { settings?: LaunchSettings; error?: string } {
  if (typeof raw !== "object" || raw === null) return { error: "launch: arguments must be an object" };
  const a = raw as Record<string, unknown>;
  const program = a.program;
  const files = typeof program === "string" ? [program] : Array.isArray(program) ? program : undefined;
  if (!files || files.length === 0 || !files.every((f) => typeof f === "string" && f.length > 0))
    return { error: "launch: 'program' must be a source file path or a non-empty list of paths" };
  const syntax = a.syntax;
  if (syntax !== undefined && syntax !== "auto" && syntax !== "gas" && syntax !== "nasm")
    return { error: `launch: 'syntax' must be "auto", "gas" or "nasm", not ${JSON.stringify(syntax)}` };
  const start = a.start ?? "long64";
  if (typeof start !== "string" || !(VMX_START_MODES as readonly string[]).includes(start))
    return { error: `launch: 'start' must be one of ${VMX_START_MODES.join(", ")}` };
  if (a.entry !== undefined && (typeof a.entry !== "string" || a.entry.trim() === ""))
    return { error: "launch: 'entry' must be a label or an address" };
  if (a.cpuModel !== undefined && typeof a.cpuModel !== "string")
    return { error: "launch: 'cpuModel' must be a string" };
  let memoryBytes: number | undefined;
  if (a.memory !== undefined) {
    memoryBytes = parseMemorySize(a.memory);
    if (memoryBytes === undefined)
      return { error: `launch: 'memory' must be a byte count or a size like "64M", not ${JSON.stringify(a.memory)}` };
  }
  const breakOn = a.breakOn ?? [];
  if (!Array.isArray(breakOn) || !breakOn.every((b) => (VMX_BREAK_ON as readonly unknown[]).includes(b)))
    return { error: `launch: 'breakOn' must be a list of ${VMX_BREAK_ON.join(", ")}` };
  const max = a.maxInstructions;
  if (max !== undefined && (typeof max !== "number" || !Number.isSafeInteger(max) || max <= 0))
    return { error: "launch: 'maxInstructions' must be a positive integer" };
  const inc = a.includePaths ?? [];
  if (!Array.isArray(inc) || !inc.every((p) => typeof p === "string"))
    return { error: "launch: 'includePaths' must be a list of directories" };
  for (const k of ["stopOnEntry", "trace", "noDebug"] as const)
    if (a[k] !== undefined && typeof a[k] !== "boolean") return { error: `launch: '${k}' must be true or false` };
  const settings: LaunchSettings = {
    files: files as string[],
    start: start as VmxStartMode,
    stopOnEntry: a.stopOnEntry === true,
    breakOn: breakOn as VmxBreakOn[],
    trace: a.trace === true,
    includePaths: inc as string[],
    noDebug: a.noDebug === true,
  };
  if (syntax === "gas" || syntax === "nasm") settings.syntax = syntax;
  if (typeof a.entry === "string") settings.entry = a.entry.trim();
  if (typeof a.cpuModel === "string") settings.cpuModel = a.cpuModel;
  if (memoryBytes !== undefined) settings.memoryBytes = memoryBytes;
  if (typeof max === "number") settings.maxInstructions = max;
  return { settings };
}
