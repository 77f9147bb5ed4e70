// The tracked call stack (Machine.trackCalls / callFrames()): frames pushed by CALL and event delivery, popped by
// RET/RETF/IRET, robust to stack switches and longjmp-like unwinding, kept in snapshots.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CallFrame, Machine, type StartState } from "../../emulator/index";
import { CODE_BASE, NO_NASM, nasm } from "./helpers";

const B = BigInt(CODE_BASE);

const GATE64 = `
%macro setgate 2
  lea rax, [rel %2]
  mov [0x2000 + %1*16], ax
  shr rax, 16
  mov [0x2000 + %1*16 + 6], ax
  shr rax, 16
  mov [0x2000 + %1*16 + 8], eax
%endmacro
`;

const at = (off: number) => `times 0x${off.toString(16)} - ($ - $$) nop`;

function machine(source: string, start: StartState = "long64", base = CODE_BASE): Machine {
  const bits = start === "long64" ? 64 : start === "protected32" ? 32 : 16;
  const m = new Machine();
  m.setupStart(start, base);
  m.load(nasm(`bits ${bits}\norg ${base}\n${GATE64}\n${source}\n`), base);
  m.trackCalls = true;
  return m;
}

/** Runs to the linear breakpoint `bp`. */
function runTo(m: Machine, bp: bigint): void {
  const stop = m.run({ maxInstructions: 10_000, breakpoints: new Set([bp]) });
  assert.deepEqual(
    stop.kind === "breakpoint" && stop.address,
    bp,
    JSON.stringify(stop, (_k, v) => String(v)),
  );
}

/** A frame's kind, call site and target, as offsets from the code base, for compact assertions. */
function brief(frames: readonly CallFrame[], base = B): string[] {
  const o = (a: bigint) => `+${(a - base).toString(16)}`;
  return frames.map(
    (f) =>
      `${f.kind}${f.vector === undefined ? "" : `(${f.vector})`} ${o(f.callSite)}->${o(f.target)} ret ${o(f.returnAddress)}${f.guest ? " guest" : ""}`,
  );
}

// main +0x30 calls f (+0x40), f calls g (+0x80), g executes INT 0x20 (handler +0xC0), which runs to +0xC1.
const NESTED = `
  setgate 0x20, handler
  jmp main
${at(0x30)}
main:
  call f
  mov r10, 1
  hlt
${at(0x40)}
f:
  call g
  ret
${at(0x80)}
g:
  int 0x20
  ret
${at(0xc0)}
handler:
  nop
  nop
  iretq`;

test("near calls and an INT n push frames innermost first; returns pop them", { skip: NO_NASM }, () => {
  const m = machine(NESTED);
  runTo(m, B + 0xc1n);
  assert.deepEqual(brief(m.callFrames()), [
    "interrupt(32) +80->+c0 ret +82",
    "call +40->+80 ret +45",
    "call +30->+40 ret +35",
  ]);
  const [irq, g, f] = m.callFrames();
  // Stack slots: the return address of `call f` at 0x10000 - 8, of `call g` at - 16; the interrupt frame's RIP
  // slot is the lowest of its five quadwords (16-byte aligned stack: 0xFFF0 - 5·8).
  assert.equal(f!.stackPointer, 0xfff8n);
  assert.equal(g!.stackPointer, 0xfff0n);
  assert.equal(irq!.stackPointer, 0xffc8n);
  assert.equal(irq!.guest, false);
  // IRETQ pops the interrupt frame only; the RETs pop the rest.
  runTo(m, B + 0x82n);
  assert.deepEqual(brief(m.callFrames()), ["call +40->+80 ret +45", "call +30->+40 ret +35"]);
  assert.equal(m.run({ maxInstructions: 10_000 }).kind, "halted");
  assert.deepEqual(m.callFrames(), []);
});

test("an exception frame carries its vector; off means no frames", { skip: NO_NASM }, () => {
  const src = `
  setgate 13, handler
  jmp main
${at(0x30)}
main:
  call f
  hlt
${at(0x40)}
f:
  mov ax, 0x1234
  mov ds, ax
${at(0x80)}
handler:
  nop
  hlt`;
  const m = machine(src);
  runTo(m, B + 0x81n);
  assert.deepEqual(
    m.callFrames().map((f) => [f.kind, f.vector, f.callSite - B]),
    [
      ["exception", 13, 0x44n],
      ["call", undefined, 0x30n],
    ],
  );
  // The #GP frame (SS, RSP, RFLAGS, CS, RIP, error code from the aligned 0xFFF0 down): the RIP slot is above the
  // error code.
  assert.equal(m.callFrames()[0]!.stackPointer, 0xfff0n - 6n * 8n + 8n);
  const off = machine(src);
  off.trackCalls = false;
  runTo(off, B + 0x81n);
  assert.deepEqual(off.callFrames(), []);
});

test("longjmp-like unwinding: a later CALL drops the frames it overwrote", { skip: NO_NASM }, () => {
  const m = machine(`
  call f
  hlt
${at(0x40)}
f:
  mov r12, rsp          ; setjmp
  call g                ; g never returns: it jumps back to f's level
back:
  call h
  ret
${at(0x80)}
g:
  call g2
${at(0x90)}
g2:
  mov rsp, r12
  jmp back
${at(0xc0)}
h:
  nop
  nop
  ret`);
  runTo(m, B + 0x90n);
  assert.equal(m.callFrames().length, 3);
  runTo(m, B + 0xc1n);
  assert.deepEqual(brief(m.callFrames()), ["call +48->+c0 ret +4d", "call +0->+40 ret +5"]);
  assert.equal(m.run({ maxInstructions: 10_000 }).kind, "halted");
  assert.deepEqual(m.callFrames(), []);
});

test("a stack switch to RSP0 (CPL 3 → 0): IRET pops the interrupt frame, not the user frames below", {
  skip: NO_NASM,
}, () => {
  // User code on a stack at 0x8000 (below RSP0 = 0x10000), made user-accessible by setting U/S in the paging
  // entries of the first 2 MiB; INT 0x80 through a DPL-3 gate switches to RSP0.
  const m = machine(`
  setgate 0x80, kernel
  or byte [0x2000 + 0x80*16 + 5], 0x60     ; gate DPL 3
  or byte [0x4000], 4
  or byte [0x5000], 4
  or byte [0x6000], 4
  push 0x33                                ; SS: user data
  push 0x8000                              ; RSP
  push 2                                   ; RFLAGS
  push 0x3b                                ; CS: 64-bit user code
  lea rax, [rel user]
  push rax
  iretq
${at(0x80)}
user:
  call uf
  hlt
${at(0xa0)}
uf:
  int 0x80
  nop
  jmp $
${at(0xc0)}
kernel:
  call kf
  iretq
${at(0xe0)}
kf:
  nop
  nop
  ret`);
  runTo(m, B + 0xe1n);
  assert.deepEqual(brief(m.callFrames()), [
    "call +c0->+e0 ret +c5",
    "interrupt(128) +a0->+c0 ret +a2",
    "call +80->+a0 ret +85",
  ]);
  runTo(m, B + 0xa2n);
  assert.deepEqual(brief(m.callFrames()), ["call +80->+a0 ret +85"]);
});

test("protected32: a far call and RETF; real16: frames use linear addresses (CS·16 + IP)", { skip: NO_NASM }, () => {
  const p = machine(
    `
  call 0x08:ff
  hlt
${at(0x40)}
ff:
  nop
  nop
  retf`,
    "protected32",
  );
  runTo(p, B + 0x41n);
  assert.deepEqual(brief(p.callFrames()), ["call +0->+40 ret +7"]);
  assert.equal(p.callFrames()[0]!.stackPointer, 0x10000n - 8n);
  assert.equal(p.run({ maxInstructions: 1000 }).kind, "halted");
  assert.deepEqual(p.callFrames(), []);

  // Real mode: a far call into segment 0x07C0 (its offsets are the code's offsets from 0x7C00), then INT 0x21
  // through an IVT entry the program sets to 07C0:0040.
  const r = machine(
    `
  mov word [0x21*4], 0x40
  mov word [0x21*4 + 2], 0x07c0
  call 0x07c0:0x20
  hlt
${at(0x20)}
  int 0x21
  retf
${at(0x40)}
  nop
  nop
  iret`,
    "real16",
    0x7c00,
  );
  runTo(r, 0x7c41n);
  assert.deepEqual(brief(r.callFrames(), 0x7c00n), ["interrupt(33) +20->+40 ret +22", "call +c->+20 ret +11"]);
  assert.equal(r.callFrames()[1]!.stackPointer, 0x7c00n - 4n);
  assert.equal(r.run({ maxInstructions: 1000 }).kind, "halted");
  assert.deepEqual(r.callFrames(), []);
});

test("snapshot/restore brings back the frames of the moment; setupStart clears them", { skip: NO_NASM }, () => {
  const m = machine(NESTED);
  runTo(m, B + 0xc1n);
  const snap = m.snapshot();
  const then = brief(m.callFrames());
  assert.equal(m.run({ maxInstructions: 10_000 }).kind, "halted");
  assert.deepEqual(m.callFrames(), []);
  m.restore(snap);
  assert.deepEqual(brief(m.callFrames()), then);
  assert.equal(m.run({ maxInstructions: 10_000 }).kind, "halted");
  m.restore(snap);
  assert.equal(m.callFrames().length, 3);
  m.setupStart("long64", CODE_BASE);
  assert.deepEqual(m.callFrames(), []);
});

test("deep recursion without returns keeps a bounded number of frames", { skip: NO_NASM }, () => {
  const m = machine(`
  mov rsp, 0x800000
again:
  call again`);
  m.run({ maxInstructions: 100_000 });
  const n = m.callFrames().length;
  assert.ok(n > 1000 && n <= 8192, `${n} frames`);
});
