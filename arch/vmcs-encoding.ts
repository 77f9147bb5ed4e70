// VMCS component encodings: decode/encode the bit layout of SDM 25.11.2 (Table 25-21) and look fields up.
import { VMCS_FIELDS, type VmcsField, type VmcsType, type VmcsWidth } from "./vmcs-fields";

export type VmcsAccessType = "full" | "high";

export interface EncodingParts {
  accessType: VmcsAccessType;
  /** Bits 9:1. */
  index: number;
  type: VmcsType;
  width: VmcsWidth;
}

export interface DecodedEncoding extends EncodingParts {
  /** The value as given (bits above 31 included). */
  encoding: bigint;
  /** Bit 12 or any of bits 31:15 (or above bit 31) is 1: VMREAD/VMWRITE fail with error 12 (SDM 25.11.2). */
  reservedBitsSet: boolean;
  /** The encoding names a field in the table (full, or high of a 64-bit field) and no reserved bit is set. */
  valid: boolean;
  /** The field named (also for a HIGH access); undefined when unknown. */
  field?: VmcsField;
  /** Why the encoding is not valid, one sentence each; empty when valid. */
  problems: string[];
}

const WIDTHS: readonly VmcsWidth[] = ["16", "64", "32", "natural"];
const TYPES: readonly VmcsType[] = ["control", "read-only", "guest", "host"];
/** Bit 12 and bits 31:15 are reserved. */
const RESERVED_MASK = 0xffff_9000n;

const byEncoding = new Map<number, VmcsField>(VMCS_FIELDS.map((f) => [f.encoding, f]));
const byName = new Map<string, VmcsField>();
for (const f of VMCS_FIELDS) {
  byName.set(f.name, f);
  for (const a of f.aliases ?? []) if (!byName.has(a)) byName.set(a, f);
}

/** Builds an encoding from its parts (SDM 25.11.2). */
export function encodeField(parts: EncodingParts): number {
  if (!Number.isInteger(parts.index) || parts.index < 0 || parts.index > 0x1ff)
    throw new RangeError(`VMCS index ${parts.index} is outside 0..511`);
  return (
    (parts.accessType === "high" ? 1 : 0) |
    (parts.index << 1) |
    (TYPES.indexOf(parts.type) << 10) |
    (WIDTHS.indexOf(parts.width) << 13)
  );
}

function hex(n: number | bigint): string {
  return `0x${n.toString(16).toUpperCase()}`;
}

/** Splits an encoding into its parts, says whether it names a field, and if not, why not. */
export function decodeEncoding(n: number | bigint): DecodedEncoding {
  const value = typeof n === "bigint" ? n : BigInt(Math.trunc(n));
  const low = Number(value & 0xffffn);
  const parts: EncodingParts = {
    accessType: low & 1 ? "high" : "full",
    index: (low >> 1) & 0x1ff,
    type: TYPES[(low >> 10) & 3]!,
    width: WIDTHS[(low >> 13) & 3]!,
  };
  const problems: string[] = [];
  const reservedBitsSet = value < 0n || (value & RESERVED_MASK) !== 0n || value >> 32n !== 0n;
  if (value < 0n) problems.push("a negative number is not an encoding");
  else if (reservedBitsSet) {
    const bits: number[] = [];
    for (let b = 0; b < 64; b++) if ((value >> BigInt(b)) & 1n && (b === 12 || b >= 15)) bits.push(b);
    const shown = bits.length > 6 ? `${bits.slice(0, 6).join(", ")}, …` : bits.join(", ");
    problems.push(`reserved bit${bits.length > 1 ? "s" : ""} ${shown} set (bit 12 and every bit from 15 up must be 0)`);
  }
  // Look the field up by the defined bits only, so an encoding with reserved bits still names its field.
  const fullEncoding = encodeField({ ...parts, accessType: "full" });
  const field = byEncoding.get(fullEncoding);
  if (parts.accessType === "high" && parts.width !== "64")
    problems.push(`HIGH access (bit 0 = 1) is only allowed for 64-bit fields, not ${describeWidth(parts.width)} ones`);
  else if (!field)
    problems.push(
      `no ${describeWidth(parts.width)} ${parts.type} field has index ${parts.index} (${hex(fullEncoding)})`,
    );
  const result: DecodedEncoding = {
    ...parts,
    encoding: value,
    reservedBitsSet,
    valid: problems.length === 0,
    problems,
  };
  if (field && (parts.accessType === "full" || field.width === "64")) result.field = field;
  return result;
}

function describeWidth(w: VmcsWidth): string {
  return w === "natural" ? "natural-width" : `${w}-bit`;
}

/** The field with this (exact) name or alias, case-insensitive; `${name}_HIGH` is not a field name. */
export function fieldByName(name: string): VmcsField | undefined {
  return byName.get(name.trim().toUpperCase());
}

/** Resolves a name that may end in `_HIGH` (the upper half of a 64-bit field). */
export function fieldByNameOrHigh(name: string): { field: VmcsField; high: boolean } | undefined {
  const n = name.trim().toUpperCase();
  const f = byName.get(n);
  if (f) return { field: f, high: false };
  if (n.endsWith("_HIGH")) {
    const base = byName.get(n.slice(0, -5));
    if (base?.width === "64") return { field: base, high: true };
  }
  return undefined;
}

/** The field a (full or HIGH) encoding selects; undefined for unknown or invalid encodings. */
export function fieldByEncoding(enc: number | bigint): { field: VmcsField; high: boolean } | undefined {
  const d = decodeEncoding(enc);
  if (!d.valid || !d.field) return undefined;
  return { field: d.field, high: d.accessType === "high" };
}

/** The encoding a VMREAD/VMWRITE uses for the upper 32 bits of a 64-bit field. */
export function highEncoding(field: VmcsField): number | undefined {
  return field.width === "64" ? field.encoding | 1 : undefined;
}

/** Bits a field of this width can hold: 16, 32, 64, or 64 for natural width (in 64-bit mode). */
export function widthBits(width: VmcsWidth): 16 | 32 | 64 {
  return width === "16" ? 16 : width === "32" ? 32 : 64;
}

/** Highest index of any field in the table: what IA32_VMX_VMCS_ENUM[9:1] reports for a processor with all. */
export function maxFieldIndex(fields: readonly VmcsField[] = VMCS_FIELDS): number {
  return fields.reduce((m, f) => Math.max(m, (f.encoding >> 1) & 0x1ff), 0);
}
