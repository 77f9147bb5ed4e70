// `vmx fields [--group G] [--type T] [--width W] [--json]`: the VMCS field table of arch/ (SDM Appendix B).
import { VMCS_FIELDS, type VmcsField, type VmcsGroup, type VmcsType, type VmcsWidth } from "../../arch/index";
import { type CliCommand, CliUsageError, parseArgs } from "../io";

const GROUPS: readonly VmcsGroup[] = [
  "guest-state",
  "host-state",
  "vm-execution-control",
  "vm-exit-control",
  "vm-entry-control",
  "vm-exit-information",
];
/** Short forms users type. */
const GROUP_ALIASES: Record<string, VmcsGroup> = {
  guest: "guest-state",
  host: "host-state",
  exec: "vm-execution-control",
  execution: "vm-execution-control",
  exit: "vm-exit-control",
  entry: "vm-entry-control",
  "exit-info": "vm-exit-information",
  info: "vm-exit-information",
};
const TYPES: readonly VmcsType[] = ["control", "read-only", "guest", "host"];
const WIDTHS: readonly VmcsWidth[] = ["16", "32", "64", "natural"];

function one<T extends string>(
  values: string[] | undefined,
  allowed: readonly T[],
  what: string,
  aliases: Record<string, T> = {},
) {
  if (!values) return undefined;
  if (values.length > 1) throw new CliUsageError(`${what} given more than once`);
  const v = values[0]!.toLowerCase();
  const hit = (allowed as readonly string[]).includes(v) ? (v as T) : aliases[v];
  if (!hit) throw new CliUsageError(`unknown ${what} '${values[0]}' (one of: ${allowed.join(", ")})`);
  return hit;
}

export function fieldRow(f: VmcsField): string {
  const enc = `0x${f.encoding.toString(16).toUpperCase().padStart(4, "0")}`.padEnd(8);
  return `${enc}  ${f.name.padEnd(44)} ${f.width.padEnd(7)} ${f.type.padEnd(9)} ${f.group.padEnd(20)} ${f.feature ?? ""}`.trimEnd();
}

export const fieldsCommand: CliCommand = {
  summary: "list the VMCS fields (SDM Appendix B): [--group G] [--type T] [--width W] [--json]",
  async run(args, io) {
    const p = parseArgs(args, { "--group": ["-g"], "--type": ["-t"], "--width": ["-w"] }, ["--json", "--help", "-h"]);
    if (p.flags.has("--help") || p.flags.has("-h")) {
      io.out(
        `usage: vmx fields [--group G] [--type T] [--width W] [--json]\n  groups: ${GROUPS.join(", ")}\n  types: ${TYPES.join(", ")}\n  widths: ${WIDTHS.join(", ")}\n`,
      );
      return 0;
    }
    if (p.positional.length) throw new CliUsageError(`unexpected argument '${p.positional[0]}'`);
    const group = one(p.options.get("--group"), GROUPS, "group", GROUP_ALIASES);
    const type = one(p.options.get("--type"), TYPES, "type");
    const width = one(p.options.get("--width"), WIDTHS, "width");
    const rows = VMCS_FIELDS.filter(
      (f) => (!group || f.group === group) && (!type || f.type === type) && (!width || f.width === width),
    );
    if (p.flags.has("--json")) {
      io.out(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    io.out(
      `${"ENCODING".padEnd(8)}  ${"NAME".padEnd(44)} ${"WIDTH".padEnd(7)} ${"TYPE".padEnd(9)} ${"GROUP".padEnd(20)} FEATURE\n`,
    );
    for (const f of rows) io.out(`${fieldRow(f)}\n`);
    io.out(`${rows.length} field${rows.length === 1 ? "" : "s"}\n`);
    return 0;
  },
};
