// Errors are reported with stable codes and point at the exact token or operand; assembly never throws.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assemble, type Diagnostic } from "../../assembler/index";

function diags(source: string, fileName: string): Diagnostic[] {
  return assemble(source, { fileName }).diagnostics.filter((d) => d.severity === "error");
}

/** The text a diagnostic's range covers. */
function covered(source: string, d: Diagnostic): string {
  const line = source.split("\n")[d.range.start.line] ?? "";
  return line.slice(d.range.start.character, d.range.end.character);
}

describe("diagnostics", () => {
  test("nasm's reading of a sign before a string is reproduced with a warning on the string", () => {
    const src = "bits 64\nA equ 5\ndd 3,-'A',4\ndd 1 2\n";
    const p = assemble(src, { fileName: "t.asm" });
    const warnings = p.diagnostics.filter((d) => d.severity === "warning");
    assert.deepEqual(
      warnings.map((d) => [d.code, d.range.start.line, covered(src, d)]),
      [
        ["asm-warning", 2, "'A'"],
        ["asm-warning", 3, "2"],
      ],
    );
    assert.match(
      warnings[0]!.message,
      /this is -A \(and ',4' after it is ignored\), not minus the character constant 'A'/,
    );
    assert.match(warnings[1]!.message, /nasm ignores '2' after the value 1/);
    assert.deepEqual([...p.sections[0]!.bytes], [3, 0, 0, 0, 0xfb, 0xff, 0xff, 0xff, 1, 0, 0, 0]);
  });
  test("inside dup parentheses too: the rest of the line, `)` included, is dropped (an error, as in nasm)", () => {
    const src = "bits 64\ndd 2 dup (-'1')\n";
    assert.deepEqual(
      diags(src, "t.asm").map((d) => d.code),
      ["asm-syntax"],
    );
  });

  test("an unknown mnemonic is reported on the mnemonic (GAS)", () => {
    const src = "  movl $1, %eax\n  frobnicate %eax\n";
    const [d, ...rest] = diags(src, "t.s");
    assert.equal(rest.length, 0);
    assert.equal(d!.code, "asm-unknown-mnemonic");
    assert.equal(d!.range.start.line, 1);
    assert.equal(covered(src, d!), "frobnicate");
  });

  test("an unknown mnemonic followed by operands is reported on the mnemonic (NASM)", () => {
    const src = "bits 64\nfrobnicate eax, 1\n";
    const [d] = diags(src, "t.asm");
    assert.equal(d!.code, "asm-unknown-mnemonic");
    assert.equal(covered(src, d!), "frobnicate");
  });

  test("an undefined symbol is reported on the symbol inside the operand", () => {
    const src = "bits 64\nmov eax, [rbx + missing_sym*1 + 8]\nmov eax, 4 + nowhere\n";
    const ds = diags(src, "t.asm");
    assert.deepEqual(
      ds.map((d) => [d.code, covered(src, d)]),
      [
        ["asm-undefined-symbol", "missing_sym"],
        ["asm-undefined-symbol", "nowhere"],
      ],
    );
  });

  test("an undefined symbol in AT&T is reported at its position in the line", () => {
    const src = ".code64\n  movq $undefined_thing, %rax\n";
    const [d] = diags(src, "t.s");
    assert.equal(d!.code, "asm-undefined-symbol");
    assert.deepEqual(d!.range.start, { line: 1, character: 8 });
    assert.equal(covered(src, d!), "undefined_thing");
  });

  test("an invalid operand combination points at the offending operand", () => {
    const src = "bits 64\nmov cr0, byte [rax]\n";
    const [d] = diags(src, "t.asm");
    assert.ok(d, "an error");
    assert.match(d!.code, /^asm-/);
    assert.equal(d!.range.start.line, 1);
    assert.ok(d!.range.start.character >= 4, "not at the mnemonic");
  });

  test("a short jump out of range is asm-branch-out-of-range at the target operand", () => {
    const src = "bits 64\njmp short far_label\ntimes 200 nop\nfar_label:\n";
    const [d] = diags(src, "t.asm");
    assert.equal(d!.code, "asm-branch-out-of-range");
    assert.equal(covered(src, d!), "far_label");
  });

  test("LOOP (rel8 only) out of range is an error, not silently widened", () => {
    const src = ".code64\nl: .fill 300, 1, 0x90\n  loop l\n";
    const [d] = diags(src, "t.s");
    assert.equal(d!.code, "asm-branch-out-of-range");
  });

  test("an immediate that does not fit is a warning on the immediate", () => {
    const src = "bits 64\nmov al, 300\n";
    const d = assemble(src, { fileName: "t.asm" }).diagnostics.find((x) => x.severity === "warning");
    assert.ok(d, "a warning");
    assert.equal(covered(src, d!), "300");
  });

  test("a redefined label is reported at the second definition", () => {
    const src = "x: nop\nx: nop\n";
    const [d] = diags(src, "t.s");
    assert.equal(d!.code, "asm-symbol-redefined");
    assert.equal(d!.range.start.line, 1);
  });

  test("syntax errors carry ranges and do not stop later lines", () => {
    const src = "bits 64\nmov eax, (1 + \nmov ebx, 2\nadd eax, ]\n";
    const p = assemble(src, { fileName: "t.asm" });
    const errors = p.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(
      errors.map((d) => d.range.start.line),
      [1, 3],
    );
    // The valid line in between still assembled (mov ebx, 2 = bb 02 00 00 00).
    const text = p.sections[0]!.bytes;
    assert.ok(Buffer.from(text).toString("hex").includes("bb02000000"));
  });

  test("unterminated macro and conditional blocks are reported at their opening line", () => {
    const ds = diags(".macro m\n nop\n", "t.s");
    assert.equal(ds[0]!.code, "asm-unterminated-block");
    assert.equal(ds[0]!.range.start.line, 0);
    const n = diags("%rep 3\nnop\n", "t.asm");
    assert.equal(n[0]!.code, "asm-unterminated-block");
  });

  test("unbalanced conditionals are reported", () => {
    assert.equal(diags(".endif\n", "t.s")[0]!.code, "asm-unbalanced-conditional");
    assert.equal(diags("%else\n", "t.asm")[0]!.code, "asm-unbalanced-conditional");
  });

  test("a missing include file is reported on the file name", () => {
    const src = '%include "nope.inc"\n';
    const [d] = assemble(src, { fileName: "t.asm", readFile: () => undefined }).diagnostics;
    assert.equal(d!.code, "asm-include-not-found");
    assert.equal(covered(src, d!), '"nope.inc"');
  });

  test("errors inside a macro expansion point at the invocation line", () => {
    const src = "%macro BAD 1\n  mov eax, %1\n%endmacro\nbits 64\nBAD undefined_x\n";
    const [d] = diags(src, "t.asm");
    assert.equal(d!.code, "asm-undefined-symbol");
    assert.equal(d!.range.start.line, 4);
    assert.equal(covered(src, d!), "undefined_x");
  });

  test("division by zero: an error in nasm, a warning in GNU as (which yields the dividend), never a crash", () => {
    const [d] = diags("dd 1/0\n", "t.asm");
    assert.equal(d!.code, "asm-division-by-zero");
    const p = assemble(".long 7/0, 7 % 0\n", { fileName: "t.s" });
    assert.deepEqual(
      p.diagnostics.map((x) => [x.code, x.severity]),
      [
        ["asm-division-by-zero", "warning"],
        ["asm-division-by-zero", "warning"],
      ],
    );
    assert.deepEqual([...(p.sections[0]?.bytes ?? [])], [7, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("runaway repetition stops with asm-expansion-limit", () => {
    const src = "%macro R 0\nR\n%endmacro\nR\n";
    const ds = diags(src, "t.asm");
    assert.ok(ds.some((d) => d.code === "asm-macro-recursion" || d.code === "asm-expansion-limit"));
    const big = diags(".rept 100000000\nnop\n.endr\n", "t.s");
    assert.ok(big.some((d) => d.code === "asm-expansion-limit"));
  });
  test("nasm: a TIMES/ALIGN count naming a later symbol is an error, as in nasm (critical expression)", () => {
    const src = "bits 16\nback: nop\ntimes N nop\nalign later - back\nlater: nop\nN equ 3\n";
    const ds = diags(src, "t.asm");
    assert.deepEqual(
      ds.map((d) => [d.code, d.range.start.line, covered(src, d)]),
      [
        ["asm-not-constant", 2, "N"],
        ["asm-not-constant", 3, "later - back"],
      ],
    );
  });

  test("nasm: two index registers and three registers in an address are errors on the register", () => {
    const src = "bits 32\nmov eax, [ebx*2 + eax*0]\nmov eax, [ecx + eax*0 + edx*4]\nmov eax, [ebx + esp*0]\n";
    const ds = diags(src, "t.asm");
    assert.deepEqual(
      ds.map((d) => [d.range.start.line, covered(src, d), /two index registers|too many registers/.test(d.message)]),
      [
        [1, "eax", true],
        [2, "edx", true],
      ],
    );
  });
  test("floating-point constants: GNU as rejects an overflowing one; a bad __float32__ argument is reported", () => {
    const gas = ".data\n.float 1.5, 3.5e38\n";
    const g = diags(gas, "t.s");
    assert.deepEqual(
      g.map((d) => [d.code, covered(gas, d)]),
      [["asm-bad-expression", "3.5e38"]],
    );
    const nasm = "bits 32\nmov eax, __float32__(x)\n";
    const n = diags(nasm, "t.asm");
    assert.deepEqual(
      n.map((d) => [d.code, covered(nasm, d)]),
      [["asm-bad-expression", "__float32__"]],
    );
  });
  test("nasm: a branch size keyword the instruction does not have is an error on the operand", () => {
    const src = "bits 16\nN: jz dword N\nbits 32\nL: jz word L\nbits 64\nM: jmp dword M\n jmp qword M\n";
    const ds = diags(src, "t.asm");
    assert.deepEqual(
      ds.map((d) => [d.code, d.range.start.line, covered(src, d)]),
      [
        ["asm-invalid-operands", 1, "N"],
        ["asm-invalid-operands", 3, "L"],
        ["asm-invalid-operands", 5, "M"],
      ],
    );
  });
});
