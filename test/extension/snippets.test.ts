// The snippets are generated from arch/ (snippets/build-snippets.ts) and, expanded with their default
// placeholder values, assemble with the reference assemblers (nasm, GNU as) and with our own assembler.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { assemble } from "../../assembler/index";
import { buildSnippets, type Dialect, expandSnippetBody, placeholder } from "../../snippets/build-snippets";
import { snippetFileName, snippetFileText } from "../../snippets/generate";

const scratch = mkdtempSync(join(tmpdir(), "vmx-snippets-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function program(d: Dialect): string {
  const s = buildSnippets(d);
  const body = (name: string) => expandSnippetBody(s[name]!.body);
  const parts =
    d === "nasm"
      ? ["bits 64", "section .text", body("VMX bring-up (VMXON)"), body("Load a VMCS (VMCLEAR + VMPTRLD)")]
      : [".code64", ".text", body("VMX bring-up (VMXON)"), body("Load a VMCS (VMCLEAR + VMPTRLD)")];
  parts.push("vmx_failed:", "    hlt", body("VM-exit handler skeleton"));
  parts.push(d === "nasm" ? "section .data" : ".data");
  // Both regions, from the region snippet with its name placeholder set.
  for (const region of ["vmxon_region", "vmcs_region"]) {
    parts.push(
      expandSnippetBody(s["VMXON / VMCS region"]!.body.map((l) => l.replaceAll(placeholder(1, "vmcs_region"), region))),
    );
  }
  return `${parts.join("\n")}\n`;
}

function run(cmd: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return { status: r.error ? -1 : r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error?.message ?? ""}` };
}

describe("snippets", () => {
  for (const d of ["gas", "nasm"] as const) {
    test(`${d}: checked-in snippets equal a fresh generation (run \`npx tsx snippets/generate.ts\` if not)`, () => {
      assert.equal(
        readFileSync(join(__dirname, "..", "..", "snippets", snippetFileName(d)), "utf8"),
        snippetFileText(d),
      );
    });
    test(`${d}: every snippet has a prefix, a description and a final tab stop`, () => {
      const all = Object.values(buildSnippets(d));
      assert.equal(all.length, 4);
      for (const s of all) {
        assert.ok(s.prefix.length > 0 && s.description.length > 0);
        assert.equal(s.body.at(-1), "$0");
      }
    });
  }

  test("nasm: the expanded snippets assemble with nasm", () => {
    const file = join(scratch, "all.asm");
    writeFileSync(file, program("nasm"));
    const r = run("nasm", ["-f", "bin", "-o", join(scratch, "all.bin"), file]);
    assert.equal(r.status, 0, `${r.output}\n${program("nasm")}`);
  });

  test("gas: the expanded snippets assemble with GNU as", () => {
    const file = join(scratch, "all.s");
    writeFileSync(file, program("gas"));
    const r = run("as", ["--64", "-o", join(scratch, "all.o"), file]);
    assert.equal(r.status, 0, `${r.output}\n${program("gas")}`);
  });

  for (const d of ["gas", "nasm"] as const) {
    test(`${d}: the expanded snippets assemble with our assembler without errors`, () => {
      const p = assemble(program(d), { fileName: `snippets.${d === "nasm" ? "asm" : "s"}` });
      const errors = p.diagnostics.filter((x) => x.severity === "error");
      assert.deepEqual(
        errors.map((e) => `${e.range.start.line + 1}: ${e.message}`),
        [],
      );
    });
  }
});
