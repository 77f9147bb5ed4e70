// `vmx msr 0x480|IA32_VMX_BASIC [--value 0x...] [--model M]`: name an MSR and decode a value (or the model's).
import {
  allowedSettings,
  CONTROL_SETS,
  CPU_MODELS,
  cpuModel,
  formatValue,
  type MsrInfo,
  msrByIndex,
  msrByName,
} from "../../arch/index";
import { type CliCommand, CliUsageError, parseArgs, parseNumber } from "../io";

function hex(n: number | bigint, digits: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(digits, "0")}`;
}

/** For a VMX control capability MSR: each named control's allowed settings under this value. */
function controlSettings(msr: MsrInfo, value: bigint): string[] {
  const set = CONTROL_SETS.find((s) => s.msr === msr.index || s.trueMsr === msr.index);
  if (!set) return [];
  const allowed0 = set.width === 64 ? 0n : value & 0xffffffffn;
  const allowed1 = set.width === 64 ? value : value >> 32n;
  const lines = [`${set.title} (SDM ${set.sdm}):`];
  for (const b of set.bits) {
    const must1 = (allowed0 >> BigInt(b.bit)) & 1n;
    const may1 = (allowed1 >> BigInt(b.bit)) & 1n;
    const what = must1 ? "must be 1" : may1 ? "0 or 1" : "must be 0";
    lines.push(`  [${String(b.bit).padStart(2)}] ${b.name.padEnd(36)} ${what}`);
  }
  return lines;
}

export const msrCommand: CliCommand = {
  summary: "name an MSR and decode a value: vmx msr 0x480|IA32_VMX_BASIC [--value 0x...] [--model M]",
  async run(args, io) {
    const p = parseArgs(args, { "--value": ["-v"], "--model": ["-m"] }, ["--help", "-h"]);
    if (p.flags.has("--help") || p.flags.has("-h")) {
      io.out(
        `usage: vmx msr <index|NAME> [--value V] [--model M]\n  models: ${CPU_MODELS.map((m) => m.name).join(", ")}\n`,
      );
      return 0;
    }
    if (p.positional.length !== 1)
      throw new CliUsageError("expects one MSR index or name, e.g. 0x480 or IA32_VMX_BASIC");
    const arg = p.positional[0]!;
    const values = p.options.get("--value");
    const models = p.options.get("--model");
    if ((values?.length ?? 0) > 1 || (models?.length ?? 0) > 1)
      throw new CliUsageError("--value and --model take one value each");
    let value = values ? parseNumber(values[0]!, "--value") : undefined;
    if (value !== undefined && value >> 64n !== 0n)
      throw new CliUsageError(`--value ${values![0]} does not fit in 64 bits`);
    const model = models ? cpuModel(models[0]!) : undefined;
    if (models && !model)
      throw new CliUsageError(`unknown model '${models[0]}' (one of: ${CPU_MODELS.map((m) => m.name).join(", ")})`);

    let msr: MsrInfo | undefined;
    if (/^[0-9]/.test(arg)) {
      const index = parseNumber(arg, "MSR index");
      if (index > 0xffffffffn) throw new CliUsageError(`MSR index ${arg} does not fit in 32 bits`);
      msr = msrByIndex(Number(index));
      if (!msr) {
        io.out(`MSR ${hex(index, 8)} is not in the table of MSRs a hypervisor touches (see arch/msrs.ts)\n`);
        return 1;
      }
    } else {
      msr = msrByName(arg);
      if (!msr) throw new CliUsageError(`no MSR named '${arg}' (numbers need a 0x prefix)`);
    }

    io.out(`${msr.name} (MSR ${hex(msr.index, msr.index > 0xffff ? 8 : 4)})\n`);
    io.out(`  access       ${msr.access === "ro" ? "read-only (WRMSR raises #GP)" : "read/write"}\n`);
    io.out(`  description  ${msr.description}\n`);
    io.out(`  SDM          ${msr.sdm}\n`);
    if (value === undefined && model) {
      value = model.msr.get(msr.index);
      if (value === undefined) {
        io.out(`  ${model.name} does not implement it (RDMSR raises #GP)\n`);
        return 0;
      }
      io.out(`  value        ${hex(value, 16)} on ${model.name}\n`);
    } else if (value !== undefined) {
      io.out(`  value        ${hex(value, 16)}\n`);
    }
    if (value === undefined) {
      if (msr.bits?.length) {
        io.out("bit fields:\n");
        for (const f of msr.bits) {
          const pos = f.msb === f.lsb ? `[${f.lsb}]` : `[${f.msb}:${f.lsb}]`;
          io.out(`  ${pos.padEnd(8)} ${f.name.padEnd(28)} ${f.description}\n`);
        }
      }
      return 0;
    }
    const lines = formatValue(msr, value);
    if (lines.length) io.out(`${lines.map((l) => `  ${l}`).join("\n")}\n`);
    const settings = controlSettings(msr, value);
    if (settings.length) io.out(`${settings.join("\n")}\n`);
    if (model && settings.length) {
      const eff = allowedSettings(model, CONTROL_SETS.find((s) => s.msr === msr.index || s.trueMsr === msr.index)!);
      if (eff && eff.msr !== msr.index)
        io.out(`  (VM entry on ${model.name} consults MSR ${hex(eff.msr, 4)} instead)\n`);
    }
    return 0;
  },
};
