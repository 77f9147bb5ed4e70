// Exception and interrupt delivery in every mode (SDM 6.12–6.15, 20.1.4): vectors, error codes, the pushed
// frame, software interrupts, #DF and the triple fault.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_NASM, RAX, RBX, RCX, RDX, reg, runAsm } from "./helpers";

test("long64: UD2 stops with vector 6 at its address", { skip: NO_NASM }, () => {
  const { stop } = runAsm("nop\nud2");
  assert.deepEqual(stop, { kind: "exception", vector: 6, rip: 0x100001n });
});

test("long64: DIV by zero raises #DE; INT3 reports the address after it", { skip: NO_NASM }, () => {
  const de = runAsm("xor ecx, ecx\n div ecx").stop;
  assert.equal(de.kind === "exception" && de.vector, 0);
  const bp = runAsm("int3").stop;
  assert.deepEqual(bp, { kind: "exception", vector: 3, rip: 0x100001n });
});

test("long64: loading a bad selector raises #GP with the selector (TI included, RPL cleared) as error code", {
  skip: NO_NASM,
}, () => {
  const { stop } = runAsm("mov ax, 0x1234\n mov ds, ax");
  assert.deepEqual(stop, { kind: "exception", vector: 13, errorCode: 0x1234, rip: 0x100004n });
});

test("long64: a non-canonical memory operand raises #GP(0), a non-canonical stack access #SS(0)", {
  skip: NO_NASM,
}, () => {
  const gp = runAsm("mov rax, 0x0000800000000000\n mov ebx, [rax]").stop;
  assert.equal(gp.kind === "exception" && gp.vector, 13);
  assert.equal(gp.kind === "exception" && gp.errorCode, 0);
  const ss = runAsm("mov rsp, 0x0000800000000008\n push rax").stop;
  assert.equal(ss.kind === "exception" && ss.vector, 8); // #SS on the stack, then the frame cannot be pushed → #DF
});

test("long64: a handler sees the architectural frame (error code, RIP, CS, RFLAGS with RF, RSP, SS)", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(`
  lea rax, [rel handler]
  mov [0x2000 + 13*16], ax          ; patch gate 13's offset (same selector 0x08)
  shr rax, 16
  mov [0x2000 + 13*16 + 6], ax
  shr rax, 16
  mov [0x2000 + 13*16 + 8], eax
  mov rsp, 0x8000
  mov r15, faulting
  mov ax, 0x1234
faulting:
  mov ds, ax
  hlt
handler:
  pop r8           ; error code
  pop r9           ; RIP
  pop r10          ; CS
  pop r11          ; RFLAGS
  pop r12          ; RSP
  pop r13          ; SS
  hlt`);
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, 8), 0x1234n);
  assert.equal(reg(m, 9), reg(m, 15));
  assert.equal(reg(m, 10), 8n);
  assert.equal(reg(m, 11) & 0x10000n, 0x10000n);
  assert.equal(reg(m, 12), 0x8000n);
  assert.equal(reg(m, 13), 0x10n);
});

test("long64: a not-present #GP gate turns #GP into #NP and then #DF (contributory + contributory)", {
  skip: NO_NASM,
}, () => {
  const { stop } = runAsm("and byte [0x2000 + 13*16 + 5], 0x7f\n mov ax, 0x1234\n mov ds, ax");
  assert.equal(stop.kind === "exception" && stop.vector, 8);
  assert.equal(stop.kind === "exception" && stop.errorCode, 0);
});

test("long64: an IDT too small for #DF ends in a triple fault (shutdown)", { skip: NO_NASM }, () => {
  const { stop } = runAsm("sub rsp, 16\n mov word [rsp], 0\n mov qword [rsp+2], 0\n lidt [rsp]\n ud2");
  assert.equal(stop.kind, "tripleFault");
});

test("protected32: INT n goes through a trap gate and IRET returns; exceptions push error codes", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(
    `
  mov eax, handler
  mov [0x2000 + 0x40*8], ax
  shr eax, 16
  mov [0x2000 + 0x40*8 + 6], ax
  mov byte [0x2000 + 0x40*8 + 5], 0xef   ; present, DPL 3, 32-bit trap gate
  mov ebx, 1
  int 0x40
  mov ecx, 3
  mov ax, 0x1234
  mov ds, ax
handler:
  mov ebx, 2
  mov edx, [esp+8]     ; EFLAGS image
  iretd`,
    "protected32",
  );
  assert.equal(reg(m, RBX), 2n);
  assert.equal(reg(m, RCX), 3n);
  assert.equal(reg(m, RDX) & 2n, 2n);
  assert.equal(stop.kind === "exception" && stop.vector, 13);
  assert.equal(stop.kind === "exception" && stop.errorCode, 0x1234);
});

test("real16: INT n uses the IVT and IRET returns; #DE stops with vector 0", { skip: NO_NASM }, () => {
  const { m, stop } = runAsm(
    `
  mov word [0x21*4], handler
  mov word [0x21*4+2], 0
  mov ax, 5
  int 0x21
  mov cx, ax
  xor bl, bl
  div bl
handler:
  add ax, 10
  iret`,
    "real16",
  );
  assert.equal(reg(m, RCX) & 0xffffn, 15n);
  assert.equal(stop.kind === "exception" && stop.vector, 0);
});

test("real16: HLT with IF=0 ends the run; the STI shadow lets the next instruction run first", {
  skip: NO_NASM,
}, () => {
  const { stop, m } = runAsm("mov ax, 1\n cli\n hlt\n mov ax, 2", "real16");
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, RAX) & 0xffffn, 1n);
});

void RAX;
