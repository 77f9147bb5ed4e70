// The set of VMCS fields changed since the VM-entry checks last passed (vmcs.ts records, checks/index.ts
// CheckCache reads). A set that is cleared at every successful VM entry: clearing must cost nothing (a JS Set's
// clear() reallocates its table), so membership is a per-slot stamp of the current generation and the members
// are kept in a reused array.
import { SLOT_COUNT, SLOT_NUMBER } from "./vmcs-layout";

export class ChangedFields implements Iterable<number> {
  private readonly mark = new Uint32Array(SLOT_COUNT);
  private generation = 1;
  private readonly list: number[] = [];
  /** Number of members. */
  size = 0;

  has(encoding: number): boolean {
    const i = encoding >= 0 && encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    return i >= 0 && this.mark[i] === this.generation;
  }
  /** Adds a (full) field encoding of arch's table; others are ignored. */
  add(encoding: number): void {
    const i = encoding >= 0 && encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    if (i < 0 || this.mark[i] === this.generation) return;
    this.mark[i] = this.generation;
    this.list[this.size++] = encoding;
  }
  /** The k-th member (0 ≤ k < size), in the order added. */
  at(k: number): number {
    return this.list[k]!;
  }
  clear(): void {
    this.size = 0;
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.mark.fill(0);
      this.generation = 1;
    }
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let k = 0; k < this.size; k++) yield this.list[k]!;
  }
}
