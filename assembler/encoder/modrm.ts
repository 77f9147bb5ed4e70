// ModRM / SIB / displacement encoding of a memory operand.
// SDM Vol. 2A §2.1.5: Table 2-1 (16-bit addressing), Table 2-2 (32-bit addressing), Table 2-3 (SIB);
// §2.2.1.6 (RIP-relative addressing); §2.2.1.3 (REX.X/REX.B extend SIB.index / ModRM.rm / SIB.base).

import { regInfo } from "./registers";
import type { Bits, Flavor, MemOperand } from "./types";

export interface MemEncoding {
  mod: number;
  rm: number;
  sib?: number;
  disp: bigint;
  /** Displacement width in bytes: 0, 1, 2 or 4. */
  dispBytes: 0 | 1 | 2 | 4;
  rexX: boolean;
  rexB: boolean;
  addrSize: 16 | 32 | 64;
  /** RIP-relative with a target address: the displacement is target − end of instruction. */
  ripTarget?: bigint;
  /** The segment the addressing form uses by default (SS for BP/SP-based forms, DS otherwise). */
  defaultSeg: "ds" | "ss";
  /** A displacement size keyword that ModRM cannot honour (NASM `[qword x]` warns and ignores it). */
  dispSizeIgnored?: boolean;
  /** The displacement did not fit the address size and was truncated (both references warn). */
  truncated?: boolean;
}

export function fitsS8(v: bigint): boolean {
  return v >= -128n && v <= 127n;
}

/** Interpret v as a two's-complement number of `bits` width (v may be given signed or unsigned). */
export function toSigned(v: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, v);
}

function defaultAddrSize(bits: Bits): 16 | 32 | 64 {
  return bits;
}

/** Encode a memory operand, or return an error message. */
export function encodeMemory(mem: MemOperand, bits: Bits, flavor: Flavor): MemEncoding | string {
  const baseInfo = mem.base ? regInfo(mem.base) : undefined;
  const indexInfo = mem.index ? regInfo(mem.index) : undefined;
  if (mem.base && !baseInfo) return `unknown base register ${mem.base}`;
  if (mem.index && !indexInfo) return `unknown index register ${mem.index}`;

  // RIP-relative: `[rel x]`, `x(%rip)`, or base = rip.
  if (mem.rip || baseInfo?.cls === "rip") {
    if (bits !== 64) return "RIP-relative addressing is only available in 64-bit code";
    if (indexInfo) return "RIP-relative addressing cannot use an index register";
    const as = baseInfo?.size === 32 ? 32 : 64;
    const enc: MemEncoding = {
      mod: 0,
      rm: 5,
      disp: mem.disp,
      dispBytes: 4,
      rexX: false,
      rexB: false,
      addrSize: as,
      defaultSeg: "ds",
    };
    if (!mem.ripRaw) enc.ripTarget = mem.disp;
    return enc;
  }
  if (baseInfo && baseInfo.cls !== "gpr") return `${mem.base} cannot be used as a base register`;
  if (indexInfo && indexInfo.cls !== "gpr") return `${mem.index} cannot be used as an index register`;
  if (baseInfo && baseInfo.size === 8) return `${mem.base} cannot be used as a base register`;
  if (indexInfo && indexInfo.size === 8) return `${mem.index} cannot be used as an index register`;
  if (baseInfo && indexInfo && baseInfo.size !== indexInfo.size) return "base and index registers differ in size";

  const regSize = (baseInfo ?? indexInfo)?.size as 16 | 32 | 64 | undefined;
  let as: 16 | 32 | 64 = regSize ?? mem.addrSize ?? defaultAddrSize(bits);
  if (mem.addrSize !== undefined && regSize !== undefined && mem.addrSize !== regSize)
    return `address size ${mem.addrSize} does not match the registers used`;
  if (as === 64 && bits !== 64) return "64-bit addressing is only available in 64-bit code";
  if (as === 16 && bits === 64) return "16-bit addressing is not available in 64-bit code";
  if (regSize === undefined && mem.dispSize === 64) as = 64;

  if (as === 16) return encode16(mem, baseInfo?.name, indexInfo?.name);

  let base = baseInfo;
  let index = indexInfo;
  let scale: number = mem.scale;
  if (scale === 3 || scale === 5 || scale === 9) {
    // NASM: reg*3/5/9 is reg + reg*2/4/8, which needs the base slot free.
    if (flavor !== "nasm" || base || !index) return "invalid effective address: scale must be 1, 2, 4 or 8";
    base = index;
    scale -= 1;
  }
  // NASM rewrites index-only forms: [eax*1] → [eax], [eax*2] → [eax+eax] (shorter: no disp32).
  if (flavor === "nasm" && !base && index && !mem.dispUnresolved && mem.dispSize === undefined) {
    if (scale === 1) {
      base = index;
      index = undefined;
    } else if (scale === 2) {
      base = index;
      scale = 1;
    }
  }
  if (index && index.num === 4) {
    // ESP/RSP cannot be an index; NASM swaps it with the base when the scale is 1.
    if (flavor === "nasm" && scale === 1 && base && base.num !== 4) {
      const t = base;
      base = index;
      index = t;
    } else return `${index.name} cannot be used as an index register`;
  }

  const dispSigned = toSigned(mem.disp, as === 64 ? 64 : 32);
  if (as === 64 && (dispSigned < -(1n << 31n) || dispSigned >= 1n << 31n)) return "displacement out of range";
  if (as === 32 && (mem.disp < -(1n << 31n) || mem.disp >= 1n << 32n)) return "displacement out of range";

  const enc: MemEncoding = {
    mod: 0,
    rm: 0,
    disp: dispSigned,
    dispBytes: 0,
    rexX: (index?.num ?? 0) >= 8,
    rexB: (base?.num ?? 0) >= 8,
    addrSize: as,
    defaultSeg: base && (base.num === 4 || base.num === 5) ? "ss" : "ds",
  };

  const scaleBits = scale === 1 ? 0 : scale === 2 ? 1 : scale === 4 ? 2 : 3;
  if (!base) {
    // Absolute or index-only: disp32 always.
    enc.mod = 0;
    enc.dispBytes = 4;
    if (index) {
      enc.rm = 4;
      enc.sib = (scaleBits << 6) | ((index.num & 7) << 3) | 5;
    } else if (bits === 64) {
      // In 64-bit mode mod=00 rm=101 means RIP-relative; absolute needs SIB with no base and no index.
      enc.rm = 4;
      enc.sib = 0x25;
    } else {
      enc.rm = 5;
    }
    if (mem.dispSize !== undefined && mem.dispSize !== 32 && mem.dispSize !== 64)
      return `a ${mem.dispSize}-bit displacement is not possible without a base register`;
    if (mem.dispSize === 64) enc.dispSizeIgnored = true;
    return enc;
  }

  // Displacement size (Table 2-2): none, disp8 or disp32. [ebp]/[r13] always need a displacement.
  const needsDisp = (base.num & 7) === 5;
  let dispBytes: 0 | 1 | 4;
  if (mem.dispSize === 8) {
    if (!fitsS8(dispSigned) && !mem.dispUnresolved) return "displacement does not fit in a byte";
    dispBytes = 1;
  } else if (mem.dispSize === 32 || mem.dispSize === 64 || mem.dispSize === 16) dispBytes = 4;
  else if (mem.dispUnresolved) dispBytes = 4;
  else if (dispSigned === 0n && !needsDisp) dispBytes = 0;
  else if (fitsS8(toSigned(dispSigned, 32))) dispBytes = 1;
  else dispBytes = 4;
  enc.dispBytes = dispBytes;
  if (mem.dispSize === 64 || mem.dispSize === 16) enc.dispSizeIgnored = true;
  enc.mod = dispBytes === 0 ? 0 : dispBytes === 1 ? 1 : 2;
  if (index || (base.num & 7) === 4) {
    enc.rm = 4;
    const idx = index ? index.num & 7 : 4;
    enc.sib = (scaleBits << 6) | (idx << 3) | (base.num & 7);
  } else {
    enc.rm = base.num & 7;
  }
  return enc;
}

/** 16-bit addressing forms (Table 2-1): [bx+si] [bx+di] [bp+si] [bp+di] [si] [di] [bp] [bx]. */
function encode16(mem: MemOperand, base?: string, index?: string): MemEncoding | string {
  if (mem.scale !== 1 && index) return "16-bit addressing has no scaled index";
  const regs = [base, index].filter((r): r is string => r !== undefined);
  const has = (r: string) => regs.includes(r);
  let rm: number;
  if (regs.length === 0) rm = -1;
  else if (regs.length === 2 && has("bx") && has("si")) rm = 0;
  else if (regs.length === 2 && has("bx") && has("di")) rm = 1;
  else if (regs.length === 2 && has("bp") && has("si")) rm = 2;
  else if (regs.length === 2 && has("bp") && has("di")) rm = 3;
  else if (regs.length === 1 && has("si")) rm = 4;
  else if (regs.length === 1 && has("di")) rm = 5;
  else if (regs.length === 1 && has("bp")) rm = 6;
  else if (regs.length === 1 && has("bx")) rm = 7;
  else return "invalid 16-bit address: only [bx|bp] + [si|di] can be combined";
  const disp = toSigned(mem.disp, 16);
  const enc: MemEncoding = {
    mod: 0,
    rm,
    disp,
    dispBytes: 2,
    rexX: false,
    rexB: false,
    addrSize: 16,
    defaultSeg: has("bp") ? "ss" : "ds",
  };
  if (mem.disp < -(1n << 15n) || mem.disp >= 1n << 16n) enc.truncated = true;
  if (rm === -1) {
    enc.rm = 6;
    return enc;
  }
  if (mem.dispSize === 8) {
    if (!fitsS8(disp) && !mem.dispUnresolved) return "displacement does not fit in a byte";
    enc.mod = 1;
    enc.dispBytes = 1;
  } else if (mem.dispSize === 16 || mem.dispSize === 32 || mem.dispUnresolved) {
    enc.mod = 2;
  } else if (disp === 0n && rm !== 6) {
    enc.mod = 0;
    enc.dispBytes = 0;
  } else if (fitsS8(disp)) {
    enc.mod = 1;
    enc.dispBytes = 1;
  } else enc.mod = 2;
  return enc;
}
