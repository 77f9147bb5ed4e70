// Physical memory: 4 KiB pages allocated on first write, copy-on-write after a snapshot.
// Addresses beyond RAM behave as on a PC with nothing decoded there: reads return all-ones, writes are dropped.

export const PAGE_SIZE = 4096;

/** A page full of 0xFF, used for reads beyond RAM (never written). */
export const ONES_PAGE = new Uint8Array(PAGE_SIZE).fill(0xff);
/** A page of zeros shared by every never-written page of RAM (never written). */
export const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

export interface MemorySnapshot {
  readonly pages: (Uint8Array | undefined)[];
}

export class PhysicalMemory {
  readonly size: number;
  readonly pageCount: number;
  /** Page data; undefined = never written (reads as zeros). */
  pages: (Uint8Array | undefined)[];
  /** 1 = the page is shared with a snapshot and must be copied before it is written. */
  shared: Uint8Array;
  /** Called with the page number whenever a page's contents change through writePage() (code-cache invalidation). */
  onPageWrite: ((page: number) => void) | undefined;

  constructor(size: number) {
    this.size = Math.max(PAGE_SIZE, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE);
    this.pageCount = this.size / PAGE_SIZE;
    this.pages = new Array(this.pageCount).fill(undefined);
    this.shared = new Uint8Array(this.pageCount);
  }

  /** The page for reading: RAM page, the zero page, or the all-ones page beyond RAM. */
  readPage(page: number): Uint8Array {
    if (page < 0 || page >= this.pageCount) return ONES_PAGE;
    return this.pages[page] ?? ZERO_PAGE;
  }

  /** The page for writing (allocated / unshared), or undefined beyond RAM (write dropped). */
  writablePage(page: number): Uint8Array | undefined {
    if (page < 0 || page >= this.pageCount) return undefined;
    let p = this.pages[page];
    if (p === undefined) {
      p = new Uint8Array(PAGE_SIZE);
      this.pages[page] = p;
    } else if (this.shared[page]) {
      p = p.slice();
      this.pages[page] = p;
      this.shared[page] = 0;
    }
    return p;
  }

  read8(addr: number): number {
    return this.readPage(Math.floor(addr / PAGE_SIZE))[addr & 0xfff]!;
  }

  write8(addr: number, v: number): void {
    const page = Math.floor(addr / PAGE_SIZE);
    const p = this.writablePage(page);
    if (p === undefined) return;
    p[addr & 0xfff] = v;
    this.onPageWrite?.(page);
  }

  /** Little-endian unsigned 32-bit read (page-table walks). */
  read32(addr: number): number {
    const o = addr & 0xfff;
    if (o > 4092) return this.readN(addr, 4);
    const p = this.readPage(Math.floor(addr / PAGE_SIZE));
    return (p[o]! | (p[o + 1]! << 8) | (p[o + 2]! << 16) | (p[o + 3]! << 24)) >>> 0;
  }

  /** Little-endian read of up to 4 bytes as an unsigned number. */
  readN(addr: number, n: number): number {
    let v = 0;
    for (let k = n - 1; k >= 0; k--) v = v * 256 + this.read8(addr + k);
    return v;
  }

  writeN(addr: number, n: number, v: number): void {
    for (let k = 0; k < n; k++) {
      this.write8(addr + k, v & 0xff);
      v = Math.floor(v / 256);
    }
  }

  read64(addr: number): bigint {
    return (BigInt(this.readN(addr + 4, 4)) << 32n) | BigInt(this.readN(addr, 4));
  }

  write64(addr: number, v: bigint): void {
    this.writeN(addr, 4, Number(v & 0xffffffffn));
    this.writeN(addr + 4, 4, Number((v >> 32n) & 0xffffffffn));
  }

  readBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let k = 0; k < length; ) {
      const a = addr + k;
      const off = a & 0xfff;
      const n = Math.min(PAGE_SIZE - off, length - k);
      out.set(this.readPage(Math.floor(a / PAGE_SIZE)).subarray(off, off + n), k);
      k += n;
    }
    return out;
  }

  writeBytes(addr: number, bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length; ) {
      const a = addr + k;
      const off = a & 0xfff;
      const n = Math.min(PAGE_SIZE - off, bytes.length - k);
      const page = Math.floor(a / PAGE_SIZE);
      const p = this.writablePage(page);
      if (p) {
        p.set(bytes.subarray(k, k + n), off);
        this.onPageWrite?.(page);
      }
      k += n;
    }
  }

  /** Shares every page with the snapshot: O(pages) pointer copy, data copied only when written later. */
  snapshot(): MemorySnapshot {
    const pages = this.pages.slice();
    for (let i = 0; i < this.pageCount; i++) if (pages[i]) this.shared[i] = 1;
    return { pages };
  }

  restore(s: MemorySnapshot): void {
    this.pages = s.pages.slice();
    for (let i = 0; i < this.pageCount; i++) this.shared[i] = this.pages[i] ? 1 : 0;
  }
}
