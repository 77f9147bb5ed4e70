// Shape checks for requests that come from other code (or fuzzers) before any field is trusted.

import { SEG_PREFIX } from "./prefixes";
import type { EncodeError, EncodeRequest, Operand } from "./types";

/** Requests come from other code (and fuzzers): check the shape before trusting any field. */
export function malformed(req: EncodeRequest): EncodeError | undefined {
  if (typeof req !== "object" || req === null) return { error: "request must be an object" };
  if (typeof req.mnemonic !== "string") return { error: "mnemonic must be a string" };
  if (req.bits !== 16 && req.bits !== 32 && req.bits !== 64) return { error: `invalid code size ${String(req.bits)}` };
  if (typeof req.address !== "bigint") return { error: "address must be a bigint" };
  if (!Array.isArray(req.operands)) return { error: "operands must be an array" };
  if (req.prefixes !== undefined && (!Array.isArray(req.prefixes) || req.prefixes.some((p) => typeof p !== "string")))
    return { error: "prefixes must be strings" };
  const opt = (x: unknown) => x === undefined || typeof x === "string";
  for (let i = 0; i < req.operands.length; i++) {
    const o = req.operands[i] as Operand | null | undefined;
    const bad = { error: "malformed operand", operandIndex: i };
    if (typeof o !== "object" || o === null) return bad;
    switch (o.kind) {
      case "reg":
        if (typeof o.reg !== "string") return bad;
        break;
      case "imm":
        if (typeof o.value !== "bigint") return bad;
        break;
      case "mem":
        if (typeof o.disp !== "bigint" || ![1, 2, 4, 8, 3, 5, 9].includes(o.scale)) return bad;
        if (!opt(o.base) || !opt(o.index) || !opt(o.seg)) return bad;
        if (o.seg !== undefined && SEG_PREFIX[o.seg] === undefined) return bad;
        break;
      case "far":
        if (typeof o.selector !== "bigint" || typeof o.offset !== "bigint") return bad;
        break;
      default:
        return bad;
    }
  }
  return undefined;
}
