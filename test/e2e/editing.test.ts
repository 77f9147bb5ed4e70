// End to end in a real VS Code (code-server + chromium): what a person sees while editing a VMX program —
// diagnostics in the Problems panel, the hover on a VMCS field encoding, a quick fix. One code-server for
// the whole file. Screenshots: test-output/e2e/editing-*.png.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { fieldByEncoding, msrByIndex } from "../../arch/index";
import { type E2eSession, e2eSkipReason, FIXTURES, openSession } from "./harness/session";
import { find } from "./harness/source";
import { editorText, goTo, hoverAtCursor, openFile, problems, quickFix, until } from "./harness/workbench";

const skip = e2eSkipReason();
const MISTAKES = join(FIXTURES, "vmx-mistakes.asm");
const MISTAKES_REL = "fixtures/vmx-mistakes.asm";

/** The diagnostics the fixture must produce, by rule code and 1-based position (see its "mistake:" lines). */
const EXPECTED = [
  { code: "vmx-swapped-operands", at: find(MISTAKES, /vmwrite rcx, rdx/, "rcx"), severity: "error" },
  { code: "vmcs-high-access", at: find(MISTAKES, /mistake: HIGH access/, "rax"), severity: "error" },
  { code: "msr-read-only", at: find(MISTAKES, /^\s+wrmsr/), severity: "error" },
] as const;

describe("VS Code: editing a VMX program", { skip }, () => {
  let s: E2eSession;
  before(async () => {
    s = await openSession({ name: "editing" });
  });
  afterEach(async (t) => {
    await s?.screenshotAfter(t.name);
  });
  after(async () => {
    await s?.close();
  });

  test("the Problems panel lists the VMX diagnostics of a program with mistakes", { timeout: 120_000 }, async () => {
    await openFile(s.page, MISTAKES_REL);
    const rows = await problems(s.page, (rows) =>
      EXPECTED.every((e) =>
        rows.some((r) => r.text.includes(e.code) && r.text.includes(`Ln ${e.at.line}, Col ${e.at.column}`)),
      ),
    ).finally(() => s.screenshot("editing-problems"));
    for (const e of EXPECTED) {
      const row = rows.find((r) => r.text.includes(e.code));
      assert.ok(row, `${e.code} listed`);
      assert.equal(row.severity, e.severity, `${e.code} is shown as an ${e.severity}`);
    }
    // Nothing else: the correct lines of the fixture stay clean.
    const fileRows = rows.filter((r) => r.file === "vmx-mistakes.asm");
    assert.equal(
      fileRows.length,
      EXPECTED.length,
      `exactly the expected diagnostics:\n${fileRows.map((r) => r.text).join("\n")}`,
    );
    // The message explains itself: the swapped operands name the field and the rule of the syntax.
    const swapped = rows.find((r) => r.text.includes("vmx-swapped-operands"));
    assert.match(swapped?.text ?? "", /GUEST_RSP/);
    assert.match(swapped?.text ?? "", /Intel syntax VMWRITE is `?vmwrite field, value/);
    // The fixture writes MSR 0x480; the message names it as arch/ does.
    const msr = rows.find((r) => r.text.includes("msr-read-only"));
    const basic = msrByIndex(0x480);
    assert.ok(basic, "arch/ knows MSR 0x480");
    assert.ok(msr?.text.includes(basic.name), `the message names ${basic.name}: ${msr?.text}`);
  });

  test("hovering a VMCS field encoding shows the field's name and SDM text", { timeout: 120_000 }, async () => {
    await openFile(s.page, MISTAKES_REL);
    const at = find(MISTAKES, /mov rax, 0x681E/, "0x681E");
    const found = fieldByEncoding(0x681e);
    assert.ok(found, "arch/ knows 0x681E");
    const field = found.field;
    await goTo(s.page, at.line, at.column + 2);
    const text = await hoverAtCursor(s.page, field.name).finally(() => s.screenshot("editing-hover"));
    assert.ok(text.includes(field.name), `hover names ${field.name}: ${text}`);
    assert.ok(text.includes(field.description), `hover has the SDM description "${field.description}": ${text}`);
    assert.ok(text.includes(`Appendix ${field.sdm}`), `hover cites SDM Appendix ${field.sdm}: ${text}`);
    await s.page.keyboard.press("Escape");
  });

  test("the quick fix swaps the VMWRITE operands and the diagnostic goes away", { timeout: 120_000 }, async () => {
    await openFile(s.page, MISTAKES_REL);
    const at = EXPECTED[0].at;
    await goTo(s.page, at.line, at.column);
    const picked = await quickFix(s.page, "Swap the VMWRITE operands");
    assert.match(picked, /Swap the VMWRITE operands/);
    await until(
      async () => (await editorText(s.page)).includes("vmwrite rdx, rcx"),
      15_000,
      async () => `the edited line; editor shows:\n${await editorText(s.page)}`,
    );
    const rows = await problems(
      s.page,
      (rows) =>
        !rows.some((r) => r.text.includes("vmx-swapped-operands")) &&
        rows.some((r) => r.text.includes("msr-read-only")),
    ).finally(() => s.screenshot("editing-quick-fix"));
    assert.ok(
      rows.some((r) => r.text.includes("vmcs-high-access")),
      "the other diagnostics stay",
    );
    // Leave the file unsaved-clean for the next test file run: revert the edit (Ctrl+Z).
    await s.page.keyboard.press("Control+Z");
  });

  test("a GNU as (AT&T) program gets the same service in its own syntax", { timeout: 120_000 }, async () => {
    const gas = join(FIXTURES, "vmx-mistakes.s");
    const at = find(gas, /vmwrite %rdx, %rcx/, "%rdx");
    await openFile(s.page, "fixtures/vmx-mistakes.s");
    await s.page.locator("#status\\.editor\\.mode", { hasText: "GAS (VMX)" }).waitFor({ state: "visible" });
    const rows = await problems(s.page, (rows) =>
      rows.some(
        (r) =>
          r.file === "vmx-mistakes.s" &&
          r.text.includes("vmx-swapped-operands") &&
          r.text.includes(`Ln ${at.line}, Col ${at.column}`),
      ),
    ).finally(() => s.screenshot("editing-gas-problems"));
    const mine = rows.filter((r) => r.file === "vmx-mistakes.s");
    assert.equal(mine.length, 1, `only the swapped operands: ${JSON.stringify(mine)}`);
    assert.match(mine[0]?.text ?? "", /In AT&T syntax VMWRITE is `?vmwrite value, %field/);
    await goTo(s.page, at.line, at.column);
    await quickFix(s.page, "Swap the VMWRITE operands");
    await until(
      async () => (await editorText(s.page)).includes("vmwrite %rcx, %rdx"),
      15_000,
      async () => `the AT&T operands swapped; editor shows:\n${await editorText(s.page)}`,
    );
    await problems(s.page, (rows) => !rows.some((r) => r.file === "vmx-mistakes.s" && r.severity === "error"));
    await s.page.keyboard.press("Control+Z");
  });
});
