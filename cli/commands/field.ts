// `vmx field 0x6c00|GUEST_CR0|0x6c01 [--json]`: describe one VMCS field, or explain why an encoding is invalid.
import {
  CPU_MODELS,
  type CpuModel,
  cpuModel,
  decodeEncoding,
  fieldByNameOrHigh,
  type VmcsField,
  vmcsFieldSupported,
} from "../../arch/index";
import { type CliCommand, CliUsageError, parseArgs, parseNumber } from "../io";

const TYPE_WORDS = { control: "control", "read-only": "read-only data", guest: "guest state", host: "host state" };
const WIDTH_WORDS = { "16": "16-bit", "32": "32-bit", "64": "64-bit", natural: "natural width" };

function hex(n: number | bigint, digits = 4): string {
  return `0x${n.toString(16).toUpperCase().padStart(digits, "0")}`;
}

function describe(f: VmcsField, high: boolean, model: CpuModel | undefined): string[] {
  const lines = [
    high ? `${f.name}_HIGH — the upper 32 bits (63:32) of the 64-bit field ${f.name}` : f.name,
    `  encoding     ${hex(high ? f.encoding | 1 : f.encoding)} (${high ? "high" : "full"} access)`,
    `  index        ${(f.encoding >> 1) & 0x1ff}`,
    `  width        ${WIDTH_WORDS[f.width]}${high ? " (HIGH access reads/writes 32 bits)" : ""}`,
    `  type         ${TYPE_WORDS[f.type]}`,
    `  group        ${f.group}`,
    `  access       ${
      f.type === "read-only"
        ? "read-only: VMWRITE fails (error 13) unless IA32_VMX_MISC[29] allows writing it"
        : "read/write (VMREAD, VMWRITE)"
    }`,
  ];
  if (f.width === "64" && !high) lines.push(`  high half    ${hex(f.encoding | 1)} (${f.name}_HIGH)`);
  if (f.feature) lines.push(`  exists with  ${f.feature}`);
  if (f.aliases?.length) lines.push(`  also known   ${f.aliases.join(", ")}`);
  lines.push(`  description  ${f.description}`);
  lines.push(`  SDM          ${f.sdm} (encoding), ${f.see} (meaning)`);
  if (model)
    lines.push(
      vmcsFieldSupported(model, f)
        ? `  on ${model.name}  supported`
        : `  on ${model.name}  not supported: VMREAD/VMWRITE fail with VM-instruction error 12`,
    );
  return lines;
}

export const fieldCommand: CliCommand = {
  summary: "describe a VMCS field by encoding or name: vmx field 0x6c00|GUEST_CR0 [--model M] [--json]",
  async run(args, io) {
    const p = parseArgs(args, { "--model": ["-m"] }, ["--json", "--help", "-h"]);
    if (p.flags.has("--help") || p.flags.has("-h")) {
      io.out(
        `usage: vmx field <encoding|NAME> [--model M] [--json]   e.g. vmx field 0x6c00, vmx field GUEST_CR0_HIGH\n  models: ${CPU_MODELS.map((m) => m.name).join(", ")}\n`,
      );
      return 0;
    }
    if (p.positional.length !== 1)
      throw new CliUsageError("expects one field encoding or name, e.g. 0x6c00 or GUEST_CR0");
    const arg = p.positional[0]!;
    const json = p.flags.has("--json");
    const models = p.options.get("--model");
    if ((models?.length ?? 0) > 1) throw new CliUsageError("--model given more than once");
    const model = models ? cpuModel(models[0]!) : undefined;
    if (models && !model)
      throw new CliUsageError(`unknown model '${models[0]}' (one of: ${CPU_MODELS.map((m) => m.name).join(", ")})`);
    if (/^[0-9]/.test(arg)) {
      if (/^[0-9][0-9a-fA-F]*$/.test(arg) && /[a-fA-F]/.test(arg))
        throw new CliUsageError(`'${arg}' is not a number: write hexadecimal as 0x${arg} or ${arg}h`);
      const n = parseNumber(arg, "encoding");
      const d = decodeEncoding(n);
      if (json) {
        const out = {
          encoding: Number(BigInt.asUintN(53, n)),
          accessType: d.accessType,
          index: d.index,
          type: d.type,
          width: d.width,
          reservedBitsSet: d.reservedBitsSet,
          valid: d.valid,
          problems: d.problems,
          field: d.field,
        };
        io.out(`${JSON.stringify(out, null, 2)}\n`);
        return d.valid ? 0 : 1;
      }
      if (d.valid && d.field) {
        io.out(`${describe(d.field, d.accessType === "high", model).join("\n")}\n`);
        return 0;
      }
      io.out(`${hex(n)} is not a valid VMCS field encoding:\n`);
      for (const problem of d.problems) io.out(`  - ${problem}\n`);
      io.out(
        `  decoded: access ${d.accessType}, index ${d.index}, type ${TYPE_WORDS[d.type]}, width ${WIDTH_WORDS[d.width]}\n`,
      );
      if (d.field) io.out(`  (the full encoding ${hex(d.field.encoding)} is ${d.field.name})\n`);
      return 1;
    }
    const hit = fieldByNameOrHigh(arg);
    if (!hit) throw new CliUsageError(`no VMCS field named '${arg}' (see 'vmx fields'; numbers need a 0x prefix)`);
    if (json) io.out(`${JSON.stringify({ ...hit.field, high: hit.high }, null, 2)}\n`);
    else io.out(`${describe(hit.field, hit.high, model).join("\n")}\n`);
    return 0;
  },
};
