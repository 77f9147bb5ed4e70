// Bit-field tables and their decoding: the one mechanism behind CR0/CR4/EFER/RFLAGS, MSR layouts, VMX
// control fields and the VM-exit information formats.

export interface BitField {
  /** Short upper-case name, e.g. "PE" or "VMCS_REVISION_ID". */
  name: string;
  /** Most significant bit of the field (inclusive). */
  msb: number;
  /** Least significant bit of the field. */
  lsb: number;
  /** One line, in the SDM's words. */
  description: string;
  /** Names of enumerated values (e.g. memory types, interruption types). */
  values?: Readonly<Record<number, string>>;
}

/** A single-bit field. */
export function bit<const N extends string>(n: number, name: N, description: string): BitField & { name: N } {
  return { name, msb: n, lsb: n, description };
}

/** A multi-bit field, msb:lsb as the SDM writes it. */
export function field<const N extends string>(
  msb: number,
  lsb: number,
  name: N,
  description: string,
  values?: Readonly<Record<number, string>>,
): BitField & { name: N } {
  return values ? { name, msb, lsb, description, values } : { name, msb, lsb, description };
}

/** Mask of a field as a bigint. */
export function fieldMask(f: BitField): bigint {
  return ((1n << BigInt(f.msb - f.lsb + 1)) - 1n) << BigInt(f.lsb);
}

/** The field's value extracted from `value`. */
export function fieldValue(f: BitField, value: bigint): bigint {
  return (value & fieldMask(f)) >> BigInt(f.lsb);
}

/** Union of all fields' masks. */
export function definedMask(fields: readonly BitField[]): bigint {
  return fields.reduce((m, f) => m | fieldMask(f), 0n);
}

/** name → mask (a non-negative number; every table here keeps its named bits below bit 53). */
export function masksOf<const N extends string>(
  fields: readonly { name: N; msb: number; lsb: number }[],
): { readonly [K in N]: number } {
  const out: Record<string, number> = {};
  for (const f of fields) out[f.name] = (2 ** (f.msb - f.lsb + 1) - 1) * 2 ** f.lsb;
  return Object.freeze(out) as { readonly [K in N]: number };
}

export interface DecodedField {
  field: BitField;
  value: bigint;
  /** "PE=1", "MEMORY_TYPE=6 (WB)", "VMCS_REVISION_ID=0x2B". */
  text: string;
}

export function hex(n: bigint | number, digits = 0): string {
  const v = typeof n === "bigint" ? n : BigInt(n);
  return `0x${v.toString(16).toUpperCase().padStart(digits, "0")}`;
}

/** Decodes `value` through a table: every single bit that is set and every multi-bit field (whatever its value). */
export function decodeBits(fields: readonly BitField[], value: bigint): DecodedField[] {
  const out: DecodedField[] = [];
  for (const f of fields) {
    const v = fieldValue(f, value);
    if (f.msb === f.lsb && !f.values) {
      if (v !== 0n) out.push({ field: f, value: v, text: f.name });
      continue;
    }
    const named = f.values?.[Number(v)];
    const num = v < 10n ? v.toString() : hex(v);
    out.push({ field: f, value: v, text: `${f.name}=${num}${named ? ` (${named})` : ""}` });
  }
  return out;
}

/** Bits set in `value` that no field of the table covers. */
export function undefinedBits(fields: readonly BitField[], value: bigint): number[] {
  const rest = value & ~definedMask(fields);
  const bits: number[] = [];
  for (let b = 0; rest >> BigInt(b) !== 0n; b++) if ((rest >> BigInt(b)) & 1n) bits.push(b);
  return bits;
}

/** One line per decoded field: "  [31] PG  Paging" / "  [53:50] MEMORY_TYPE=6 (WB)  VMCS memory type". */
export function formatBits(fields: readonly BitField[], value: bigint): string[] {
  const lines = decodeBits(fields, value).map((d) => {
    const pos = d.field.msb === d.field.lsb ? `[${d.field.lsb}]` : `[${d.field.msb}:${d.field.lsb}]`;
    return `${pos.padEnd(8)} ${d.text.padEnd(28)} ${d.field.description}`;
  });
  const extra = undefinedBits(fields, value);
  if (extra.length) lines.push(`bits ${extra.join(", ")} set but not defined here (reserved?)`);
  return lines;
}
