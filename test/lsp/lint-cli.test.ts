// `vmx lint`: formats, exit codes, and diagnostics inside included files reported against those files.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type LintRecord, lintCommand } from "../../cli/commands/lint";
import { CliUsageError } from "../../cli/io";

function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "vmx-lint-"));
  mkdirSync(join(dir, "inc"));
  writeFileSync(
    join(dir, "main.asm"),
    `bits 64\n%include "helpers.inc"\nsection .text\nstart:\n    mov rax, 0x6C01\n    vmwrite rax, rbx\n    jbe done\n    call helper\ndone:\n    hlt\n`,
  );
  writeFileSync(
    join(dir, "inc", "helpers.inc"),
    `helper:\n    mov ecx, 0x480\n    xor eax, eax\n    xor edx, edx\n    wrmsr\n    ret\n`,
  );
  writeFileSync(
    join(dir, "clean.s"),
    `    .text\nstart:\n    mov $0x6800, %rax\n    vmread %rax, %rbx\n    jbe 1f\n1:  hlt\n`,
  );
  writeFileSync(
    join(dir, "warn.s"),
    `    .text\nstart:\n    vmwrite %rbx, %rax\n    vmwrite %rcx, %rdx\n    jbe 1f\n1:  hlt\n`,
  );
  return dir;
}

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await lintCommand.run(args, { out: (t) => (out += t), err: (t) => (err += t), cwd });
  return { code, out, err };
}

describe("vmx lint", () => {
  test("json: 1-based records, included file reported against itself, exit 1 on errors", async () => {
    const dir = fixture();
    const r = await run(["main.asm", "--format", "json", "-I", "inc"], dir);
    assert.equal(r.code, 1);
    const records = JSON.parse(r.out) as LintRecord[];
    const high = records.find((x) => x.code === "vmcs-high-access");
    assert.deepEqual(
      high && {
        file: high.file,
        line: high.line,
        column: high.column,
        endColumn: high.endColumn,
        severity: high.severity,
      },
      {
        file: "main.asm",
        line: 6,
        column: 13,
        endColumn: 16,
        severity: "error",
      },
    );
    const ro = records.find((x) => x.code === "msr-read-only");
    assert.equal(ro?.file, join("inc", "helpers.inc"));
    assert.equal(ro?.line, 5);
  });

  test("text: file:line:column: severity code: message", async () => {
    const dir = fixture();
    const r = await run(["main.asm", "-I", "inc"], dir);
    assert.match(r.out, /^main\.asm:6:13: error vmcs-high-access: /m);
  });

  test("sarif 2.1.0 with rules and regions", async () => {
    const dir = fixture();
    const r = await run(["main.asm", "-I", "inc", "--format=sarif"], dir);
    const sarif = JSON.parse(r.out);
    assert.equal(sarif.version, "2.1.0");
    const run0 = sarif.runs[0];
    assert.ok(run0.tool.driver.rules.some((x: { id: string }) => x.id === "vmx-unchecked-failure"));
    const res = run0.results.find((x: { ruleId: string }) => x.ruleId === "vmcs-high-access");
    assert.equal(res.level, "error");
    assert.deepEqual(res.locations[0].physicalLocation.region, {
      startLine: 6,
      startColumn: 13,
      endLine: 6,
      endColumn: 16,
    });
    assert.equal(run0.tool.driver.rules[res.ruleIndex].id, "vmcs-high-access");
    // Relative artifact URIs against %SRCROOT%, the directory linted from.
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, "main.asm");
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uriBaseId, "%SRCROOT%");
    assert.match(run0.originalUriBaseIds["%SRCROOT%"].uri, /^file:\/\/.*\/$/);
  });

  test("sarif: a path with spaces is an escaped URI reference", async () => {
    const dir = fixture();
    mkdirSync(join(dir, "my dir"));
    writeFileSync(
      join(dir, "my dir", "x y.asm"),
      "bits 64\nstart:\n    mov rax, 0x6C01\n    vmwrite rax, rbx\n    hlt\n",
    );
    const r = await run(["my dir/x y.asm", "--format", "sarif"], dir);
    const uris = JSON.parse(r.out).runs[0].results.map(
      (x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        x.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    assert.ok(uris.length > 0);
    for (const u of uris) assert.equal(u, "my%20dir/x%20y.asm");
  });

  test("an include file listed with its includer is reported with the includer's definitions only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vmx-lint-inc-"));
    writeFileSync(
      join(dir, "main.asm"),
      'bits 64\nFIELD equ 0x6C01\nstart:\n    call helper\n    hlt\n%include "helpers.inc"\n',
    );
    writeFileSync(
      join(dir, "helpers.inc"),
      "helper:\n    mov rax, FIELD\n    vmwrite rax, rbx\n    jbe .out\n.out:\n    ret\n",
    );
    const r = await run(["main.asm", "helpers.inc", "--format", "json"], dir);
    const recs = JSON.parse(r.out) as LintRecord[];
    assert.deepEqual(
      recs.map((x) => `${x.file}:${x.line}:${x.code}`),
      ["helpers.inc:3:vmcs-high-access"],
    );
  });

  test("exit 0 for a clean file and for warnings only", async () => {
    const dir = fixture();
    assert.equal((await run(["clean.s", "--format", "json"], dir)).code, 0);
    const w = await run(["warn.s", "--format", "json"], dir);
    assert.equal(w.code, 0);
    assert.ok(
      (JSON.parse(w.out) as LintRecord[]).some((x) => x.code === "vmx-unchecked-failure" && x.severity === "warning"),
    );
  });

  test("--cpu changes what is allowed", async () => {
    const dir = fixture();
    writeFileSync(
      join(dir, "ept.asm"),
      "bits 64\nstart:\n    mov rax, 0x201A\n    vmwrite rax, rbx\n    jbe d\nd:  hlt\n",
    );
    const sky = JSON.parse((await run(["ept.asm", "--format", "json"], dir)).out) as LintRecord[];
    const penryn = JSON.parse(
      (await run(["ept.asm", "--format", "json", "--cpu", "core2-penryn"], dir)).out,
    ) as LintRecord[];
    assert.ok(!sky.some((x) => x.code === "vmcs-field-needs-feature"));
    assert.ok(penryn.some((x) => x.code === "vmcs-field-needs-feature"));
  });

  test("bad arguments and unreadable files", async () => {
    const dir = fixture();
    await assert.rejects(run(["main.asm", "--cpu", "pentium"], dir), CliUsageError);
    await assert.rejects(run(["main.asm", "--format", "xml"], dir), CliUsageError);
    await assert.rejects(run([], dir), CliUsageError);
    const r = await run(["missing.asm"], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read 'missing\.asm'/);
  });
});

describe("vmx lint on the example programs", () => {
  const root = join(__dirname, "..", "..");
  const exists = (p: string) => {
    try {
      return readFileSync(join(root, p), "utf8").length > 0;
    } catch {
      return false;
    }
  };
  test("the example hypervisor has no errors; its broken variants are caught where the analysis can see it", {
    skip: !exists("examples/hypervisor.asm"),
  }, async () => {
    const clean = JSON.parse((await run(["examples/hypervisor.asm", "--format", "json"], root)).out) as LintRecord[];
    assert.deepEqual(
      clean.filter((r) => r.severity === "error"),
      [],
    );
    if (exists("examples/broken/missing-vmclear.asm")) {
      const r = JSON.parse(
        (await run(["examples/broken/missing-vmclear.asm", "--format", "json"], root)).out,
      ) as LintRecord[];
      assert.ok(r.some((x) => x.code === "vmptrld-without-vmclear" && x.file === join("examples", "hypervisor.asm")));
    }
    if (exists("examples/broken/vmptrld-vmxon-region.asm")) {
      const r = await run(["examples/broken/vmptrld-vmxon-region.asm", "--format", "json"], root);
      assert.equal(r.code, 1);
      assert.ok((JSON.parse(r.out) as LintRecord[]).some((x) => x.code === "vmptrld-vmxon-region"));
    }
  });
  test("both main examples lint with zero diagnostics of any severity", async () => {
    for (const file of ["examples/hypervisor.asm", "examples/hypervisor.s"]) {
      const r = await run([file, "--format", "json"], root);
      assert.equal(r.code, 0, file);
      assert.deepEqual(
        (JSON.parse(r.out) as LintRecord[]).map((x) => `${x.file}:${x.line} ${x.code}`),
        [],
        file,
      );
    }
  });
  test("the broken variants give exactly their intended diagnostics", async () => {
    const codes = async (file: string) =>
      (JSON.parse((await run([file, "--format", "json"], root)).out) as LintRecord[]).map((x) => x.code).sort();
    assert.deepEqual(await codes("examples/broken/missing-vmclear.asm"), ["vmptrld-without-vmclear"]);
    // The first VMPTRLD (making a current VMCS so the failure has an error number) is deliberately not tested.
    assert.deepEqual(await codes("examples/broken/vmptrld-vmxon-region.asm"), [
      "vmptrld-vmxon-region",
      "vmx-unchecked-failure",
    ]);
  });
});
