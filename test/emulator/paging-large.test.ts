// The TLB's large-page entries (emulator/cpu.ts translateTlb) and the paging-structure cache of 4 KiB walks: 2 MiB pages map linear
// 4 GiB + n×2 MiB (PDPT[4] → PD at 0x200000) in the long64 start state. Each access to a new 4 KiB page of a large
// page refills the 4 KiB TLB from the large-page entry instead of walking; these tests check that this cache never
// changes an architectural outcome: INVLPG/CR3, A/D flags, read-only pages, SMAP and user pages.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_NASM, reg, runAsm } from "./helpers";

const PRELUDE = `
  mov rax, 0x200000 | 3
  mov [0x5000 + 4*8], rax              ; PDPT[4] -> PD at 2 MiB
  mov qword [0x200000 + 0*8], 0x400000 | 0x83   ; 4 GiB + 0: 2 MiB page at 4 MiB, writable, D clear
  mov qword [0x200000 + 1*8], 0x600000 | 0x81   ; 4 GiB + 2 MiB: read-only 2 MiB page at 6 MiB
  mov rbx, 0x100000000
`;

test("a second 4 KiB page of a large page uses its entry; INVLPG and MOV CR3 drop it", { skip: NO_NASM }, () => {
  const { m, stop } = runAsm(`${PRELUDE}
  mov dword [0x400000 + 0x3000], 0x11111111
  mov dword [0x800000 + 0x3000], 0x22222222
  mov eax, [rbx]                       ; walks: fills the large-page entry
  mov ecx, [rbx + 0x3000]              ; another 4 KiB page of the same large page: 0x11111111
  mov qword [0x200000], 0x800000 | 0x83
  mov edx, [rbx + 0x5000]              ; may still use the stale translation (no INVLPG yet): not checked
  invlpg [rbx]
  mov esi, [rbx + 0x3000]              ; 0x22222222 after INVLPG
  mov qword [0x200000], 0x400000 | 0x83
  mov rax, cr3
  mov cr3, rax
  mov edi, [rbx + 0x3000]              ; 0x11111111 after MOV CR3`);
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, 1), 0x11111111n);
  assert.equal(reg(m, 6), 0x22222222n);
  assert.equal(reg(m, 7), 0x11111111n);
});

test("reads through a large page do not let a later write skip setting D", { skip: NO_NASM }, () => {
  const { m, stop } = runAsm(`${PRELUDE}
  mov eax, [rbx]
  mov eax, [rbx + 0x1000]              ; read entries for the large page
  mov r8, [0x200000]                   ; A set, D clear
  mov dword [rbx + 0x2000], 5          ; a write walks and sets D
  mov r9, [0x200000]
  and qword [0x200000], ~0x40          ; clear D again, INVLPG: the next write sets it again
  invlpg [rbx]
  mov dword [rbx + 0x7000], 6
  mov r10, [0x200000]`);
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, 8) & 0x60n, 0x20n);
  assert.equal(reg(m, 9) & 0x60n, 0x60n);
  assert.equal(reg(m, 10) & 0x60n, 0x60n);
});

test("a read-only large page: reads through its entry, a write to another 4 KiB page of it faults", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(`${PRELUDE}
  mov rax, cr0
  bts rax, 16                          ; CR0.WP: supervisor writes honour R/W
  mov cr0, rax
  mov eax, [rbx + 0x200000]
  mov ecx, [rbx + 0x201000]
  mov r8d, 1
  mov dword [rbx + 0x203000], 1`);
  assert.equal(reg(m, 8), 1n);
  assert.deepEqual(stop, { kind: "exception", vector: 14, errorCode: 3, rip: stop.rip, cr2: 0x100203000n });
});

test("SMAP: a user large page read with AC = 1 leaves no entry that skips the check after CLAC", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(`${PRELUDE}
  or qword [0x4000], 4
  mov qword [0x5000 + 4*8], 0x200000 | 7
  mov qword [0x200000], 0x400000 | 0x87  ; user 2 MiB page
  mov rax, cr3
  mov cr3, rax
  mov rax, cr4
  bts rax, 21
  mov cr4, rax
  stac
  mov eax, [rbx]
  mov eax, [rbx + 0x1000]
  mov r8d, 1
  clac
  mov eax, [rbx + 0x2000]`);
  assert.equal(reg(m, 8), 1n);
  assert.equal(stop.kind === "exception" && stop.vector, 14);
  assert.equal(stop.kind === "exception" && stop.errorCode, 1);
});

// The paging-structure cache of 4 KiB walks (PDE → page table, with the permissions of the levels above): 4 GiB +
// n×4 KiB through PDPT[4] → PD at 0x200000 → PT at 0x201000 (or 0x202000).
const PT4K = `
  mov qword [0x5000 + 4*8], 0x200000 | 3
  mov qword [0x200000], 0x201000 | 3
  mov qword [0x201000 + 0*8], 0x300000 | 3
  mov qword [0x201000 + 1*8], 0x301000 | 3
  mov qword [0x202000 + 0*8], 0x310000 | 3
  mov qword [0x202000 + 1*8], 0x311000 | 3
  mov rbx, 0x100000000
  mov dword [0x301000], 0x11111111
  mov dword [0x311000], 0x22222222
`;

test("4 KiB walks: a changed PDE takes effect after INVLPG; a cleared PDE.A is set again", { skip: NO_NASM }, () => {
  const { m, stop } = runAsm(`${PT4K}
  mov eax, [rbx]                       ; walk: caches PD[0] → PT 0x201000
  mov ecx, [rbx + 0x1000]              ; 0x11111111 (through the cached page table)
  mov qword [0x200000], 0x202000 | 3   ; PD[0] → another page table, A clear
  invlpg [rbx]
  mov edx, [rbx + 0x1000]              ; 0x22222222
  mov rsi, [0x200000]                  ; A set again by the walk`);
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, 1), 0x11111111n);
  assert.equal(reg(m, 2), 0x22222222n);
  assert.equal(reg(m, 6) & 0x20n, 0x20n);
});

test("4 KiB walks: a not-present PTE next to a cached one still faults; upper-level R/W still applies", {
  skip: NO_NASM,
}, () => {
  const np = runAsm(`${PT4K}
  mov eax, [rbx]
  mov eax, [rbx + 0x2000]`);
  assert.deepEqual(np.stop.kind === "exception" && [np.stop.vector, np.stop.errorCode, np.stop.cr2], [
    14,
    0,
    0x100002000n,
  ]);
  const ro = runAsm(`${PT4K}
  mov rax, cr0
  bts rax, 16                          ; CR0.WP
  mov cr0, rax
  mov qword [0x200000], 0x201000 | 1   ; PD[0] read-only: every page under it is read-only
  mov rax, cr3
  mov cr3, rax
  mov eax, [rbx]
  mov r8d, 1
  mov dword [rbx + 0x1000], 5`);
  assert.equal(reg(ro.m, 8), 1n);
  assert.deepEqual(ro.stop.kind === "exception" && [ro.stop.vector, ro.stop.errorCode], [14, 3]);
});

test("flushTlbIfStale: skipped while no paging structure was written (walker A/D updates included), done after a PTE write", {
  skip: NO_NASM,
}, () => {
  // Part 1 maps and reads; the test then calls flushTlbIfStale; part 2 rewrites PTE 1 without INVLPG.
  const { m, stop } = runAsm(`${PT4K}
  mov eax, [rbx]
  mov ecx, [rbx + 0x1000]              ; sets A in the PTEs: the walker's own writes
  hlt
  mov qword [0x201000 + 1*8], 0x311000 | 3
  hlt
  mov edx, [rbx + 0x1000]
  hlt`);
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, 1), 0x11111111n);
  const epoch = m.cpu.epoch;
  m.cpu.flushTlbIfStale();
  assert.equal(m.cpu.epoch, epoch, "nothing stale: no flush");
  m.cpu.halted = false;
  assert.equal(m.run({ maxInstructions: 100 }).kind, "halted");
  assert.equal(m.cpu.pagingWritten, true);
  m.cpu.flushTlbIfStale();
  assert.notEqual(m.cpu.epoch, epoch);
  m.cpu.halted = false;
  assert.equal(m.run({ maxInstructions: 100 }).kind, "halted");
  assert.equal(reg(m, 2), 0x22222222n);
});
