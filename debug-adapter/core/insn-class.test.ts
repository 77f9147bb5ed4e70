import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyInstruction } from "./insn-class";

const c = (bytes: number[], long64 = true) => classifyInstruction(Uint8Array.from(bytes), long64);

describe("instruction classes", () => {
  it("recognizes calls, software interrupts and returns", () => {
    assert.equal(c([0xe8, 0, 0, 0, 0]).kind, "call");
    assert.equal(c([0xff, 0xd0]).kind, "call"); // call rax
    assert.equal(c([0x41, 0xff, 0xd3]).kind, "call"); // call r11
    assert.equal(c([0xff, 0xe0]).kind, "other"); // jmp rax
    assert.equal(c([0xcd, 0x80]).kind, "int");
    assert.equal(c([0xc3]).kind, "ret");
    assert.equal(c([0x48, 0xcf]).kind, "ret"); // iretq
  });

  it("recognizes the VMX instructions and VMWRITE's encoding register", () => {
    assert.deepEqual(c([0x0f, 0x01, 0xc2]), { kind: "vmx", mnemonic: "vmlaunch" });
    assert.deepEqual(c([0x0f, 0x01, 0xc3]), { kind: "vmx", mnemonic: "vmresume" });
    // vmwrite rdi, rsi = 0F 79 FE: ModRM.reg = 7 (RDI holds the encoding)
    assert.deepEqual(c([0x0f, 0x79, 0xfe]), { kind: "vmx", mnemonic: "vmwrite", encodingReg: 7 });
    // vmwrite r9, rax = 4C 0F 79 C8: REX.R extends ModRM.reg to r9
    assert.deepEqual(c([0x4c, 0x0f, 0x79, 0xc8]), { kind: "vmx", mnemonic: "vmwrite", encodingReg: 9 });
    assert.deepEqual(c([0xf3, 0x0f, 0xc7, 0x30]), { kind: "vmx", mnemonic: "vmxon" });
    assert.deepEqual(c([0x66, 0x0f, 0xc7, 0x30]), { kind: "vmx", mnemonic: "vmclear" });
    assert.deepEqual(c([0x0f, 0xc7, 0x30]), { kind: "vmx", mnemonic: "vmptrld" });
    assert.deepEqual(c([0x0f, 0xc7, 0xf0]), { kind: "other" }); // rdrand eax
    assert.deepEqual(c([0x66, 0x0f, 0x38, 0x80, 0x00]), { kind: "vmx", mnemonic: "invept" });
  });

  it("recognizes REP string instructions", () => {
    assert.deepEqual(c([0xf3, 0xaa]), { kind: "repString" }); // rep stosb
    assert.deepEqual(c([0xf3, 0x48, 0xa5]), { kind: "repString" }); // rep movsq
    assert.deepEqual(c([0xf2, 0xae]), { kind: "repString" }); // repne scasb
    assert.deepEqual(c([0xaa]), { kind: "other" }); // stosb without REP: one iteration
    assert.deepEqual(c([0xf3, 0x90]), { kind: "other" }); // pause
  });

  it("treats 0x40-0x4F as instructions outside 64-bit mode", () => {
    assert.equal(c([0x41, 0xff, 0xd3], false).kind, "other"); // inc ecx; call ebx is two instructions
  });
});
