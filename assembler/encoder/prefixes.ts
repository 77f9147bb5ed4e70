// Prefixes written as statements of their own: GNU as `rep; movsb`, `lock; incl (%rax)`, `data16`,
// `rex.W`; NASM `rep` / `o32` / `a16` on a line. Each emits just its byte(s) (SDM Vol. 2A §2.1.1, §2.2.1).

import type { Bits, Flavor } from "./types";

/** Segment-override prefix bytes (SDM Vol. 2A §2.1.1, group 2). */
export const SEG_PREFIX: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };

const COMMON: Record<string, number> = {
  lock: 0xf0,
  rep: 0xf3,
  repe: 0xf3,
  repz: 0xf3,
  repne: 0xf2,
  repnz: 0xf2,
  xacquire: 0xf2,
  xrelease: 0xf3,
  es: 0x26,
  cs: 0x2e,
  ss: 0x36,
  ds: 0x3e,
  fs: 0x64,
  gs: 0x65,
};

/** GNU as emits these literally, in any code size. */
const GAS_ONLY: Record<string, number> = {
  data16: 0x66,
  data32: 0x66,
  addr16: 0x67,
  addr32: 0x67,
  bnd: 0xf2,
  notrack: 0x3e,
};

// GNU as REX spellings: rex, rex64 (= rex.W), rex.W, rex.R, … rex.WRXB (any subset of W, R, X, B in order).
const REX: Record<string, number> = { rex: 0x40, rex64: 0x48 };
for (let bitsSet = 1; bitsSet < 16; bitsSet++) {
  const letters = ["w", "r", "x", "b"].filter((_, i) => bitsSet & (8 >> i)).join("");
  REX[`rex.${letters}`] = 0x40 | bitsSet;
}

/** The bytes a prefix written alone emits, or undefined if `mnemonic` is not such a prefix (or not here). */
export function standalonePrefix(mnemonic: string, bits: Bits, flavor: Flavor): number[] | undefined {
  const m = mnemonic.toLowerCase();
  // GNU as refuses the segment prefixes that 64-bit mode ignores, and data32, in 64-bit code.
  if (flavor === "gas" && bits === 64 && /^([ecsd]s|data32)$/.test(m)) return undefined;
  const common = COMMON[m];
  if (common !== undefined) return [common];
  if (flavor === "gas") {
    const g = GAS_ONLY[m];
    if (g !== undefined) return [g];
    const rex = REX[m];
    if (rex !== undefined) return bits === 64 ? [rex] : undefined;
    return undefined;
  }
  // NASM o16/o32/a16/a32 emit a size prefix only when they differ from the code size's default.
  switch (m) {
    case "o16":
      return bits === 16 ? [] : [0x66];
    case "o32":
      return bits === 16 ? [0x66] : [];
    case "a16":
      return bits === 16 ? [] : bits === 32 ? [0x67] : undefined;
    case "a32":
      return bits === 32 ? [] : [0x67];
  }
  return undefined;
}

/** Every standalone-prefix name, for the mnemonic lists. */
export function standalonePrefixNames(flavor: Flavor): string[] {
  const names = Object.keys(COMMON);
  return flavor === "gas"
    ? [...names, ...Object.keys(GAS_ONLY), ...Object.keys(REX)]
    : [...names, "o16", "o32", "a16", "a32"];
}
