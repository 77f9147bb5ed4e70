// Memoization of encode(): front ends re-encode every instruction on every pass, and programs repeat
// instructions. The key holds everything a result depends on.

import type { EncodeOk, EncodeRequest, EncodeResult } from "./types";

const CACHE = new Map<string, EncodeResult>();

/** Forget memoized results (benchmarks measure the uncached path with it). */
export function clearEncodeCache(): void {
  CACHE.clear();
  TEMPLATES.clear();
}
const CACHE_LIMIT = 100_000;
const ADDRESS_DEPENDENT = /^(j|call|loop|xbegin)/;

function copyResult(r: EncodeResult): EncodeResult {
  if (!("bytes" in r)) return { ...r };
  const c: EncodeOk = r.warnings ? { bytes: r.bytes.slice(), warnings: [...r.warnings] } : { bytes: r.bytes.slice() };
  if (r.fields) c.fields = r.fields;
  return c;
}

/** A string field, length-prefixed so that no two requests share a key. */
function str(x: string | undefined): string {
  return x === undefined ? "-" : `${x.length}:${x}`;
}

/**
 * Everything the result depends on, as a string; undefined = don't cache. The address only matters for
 * branch targets and RIP-relative operands: those are keyed without it (and without the target) by
 * templateKey, for a template the target is patched into.
 */
function cacheKey(req: EncodeRequest, ripTarget = false): string | undefined {
  if (typeof req.mnemonic !== "string" || !Array.isArray(req.operands)) return undefined;
  if (!ripTarget && ADDRESS_DEPENDENT.test(req.mnemonic)) return undefined;
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
        if (o.rip && !ripTarget) return undefined;
        k += `|m${o.size ?? ""},${str(o.seg)},${str(o.base)},${str(o.index)},${o.scale},${o.rip && !o.ripRaw ? "R" : o.disp},${o.dispUnresolved ? 1 : 0},${o.dispSize ?? ""},${o.rip ? 1 : 0}${o.ripRaw ? 1 : 0},${o.addrSize ?? ""},${o.far ? 1 : 0}`;
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

// ---------------------------------------------------------------------------------------------------------
// Templates for address-dependent encodings. A branch with a fixed form (short or near) and an instruction
// with one RIP-relative operand have bytes that depend on the address and target only through one
// displacement field (SDM Vol. 2A §2.1.3; §2.2.1.6 RIP-relative addressing). The first encoding of such a
// request is kept with the field's place, found by looking for the displacement it must hold — used only
// when exactly one place fits, so the template is never ambiguous — and later requests patch the field.
// Anything out of range, or with warnings, takes the full path (which reports the error).

interface Template {
  bytes: Uint8Array;
  offset: number;
  width: 1 | 2 | 4;
  rip: boolean;
  /** RIP-relative with an unresolved displacement: the encoder truncates to 32 bits. */
  wrap: boolean;
  fields?: EncodeOk["fields"];
}

const TEMPLATES = new Map<string, Template>();

interface TemplateRequest {
  key: string;
  target: bigint;
  rip: boolean;
  wrap: boolean;
}

function templateRequest(req: EncodeRequest): TemplateRequest | undefined {
  if (typeof req.mnemonic !== "string" || !Array.isArray(req.operands) || typeof req.address !== "bigint")
    return undefined;
  const ops = req.operands;
  if (ADDRESS_DEPENDENT.test(req.mnemonic)) {
    const op = ops[0];
    if (ops.length !== 1 || op?.kind !== "imm" || typeof op.value !== "bigint") return undefined;
    if (req.branch !== "short" && req.branch !== "near") return undefined;
    let k = `B${str(req.mnemonic)}|${req.bits}|${req.flavor}|${req.syntax ?? ""}|${req.branch}|${req.opSize ?? ""}|${op.unresolved ? 1 : 0},${op.size ?? ""},${op.strict ? 1 : 0}`;
    if (req.prefixes && req.prefixes.length > 0) k += `|p${req.prefixes.map(str).join("")}`;
    return { key: k, target: op.value, rip: false, wrap: false };
  }
  let rip: (typeof ops)[number] | undefined;
  for (const o of ops) {
    if (o?.kind === "mem" && o.rip && !o.ripRaw) {
      if (rip) return undefined;
      rip = o;
    }
  }
  if (rip?.kind !== "mem" || typeof rip.disp !== "bigint") return undefined;
  const key = cacheKey(req, true);
  return key === undefined
    ? undefined
    : { key: `R${key}`, target: rip.disp, rip: true, wrap: rip.dispUnresolved === true };
}

/** The displacement field's value for `t` at `address`, or undefined when the encoder would reject it. */
function fieldValue(
  tr: TemplateRequest,
  address: bigint,
  length: number,
  width: number,
  bits: number,
): bigint | undefined {
  const d = tr.target - (address + BigInt(length));
  if (tr.rip) {
    const dd = tr.wrap ? BigInt.asIntN(32, d) : d;
    return dd < -(1n << 31n) || dd >= 1n << 31n ? undefined : dd;
  }
  if (width === 1) return d >= -128n && d <= 127n ? d : undefined;
  if (width === 2 || bits === 32) return d;
  return d < -(1n << 31n) || d >= 1n << 31n ? undefined : d;
}

function fieldMatches(bytes: Uint8Array, offset: number, width: number, value: bigint): boolean {
  if (offset < 0 || offset + width > bytes.length) return false;
  let x = BigInt.asUintN(width * 8, value);
  for (let i = 0; i < width; i++) {
    if (bytes[offset + i] !== Number(x & 0xffn)) return false;
    x >>= 8n;
  }
  return true;
}

function writeField(bytes: Uint8Array, offset: number, width: number, value: bigint): void {
  let x = BigInt.asUintN(width * 8, value);
  for (let i = 0; i < width; i++) {
    bytes[offset + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

function fromTemplate(t: Template, tr: TemplateRequest, req: EncodeRequest): EncodeResult | undefined {
  const v = fieldValue(tr, req.address, t.bytes.length, t.width, req.bits);
  if (v === undefined) return undefined;
  const bytes = t.bytes.slice();
  writeField(bytes, t.offset, t.width, v);
  return t.fields ? { bytes, fields: t.fields } : { bytes };
}

function learnTemplate(tr: TemplateRequest, req: EncodeRequest, r: EncodeResult): void {
  if (!("bytes" in r) || (r.warnings && r.warnings.length > 0)) return;
  const b = r.bytes;
  const places: { offset: number; width: 1 | 2 | 4 }[] = [];
  if (tr.rip) {
    for (let o = 0; o + 4 <= b.length; o++) places.push({ offset: o, width: 4 });
  } else if (req.branch === "short") places.push({ offset: b.length - 1, width: 1 });
  else places.push({ offset: b.length - 4, width: 4 }, { offset: b.length - 2, width: 2 });
  let found: { offset: number; width: 1 | 2 | 4 } | undefined;
  for (const p of places) {
    const v = fieldValue(tr, req.address, b.length, p.width, req.bits);
    if (v === undefined || !fieldMatches(b, p.offset, p.width, v)) continue;
    if (found) return; // ambiguous: never guess
    found = p;
  }
  if (!found) return;
  if (TEMPLATES.size >= CACHE_LIMIT) TEMPLATES.clear();
  const t: Template = { bytes: b.slice(), offset: found.offset, width: found.width, rip: tr.rip, wrap: tr.wrap };
  if (r.fields) t.fields = r.fields;
  TEMPLATES.set(tr.key, t);
}

/** The memoized result for `req`, computing (and storing) it on a miss. Callers get their own copy. */
export function cachedEncode(
  req: EncodeRequest,
  compute: (req: EncodeRequest) => EncodeResult,
  shared = false,
): EncodeResult {
  const key = cacheKey(req);
  if (key === undefined) {
    const tr = templateRequest(req);
    if (!tr) return compute(req);
    const t = TEMPLATES.get(tr.key);
    const fast = t ? fromTemplate(t, tr, req) : undefined;
    if (fast) return fast;
    const r = compute(req);
    if (!t) learnTemplate(tr, req, r);
    return r;
  }
  const hit = CACHE.get(key);
  if (hit) return shared ? hit : copyResult(hit);
  const r = compute(req);
  if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
  CACHE.set(key, copyResult(r));
  return r;
}
