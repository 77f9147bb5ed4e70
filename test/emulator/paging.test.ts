// Paging: #PF error codes and CR2 (SDM 4.7), accessed/dirty flags, CR0.WP, NX, reserved bits, U/S, INVLPG.
// The tests map linear 4 GiB + n×4 KiB with 4 KiB pages (PDPT[4] → PD → PT) in the long64 start state.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_NASM, RAX, reg, runAsm } from "./helpers";

const PRELUDE = `
  mov rax, 0x200000 | 3
  mov [0x5000 + 4*8], rax        ; PDPT[4] -> PD at 2 MiB
  mov rax, 0x201000 | 7
  mov [0x200000], rax            ; PD[0] -> PT (user allowed at this level)
  mov qword [0x201000 + 0*8], 0x300000 | 3          ; page 0: present, writable
  mov qword [0x201000 + 1*8], 0                      ; page 1: not present
  mov qword [0x201000 + 2*8], 0x302000 | 1          ; page 2: read-only
  mov rax, 0x8000000000303003
  mov [0x201000 + 3*8], rax                          ; page 3: NX
  mov qword [0x201000 + 4*8], 0x304000 | 7          ; page 4: user, writable
  mov rax, 0x0004000000305003
  mov [0x201000 + 5*8], rax                          ; page 5: reserved bit 50 set (MAXPHYADDR < 51)
  mov rbx, 0x100000000
`;

function pf(body: string) {
  const { stop, m } = runAsm(PRELUDE + body);
  return { stop, m };
}

test("a read of a not-present page faults with error code 0 and CR2 = the address", { skip: NO_NASM }, () => {
  const { stop } = pf("mov eax, [rbx + 0x1008]");
  assert.deepEqual(stop, {
    kind: "exception",
    vector: 14,
    errorCode: 0,
    rip: 0x100000n + BigInt(stopRipOffset("mov eax, [rbx + 0x1008]")),
    cr2: 0x100001008n,
  });
});

/** Offset of the faulting instruction = length of the prelude. */
function stopRipOffset(_body: string): number {
  const { m } = runAsm(PRELUDE);
  return Number(m.rip - 0x100000n) - 1; // runAsm appends HLT; RIP stops after it
}

test("a write to a read-only page faults with P|W = 3 when CR0.WP = 1", { skip: NO_NASM }, () => {
  const { stop } = pf("mov rax, cr0\n bts rax, 16\n mov cr0, rax\n mov dword [rbx + 0x2010], 1");
  assert.equal(stop.kind, "exception");
  if (stop.kind !== "exception") return;
  assert.equal(stop.vector, 14);
  assert.equal(stop.errorCode, 3);
  assert.equal(stop.cr2, 0x100002010n);
});

test("with CR0.WP = 0 a supervisor write to a read-only page succeeds", { skip: NO_NASM }, () => {
  const { stop, m } = pf(
    "mov rax, cr0\n btr rax, 16\n mov cr0, rax\n mov dword [rbx + 0x2010], 0x55\n mov eax, [0x302010]",
  );
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, RAX), 0x55n);
});

test("an instruction fetch from an NX page faults with P|I/D = 0x11", { skip: NO_NASM }, () => {
  const { stop } = pf("mov byte [0x303000], 0xc3\n lea rax, [rbx + 0x3000]\n call rax");
  assert.equal(stop.kind, "exception");
  if (stop.kind !== "exception") return;
  assert.equal(stop.vector, 14);
  assert.equal(stop.errorCode, 0x11);
  assert.equal(stop.cr2, 0x100003000n);
});

test("a reserved bit in a PTE faults with P|RSVD (9), plus W for a write (0xB)", { skip: NO_NASM }, () => {
  let r = pf("mov eax, [rbx + 0x5000]").stop;
  assert.equal(r.kind === "exception" && r.errorCode, 9);
  r = pf("mov [rbx + 0x5004], eax").stop;
  assert.equal(r.kind === "exception" && r.errorCode, 0xb);
});

test("a user-mode read of a supervisor page faults with P|U = 5", { skip: NO_NASM }, () => {
  // Enter CPL 3 with IRETQ (user code 0x3B, user data 0x33), then read page 0 (supervisor).
  const body = `
  mov rax, cr3
  or qword [0x4000], 4                       ; PML4[0], PDPT[0], PD[0]: allow user access to 0-2 MiB
  or qword [0x5000], 4
  or qword [0x6000], 4
  mov qword [0x5000 + 4*8], 0x200000 | 7
  mov cr3, rax
  lea rax, [rel user]
  mov rcx, 0x100000000
  mov qword [0x201000 + 6*8], 0x306000 | 7   ; a user stack page
  push 0x33
  push qword 0x100007000
  push 0x202
  push 0x3b
  push rax
  iretq
user:
  mov eax, [rcx]
  hlt`;
  const { stop } = pf(body);
  assert.equal(stop.kind, "exception");
  if (stop.kind !== "exception") return;
  assert.equal(stop.vector, 14);
  assert.equal(stop.errorCode, 5);
  assert.equal(stop.cr2, 0x100000000n);
});

test("a user-mode write to a user read/write page succeeds, a write to a user read-only page faults with 7", {
  skip: NO_NASM,
}, () => {
  const body = `
  mov rax, cr3
  or qword [0x4000], 4                       ; PML4[0], PDPT[0], PD[0]: allow user access to 0-2 MiB
  or qword [0x5000], 4
  or qword [0x6000], 4
  mov qword [0x5000 + 4*8], 0x200000 | 7
  mov cr3, rax
  lea rax, [rel user]
  mov qword [0x201000 + 6*8], 0x306000 | 7
  mov qword [0x201000 + 7*8], 0x307000 | 5   ; user, read-only
  mov rcx, 0x100000000
  push 0x33
  push qword 0x100007000
  push 0x202
  push 0x3b
  push rax
  iretq
user:
  mov dword [rcx + 0x4000], 7
  mov dword [rcx + 0x7000], 7
  hlt`;
  const { stop } = pf(body);
  assert.equal(stop.kind === "exception" && stop.errorCode, 7);
  assert.equal(stop.kind === "exception" && stop.cr2, 0x100007000n);
});

test("reads set the accessed flag, writes set the dirty flag in the PTE", { skip: NO_NASM }, () => {
  const { m, stop } = pf(
    "mov eax, [rbx]\n mov rdx, [0x201000]\n mov dword [rbx + 0x4000], 1\n mov rsi, [0x201000 + 4*8]",
  );
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, 2) & 0x60n, 0x20n); // A set, D clear after the read
  assert.equal(reg(m, 6) & 0x60n, 0x60n); // A and D after the write
});

test("INVLPG makes a changed PTE take effect", { skip: NO_NASM }, () => {
  const { m } = pf(`
  mov dword [0x300000], 0x11111111
  mov dword [0x304000], 0x22222222
  mov eax, [rbx]               ; caches the translation of page 0
  mov qword [0x201000], 0x304000 | 3
  invlpg [rbx]
  mov eax, [rbx]`);
  assert.equal(reg(m, RAX), 0x22222222n);
});

test("MOV to CR3 flushes the TLB", { skip: NO_NASM }, () => {
  const { m } = pf(`
  mov dword [0x300000], 0x11111111
  mov dword [0x304000], 0x22222222
  mov eax, [rbx]
  mov qword [0x201000], 0x304000 | 3
  mov rcx, cr3
  mov cr3, rcx
  mov eax, [rbx]`);
  assert.equal(reg(m, RAX), 0x22222222n);
});

test("32-bit paging with a 4 MiB page and PAE paging translate and fault", { skip: NO_NASM }, () => {
  // protected32: page directory at 0x200000 identity-maps 0-4 MiB with a 4 MiB page, 4-8 MiB not present.
  const body = `
  mov dword [0x200000], 0x83        ; PDE 0: 4 MiB page, present, writable
  mov dword [0x200004], 0           ; PDE 1: not present
  mov eax, 0x200000
  mov cr3, eax
  mov eax, cr4
  or eax, 0x10                      ; PSE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov dword [0x1000f0], 0x1234
  mov edx, [0x1000f0]
  mov ebx, [0x400010]`;
  const { stop, m } = runAsm(body, "protected32");
  assert.equal(reg(m, 2), 0x1234n); // (the firmware handler overwrites AL with the vector)
  assert.equal(stop.kind === "exception" && stop.vector, 14);
  assert.equal(stop.kind === "exception" && stop.errorCode, 0);
  assert.equal(stop.kind === "exception" && stop.cr2, 0x400010n);

  const pae = `
  mov dword [0x200000], 0x201001    ; PDPTE 0 -> PD at 0x201000
  mov dword [0x200004], 0
  mov dword [0x201000], 0x83        ; PDE 0: 2 MiB page
  mov dword [0x201004], 0
  mov dword [0x201008], 0x202003    ; PDE 1 -> PT at 0x202000
  mov dword [0x20100c], 0
  mov dword [0x202000], 0x0         ; 2 MiB + 0: not present
  mov eax, 0x200000
  mov cr3, eax
  mov eax, cr4
  or eax, 0x20                      ; PAE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov eax, [0x100000]
  mov ebx, [0x200008]`;
  const r2 = runAsm(pae, "protected32");
  assert.equal(r2.stop.kind === "exception" && r2.stop.vector, 14);
  assert.equal(r2.stop.kind === "exception" && r2.stop.cr2, 0x200008n);
});

test("SMAP: a supervisor read of a user page faults unless EFLAGS.AC = 1 (STAC/CLAC)", { skip: NO_NASM }, () => {
  const body = `
  or qword [0x4000], 4             ; PML4[0] and PDPT[4] allow user access: page 4 becomes a user page
  mov qword [0x5000 + 4*8], 0x200000 | 7
  mov rax, cr3
  mov cr3, rax
  mov rax, cr4
  bts rax, 21                      ; SMAP
  mov cr4, rax
  stac
  mov eax, [rbx + 0x4000]          ; page 4 is a user page: allowed with AC = 1
  mov r8d, 1
  clac
  mov eax, [rbx + 0x4000]          ; now a #PF (P)`;
  const { stop, m } = pf(body);
  assert.equal(reg(m, 8), 1n);
  assert.equal(stop.kind === "exception" && stop.vector, 14);
  assert.equal(stop.kind === "exception" && stop.errorCode, 1);
});
