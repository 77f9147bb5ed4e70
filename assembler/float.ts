// Floating-point constants in data (NASM `dd 1.5`, `dq 1.0e10`, `dt`, `__float32__(x)`; GNU as `.float`,
// `.single`, `.double`, `.tfloat`): an exact decimal (or hex) → IEEE 754 binary conversion with BigInt
// arithmetic, rounding once as each reference assembler does (no detour through a double, which would round
// twice for half/single precision and lose bits for the 80-bit format).
// x87 80-bit extended format: SDM Vol. 1 §4.2.2 (explicit integer bit).

export interface FloatFormat {
  bytes: number;
  expBits: number;
  /** Stored fraction bits (for the x87 format: the 64-bit significand including the explicit integer bit). */
  fracBits: number;
  /** x87 extended: the integer bit is stored. */
  explicitInteger?: boolean;
}

export const FLOAT16: FloatFormat = { bytes: 2, expBits: 5, fracBits: 10 };
export const FLOAT32: FloatFormat = { bytes: 4, expBits: 8, fracBits: 23 };
export const FLOAT64: FloatFormat = { bytes: 8, expBits: 11, fracBits: 52 };
export const FLOAT80: FloatFormat = { bytes: 10, expBits: 15, fracBits: 64, explicitInteger: true };
export const FLOAT128: FloatFormat = { bytes: 16, expBits: 15, fracBits: 112 };

/** The format of a data unit of `bytes` (NASM: dw/dd/dq/dt/do), if floats are allowed there. */
export function floatFormatForUnit(bytes: number): FloatFormat | undefined {
  switch (bytes) {
    case 2:
      return FLOAT16;
    case 4:
      return FLOAT32;
    case 8:
      return FLOAT64;
    case 10:
      return FLOAT80;
    case 16:
      return FLOAT128;
    default:
      return undefined;
  }
}

type Parsed =
  | { kind: "number"; negative: boolean; num: bigint; den: bigint }
  | { kind: "inf" | "qnan" | "snan"; negative: boolean };

const DECIMAL = /^(\d[\d_]*)?(?:\.(\d[\d_]*)?)?(?:[eE]([+-]?\d+))?$/;
const HEX = /^0[xXhH]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?(?:[pP]([+-]?\d+))?$/;

/**
 * Parses a floating-point literal; undefined when the text is not one (an integer is not: it needs a `.`,
 * an exponent, or a special name). NASM also reads hex floats (`0x1.8p3`) and `__Infinity__`, `__QNaN__`,
 * `__SNaN__`; GNU as a `0f`/`0d`/`0e`/`0r` prefix.
 */
export function parseFloatLiteral(text: string, dialect: "gas" | "nasm", allowInteger = false): Parsed | undefined {
  let t = text.trim();
  let negative = false;
  if (t.startsWith("-") || t.startsWith("+")) {
    negative = t.startsWith("-");
    t = t.slice(1).trim();
  }
  if (dialect === "nasm") {
    const special = /^__\??(Infinity|QNaN|NaN|SNaN)\??__$/.exec(t);
    if (special) {
      const k = special[1] === "Infinity" ? "inf" : special[1] === "SNaN" ? "snan" : "qnan";
      return { kind: k, negative };
    }
    const h = HEX.exec(t);
    if (h && (h[2] !== undefined || h[3] !== undefined) && (h[1] || h[2])) {
      const int = (h[1] ?? "").replace(/_/g, "");
      const frac = (h[2] ?? "").replace(/_/g, "");
      const digits = BigInt(`0x${int || "0"}${frac}`);
      const exp2 = Number(h[3] ?? "0") - 4 * frac.length;
      return exp2 >= 0
        ? { kind: "number", negative, num: digits << BigInt(exp2), den: 1n }
        : { kind: "number", negative, num: digits, den: 1n << BigInt(-exp2) };
    }
  } else {
    const pre = /^0[fFdDeErR](.*)$/.exec(t);
    if (pre) {
      t = pre[1]!;
      if (t.startsWith("-") || t.startsWith("+")) {
        if (t.startsWith("-")) negative = !negative;
        t = t.slice(1);
      }
    }
    if (/^(inf|infinity)$/i.test(t)) return { kind: "inf", negative };
    if (/^nan$/i.test(t)) return { kind: "qnan", negative };
  }
  const m = DECIMAL.exec(t);
  if (!m || (m[1] === undefined && (m[2] === undefined || dialect === "nasm"))) return undefined;
  if (!allowInteger && !t.includes(".") && m[3] === undefined) return undefined;
  const int = (m[1] ?? "").replace(/_/g, "");
  const frac = (m[2] ?? "").replace(/_/g, "");
  const exp10 = Number(m[3] ?? "0") - frac.length;
  if (!Number.isFinite(exp10) || Math.abs(exp10) > 10_000) return undefined;
  const digits = BigInt(`${int || "0"}${frac}` || "0");
  return exp10 >= 0
    ? { kind: "number", negative, num: digits * 10n ** BigInt(exp10), den: 1n }
    : { kind: "number", negative, num: digits, den: 10n ** BigInt(-exp10) };
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** The IEEE bit pattern of `p` in `f` (little-endian bytes). */
export function encodeFloat(p: Parsed, f: FloatFormat, dialect: "gas" | "nasm"): Uint8Array {
  const bias = (1 << (f.expBits - 1)) - 1;
  const expMax = (1n << BigInt(f.expBits)) - 1n;
  // Significand precision including the integer bit.
  const prec = f.explicitInteger ? f.fracBits : f.fracBits + 1;
  const fracField = f.explicitInteger ? f.fracBits : f.fracBits;
  let exponent: bigint;
  let fraction: bigint;
  if (p.kind !== "number") {
    exponent = expMax;
    const top = 1n << BigInt(fracField - 1);
    const intBit = f.explicitInteger ? 1n << BigInt(f.fracBits - 1) : 0n;
    if (p.kind === "inf") fraction = intBit;
    else if (p.kind === "qnan") fraction = f.explicitInteger ? intBit | (top >> 1n) : top;
    else fraction = f.explicitInteger ? intBit | 1n : 1n;
  } else if (p.num === 0n) {
    exponent = 0n;
    fraction = 0n;
  } else {
    const { num, den } = p;
    // 2^e <= num/den < 2^(e+1)
    let e = bitLength(num) - bitLength(den);
    if (e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den) e--;
    const minExp = 1 - bias;
    const used = Math.max(e, minExp);
    const shift = prec - 1 - used;
    const scaledNum = shift >= 0 ? num << BigInt(shift) : num;
    const scaledDen = shift >= 0 ? den : den << BigInt(-shift);
    let q = scaledNum / scaledDen;
    const rem = scaledNum - q * scaledDen;
    // Round to nearest; an exact half goes away from zero in GNU as (atof-ieee.c) and towards zero in nasm
    // (float.c) — both checked against the tools.
    if (rem * 2n > scaledDen || (dialect === "gas" && rem * 2n === scaledDen)) q++;
    let exp = used;
    if (q >= 1n << BigInt(prec)) {
      q >>= 1n;
      exp++;
    }
    const normal = q >= 1n << BigInt(prec - 1);
    if (normal && dialect === "nasm" && exp === bias + 1) {
      // ...and a value just past the range keeps its fraction under an all-ones exponent (it warns).
      exponent = expMax;
      fraction = f.explicitInteger ? q : q - (1n << BigInt(prec - 1));
    } else if (normal && exp > bias) {
      exponent = expMax;
      fraction = f.explicitInteger ? 1n << BigInt(f.fracBits - 1) : 0n;
    } else if (normal) {
      exponent = BigInt(exp + bias);
      fraction = f.explicitInteger ? q : q - (1n << BigInt(prec - 1));
    } else {
      exponent = 0n;
      fraction = q;
    }
  }
  let bits = (exponent << BigInt(fracField)) | fraction;
  if (p.negative) bits |= 1n << BigInt(f.bytes * 8 - 1);
  const out = new Uint8Array(f.bytes);
  for (let i = 0; i < f.bytes; i++) {
    out[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return out;
}

/** The bytes of a float literal in a data unit, or undefined when `text` is not a float literal. */
export function floatBytes(
  text: string,
  f: FloatFormat,
  dialect: "gas" | "nasm",
  allowInteger = false,
): Uint8Array | undefined {
  const p = parseFloatLiteral(text, dialect, allowInteger);
  return p ? encodeFloat(p, f, dialect) : undefined;
}

/** Is an encoded value an infinity or a NaN (all-ones exponent)? */
export function isInfOrNan(bytes: Uint8Array, f: FloatFormat): boolean {
  let bits = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) bits = (bits << 8n) | BigInt(bytes[i]!);
  const expMax = (1n << BigInt(f.expBits)) - 1n;
  return ((bits >> BigInt(f.fracBits)) & expMax) === expMax;
}
