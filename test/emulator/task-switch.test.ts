// Hardware task switching in protected mode (SDM 7.3): CALL/JMP to a TSS or a task gate, interrupts and exceptions
// through a task gate, IRET with NT = 1, busy bits, the previous-task link, CR0.TS and the #TS/#NP/#GP error codes.
// protected32 start state; the tests copy its GDT to 0x200000 and add:
//   0x40 32-bit TSS (available) at 0x201000 · 0x48 task gate → 0x40 · 0x50 16-byte-limit TSS (too small)
//   0x58 task gate (not present) → 0x40
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_NASM, reg, runAsm } from "./helpers";

const SETUP = `
  mov esi, 0x1000
  mov edi, 0x200000
  mov ecx, 16
  rep movsd
  mov dword [0x200040], 0x10000067     ; TSS: base 0x201000, limit 0x67
  mov dword [0x200044], 0x00008920     ; P, DPL 0, type 9 (available 32-bit TSS), base 23:16 = 0x20
  mov dword [0x200048], 0x00400000     ; task gate → 0x40
  mov dword [0x20004c], 0x00008500
  mov dword [0x200050], 0x1000000f     ; TSS with limit 0x0F (< 0x67)
  mov dword [0x200054], 0x00008920
  mov dword [0x200058], 0x00400000     ; task gate, not present
  mov dword [0x20005c], 0x00000500
  mov word [0x200f00], 0x5f
  mov dword [0x200f02], 0x200000
  lgdt [0x200f00]
  ; the new task's TSS: EIP = task2, EFLAGS = 2, ESP = 0x9000, CS = 0x08, SS = DS = ES = 0x10, EAX = 0x1234
  mov dword [0x201000 + 0x20], task2
  mov dword [0x201000 + 0x24], 2
  mov dword [0x201000 + 0x28], 0x1234
  mov dword [0x201000 + 0x38], 0x9000
  mov dword [0x201000 + 0x48], 0x10
  mov dword [0x201000 + 0x4c], 0x08
  mov dword [0x201000 + 0x50], 0x10
  mov dword [0x201000 + 0x54], 0x10
  mov dword [0x201000 + 0x66], 0x68 << 16
`;

/** task2 records what it sees at 0x202000: EAX, EFLAGS, TR, the link field, CR0; then `tail`. */
const TASK2 = (tail: string) => `
task2:
  mov [0x202000], eax
  pushfd
  pop dword [0x202004]
  str word [0x202008]
  mov ax, [0x201000]
  mov [0x20200c], ax
  mov eax, cr0
  mov [0x202010], eax
  ${tail}`;

function u32(m: { readPhys(a: number, n: number): Uint8Array }, a: number): number {
  return Buffer.from(m.readPhys(a, 4)).readUInt32LE(0);
}

test("CALL through a task gate: new state, NT, link, busy bits, CR0.TS; IRET returns to the caller", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(
    `${SETUP}
  mov eax, 0x77
  mov ebx, 0x55
  call 0x48:0
  mov [0x202020], eax
  mov [0x202024], ebx
  pushfd
  pop dword [0x202028]
  hlt
${TASK2("iretd")}`,
    "protected32",
  );
  assert.equal(stop.kind, "halted");
  assert.equal(u32(m, 0x202000), 0x1234); // EAX loaded from the new TSS
  assert.equal(u32(m, 0x202004) & 0x4000, 0x4000); // NT set in the called task
  assert.equal(u32(m, 0x202008) & 0xffff, 0x40); // TR
  assert.equal(u32(m, 0x20200c) & 0xffff, 0x18); // previous-task link = the caller's TR
  assert.equal(u32(m, 0x202010) & 8, 8); // CR0.TS
  assert.equal(u32(m, 0x202020), 0x77); // the caller's registers come back from its TSS
  assert.equal(u32(m, 0x202024), 0x55);
  assert.equal(u32(m, 0x202028) & 0x4000, 0); // the caller's NT is clear
  // After the IRET: the called TSS is available again (type 9), the caller's is busy (type 11), TR = 0x18.
  assert.equal((u32(m, 0x200044) >> 8) & 0xf, 9);
  assert.equal((u32(m, 0x200018 + 4) >> 8) & 0xf, 11);
  assert.equal(m.cpu.segSel[7], 0x18);
  // The IRET saved the called task's state (EIP after the IRET) into its TSS.
  assert.ok(u32(m, 0x201000 + 0x20) > 0x100000);
});

test("JMP to a TSS: no link and no NT; the old TSS becomes available, and JMP back resumes after the JMP", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(
    `${SETUP}
  mov ebx, 0x66
  jmp 0x40:0
  mov [0x202030], ebx
  str word [0x202034]
  hlt
${TASK2("mov ebx, [0x1100 + 0x44 - 0x44]\n  jmp 0x18:0")}`,
    "protected32",
  );
  assert.equal(stop.kind, "halted");
  assert.equal(u32(m, 0x202004) & 0x4000, 0); // no NT after a JMP
  assert.equal(u32(m, 0x202030), 0x66);
  assert.equal(u32(m, 0x202034) & 0xffff, 0x18);
  assert.equal((u32(m, 0x200044) >> 8) & 0xf, 9); // task 0x40 left by JMP: available
});

test("INT n and an exception through task gates in the IDT; the error code is pushed on the new task's stack", {
  skip: NO_NASM,
}, () => {
  const gate = (v: number) => `
  mov dword [0x2000 + ${v}*8], 0x00400000
  mov dword [0x2000 + ${v}*8 + 4], 0x0000e500   ; task gate DPL 3 → TSS 0x40`;
  const int = runAsm(
    `${SETUP}${gate(0x40)}
  mov eax, 0x99
  int 0x40
  mov [0x202040], eax
  hlt
${TASK2("iretd")}`,
    "protected32",
  );
  assert.equal(int.stop.kind, "halted");
  assert.equal(u32(int.m, 0x202040), 0x99);
  assert.equal(u32(int.m, 0x202004) & 0x4000, 0x4000);
  // #GP(0x1234) through a task gate: the new task finds the error code on its stack.
  const gp = runAsm(
    `${SETUP}${gate(13)}
  mov ax, 0x1234
  mov ds, ax
  hlt
${TASK2("pop dword [0x202050]\n  hlt")}`,
    "protected32",
  );
  assert.equal(gp.stop.kind, "halted");
  assert.equal(u32(gp.m, 0x202050), 0x1234);
  assert.equal(reg(gp.m, 4), 0x9000n);
});

test("errors: busy TSS #GP(sel), gate not present #NP(gate), TSS limit #TS(sel), IRET to an available TSS #TS", {
  skip: NO_NASM,
}, () => {
  const busy = runAsm(`${SETUP}\n  call 0x18:0\ntask2:`, "protected32").stop;
  assert.deepEqual(busy.kind === "exception" && [busy.vector, busy.errorCode], [13, 0x18]);
  const np = runAsm(`${SETUP}\n  call 0x58:0\ntask2:`, "protected32").stop;
  assert.deepEqual(np.kind === "exception" && [np.vector, np.errorCode], [11, 0x58]);
  const limit = runAsm(`${SETUP}\n  jmp 0x50:0\ntask2:`, "protected32").stop;
  assert.deepEqual(limit.kind === "exception" && [limit.vector, limit.errorCode], [10, 0x50]);
  // An IDT task gate must name a TSS, not another gate: #GP(selector).
  const notTss = runAsm(
    `${SETUP}
  mov dword [0x2000 + 0x40*8], 0x00480000
  mov dword [0x2000 + 0x40*8 + 4], 0x0000e500
  int 0x40
task2:`,
    "protected32",
  ).stop;
  assert.deepEqual(notTss.kind === "exception" && [notTss.vector, notTss.errorCode], [13, 0x48]);
  // NT set by hand with a link to 0x40 (available): IRET raises #TS(0x40).
  const iret = runAsm(
    `${SETUP}
  mov word [0x1100], 0x40
  pushfd
  or dword [esp], 0x4000
  popfd
  iretd
task2:`,
    "protected32",
  ).stop;
  assert.deepEqual(iret.kind === "exception" && [iret.vector, iret.errorCode], [10, 0x40]);
});

test("IA-32e mode: IRET with NT = 1 is #GP(0)", { skip: NO_NASM }, () => {
  const { stop } = runAsm(`
  pushfq
  or dword [rsp], 0x4000
  popfq
  iretq`);
  assert.deepEqual(stop.kind === "exception" && [stop.vector, stop.errorCode], [13, 0]);
});
