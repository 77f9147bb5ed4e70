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

test("errors point at the operand they are about", () => {
  const at = (req: Partial<EncodeRequest> & Pick<EncodeRequest, "mnemonic" | "operands">) => {
    const r = encode({ bits: 64, address: 0n, flavor: "gas", ...req });
    return isEncodeError(r) ? r.operandIndex : "encoded";
  };
  // GNU as rejects an immediate a 64-bit operand cannot sign-extend.
  assert.equal(at({ mnemonic: "add", operands: [reg("rax"), imm(0x80000000n)] }), 1);
  // A short jump whose target is out of reach.
  assert.equal(at({ mnemonic: "jmp", operands: [imm(0x1000n)], branch: "short" }), 0);
  assert.equal(at({ mnemonic: "loop", operands: [imm(0x1000n)] }), 0);
  // An impossible address: the memory operand.
  assert.equal(at({ mnemonic: "mov", operands: [reg("eax"), mem({ base: "rax", index: "rsp" })] }), 1);
  assert.equal(at({ mnemonic: "vmptrld", operands: [mem({ base: "bx", index: "ax" })], bits: 16 }), 0);
  // A register that does not exist in this mode.
  assert.notEqual(at({ mnemonic: "mov", operands: [reg("r8"), reg("rax")], bits: 32 }), "encoded");
});

test("oversized immediates are truncated with a warning where the reference does so", () => {
  const r = encode({
    mnemonic: "mov",
    operands: [reg("al"), imm(0x1234n)],
    bits: 32,
    address: 0n,
    flavor: "nasm",
  });
  assert.ok(!isEncodeError(r));
  assert.equal(Buffer.from(r.bytes).toString("hex"), "b034");
  assert.ok((r.warnings ?? []).length > 0);
});

test("GNU as Intel syntax: [reg*1] stays an index, [ebx+esp] swaps ESP into the base, `jmp fword ptr` is far", () => {
  const base = { bits: 32 as const, address: 0n, flavor: "gas" as const, syntax: "intel" as const };
  assert.equal(hex({ ...base, mnemonic: "mov", operands: [reg("eax"), mem({ index: "eax" })] }), "8b040500000000");
  assert.equal(hex({ ...base, mnemonic: "mov", operands: [reg("eax"), mem({ base: "ebx", index: "esp" })] }), "8b041c");
  assert.equal(hex({ ...base, mnemonic: "jmp", operands: [mem({ base: "eax", size: 48 })] }), "ff28");
  // The same operand from AT&T `(,%eax,1)` keeps the SIB form with a zero displacement.
  assert.equal(
    hex({ ...base, syntax: "att", mnemonic: "mov", operands: [reg("eax"), mem({ index: "eax" })] }),
    "8b040500000000",
  );
});

test("GNU as Intel syntax, like nasm, rejects an unsized memory operand that AT&T syntax defaults", () => {
  const inc = (syntax: "att" | "intel") =>
    encode({ mnemonic: "inc", operands: [mem({ base: "rax" })], bits: 64, address: 0n, flavor: "gas", syntax });
  const att = inc("att");
  assert.ok(!isEncodeError(att));
  assert.equal(Buffer.from(att.bytes).toString("hex"), "ff00");
  assert.match(att.warnings?.join() ?? "", /using default/);
  assert.ok(isEncodeError(inc("intel")));
  const movzx = encode({
    mnemonic: "movzx",
    operands: [reg("eax"), mem({ base: "rax" })],
    bits: 64,
    address: 0n,
    flavor: "gas",
    syntax: "intel",
  });
  assert.ok(isEncodeError(movzx));
  assert.equal(movzx.operandIndex, 1);
});
