// End to end in a real VS Code (code-server + chromium): debugging a hypervisor with F5 — a breakpoint stop,
// stepping into VMLAUNCH lands in the guest's source, the VMCS view after a VM exit, and a broken example
// that stops on its VM-entry failure with the explanation on the VMLAUNCH line. One code-server for the file;
// the tests run in order and the later ones continue the earlier ones' session. Screenshots:
// test-output/e2e/debugging-*.png.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { type E2eSession, e2eSkipReason, openSession } from "./harness/session";
import { find, sourceLines } from "./harness/source";
import {
  afterLineDecorations,
  collapseRow,
  debugView,
  exceptionWidgetText,
  expandRow,
  goTo,
  hoverAtCursor,
  isPaused,
  openFile,
  pausedReason,
  runCommand,
  stopDebugging,
  type TreeRow,
  toggleBreakpoint,
  treeRows,
  until,
  waitForStop,
} from "./harness/workbench";

const skip = e2eSkipReason();
const BROKEN_CR0 = "broken/bad-guest-cr0.asm";

/** 1-based line of the first instruction after `label:` in the example. */
function firstInstructionAfter(path: string, label: string): number {
  const lines = sourceLines(path);
  const start = lines.findIndex((l) => l.startsWith(`${label}:`));
  assert.ok(start >= 0, `examples/hypervisor.asm has ${label}:`);
  const rest = lines.slice(start + 1).findIndex((l) => /^\s+[a-z]/i.test(l) && !/^\s*;/.test(l));
  return start + 1 + rest + 1;
}

describe("VS Code: debugging a hypervisor with F5", { skip }, () => {
  let s: E2eSession;
  // The workspace's copy of the example: positions are read from the very text VS Code shows.
  const hypervisor = () => join(s.workspace, "hypervisor.asm");
  before(async () => {
    s = await openSession({ name: "debugging" });
  });
  afterEach(async (t) => {
    await s?.screenshotAfter(t.name);
  });
  after(async () => {
    if (s) await stopDebugging(s.page).catch(() => {});
    await s?.close();
  });

  test("F5 on an example stops at a breakpoint on VMLAUNCH", { timeout: 180_000 }, async () => {
    const launch = find(hypervisor(), /^\s+vmlaunch\s*$/);
    await openFile(s.page, "hypervisor.asm");
    await toggleBreakpoint(s.page, launch.line);
    await s.page.keyboard.press("F5");
    await waitForStop(s.page, launch.line, 120_000).finally(() => s.screenshot("debugging-breakpoint"));
    assert.match(await pausedReason(s.page), /breakpoint/i);
  });

  test("stepping into VMLAUNCH shows the guest's source", { timeout: 120_000 }, async () => {
    assert.ok(await isPaused(s.page), "stopped on VMLAUNCH (previous test)");
    const guest = firstInstructionAfter(hypervisor(), "guest_entry");
    await s.page.keyboard.press("F11");
    await waitForStop(s.page, guest, 60_000).finally(() => s.screenshot("debugging-step-into-guest"));
    assert.match(
      (await s.page.locator(".tabs-container .tab.active").first().getAttribute("aria-label")) ?? "",
      /hypervisor\.asm/,
    );
  });

  test("after a VM exit the VMCS view lists groups and fields with values, changed fields highlighted", {
    timeout: 120_000,
  }, async () => {
    assert.ok(await isPaused(s.page), "stopped in the guest (previous test)");
    // The guest's first exit is its CPUID (the UART output is not intercepted): stop in the exit handler.
    const handler = firstInstructionAfter(hypervisor(), "vmexit_entry");
    await openFile(s.page, "hypervisor.asm");
    await toggleBreakpoint(s.page, handler);
    await s.page.keyboard.press("F5");
    await waitForStop(s.page, handler, 60_000);
    const body = await debugView(s.page, "VMCS");
    const groups = [
      "Guest state",
      "Host state",
      "VM-execution controls",
      "VM-exit controls",
      "VM-entry controls",
      "VM-exit information",
    ];
    await until(
      async () => {
        const labels = (await treeRows(body)).map((r) => r.label);
        return groups.every((g) => labels.includes(g));
      },
      20_000,
      async () => `the six VMCS groups; the view shows ${JSON.stringify((await treeRows(body)).map((r) => r.label))}`,
    );
    const top = await treeRows(body);
    const state = top.find((r) => r.label === "VMX");
    assert.ok(state, "a VMX state row above the groups");
    assert.match(state.description, /root operation/, "VMX state: in root operation at the exit handler");
    for (const g of groups) {
      const row = top.find((r) => r.label === g);
      assert.match(row?.description ?? "", /^\d+ fields/, `${g} shows its field count`);
    }
    const exitInfo = top.find((r) => r.label === "VM-exit information");
    assert.match(exitInfo?.description ?? "", /changed/, "the exit-information group reports changed fields");

    // Only what the exit wrote is highlighted: the execution controls stayed as they were.
    const controls = top.find((r) => r.label === "VM-execution controls");
    assert.doesNotMatch(controls?.description ?? "", /changed/, "VM-execution controls did not change");
    assert.equal(controls?.decorated, false, "VM-execution controls are not highlighted");

    await collapseRow(body, "VMX");
    await expandRow(body, "VM-exit information");
    let reason: TreeRow | undefined;
    await until(
      async () => {
        reason = (await treeRows(body)).find((r) => r.label === "EXIT_REASON");
        return reason?.decorated === true;
      },
      10_000,
      () => `EXIT_REASON in the view, highlighted as changed; it shows ${JSON.stringify(reason)}`,
    );
    // Basic exit reason 10 = CPUID (SDM Appendix C); values are hex, with width and read-only marker.
    assert.match(reason?.description ?? "", /^0x0*a · 32-bit · RO$/i, `EXIT_REASON: ${reason?.description}`);
    await s.screenshot("debugging-vmcs-view");
  });

  test("the VM-Exit History view lists the exit with reason, qualification, guest RIP and instruction count", {
    timeout: 60_000,
  }, async () => {
    assert.ok(await isPaused(s.page), "stopped in the exit handler (previous test)");
    const body = await debugView(s.page, "VM-Exit History");
    let rows: TreeRow[] = [];
    await until(
      async () => {
        rows = await treeRows(body);
        return rows.length > 0;
      },
      10_000,
      () => "rows in the VM-Exit History view",
    ).finally(() => s.screenshot("debugging-exit-history"));
    assert.equal(rows.length, 1, `one exit so far: ${JSON.stringify(rows)}`);
    assert.equal(rows[0]?.label, "#0 CPUID");
    // CPUID has no exit qualification (SDM 28.2.1: cleared); the count is the emulator's retired instructions.
    assert.match(rows[0]?.description ?? "", /^RIP 0x[0-9a-f]+ · qual 0x0+ · @\d+$/);
  });

  test("a broken example stops on its VM-entry failure and the VMLAUNCH line explains it", {
    timeout: 180_000,
  }, async () => {
    await stopDebugging(s.page);
    // Only the failure may stop this run: no breakpoints from the tests before.
    await runCommand(s.page, "Remove All Breakpoints");
    await openFile(s.page, BROKEN_CR0);
    await s.page.keyboard.press("F5");
    // bad-guest-cr0.asm: guest CR0.PG = 1 with CR0.PE = 0, a guest-state check of SDM 26.3.1.1 — the entry
    // fails with a VM exit (reason 33), so the processor continues at HOST_RIP (SDM 26.8), where it stops.
    let widget = "";
    await until(
      async () => {
        widget = (await isPaused(s.page)) ? await exceptionWidgetText(s.page) : "";
        return /GCR-\d+/.test(widget);
      },
      120_000,
      async () =>
        `a stop on the VM-entry failure; paused: ${await isPaused(s.page)}, exception widget: ${JSON.stringify(widget)}`,
    ).finally(() => s.screenshot("debugging-entry-failure"));
    assert.match(widget, /SDM 26\.3\.1\.1/, `the stop cites the SDM check: ${widget}`);
    assert.match(widget, /guest CR0|GUEST_CR0/, `and names guest CR0: ${widget}`);
    assert.match(widget, /hypervisor\.asm:\d+/, `and points to the source: ${widget}`);

    // The VMLAUNCH line carries the failure, with the explanation as hover text.
    const launch = find(hypervisor(), /^\s+vmlaunch\s*$/);
    await openFile(s.page, "hypervisor.asm");
    await goTo(s.page, launch.line, launch.column + 2);
    let after: string[] = [];
    await until(
      async () => {
        after = await afterLineDecorations(s.page);
        return after.some((t) => t.includes("✖"));
      },
      20_000,
      () => `the failure decoration on the VMLAUNCH line; decorations: ${JSON.stringify(after)}`,
    );
    const entry = after.find((t) => t.includes("✖")) ?? "";
    assert.match(entry, /✖ GCR-\d+: /, `the check id and a sentence: ${entry}`);
    const hover = await hoverAtCursor(s.page, "VMLAUNCH failed").finally(() =>
      s.screenshot("debugging-entry-failure-hover"),
    );
    assert.match(hover, /VMLAUNCH failed: VM exit for a failed VM entry \(exit reason 33\)/);
    assert.match(hover, /GUEST_CR0/, "the explanation names the offending field");
    assert.match(hover, /SDM 26\.3\.1\.1/, "and cites the check's SDM section");
    await s.page.keyboard.press("Escape");

    // The line that set the offending field is marked too. The example writes every field through its `vmw`
    // helper: the explanation names the helper's VMWRITE and the CALL that asked for it, and the decoration is
    // on that CALL (where the value came from).
    const setAt =
      /GUEST_CR0 = 0x[0-9a-f]+\s+\(set at \S*hypervisor\.asm:(\d+)(?:, called from \S*hypervisor\.asm:(\d+))?/.exec(
        widget,
      );
    assert.ok(setAt, `the explanation says where GUEST_CR0 was set: ${widget}`);
    assert.match(sourceLines(hypervisor())[Number(setAt[1]) - 1] ?? "", /^\s+vmwrite\b/, "the VMWRITE itself");
    const setLine = Number(setAt[2] ?? setAt[1]);
    assert.match(sourceLines(hypervisor())[setLine - 1] ?? "", /^\s+(call vmw|vmwrite)\b/, "a VMWRITE or its call");
    await goTo(s.page, setLine);
    await until(
      async () => {
        after = await afterLineDecorations(s.page);
        return after.some((t) => /⚠ GUEST_CR0 fails GCR-\d+/.test(t));
      },
      10_000,
      () => `the decoration naming GUEST_CR0 on line ${setLine}; decorations: ${JSON.stringify(after)}`,
    ).finally(() => s.screenshot("debugging-entry-failure-vmwrite"));
  });
});
