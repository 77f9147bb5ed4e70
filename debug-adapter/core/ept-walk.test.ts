import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eptTranslate, guestTranslate } from "./ept-walk";

/** Sparse physical memory of 64-bit words. */
function memory(entries: [bigint, bigint][]): (pa: bigint) => bigint {
  const m = new Map(entries);
  return (pa) => m.get(pa) ?? 0n;
}

describe("EPT walk (SDM 29.3.2)", () => {
  // EPT PML4 at 0x10000 → PDPT at 0x11000 → PD at 0x12000: GPA 0x200000-0x3FFFFF → HPA 0x800000 (2 MiB page),
  // and PD entry 0 → PT at 0x13000: GPA 0x5000 → HPA 0x9000 (4 KiB page).
  const read = memory([
    [0x10000n, 0x11000n | 7n],
    [0x11000n, 0x12000n | 7n],
    [0x12000n + 8n, 0x800000n | 0x80n | 7n],
    [0x12000n, 0x13000n | 7n],
    [0x13000n + 5n * 8n, 0x9000n | 3n],
  ]);
  const eptp = 0x10000n | 0x1en; // WB, 4-level

  it("translates through 2 MiB and 4 KiB pages", () => {
    assert.equal(eptTranslate(eptp, 0x234567n, read), 0x834567n);
    assert.equal(eptTranslate(eptp, 0x5123n, read), 0x9123n);
  });

  it("reports not-present entries as unmapped", () => {
    assert.equal(eptTranslate(eptp, 0x6000n, read), undefined);
    assert.equal(eptTranslate(eptp, 0x40000000n, read), undefined);
  });
});

describe("guest paging through EPT", () => {
  it("walks 4-level paging, every structure access through the given reader", () => {
    // Guest PML4 at GPA 0x1000 → PDPT 0x2000 → PD 0x3000 with a 2 MiB page at GPA 0x400000 for LA 0x7fe00000.
    const gmem = new Map<bigint, bigint>([
      [0x1000n, 0x2000n | 3n],
      [0x2000n + 1n * 8n, 0x3000n | 3n],
      [0x3000n + 0x1ffn * 8n, 0x400000n | 0x83n],
    ]);
    const accessed: bigint[] = [];
    const gpaRead = (gpa: bigint) => {
      accessed.push(gpa);
      return gmem.get(gpa) ?? 0n;
    };
    const state = { cr0: 0x80000011n, cr3: 0x1000n, cr4: 0x20n, efer: 0x500n };
    assert.equal(guestTranslate(state, 0x7ffff123n, gpaRead), 0x5ff123n);
    assert.deepEqual(accessed, [0x1000n, 0x2008n, 0x3ff8n]);
    assert.equal(guestTranslate(state, 0x123456789000n, gpaRead), undefined);
  });

  it("without paging, linear is guest-physical", () => {
    assert.equal(
      guestTranslate({ cr0: 0x11n, cr3: 0n, cr4: 0n, efer: 0n }, 0x7c00n, () => 0n),
      0x7c00n,
    );
  });
});
