// The `$vmx-lint` problem matcher of contributes.json reads the real `vmx lint` text output.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MSR } from "../../arch/index";

const dir = mkdtempSync(join(tmpdir(), "vmx-lint-matcher-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("every diagnostic line of `vmx lint` matches the problem matcher with file, position, severity and code", () => {
  const file = join(dir, "bad.asm");
  // WRMSR to a read-only capability MSR (rule msr-read-only).
  writeFileSync(file, `bits 64\n    mov ecx, 0x${MSR.IA32_VMX_BASIC!.toString(16)}\n    wrmsr\n`);
  // The CLI as a user runs it: a process (from the repository, where tsx resolves).
  const repo = join(__dirname, "..", "..");
  const r = spawnSync(process.execPath, ["--import", "tsx", join(repo, "cli", "main.ts"), "lint", file], {
    cwd: repo,
    encoding: "utf8",
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 1, out);
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "extension", "contributes.json"), "utf8"));
  const matcher = manifest.contributes.problemMatchers.find((m: { name: string }) => m.name === "vmx-lint");
  const re = new RegExp(matcher.pattern.regexp);
  const lines = out.split("\n").filter((l) => /: (error|warning|information|hint) /.test(l));
  assert.ok(lines.length > 0, out);
  for (const l of lines) assert.match(l, re);
  const m = re.exec(lines[0]!)!;
  assert.match(m[matcher.pattern.file] ?? "", /bad\.asm$/);
  assert.equal(m[matcher.pattern.line], "3");
  assert.equal(m[matcher.pattern.severity], "error");
  assert.equal(m[matcher.pattern.code], "msr-read-only");
});
