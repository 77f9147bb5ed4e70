// parse(): the syntax tree the language server uses — every statement and operand with its range, no
// macro expansion, errors recovered per line.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { evaluate, type Instruction, parse, parseExpression, type Range, type Statement } from "../../assembler/index";

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

describe("parse() extras for the language server", () => {
  test("%define/%assign NAME value: the name in `symbol`, the value as an expression in `value`", () => {
    const src = "%define VMCS_X 0x6800 + 2\n%assign N 3\n%define F(a) a+1\n%define S 'x' y\n";
    const lines = parse(src, { fileName: "t.asm" }).ast.lines.map((l) => l.statements[0]);
    const d0 = lines[0];
    assert.equal(d0?.kind, "directive");
    if (d0?.kind !== "directive") return;
    assert.equal(d0.args[0]?.text, "VMCS_X 0x6800 + 2", "args keep the whole text");
    assert.equal(d0.symbol?.name, "VMCS_X");
    assert.deepEqual(d0.symbol?.range, { start: { line: 0, character: 8 }, end: { line: 0, character: 14 } });
    assert.equal(d0.value?.text, "0x6800 + 2");
    assert.equal(d0.value?.expr?.kind, "binary");
    assert.deepEqual(d0.value?.range.start, { line: 0, character: 15 });
    const d1 = lines[1];
    assert.ok(d1?.kind === "directive" && d1.symbol?.name === "N" && d1.value?.expr?.kind === "number");
    const d2 = lines[2];
    assert.ok(d2?.kind === "directive" && d2.symbol?.name === "F" && d2.value === undefined, "function-like");
    const d3 = lines[3];
    assert.ok(d3?.kind === "directive" && d3.value?.text === "'x' y" && d3.value.expr === undefined, "not an expr");
  });

  test("memory operands carry the ranges of their base and index registers", () => {
    const nasm = parse("mov rax, [rbx + rcx*8 + 16]\n", { fileName: "t.asm" }).ast.lines[0]?.statements[0];
    const att = parse("movq 8(%rbx,%rcx,4), %rax\n", { fileName: "t.s" }).ast.lines[0]?.statements[0];
    const intel = parse(".intel_syntax noprefix\nmov eax, [4*esi + edi]\n", { fileName: "t.s" }).ast.lines[1]
      ?.statements[0];
    const text = (src: string, r: { start: { character: number }; end: { character: number } } | undefined) =>
      r ? src.slice(r.start.character, r.end.character) : undefined;
    for (const [st, line, base, index] of [
      [nasm, "mov rax, [rbx + rcx*8 + 16]", "rbx", "rcx"],
      [att, "movq 8(%rbx,%rcx,4), %rax", "%rbx", "%rcx"],
      [intel, "mov eax, [4*esi + edi]", "edi", "esi"],
    ] as const) {
      assert.equal(st?.kind, "instruction");
      if (st?.kind !== "instruction") continue;
      const m = st.operands.find((o) => o.kind === "memory");
      assert.ok(m?.kind === "memory");
      assert.equal(text(line, m.baseRange), base);
      assert.equal(text(line, m.indexRange), index);
    }
  });

  test(".S files keep C-preprocessor lines as directives (with #define's name and value)", () => {
    const src = '#include "vmx.h"\n#define A (1 << 3)\n  # ifdef A\nmovl $A, %eax\n#endif\n';
    const lines = parse(src, { fileName: "t.S" }).ast.lines;
    const names = lines.map((l) => {
      const s = l.statements[0];
      return s?.kind === "directive" ? s.name : s?.kind;
    });
    assert.deepEqual(names, ["#include", "#define", "#ifdef", "instruction", "#endif"]);
    const def = lines[1]?.statements[0];
    assert.ok(def?.kind === "directive" && def.symbol?.name === "A" && def.value?.expr?.kind === "binary");
    assert.equal(lines[0]?.statements[0]?.kind === "directive" && lines[0].statements[0].args[0]?.text, '"vmx.h"');
    // In a .s file the same lines are comments.
    assert.equal(parse(src, { fileName: "t.s" }).ast.lines.length, 1);
  });

  test("parseExpression parses one expression at a given place, else undefined", () => {
    const e = parseExpression("A + 2*B", { syntax: "nasm", line: 5, column: 10 });
    assert.equal(e?.kind, "binary");
    assert.deepEqual(e?.range, { start: { line: 5, character: 10 }, end: { line: 5, character: 17 } });
    assert.equal(parseExpression("1 +", { syntax: "gas" }), undefined);
    assert.equal(parseExpression("1 2", { syntax: "nasm" }), undefined);
    assert.equal(parseExpression("", { syntax: "nasm" }), undefined);
  });

  test("evaluate is exported with its environment type", () => {
    const e = parseExpression("X * 2 + 1", { syntax: "nasm" });
    assert.ok(e);
    const v = evaluate(e, {
      lookup: (n) => (n === "X" ? { value: 20n, label: false, section: 0, frag: 0, order: 0, terms: [] } : undefined),
      here: undefined,
      hereSection: 0,
      hereFrag: 0,
      sectionStart: undefined,
      order: 0,
      dialect: "nasm",
      onError: () => {},
    });
    assert.equal(v.value, 41n);
    assert.equal(v.known, true);
  });
});
