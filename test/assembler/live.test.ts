// Live comparison: when nasm / as / ld are on PATH (CI installs them), every corpus source and a set of
// generated snippets are assembled by the real tool and by us, and must match byte for byte — so a drift
// in either shows at once. Skipped (not failed) where the tools are missing.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assemble } from "../../assembler/index";
import { assembleFile, corpusFiles, readIfExists } from "./corpus";
import { explainMismatch, haveTool, referenceAssemble, referenceAssembleText } from "./reference";

const haveNasm = haveTool("nasm");
const haveGas = haveTool("as") && haveTool("ld");

describe("live comparison with the installed reference assemblers", () => {
  for (const f of corpusFiles()) {
    const skip = f.syntax === "nasm" ? !haveNasm : !haveGas;
    test(`${f.name} matches the live ${f.syntax === "nasm" ? "nasm" : "as+ld"}`, {
      skip: skip && "tool not installed",
    }, () => {
      const ref = referenceAssemble(f.path, f.syntax);
      assert.ok(ref.bytes, ref.error);
      const program = assembleFile(f.path, f.syntax);
      assert.equal(explainMismatch(program, ref.bytes!), "");
    });
  }

  // Jumps around the rel8 boundary in both directions, with code of varying size in between: the sizes
  // each reference picks depend on its relaxation algorithm, which we reproduce.
  const sizes = [120, 125, 126, 127, 128, 129, 130];
  test("GAS branch relaxation around the rel8 boundary", { skip: !haveGas && "as not installed" }, () => {
    const lines = [".code64", "top:"];
    for (const n of sizes) lines.push(`  jmp f${n}`, `  jne top`, `  .fill ${n}, 1, 0x90`, `f${n}:`, "  jz top");
    const src = `${lines.join("\n")}\n`;
    const ref = referenceAssembleText(src, "gas");
    assert.ok(ref.bytes, ref.error);
    assert.equal(explainMismatch(assemble(src, { fileName: "t.s" }), ref.bytes!), "");
  });
  test("nasm jump sizing around the rel8 boundary", { skip: !haveNasm && "nasm not installed" }, () => {
    const lines = ["bits 64", "top:"];
    for (const n of sizes)
      lines.push(`  jmp f${n}`, `  jne top`, `  times ${n} nop`, `f${n}:`, "  jz top", "  lea rax, [rel f120]");
    const src = `${lines.join("\n")}\n`;
    const ref = referenceAssembleText(src, "nasm");
    assert.ok(ref.bytes, ref.error);
    assert.equal(explainMismatch(assemble(src, { fileName: "t.asm" }), ref.bytes!), "");
  });
  test("examples/ programs match their reference assembler", {
    skip: !(haveNasm && haveGas) && "tools not installed",
  }, () => {
    const dir = join(__dirname, "..", "..", "examples");
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => /\.(s|S|asm)$/.test(n));
    } catch {
      names = [];
    }
    for (const n of names) {
      const path = join(dir, n);
      const syntax = n.endsWith(".asm") ? "nasm" : "gas";
      const ref = referenceAssemble(path, syntax);
      if (!ref.bytes) continue; // not a flat-binary program for this reference
      const program = assemble(readIfExists(path) ?? "", { fileName: path, syntax, readFile: readIfExists });
      assert.equal(explainMismatch(program, ref.bytes), "", n);
    }
  });
});
