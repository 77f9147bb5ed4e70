// The assembler's output: sections with load addresses, symbols, the address ⇄ source line map, a listing
// and diagnostics. Plus the flat-binary writer.
import type { Diagnostic, Syntax } from "./ast";

export interface Section {
  name: string;
  /** Load (and run) address of the first byte. */
  address: bigint;
  /** The contents; for a `nobits` section (.bss) all zeros, `size` long, and not written by flatBinary. */
  bytes: Uint8Array;
  size: number;
  /** .bss-like: occupies addresses but has no bytes in the file. */
  nobits: boolean;
  /** Alignment of the section start in bytes. */
  align: number;
  /**
   * nasm `vstart=`/`vfollows=`: the address its labels (and the line map) count from, when it differs from
   * where the section is loaded (code copied elsewhere before it runs).
   */
  vstart?: bigint;
}

export interface SymbolInfo {
  value: bigint;
  /** The section a label is in; undefined for constants (equ/set). */
  section?: string;
  file: string;
  /** 0-based line and column of the definition. */
  line: number;
  column: number;
  /** Label (an address) rather than a constant. */
  label: boolean;
}

/** One emitted instruction or data item. Lines and columns are 0-based. */
export interface LineMapEntry {
  address: bigint;
  length: number;
  file: string;
  line: number;
  column: number;
}

export interface Program {
  syntax: Syntax;
  sections: Section[];
  symbols: Map<string, SymbolInfo>;
  /** Sorted by address. */
  lineMap: LineMapEntry[];
  /** nasm -l style listing. */
  listing: string;
  diagnostics: Diagnostic[];
  /** `_start`/`start` if defined, else the address of the first section. */
  entry?: bigint;
  /**
   * Address of the first byte of the flat binary: NASM's `org` (nasm -f bin pads from there to an aligned
   * first section), GAS's --base. Defaults to the lowest section address.
   */
  origin?: bigint;
}

/**
 * The flat binary image: every section with bytes, from the lowest address, gaps filled with zeros —
 * what `nasm -f bin` writes, and what `ld --oformat binary` (objcopy -O binary) writes for GAS input.
 */
export function flatBinary(program: Program): Uint8Array {
  const loaded = program.sections.filter((s) => !s.nobits && s.size > 0);
  if (loaded.length === 0) return new Uint8Array(0);
  let lo = loaded[0]!.address;
  for (const s of loaded) if (s.address < lo) lo = s.address;
  if (program.origin !== undefined && program.origin < lo) lo = program.origin;
  let hi = lo;
  for (const s of loaded) {
    const end = s.address + BigInt(s.size);
    if (end > hi) hi = end;
  }
  const out = new Uint8Array(Number(hi - lo));
  for (const s of loaded) out.set(s.bytes.subarray(0, s.size), Number(s.address - lo));
  return out;
}

/** The line-map entry covering an address (binary search), if any. */
export function lineAt(program: Program, address: bigint): LineMapEntry | undefined {
  const map = program.lineMap;
  let lo = 0;
  let hi = map.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = map[mid]!;
    if (address < e.address) hi = mid - 1;
    else if (address >= e.address + BigInt(Math.max(e.length, 1))) lo = mid + 1;
    else return e;
  }
  return undefined;
}

/** Addresses of the items on a source line (for breakpoints). */
export function addressesOf(program: Program, file: string, line: number): bigint[] {
  return program.lineMap.filter((e) => e.file === file && e.line === line && e.length > 0).map((e) => e.address);
}
