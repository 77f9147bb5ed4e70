// The golden corpus: forms.txt (what to assemble) and golden.tsv (what GNU as / nasm produced for it).

import type { Bits, Flavor } from "../types";

/** The dialects of the corpus: NASM, GNU as AT&T, and GNU as `.intel_syntax noprefix` (encoded as "gas"). */
export type CorpusFlavor = Flavor | "gas-intel";

import { sweepEntries } from "./sweep";
import { parseIntel, toAtt } from "./syntax";

export interface CorpusEntry {
  /** 1-based line in forms.txt. */
  line: number;
  intel: string;
  /** Explicit AT&T text (`||` in forms.txt), otherwise derived. */
  att?: string;
  modes: Bits[];
  flavors: Flavor[];
}

export interface Golden {
  bits: Bits;
  flavor: CorpusFlavor;
  address: bigint;
  intel: string;
  att: string;
  /** Hex bytes, or undefined when the reference rejected the line. */
  hex?: string;
  /** The reference's error message when it rejected the line. */
  error?: string;
}

/** Parse forms.txt. */
export function loadCorpus(text: string): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  let modes: Bits[] = [16, 32, 64];
  text.split("\n").forEach((raw, i) => {
    let s = raw.trim();
    if (s === "" || s.startsWith("#")) return;
    if (s.startsWith("@")) {
      modes = s
        .slice(1)
        .trim()
        .split(/\s+/)
        .map((x) => Number(x) as Bits);
      return;
    }
    let lineModes = modes;
    let flavors: Flavor[] = ["gas", "nasm"];
    for (;;) {
      const m = /^\{([^}]*)\}\s*/.exec(s);
      if (!m) break;
      const tag = m[1]!.trim();
      if (tag === "nasm" || tag === "gas") flavors = [tag];
      else lineModes = tag.split(",").map((x) => Number(x.trim()) as Bits);
      s = s.slice(m[0].length);
    }
    const [intel, att] = s.split("||").map((x) => x.trim());
    const e: CorpusEntry = { line: i + 1, intel: intel!, modes: lineModes, flavors };
    if (att) e.att = att;
    out.push(e);
  });
  return out;
}

/** forms.txt followed by the generated sweeps of ./sweep: everything golden.tsv holds, in order. */
export function corpusEntries(formsText: string): CorpusEntry[] {
  return [...loadCorpus(formsText), ...sweepEntries()];
}

/** The AT&T text GNU as is given for an entry. */
export function attText(e: CorpusEntry, address: bigint): string {
  if (e.att) return e.att;
  const p = parseIntel(e.intel, address);
  return typeof p === "string" ? `# unparsable: ${p}` : toAtt(p);
}

/** The (bits, flavor) groups of the corpus with their entries in order; entry i sits at address i*16. */
export function groups(entries: CorpusEntry[]): { bits: Bits; flavor: CorpusFlavor; entries: CorpusEntry[] }[] {
  const out: { bits: Bits; flavor: CorpusFlavor; entries: CorpusEntry[] }[] = [];
  for (const flavor of ["gas", "nasm", "gas-intel"] as const)
    for (const bits of [16, 32, 64] as const) {
      // GNU as Intel syntax: the hand-written forms (not the sweeps), without explicit AT&T text.
      const list = entries.filter((e) =>
        flavor === "gas-intel"
          ? e.modes.includes(bits) && e.flavors.includes("gas") && e.line > 0 && e.att === undefined
          : e.modes.includes(bits) && e.flavors.includes(flavor),
      );
      if (list.length > 0) out.push({ bits, flavor, entries: list });
    }
  return out;
}

export const SLOT = 16n;

export function formatGolden(rows: Golden[], header: string[]): string {
  const lines = header.map((h) => `# ${h}`);
  lines.push("# bits\tflavor\taddress\tintel\tGNU as text (AT&T or Intel; empty for nasm rows)\tbytes (hex) or !error");
  for (const r of rows)
    lines.push(
      [r.bits, r.flavor, `0x${r.address.toString(16)}`, r.intel, r.att, r.hex ?? `!${r.error ?? "error"}`].join("\t"),
    );
  return `${lines.join("\n")}\n`;
}

export function parseGolden(text: string): Golden[] {
  const out: Golden[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [bits, flavor, address, intel, att, result] = line.split("\t");
    if (result === undefined) continue;
    const g: Golden = {
      bits: Number(bits) as Bits,
      flavor: flavor as CorpusFlavor,
      address: BigInt(address!),
      intel: intel!,
      att: att!,
    };
    if (result.startsWith("!")) g.error = result.slice(1);
    else g.hex = result;
    out.push(g);
  }
  return out;
}
