// The debugger's exception-delivery stop (RunOptions/StepOptions.stopOnExceptionDelivery): an exception the
// program handles through its own IDT/IVT stops the run after delivery, at the handler's first instruction.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Machine, type StartState } from "../../emulator/index";
import { CODE_BASE, NO_NASM, nasm, RAX, reg } from "./helpers";

const B = BigInt(CODE_BASE);

/** Points long64 IDT gate `v` (start-state IDT at 0x2000, selector 0x08 kept) at `label`. */
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

/** Places the following code at offset `off` from the load address. */
const at = (off: number) => `times 0x${off.toString(16)} - ($ - $$) nop`;

function machine(source: string, start: StartState = "long64"): Machine {
  const bits = start === "long64" ? 64 : start === "protected32" ? 32 : 16;
  const base = start === "real16" ? 0x7c00 : CODE_BASE;
  const m = new Machine();
  m.setupStart(start, base);
  m.load(nasm(`bits ${bits}\norg ${base}\n${GATE64}\n${source}\n`), base);
  return m;
}

// A #GP raised by MOV DS with a bad selector, handled by the program's own handler at +0x80.
const GP_PROGRAM = `
  setgate 13, handler
  mov ax, 0x1234
  jmp faulting
${at(0x40)}
faulting:
  mov ds, ax
  hlt
${at(0x80)}
handler:
  pop r8
  mov r9, 0x77
  hlt`;

test("a #GP the program handles itself stops after delivery, at the handler, with the error code", {
  skip: NO_NASM,
}, () => {
  const m = machine(GP_PROGRAM);
  const stop = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(stop, {
    kind: "exceptionDelivered",
    vector: 13,
    errorCode: 0x1234,
    faultRip: B + 0x40n,
    rip: B + 0x80n,
    guest: false,
  });
  // Delivery is complete: the frame is on the stack (error code on top) and resuming runs the handler.
  assert.equal(m.rip, B + 0x80n);
  const again = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.equal(again.kind, "halted");
  assert.equal(reg(m, 8), 0x1234n);
  assert.equal(reg(m, 9), 0x77n);
});

test("without the option the same program runs to its end (no stop)", { skip: NO_NASM }, () => {
  const m = machine(GP_PROGRAM);
  assert.equal(m.run({ maxInstructions: 1000 }).kind, "halted");
  assert.equal(reg(m, 9), 0x77n);
});

test("step({ stopOnExceptionDelivery }) returns exceptionDelivered for the faulting instruction", {
  skip: NO_NASM,
}, () => {
  const m = machine(GP_PROGRAM);
  const kinds: string[] = [];
  for (let k = 0; k < 20; k++) {
    const s = m.step({ stopOnExceptionDelivery: true });
    kinds.push(s.kind);
    if (s.kind === "exceptionDelivered") {
      assert.equal(s.vector, 13);
      assert.equal(s.faultRip, B + 0x40n);
      assert.equal(s.rip, B + 0x80n);
      break;
    }
  }
  assert.equal(kinds.at(-1), "exceptionDelivered");
  // Without the option a step over the fault is an ordinary step that lands in the handler.
  const n = machine(GP_PROGRAM);
  let last = n.step();
  while (last.kind === "step" && last.rip !== B + 0x80n && n.instructionCount < 40) last = n.step();
  assert.deepEqual(last, { kind: "step", rip: B + 0x80n });
});

test("INT3 and INT1 are exceptions (#BP, #DB): faultRip is the instruction, rip the handler", { skip: NO_NASM }, () => {
  const m = machine(`
  setgate 3, handler
  setgate 1, handler
  jmp go
${at(0x60)}
go:
  int3
  db 0xf1                   ; INT1 (ICEBP)
  hlt
${at(0x80)}
handler:
  iretq`);
  const bp = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(bp, { kind: "exceptionDelivered", vector: 3, faultRip: B + 0x60n, rip: B + 0x80n, guest: false });
  const db = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(db, { kind: "exceptionDelivered", vector: 1, faultRip: B + 0x61n, rip: B + 0x80n, guest: false });
  assert.equal(m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true }).kind, "halted");
});

test("INT n (also INT 3 encoded CD 03) and INT 0x20 are not exception deliveries", { skip: NO_NASM }, () => {
  const m = machine(`
  setgate 3, handler
  setgate 0x20, handler
  db 0xcd, 3
  int 0x20
  mov rbx, 0x55
  hlt
handler:
  inc rcx
  iretq`);
  const stop = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, 1), 2n);
  assert.equal(reg(m, 3), 0x55n);
});

test("#PF reports CR2 and the error code", { skip: NO_NASM }, () => {
  const m = machine(`
  setgate 14, handler
  mov rbx, 0x100000000      ; beyond the identity map of the first 4 GiB
  jmp faulting
${at(0x40)}
faulting:
  mov eax, [rbx]
  hlt
${at(0x80)}
handler:
  hlt`);
  const stop = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(stop, {
    kind: "exceptionDelivered",
    vector: 14,
    errorCode: 0,
    faultRip: B + 0x40n,
    rip: B + 0x80n,
    cr2: 0x100000000n,
    guest: false,
  });
});

test("an exception reaching a start-state handler stops twice: delivered, then the handler's exception stop", {
  skip: NO_NASM,
}, () => {
  const m = machine("nop\nud2");
  const first = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(first, { kind: "exceptionDelivered", vector: 6, faultRip: B + 1n, rip: 0x3060n, guest: false });
  const second = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(second, { kind: "exception", vector: 6, rip: B + 1n });
});

test("protected32: INTO with OF set raises #OF (vector 4)", { skip: NO_NASM }, () => {
  const m = machine(
    `
  mov al, 0x7f
  add al, 1
  jmp go
${at(0x40)}
go:
  into`,
    "protected32",
  );
  const stop = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(stop, { kind: "exceptionDelivered", vector: 4, faultRip: B + 0x40n, rip: 0x3040n, guest: false });
});

test("real16: #DE is delivered through the IVT", { skip: NO_NASM }, () => {
  const m = machine(
    `
  xor cx, cx
  jmp go
${at(0x10)}
go:
  div cx`,
    "real16",
  );
  const stop = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(stop, { kind: "exceptionDelivered", vector: 0, faultRip: 0x7c10n, rip: 0x500n, guest: false });
});

test("a fault during delivery is reported as the double fault it becomes", { skip: NO_NASM }, () => {
  // Gate 13 not present: #GP → #NP (contributory after contributory) → #DF through the start state's gate 8.
  const m = machine(`
  and byte [0x2000 + 13*16 + 5], 0x7f
  mov ax, 0x1234
  jmp faulting
${at(0x40)}
faulting:
  mov ds, ax`);
  const stop = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.deepEqual(stop, {
    kind: "exceptionDelivered",
    vector: 8,
    errorCode: 0,
    faultRip: B + 0x40n,
    rip: 0x3080n,
    guest: false,
  });
  assert.equal(m.run({ maxInstructions: 1000 }).kind, "exception");
});

test("a triple fault is still a triple fault", { skip: NO_NASM }, () => {
  const m = machine(`
  push 0
  push 0
  lidt [rsp+6]              ; IDT limit 0
  ud2`);
  const stop = m.run({ maxInstructions: 1000, stopOnExceptionDelivery: true });
  assert.equal(stop.kind, "tripleFault");
  assert.equal(reg(m, RAX), 0n);
});
