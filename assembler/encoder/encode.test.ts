import assert from "node:assert/strict";
import { test } from "node:test";
import { type EncodeRequest, encode, isEncodeError, type Operand } from "./index";

const reg = (r: string): Operand => ({ kind: "reg", reg: r });
const imm = (v: bigint): Operand => ({ kind: "imm", value: v });
const mem = (o: Partial<Extract<Operand, { kind: "mem" }>>): Operand => ({ kind: "mem", scale: 1, disp: 0n, ...o });

function hex(req: Partial<EncodeRequest> & Pick<EncodeRequest, "mnemonic" | "operands">): string {
  const r = encode({ bits: 64, address: 0n, flavor: "nasm", ...req });
  return isEncodeError(r) ? `error: ${r.error}` : Buffer.from(r.bytes).toString("hex");
}

test("register-to-register MOV uses the 89 /r (store) form", () => {
  assert.equal(hex({ mnemonic: "mov", operands: [reg("rbx"), reg("rax")] }), "4889c3");
});

test("nasm shrinks mov r64, imm32 to mov r32; GNU as uses C7 /0 with REX.W", () => {
  assert.equal(hex({ mnemonic: "mov", operands: [reg("rax"), imm(1n)] }), "b801000000");
  assert.equal(hex({ mnemonic: "mov", operands: [reg("rax"), imm(1n)], flavor: "gas" }), "48c7c001000000");
});

test("VMX instructions encode per SDM Vol. 3C §31", () => {
  assert.equal(hex({ mnemonic: "vmptrld", operands: [mem({ base: "rax" })] }), "0fc730");
  assert.equal(hex({ mnemonic: "vmread", operands: [reg("rax"), reg("rbx")] }), "0f78d8");
  assert.equal(hex({ mnemonic: "invept", operands: [reg("rax"), mem({ base: "rbx" })] }), "660f388003");
});

test("an unsized memory operand with several possible sizes is an error on that operand", () => {
  const r = encode({ mnemonic: "inc", operands: [mem({ base: "rax" })], bits: 64, address: 0n, flavor: "nasm" });
  assert.ok(isEncodeError(r));
  assert.equal(r.operandIndex, 0);
});

test("GAS AT&T suffixed mnemonics are understood", () => {
  assert.equal(hex({ mnemonic: "movzbl", operands: [reg("eax"), reg("bl")], flavor: "gas" }), "0fb6c3");
  assert.equal(hex({ mnemonic: "addl", operands: [mem({ base: "rax" }), imm(1n)], flavor: "gas" }), "830001");
});

test("branches pick rel8 when the target is in reach", () => {
  assert.equal(hex({ mnemonic: "jmp", operands: [imm(0x10n)] }), "eb0e");
  assert.equal(hex({ mnemonic: "jmp", operands: [imm(0x1000n)] }), "e9fb0f0000");
});

test("unknown mnemonics are reported, not thrown", () => {
  const r = encode({ mnemonic: "frobnicate", operands: [], bits: 64, address: 0n, flavor: "nasm" });
  assert.ok(isEncodeError(r));
  assert.match(r.error, /unknown instruction/);
});
