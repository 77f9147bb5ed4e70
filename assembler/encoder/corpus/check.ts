// Runs the encoder over golden rows and reports every difference (used by the corpus tests).

import { encode } from "../encode";
import { type EncodeRequest, isEncodeError, type PrefixName } from "../types";
import type { Golden } from "./corpus";
import { parseIntel } from "./syntax";

const ATT_PREFIX_WORDS = new Set([
  "lock",
  "rep",
  "repe",
  "repz",
  "repne",
  "repnz",
  "data16",
  "data32",
  "addr16",
  "addr32",
  "rex64",
  "es",
  "cs",
  "ss",
  "ds",
  "fs",
  "gs",
]);

/** The EncodeRequest a front end would build for a golden row (Intel operands; AT&T mnemonic for GAS). */
export function requestFor(g: Golden): EncodeRequest | string {
  const p = parseIntel(g.intel, g.address);
  if (typeof p === "string") return p;
  let mnemonic = p.mnemonic;
  let prefixes: PrefixName[] = p.prefixes;
  if (g.flavor === "gas") {
    const words = g.att.split(/\s+/);
    const pre: PrefixName[] = [];
    while (words.length > 1 && ATT_PREFIX_WORDS.has(words[0]!)) pre.push(words.shift() as PrefixName);
    mnemonic = words[0] ?? mnemonic;
    prefixes = pre;
    // AT&T text carries no size keywords and no short/near: only the suffix and registers give sizes.
    p.operands = p.operands.map((o) => {
      if (o.kind === "mem") {
        const { size: _size, dispSize: _dispSize, ...rest } = o;
        return rest;
      }
      if (o.kind === "imm") {
        const { size: _size, strict: _strict, ...rest } = o;
        return rest;
      }
      return o;
    });
    p.branch = undefined;
    // These keep Intel order in AT&T text; a front end reversing every AT&T operand list passes them
    // backwards, which the encoder accepts for GNU as.
    if (/^(monitor|mwait|invlpga)$/.test(mnemonic)) p.operands.reverse();
  }
  const req: EncodeRequest = {
    mnemonic,
    operands: p.operands,
    prefixes,
    bits: g.bits,
    address: g.address,
    // GNU as Intel syntax: the Intel mnemonic and size keywords, GNU as's choices.
    flavor: g.flavor === "gas-intel" ? "gas" : g.flavor,
  };
  if (g.flavor === "gas-intel") req.syntax = "intel";
  if (p.branch && g.flavor === "nasm") req.branch = p.branch;
  return req;
}

export interface Difference {
  golden: Golden;
  got: string;
}

/** Compare the encoder with each golden row: same bytes, or both reject. */
export function compare(rows: Golden[]): Difference[] {
  const out: Difference[] = [];
  for (const g of rows) {
    const req = requestFor(g);
    if (typeof req === "string") {
      out.push({ golden: g, got: `corpus parse error: ${req}` });
      continue;
    }
    const r = encode(req);
    const got = isEncodeError(r) ? `!${r.error}` : Buffer.from(r.bytes).toString("hex");
    const ok = g.hex === undefined ? got.startsWith("!") : got === g.hex;
    if (!ok) out.push({ golden: g, got });
  }
  return out;
}

export function describe(d: Difference): string {
  const g = d.golden;
  return `${g.bits} ${g.flavor} ${g.flavor === "gas" ? g.att : g.intel}: want ${g.hex ?? `!${g.error}`} got ${d.got}`;
}
