// Address ⇄ source line, and address ⇄ label, over the assembler's line map and symbol table.
// Lines and columns are 0-based, as in the assembler's Program. File names are canonical (paths.ts): the line
// map's names are canonicalized once here, and every path asked about is canonicalized the same way.
import { type Canonicalize, lexicalCanonicalizer } from "./paths";

export interface LineEntry {
  address: bigint;
  length: number;
  file: string;
  line: number;
  column: number;
}

export interface SymbolEntry {
  name: string;
  value: bigint;
  /** A label (an address), not an `equ` constant. */
  label: boolean;
  file?: string;
  line?: number;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Where a requested source breakpoint line ended up. */
export interface ResolvedLine {
  line: number;
  column: number;
  address: bigint;
}

export class SourceMap {
  /** Entries with a length, sorted by address. */
  private readonly byAddress: LineEntry[];
  private readonly labels: SymbolEntry[];
  private readonly symbolsByName = new Map<string, SymbolEntry>();

  constructor(
    lineMap: readonly LineEntry[],
    symbols: readonly SymbolEntry[],
    readonly canonical: Canonicalize = lexicalCanonicalizer,
  ) {
    const names = new Map<string, string>();
    const key = (f: string) => {
      let k = names.get(f);
      if (k === undefined) {
        k = canonical(f);
        names.set(f, k);
      }
      return k;
    };
    this.byAddress = lineMap
      .filter((e) => e.length > 0)
      .map((e) => ({ ...e, file: key(e.file) }))
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    for (const s of symbols) this.symbolsByName.set(s.name, s.file === undefined ? s : { ...s, file: key(s.file) });
    this.labels = [...this.symbolsByName.values()]
      .filter((s) => s.label)
      .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }

  get entries(): readonly LineEntry[] {
    return this.byAddress;
  }

  get files(): string[] {
    return [...new Set(this.byAddress.map((e) => e.file))];
  }

  /** The item covering `address`. */
  entryAt(address: bigint): LineEntry | undefined {
    const map = this.byAddress;
    let lo = 0;
    let hi = map.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = map[mid] as LineEntry;
      if (address < e.address) hi = mid - 1;
      else if (address >= e.address + BigInt(e.length)) lo = mid + 1;
      else return e;
    }
    return undefined;
  }

  /** The item that starts exactly at `address`. */
  entryStartingAt(address: bigint): LineEntry | undefined {
    const e = this.entryAt(address);
    return e && e.address === address ? e : undefined;
  }

  /** The item ending exactly at `address` (the one before it in memory), e.g. the CALL before a return address. */
  entryEndingAt(address: bigint): LineEntry | undefined {
    if (address === 0n) return undefined;
    const e = this.entryAt(address - 1n);
    return e && e.address + BigInt(e.length) === address ? e : undefined;
  }

  locationOf(address: bigint): SourceLocation | undefined {
    const e = this.entryAt(address);
    return e ? { file: e.file, line: e.line, column: e.column } : undefined;
  }

  /**
   * A source breakpoint on `line`: the first item on that line, or else on the nearest following line of the
   * same file that emitted something (a breakpoint on a comment or label moves to the next instruction).
   */
  resolveLine(file: string, line: number): ResolvedLine | undefined {
    const key = this.canonical(file);
    let best: LineEntry | undefined;
    for (const e of this.byAddress) {
      if (e.file !== key || e.line < line) continue;
      if (!best || e.line < best.line || (e.line === best.line && e.address < best.address)) best = e;
    }
    return best ? { line: best.line, column: best.column, address: best.address } : undefined;
  }

  /** All item addresses in a file, in line order (for breakpoint locations). */
  linesOf(file: string): number[] {
    const key = this.canonical(file);
    return [...new Set(this.byAddress.filter((e) => e.file === key).map((e) => e.line))].sort((a, b) => a - b);
  }

  symbol(name: string): SymbolEntry | undefined {
    return this.symbolsByName.get(name);
  }

  get symbols(): Iterable<SymbolEntry> {
    return this.symbolsByName.values();
  }

  /** The closest label at or below `address`, with the offset from it. */
  labelFor(address: bigint): { name: string; offset: bigint } | undefined {
    const ls = this.labels;
    let lo = 0;
    let hi = ls.length - 1;
    let found: SymbolEntry | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = ls[mid] as SymbolEntry;
      if (s.value <= address) {
        found = s;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (!found) return undefined;
    // Prefer a non-local label (".Lfoo"/".loop" are local in GAS/NASM) for function names.
    return { name: found.name, offset: address - found.value };
  }

  /** The closest non-local label at or below `address` (function name for stack frames). */
  functionFor(address: bigint): { name: string; offset: bigint } | undefined {
    let best: SymbolEntry | undefined;
    for (const s of this.labels) {
      if (s.value > address) break;
      if (s.name.startsWith(".") || s.name.includes(".")) continue;
      best = s;
    }
    return best ? { name: best.name, offset: address - best.value } : undefined;
  }
}
