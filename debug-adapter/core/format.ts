// Number formatting for variables and evaluate results: hex (zero-padded to the width) by default, decimal
// on request.

export type NumberFormat = "hex" | "decimal" | "binary";

export function formatNumber(value: bigint, bits: number, format: NumberFormat = "hex"): string {
  const v = BigInt.asUintN(Math.max(bits, 1), value);
  if (format === "decimal") return v.toString(10);
  if (format === "binary") return `0b${v.toString(2).padStart(bits, "0")}`;
  return `0x${v.toString(16).padStart(Math.ceil(bits / 4), "0")}`;
}

/** Lower-case hex without padding, `0x` prefix (the wire format of the custom requests). */
export function hex(value: bigint | number): string {
  const v = typeof value === "number" ? BigInt(value) : value;
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

/** Parses a value typed by the user in a variables view: hex, decimal, binary, octal, NASM `h` suffix, negative. */
export function parseNumber(text: string): bigint | undefined {
  const s = text.trim().replace(/_/g, "");
  const neg = s.startsWith("-");
  const t = neg ? s.slice(1) : s;
  let v: bigint;
  try {
    if (/^0x[0-9a-f]+$/i.test(t) || /^0b[01]+$/i.test(t) || /^0o[0-7]+$/i.test(t) || /^[0-9]+$/.test(t)) v = BigInt(t);
    else if (/^[0-9][0-9a-f]*h$/i.test(t)) v = BigInt(`0x${t.slice(0, -1)}`);
    else return undefined;
  } catch {
    return undefined;
  }
  return neg ? BigInt.asUintN(64, -v) : v;
}
