// "VMX: Decode VMCS Field Encoding…" and "VMX: Decode MSR…": text reports from arch/. Pure (no vscode), so
// the same functions are unit-tested under node.
import { decodeEncoding, fieldByNameOrHigh, formatMsrValue, formatValue, msrByIndex, msrByName } from "../arch/index";
import { parseUserNumber } from "./number-format";

export interface DecodeReport {
  /** One line: what the input is. */
  title: string;
  /** Details, one fact per line. */
  lines: string[];
  /** False when the input names nothing (the title then says why). */
  ok: boolean;
}

const WIDTH = { "16": "16-bit", "32": "32-bit", "64": "64-bit", natural: "natural-width" } as const;

const hex = (n: number | bigint, digits = 0) => `0x${n.toString(16).toUpperCase().padStart(digits, "0")}`;

/** Splits "X = V" / "X: V" / "X V" into the name-or-number and an optional value. */
function splitValue(input: string): { key: string; value?: bigint; badValue?: string } {
  const m = /^\s*([^=:\s]+)\s*(?:[=:\s]\s*(\S+))?\s*$/.exec(input);
  if (!m) return { key: input.trim() };
  const raw = m[2];
  if (raw === undefined) return { key: m[1]! };
  const value = parseUserNumber(raw);
  return value === undefined ? { key: m[1]!, badValue: raw } : { key: m[1]!, value };
}

/**
 * Decodes a VMCS field encoding (any radix) or a field name, optionally with a value (`0x6800 = 0x80000031`)
 * whose bits are decoded too. SDM 25.11.2 (encoding layout), Appendix B (fields).
 */
export function decodeFieldEncoding(input: string): DecodeReport {
  const { key, value, badValue } = splitValue(input);
  if (key.length === 0)
    return { ok: false, title: "Type a VMCS field encoding (0x6800) or name (GUEST_CR0).", lines: [] };
  const asNumber = parseUserNumber(key);
  let encoding: bigint;
  if (asNumber !== undefined) encoding = asNumber;
  else {
    const named = fieldByNameOrHigh(key);
    if (!named) return { ok: false, title: `${key} is neither a number nor a VMCS field name.`, lines: [] };
    encoding = BigInt(named.field.encoding | (named.high ? 1 : 0));
  }
  const d = decodeEncoding(encoding);
  const f = d.field;
  const lines = [
    `Encoding ${hex(encoding, 4)}: access type ${d.accessType}, index ${d.index}, type ${d.type}, width ${WIDTH[d.width]}`,
  ];
  if (f) {
    lines.push(
      `${f.name}${d.accessType === "high" ? " (HIGH: bits 63:32)" : ""} — ${f.description}`,
      `Group ${f.group}; ${f.type === "read-only" ? "read-only (VMWRITE fails with error 13 unless the CPU allows it)" : "read/write"}`,
    );
    if (f.feature) lines.push(`Exists only with: ${f.feature}`);
    lines.push(`SDM ${f.see} (encoding listed in ${f.sdm})`);
  }
  for (const p of d.problems) lines.push(`Problem: ${p}`);
  if (badValue !== undefined) lines.push(`Value ${badValue} is not a number.`);
  if (f && value !== undefined) {
    lines.push(`Value ${hex(value)}:`);
    const bits = formatValue(d.accessType === "high" ? `${f.name}_HIGH` : f.name, value);
    lines.push(...(bits.length > 0 ? bits.map((b) => `  ${b}`) : ["  (no named bits)"]));
  }
  const title = f
    ? `${hex(encoding, 4)} = ${f.name}${d.accessType === "high" ? "_HIGH" : ""} (${WIDTH[f.width]} ${f.type})`
    : `${hex(encoding, 4)} is not a valid VMCS field encoding`;
  return { ok: f !== undefined && d.valid, title, lines };
}

/** Decodes an MSR given by index or name, optionally with a value whose bit fields are decoded. */
export function decodeMsr(input: string): DecodeReport {
  const { key, value, badValue } = splitValue(input);
  if (key.length === 0) return { ok: false, title: "Type an MSR index (0x480) or name (IA32_VMX_BASIC).", lines: [] };
  const index = parseUserNumber(key);
  const msr = index !== undefined ? msrByIndex(Number(index)) : msrByName(key);
  if (!msr) {
    return {
      ok: false,
      title:
        index !== undefined
          ? `MSR ${hex(index)} is not in the table of MSRs a hypervisor touches.`
          : `${key} is not a known MSR name.`,
      lines: [],
    };
  }
  const lines = [
    `${msr.name} (${hex(msr.index)}): ${msr.description}`,
    msr.access === "ro" ? "Read-only: WRMSR raises #GP(0)" : "Read/write",
    `SDM ${msr.sdm}`,
  ];
  if (msr.bits && msr.bits.length > 0) {
    lines.push("Bit fields:");
    for (const b of msr.bits) {
      const range = b.msb === b.lsb ? `${b.lsb}` : `${b.msb}:${b.lsb}`;
      lines.push(`  [${range}] ${b.name} — ${b.description}`);
    }
  }
  if (badValue !== undefined) lines.push(`Value ${badValue} is not a number.`);
  if (value !== undefined) {
    lines.push(`Value ${hex(value)}:`);
    const bits = formatMsrValue(msr.index, value);
    lines.push(...(bits.length > 0 ? bits.map((b) => `  ${b}`) : ["  (no named bits)"]));
  }
  return { ok: true, title: `${hex(msr.index)} = ${msr.name}${msr.access === "ro" ? " (read-only)" : ""}`, lines };
}
