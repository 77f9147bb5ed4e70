// parse(): the syntax tree the language server uses — every statement and operand with its range, no
// macro expansion, errors recovered per line.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Instruction, parse, type Range, type Statement } from "../../assembler/index";

function text(src: string, r: Range): string {
  return (src.split("\n")[r.start.line] ?? "").slice(r.start.character, r.end.character);
}

function statements(src: string, fileName: string): Statement[] {
  return parse(src, { fileName }).ast.lines.flatMap((l) => l.statements);
}

describe("parse", () => {
  test("AT&T operands are in Intel order with ranges on the source text", () => {
    const src = "  movl 8(%rbp,%rcx,4), %eax\n";
    const [i] = statements(src, "t.s") as Instruction[];
    assert.equal(i!.kind, "instruction");
    assert.equal(i!.mnemonic, "movl");
    assert.equal(text(src, i!.mnemonicRange), "movl");
    assert.deepEqual(
      i!.operands.map((o) => text(src, o.range)),
      ["%eax", "8(%rbp,%rcx,4)"],
    );
    const mem = i!.operands[1]!;
    assert.equal(mem.kind, "memory");
    if (mem.kind === "memory") {
      assert.equal(mem.base, "rbp");
      assert.equal(mem.index, "rcx");
      assert.equal(mem.scale, 4);
    }
  });

  test("NASM memory operands decompose into base, index, scale and displacement", () => {
    const src = "mov qword [fs:rbx + rsi*8 - 16], 1\n";
    const [i] = statements(src, "t.asm") as Instruction[];
    const mem = i!.operands[0]!;
    assert.equal(mem.kind, "memory");
    if (mem.kind === "memory") {
      assert.equal(mem.segment, "fs");
      assert.equal(mem.base, "rbx");
      assert.equal(mem.index, "rsi");
      assert.equal(mem.scale, 8);
      assert.equal(mem.size, 64);
      assert.equal(text(src, mem.disp!.range), "16");
    }
  });

  test("labels, directives and instructions on one GAS line separated by ;", () => {
    const src = "a: b: .byte 1 ; nop ; c = 3\n";
    const st = statements(src, "t.s");
    assert.deepEqual(
      st.map((s) => s.kind),
      ["label", "label", "directive", "instruction", "directive"],
    );
    assert.equal(text(src, st[0]!.range), "a");
    assert.equal(text(src, st[2]!.range), ".byte 1");
  });

  test("NASM labels without colon, equ and times", () => {
    const src = "msg db 'hi', 0\nLEN equ $ - msg\ntimes 4 nop\n";
    const st = statements(src, "t.asm");
    assert.deepEqual(
      st.map((s) => (s.kind === "directive" ? s.name : s.kind)),
      ["label", "db", "equ", "times"],
    );
    const times = st[3]!;
    assert.equal(times.kind === "directive" && times.body?.kind, "instruction");
  });

  test(".intel_syntax switches operand parsing for the following lines", () => {
    const src = "movl %eax, %ebx\n.intel_syntax noprefix\nmov ebx, eax\n.att_syntax\nmovl %eax, %ebx\n";
    const lines = parse(src, { fileName: "t.s" }).ast.lines;
    assert.deepEqual(
      lines.map((l) => l.intel),
      [false, false, true, true, false],
    );
    const ops = lines
      .flatMap((l) => l.statements)
      .filter((s): s is Instruction => s.kind === "instruction")
      .map((i) => i.operands.map((o) => (o.kind === "register" ? o.name : "?")).join(","));
    assert.deepEqual(ops, ["ebx,eax", "ebx,eax", "ebx,eax"]);
  });

  test("errors are reported per line and parsing continues", () => {
    const src = "mov eax, (\nmov ebx, 1\n@@@\nnop\n";
    const r = parse(src, { fileName: "t.asm" });
    assert.deepEqual(
      r.diagnostics.map((d) => d.range.start.line),
      [0, 2],
    );
    const kinds = r.ast.lines.map((l) => l.statements[0]?.kind);
    assert.deepEqual(kinds, ["error", "instruction", "error", "instruction"]);
  });

  test("macro bodies are parsed without reporting their parameter placeholders", () => {
    const nasm = "%macro M 2\n  mov %1, [%2 + %%x]\n%%x:\n%endmacro\n";
    assert.deepEqual(parse(nasm, { fileName: "t.asm" }).diagnostics, []);
    const gas = ".macro g a, b=1\n movl \\a, %eax\n .byte \\b\n.endm\n";
    assert.deepEqual(parse(gas, { fileName: "t.s" }).diagnostics, []);
  });

  test("a NASM macro invocation with arguments parses as an instruction-like statement, without error", () => {
    const src = "CHECK_VM fail\nVMWRITE_FIELD VMCS_GUEST_RIP, rbx\n%macro SPIN 0\npause\n%endmacro\nSPIN\n";
    const r = parse(src, { fileName: "t.asm" });
    assert.deepEqual(r.diagnostics, []);
    const first = r.ast.lines[1]!.statements[0]!;
    assert.equal(first.kind, "instruction");
    if (first.kind === "instruction") assert.equal(first.operands.length, 2);
    // A macro defined in the file and invoked without arguments is not a label.
    assert.equal(r.ast.lines.at(-1)!.statements[0]!.kind, "instruction");
  });

  test("the syntax follows the file extension unless given", () => {
    assert.equal(parse("", { fileName: "x.asm" }).ast.syntax, "nasm");
    assert.equal(parse("", { fileName: "x.S" }).ast.syntax, "gas");
    assert.equal(parse("", { fileName: "x.asm", syntax: "gas" }).ast.syntax, "gas");
  });

  test("multi-line /* */ comments are skipped across lines", () => {
    const src = "nop /* start\n still comment mov\n end */ ret\n";
    const st = statements(src, "t.s");
    assert.deepEqual(
      st.map((s) => (s.kind === "instruction" ? s.mnemonic : s.kind)),
      ["nop", "ret"],
    );
  });
});
