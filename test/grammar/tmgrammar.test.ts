// Runs vscode-tmgrammar-test (the real vscode-textmate engine with Oniguruma) over the grammar test files in
// this folder, plus generated files that put every mnemonic of each class through the grammars.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { buildGasGrammar, buildNasmGrammar } from "../../syntaxes/build-grammars";
import { loadMnemonicClasses } from "../../syntaxes/mnemonic-source";

const root = join(__dirname, "..", "..");
const tool = join(root, "node_modules", "vscode-tmgrammar-test", "dist", "unit.js");
const grammars = ["syntaxes/vmx-gas.tmLanguage.json", "syntaxes/vmx-nasm.tmLanguage.json"];
const scratch = mkdtempSync(join(tmpdir(), "vmx-grammar-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function runTool(
  file: string,
  grammarFiles: string[] = grammars.map((g) => join(root, g)),
): { status: number | null; output: string } {
  const args = [tool, "--config", join(scratch, "no-package.json"), "-c"];
  for (const g of grammarFiles) args.push("-g", g);
  args.push(file);
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("grammar test files", () => {
  const files = readdirSync(__dirname).filter((f) => /\.(s|asm)$/.test(f));
  test("there are test files for both dialects", () => {
    assert.ok(files.some((f) => f.endsWith(".s")));
    assert.ok(files.some((f) => f.endsWith(".asm")));
  });
  for (const f of files) {
    test(`${f} tokenizes as its assertions say`, () => {
      const r = runTool(join(__dirname, f));
      assert.equal(r.status, 0, r.output);
    });
  }
});

describe("the tool catches a wrong scope", () => {
  test("a file asserting the wrong scope fails", () => {
    const file = join(scratch, "wrong.s");
    writeFileSync(
      file,
      '# SYNTAX TEST "source.vmx-gas" "wrong"\n    vmxon (%rax)\n#   ^^^^^ keyword.other.instruction.gas\n',
    );
    const r = runTool(file);
    assert.notEqual(r.status, 0, r.output);
  });
});

// Checked against grammars built now from the current lists (the staleness of the checked-in files is
// generated.test.ts's business), so one cause gives one failure.
describe("every mnemonic gets its class's scope", async () => {
  const classes = loadMnemonicClasses();
  const fresh = [join(scratch, "fresh-gas.tmLanguage.json"), join(scratch, "fresh-nasm.tmLanguage.json")];
  writeFileSync(fresh[0]!, JSON.stringify(buildGasGrammar(classes)));
  writeFileSync(fresh[1]!, JSON.stringify(buildNasmGrammar(classes)));
  const scopes = {
    vmx: "keyword.other.vmx",
    system: "keyword.other.system",
    control: "keyword.control.instruction",
    general: "keyword.other.instruction",
  } as const;
  for (const dialect of ["gas", "nasm"] as const) {
    const lists = classes[dialect];
    const counts = Object.keys(scopes).map((k) => lists[k as keyof typeof scopes].length);
    test(`${dialect}: all ${counts.join("+")} mnemonics, lower and upper case`, () => {
      const c = dialect === "gas" ? "#" : ";";
      const lines = [`${c} SYNTAX TEST "source.vmx-${dialect}" "every mnemonic"`];
      for (const [cls, scope] of Object.entries(scopes)) {
        for (const m of lists[cls as keyof typeof scopes]) {
          lines.push(`    ${m} `, `${c}   ${"^".repeat(m.length)} ${scope}.${dialect}`);
          lines.push(`    ${m.toUpperCase()} `, `${c}   ${"^".repeat(m.length)} ${scope}.${dialect}`);
        }
      }
      const file = join(scratch, `every.${dialect === "gas" ? "s" : "asm"}`);
      writeFileSync(file, `${lines.join("\n")}\n`);
      const r = runTool(file, fresh);
      assert.equal(r.status, 0, r.output.slice(0, 4000));
    });
  }
});
