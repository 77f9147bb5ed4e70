// Memoization of encode(): front ends re-encode every instruction on every pass, and programs repeat
// instructions. The key holds everything a result depends on.

import type { EncodeRequest, EncodeResult } from "./types";

const CACHE = new Map<string, EncodeResult>();

/** Forget memoized results (benchmarks measure the uncached path with it). */
export function clearEncodeCache(): void {
  CACHE.clear();
}
const CACHE_LIMIT = 100_000;
const ADDRESS_DEPENDENT = /^(j|call|loop|xbegin)/;

function copyResult(r: EncodeResult): EncodeResult {
  if (!("bytes" in r)) return { ...r };
  return r.warnings ? { bytes: r.bytes.slice(), warnings: [...r.warnings] } : { bytes: r.bytes.slice() };
}

/** A string field, length-prefixed so that no two requests share a key. */
function str(x: string | undefined): string {
  return x === undefined ? "-" : `${x.length}:${x}`;
}

/**
 * Everything the result depends on, as a string; undefined = don't cache. The address only matters for
 * branch targets and RIP-relative operands, which are not cached.
 */
function cacheKey(req: EncodeRequest): string | undefined {
  if (typeof req.mnemonic !== "string" || !Array.isArray(req.operands)) return undefined;
  // Branches and RIP-relative operands depend on the address, which differs at every site: encoding them
  // directly is cheaper than a key that never hits.
  if (ADDRESS_DEPENDENT.test(req.mnemonic)) return undefined;
  let k = `${str(req.mnemonic)}|${req.bits}|${req.flavor}|${req.syntax ?? ""}|${req.branch ?? ""}|${req.opSize ?? ""}|${req.srcSize ?? ""}|${req.operands.length}`;
  if (req.prefixes && req.prefixes.length > 0) k += `|p${req.prefixes.map(str).join("")}`;
  for (const o of req.operands) {
    switch (o?.kind) {
      case "reg":
        k += `|r${str(o.reg)}`;
        break;
      case "imm":
        k += `|i${o.value},${o.unresolved ? 1 : 0},${o.size ?? ""},${o.strict ? 1 : 0}`;
        break;
      case "mem":
        if (o.rip) return undefined;
        k += `|m${o.size ?? ""},${str(o.seg)},${str(o.base)},${str(o.index)},${o.scale},${o.disp},${o.dispUnresolved ? 1 : 0},${o.dispSize ?? ""},${o.ripRaw ? 1 : 0},${o.addrSize ?? ""},${o.far ? 1 : 0}`;
        break;
      case "far":
        k += `|f${o.selector},${o.offset},${o.unresolved ? 1 : 0},${o.size ?? ""}`;
        break;
      default:
        return undefined;
    }
  }
  return k;
}

/** The memoized result for `req`, computing (and storing) it on a miss. Callers get their own copy. */
export function cachedEncode(req: EncodeRequest, compute: (req: EncodeRequest) => EncodeResult): EncodeResult {
  const key = cacheKey(req);
  const hit = key === undefined ? undefined : CACHE.get(key);
  if (hit) return copyResult(hit);
  const r = compute(req);
  if (key !== undefined) {
    if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
    CACHE.set(key, copyResult(r));
  }
  return r;
}
