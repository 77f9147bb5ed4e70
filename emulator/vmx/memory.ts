// Physical-memory access as VMX needs it: the VMCS region, VMXON region, bitmaps, MSR lists, EPT tables and
// the virtual-APIC page are all referenced by physical address (SDM 24.2, 24.6).

/** Dword access to (host-)physical memory. Addresses are numbers (< 2^52, so exact in a double). */
export interface PhysMem {
  read32(pa: number): number;
  write32(pa: number, value: number): void;
}

export function read64(mem: PhysMem, pa: number): bigint {
  const lo = mem.read32(pa) >>> 0;
  const hi = mem.read32(pa + 4) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export function write64(mem: PhysMem, pa: number, value: bigint): void {
  mem.write32(pa, Number(value & 0xffffffffn));
  mem.write32(pa + 4, Number((value >> 32n) & 0xffffffffn));
}

/** A flat memory for tests and tools: `size` bytes from address 0, all-ones beyond. */
export class FlatPhysMem implements PhysMem {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  read32(pa: number): number {
    if (pa < 0 || pa + 4 > this.bytes.length) return 0xffffffff;
    return this.view.getUint32(pa, true);
  }
  write32(pa: number, value: number): void {
    if (pa < 0 || pa + 4 > this.bytes.length) return;
    this.view.setUint32(pa, value >>> 0, true);
  }
}
