// Parsing numbers the user types and formatting register / field values per node (hex, decimal, binary).
// Pure: no vscode import, unit-tested under node.

export type NumberFormat = "hex" | "dec" | "bin";

/**
 * Parses a number as users type it in either dialect: 0x1F, 1Fh, 0b101, 101b, 0o17, 17q, decimal, with `_` or
 * `'` separators and an optional `$` (AT&T immediate). Undefined for anything else.
 */
export function parseUserNumber(text: string): bigint | undefined {
  let s = text.trim().replace(/^\$/, "").replace(/[_']/g, "");
  let negative = false;
  if (s.startsWith("-")) {
    negative = true;
    s = s.slice(1);
  }
  let v: bigint | undefined;
  if (/^0x[0-9a-f]+$/i.test(s)) v = BigInt(s);
  else if (/^0b[01]+$/i.test(s)) v = BigInt(s);
  else if (/^0o[0-7]+$/i.test(s)) v = BigInt(s);
  else if (/^[0-9][0-9a-f]*h$/i.test(s)) v = BigInt(`0x${s.slice(0, -1)}`);
  else if (/^[01]+b$/i.test(s)) v = BigInt(`0b${s.slice(0, -1)}`);
  else if (/^[0-7]+[oq]$/i.test(s)) v = BigInt(`0o${s.slice(0, -1)}`);
  else if (/^[0-9]+d?$/i.test(s)) v = BigInt(s.replace(/d$/i, ""));
  if (v === undefined) return undefined;
  return negative ? -v : v;
}

/** Bits of a VMCS width ("natural" is 64 bits on a 64-bit processor, SDM 25.11.2). */
export function widthInBits(width: "16" | "32" | "64" | "natural"): 16 | 32 | 64 {
  return width === "16" ? 16 : width === "32" ? 32 : 64;
}

/** Formats a value of `bits` bits: hex zero-padded to the width, decimal, or binary grouped by nibbles. */
export function formatNumber(value: bigint, bits: number, format: NumberFormat): string {
  const v = BigInt.asUintN(Math.max(bits, 1), value);
  if (format === "dec") return v.toString(10);
  if (format === "bin") {
    const raw = v.toString(2).padStart(bits, "0");
    const groups: string[] = [];
    for (let end = raw.length; end > 0; end -= 4) groups.unshift(raw.slice(Math.max(0, end - 4), end));
    return `0b${groups.join("_")}`;
  }
  return `0x${v.toString(16).padStart(Math.ceil(bits / 4), "0")}`;
}

/** Next format in the per-node cycle hex → dec → bin → hex. */
export function nextFormat(f: NumberFormat): NumberFormat {
  return f === "hex" ? "dec" : f === "dec" ? "bin" : "hex";
}
