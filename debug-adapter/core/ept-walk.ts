// Side-effect-free address translation for a guest running under EPT, so the debugger can read guest memory
// (stack frames, disassembly, expressions) without touching accessed/dirty bits or causing EPT violations.
// Guest paging: SDM Vol. 3A 4.3 (32-bit), 4.4 (PAE), 4.5 (4-level); EPT: SDM Vol. 3C 29.3.2.

export type ReadPhys64 = (pa: bigint) => bigint;

const ADDR = 0x000ffffffffff000n;

/** Guest-physical → host-physical through the EPT paging structures; undefined when not mapped. */
export function eptTranslate(eptp: bigint, gpa: bigint, read: ReadPhys64): bigint | undefined {
  let table = eptp & ADDR;
  for (let level = 4; level >= 1; level--) {
    const shift = BigInt(12 + 9 * (level - 1));
    const e = read(table + ((gpa >> shift) & 0x1ffn) * 8n);
    if ((e & 7n) === 0n) return undefined; // not present: no read, write or execute permission
    if (level === 1 || ((level === 2 || level === 3) && (e & 0x80n) !== 0n)) {
      const pageMask = (1n << shift) - 1n;
      return (e & ADDR & ~pageMask) | (gpa & pageMask);
    }
    table = e & ADDR;
  }
  return undefined;
}

export interface GuestPagingState {
  cr0: bigint;
  cr3: bigint;
  cr4: bigint;
  efer: bigint;
}

/**
 * Linear → guest-physical with the guest's own paging, where every paging-structure access goes through
 * `gpaRead` (which applies EPT). Undefined when not mapped.
 */
export function guestTranslate(
  s: GuestPagingState,
  la: bigint,
  gpaRead: (gpa: bigint, size: 4 | 8) => bigint | undefined,
): bigint | undefined {
  if ((s.cr0 & 0x80000000n) === 0n) return la & 0xffffffffn; // paging off: linear = physical (32-bit)
  const pae = (s.cr4 & 0x20n) !== 0n;
  const lme = (s.efer & 0x100n) !== 0n;
  if (pae && lme) {
    let table = s.cr3 & ADDR;
    for (let level = 4; level >= 1; level--) {
      const shift = BigInt(12 + 9 * (level - 1));
      const e = gpaRead(table + ((la >> shift) & 0x1ffn) * 8n, 8);
      if (e === undefined || (e & 1n) === 0n) return undefined;
      if (level === 1 || ((level === 2 || level === 3) && (e & 0x80n) !== 0n)) {
        const pageMask = (1n << shift) - 1n;
        return (e & ADDR & ~pageMask) | (la & pageMask);
      }
      table = e & ADDR;
    }
    return undefined;
  }
  if (pae) {
    const pdpte = gpaRead((s.cr3 & 0xffffffe0n) + ((la >> 30n) & 3n) * 8n, 8);
    if (pdpte === undefined || (pdpte & 1n) === 0n) return undefined;
    const pde = gpaRead((pdpte & ADDR) + ((la >> 21n) & 0x1ffn) * 8n, 8);
    if (pde === undefined || (pde & 1n) === 0n) return undefined;
    if (pde & 0x80n) return (pde & ADDR & ~0x1fffffn) | (la & 0x1fffffn);
    const pte = gpaRead((pde & ADDR) + ((la >> 12n) & 0x1ffn) * 8n, 8);
    if (pte === undefined || (pte & 1n) === 0n) return undefined;
    return (pte & ADDR) | (la & 0xfffn);
  }
  const pde = gpaRead((s.cr3 & 0xfffff000n) + ((la >> 22n) & 0x3ffn) * 4n, 4);
  if (pde === undefined || (pde & 1n) === 0n) return undefined;
  if (pde & 0x80n && s.cr4 & 0x10n) return ((pde & 0xffc00000n) | (((pde >> 13n) & 0xffn) << 32n)) + (la & 0x3fffffn);
  const pte = gpaRead((pde & 0xfffff000n) + ((la >> 12n) & 0x3ffn) * 4n, 4);
  if (pte === undefined || (pte & 1n) === 0n) return undefined;
  return (pte & 0xfffff000n) | (la & 0xfffn);
}
