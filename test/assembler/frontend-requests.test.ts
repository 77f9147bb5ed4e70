// Front-end readings the encoder depends on, each checked against the bytes GNU as 2.40 / nasm 2.16.01
// produce (the expected hex was taken from the tools, and is re-checked live when they are installed).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assemble, flatBinary } from "../../assembler/index";
import { explainMismatch, haveTool, hex, referenceAssembleText } from "./reference";

const haveNasm = haveTool("nasm");
const haveGas = haveTool("as") && haveTool("ld");

function check(src: string, syntax: "gas" | "nasm", expectedHex: string): void {
  const program = assemble(src, { fileName: syntax === "gas" ? "t.s" : "t.asm" });
  assert.deepEqual(
    program.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  assert.equal(hex(flatBinary(program)), expectedHex);
  const live = syntax === "gas" ? haveGas : haveNasm;
  if (live) {
    const ref = referenceAssembleText(src, syntax);
    assert.ok(ref.bytes, ref.error);
    assert.equal(explainMismatch(program, ref.bytes!), "");
  }
}

describe("AT&T operand order", () => {
  test("ENTER and BOUND keep Intel order in AT&T syntax (not reversed)", () => {
    const src = [
      ".code32",
      "enter $8,$0",
      "enterl $8,$1",
      "enterw $0x10,$2",
      "bound %eax,(%ebx)",
      "boundl %eax,(%ebx)",
      "boundw %ax,(%ebx)",
      "mov $1,%eax", // an ordinary instruction is still reversed
      ".code64",
      "enter $8,$0",
      "enterq $8,$3",
      "",
    ].join("\n");
    check(
      src,
      "gas",
      ["c8080000", "c8080001", "66c8100002", "6203", "6203", "666203", "b801000000", "c8080000", "c8080003"].join(""),
    );
  });
});

describe("GNU as .intel_syntax operands the encoder reads differently from AT&T", () => {
  test("[reg*1] alone, an ESP index, and jmp/call dword/fword ptr match as", () => {
    const src = [
      ".intel_syntax noprefix",
      ".code32",
      "mov eax, [ebx*1]",
      "mov eax, [ebx+esp]",
      "mov eax, [esp+ebx]",
      "jmp fword ptr [eax]",
      "call fword ptr [eax]",
      "jmp dword ptr [eax]", // near in 32-bit code
      ".code16",
      "jmp dword ptr [bx]", // a 16:16 far pointer outside 32-bit code
      "call dword ptr [bx]",
      ".code64",
      "mov eax, [rbx*1]",
      "mov eax, [rbx+rsp]",
      "jmp fword ptr [rax]",
      "",
    ].join("\n");
    check(
      src,
      "gas",
      [
        "8b041d00000000",
        "8b041c",
        "8b041c",
        "ff28",
        "ff18",
        "ff20",
        "ff2f",
        "ff1f",
        "8b041d00000000",
        "8b041c",
        "ff28",
      ].join(""),
    );
  });
});

describe("NASM far pointer with a size keyword", () => {
  test("a real-mode trampoline: jmp dword 0x08:pm32 in bits 16 gets the 66 prefix and a 32-bit offset", () => {
    const src = [
      "bits 16",
      "org 0x7c00",
      "start:",
      "  cli",
      "  lgdt [gdtr]",
      "  mov eax, cr0",
      "  or al, 1",
      "  mov cr0, eax",
      "  jmp dword 0x08:pm32", // 66 EA ptr16:32
      "  jmp dword 0x08:0x123456", // an offset only 32 bits can hold
      "  call dword 0x10:pm32",
      "  jmp 0x08:start", // no keyword: ptr16:16
      "  jmp word 0x08:start",
      "gdtr: dw 23",
      "  dd gdt",
      "gdt: dq 0, 0x00cf9a000000ffff, 0x00cf92000000ffff",
      "bits 32",
      "pm32:",
      "  mov ax, 0x10",
      "  mov ds, ax",
      "  jmp word 0x18:start", // back to a 16-bit segment: 66 EA ptr16:16
      "  jmp 0x08:pm32",
      "  hlt",
      "",
    ].join("\n");
    const program = assemble(src, { fileName: "t.asm" });
    const bytes = hex(flatBinary(program));
    // The far jumps of the 16-bit part, in order (offsets relative to org 0x7c00).
    const pm32 = program.symbols.get("pm32")?.value;
    assert.equal(pm32, 0x7c4en);
    assert.ok(bytes.includes("66ea4e7c00000800"), bytes);
    assert.ok(bytes.includes("66ea563412000800"), bytes);
    assert.ok(bytes.includes("669a4e7c00001000"), bytes);
    assert.ok(bytes.includes("ea007c0800ea007c0800"), bytes);
    assert.ok(bytes.includes("66ea007c1800ea4e7c00000800f4"), bytes);
    if (haveNasm) {
      const ref = referenceAssembleText(src, "nasm");
      assert.ok(ref.bytes, ref.error);
      assert.equal(explainMismatch(program, ref.bytes!), "");
    }
  });
});

describe("NASM scales 3, 5 and 9", () => {
  test("[eax*3], [ebx*5+8], [edx*9], a register written twice: match nasm", () => {
    const lines = (b: string) => b.split("\n").map((x) => x.trim());
    const src = `${lines(`bits 32
      mov eax, [eax*3]
      mov eax, [ebx*5+8]
      lea ecx, [edx*9]
      lea ecx, [3*edx+0x100]
      lea ecx, [edx*9+label]
      mov eax, [eax*3+eax]
      mov eax, [eax+eax*2]
      mov eax, [eax+eax*8]
      mov eax, [eax+eax*4+4]
      mov eax, [eax+eax]
      mov eax, [ds:eax*5]
      mov eax, [fs:ecx*9-4]
      bits 64
      lea rax, [rcx*9]
      lea rax, [r9*5+1]
      lea rax, [r12*3]
      lea rax, [r13*5]
      mov eax, [eax*3]
      bits 16
      mov eax, [eax*9]
      label:`).join("\n")}\n`;
    check(
      src,
      "nasm",
      [
        "8b0440", // [eax+eax*2]
        "8b449b08",
        "8d0cd2",
        "8d8c5200010000",
        "8d8cd250000000",
        "8b048500000000", // eax*4: no base, disp32
        "8b0440",
        "8b04c0",
        "8b448004",
        "8b0400",
        "3e8b0480", // nasm keeps the DS override it was given
        "648b44c9fc",
        "488d04c9",
        "4b8d448901",
        "4b8d0464",
        "4b8d44ad00", // r13 as a base needs a disp8
        "678b0440",
        "66678b04c0",
      ].join(""),
    );
  });
  test("a scale of 3/5/9 with another base, a 6, or ESP: rejected like nasm", () => {
    for (const bad of ["mov eax, [ebx+eax*3]", "mov eax, [eax*5+ebx]", "mov eax, [eax*6]", "mov eax, [esp*3]"]) {
      const program = assemble(`bits 32\n${bad}\n`, { fileName: "t.asm" });
      const errs = program.diagnostics.filter((d) => d.severity === "error");
      assert.equal(errs.length, 1, bad);
      assert.equal(errs[0]!.range.start.line, 1);
      if (haveNasm) assert.ok(!referenceAssembleText(`bits 32\n${bad}\n`, "nasm").bytes, bad);
    }
  });
});
