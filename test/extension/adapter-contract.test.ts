// The contract between the real debug adapter and the extension's views: run a VMX program (built from the
// snippets) under the adapter, answer vmx/state and vmx/exitHistory, and feed the answers to the extension's
// pure models (VMCS tree, entry-failure decorations). Uses test/dap/harness (the adapter bundled from source).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import { CONTROL_SETS, VMCS } from "../../arch/index";
import { entryFailureDecorations } from "../../extension/entry-failure-model";
import { buildExitHistory } from "../../extension/exit-history-model";
import { buildVmcsTree, fieldNodeId, findNode } from "../../extension/vmcs-tree-model";
import type { VmxExitHistoryResponseBody, VmxStateResponseBody } from "../../protocol/vmx-debug";
import { buildSnippets, expandSnippetBody } from "../../snippets/build-snippets";
import { launch, startClient as startDapClient, waitStopped as waitDapStopped } from "../dap/harness";

// The machine may be shared and busy: allow a minute per protocol round trip rather than the harness's 10 s.
const PATIENCE = 60_000;
async function startClient(): Promise<DebugClient> {
  const dc = await startDapClient();
  dc.defaultTimeout = PATIENCE;
  return dc;
}
const waitStopped = (dc: DebugClient) => waitDapStopped(dc, PATIENCE);

const hex = (n: number) => `0x${n.toString(16)}`;
const dir = mkdtempSync(join(tmpdir(), "vmx-contract-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** VMX bring-up and VMCS load from the snippets, then a VMWRITE of 0 to every control field, then VMLAUNCH. */
function program(): { text: string; controlLines: Map<string, number>; launchLine: number } {
  const s = buildSnippets("nasm");
  const body = (name: string) => expandSnippetBody(s[name]!.body);
  const lines = [
    "bits 64",
    "org 0x100000",
    "start:",
    body("VMX bring-up (VMXON)"),
    body("Load a VMCS (VMCLEAR + VMPTRLD)"),
  ]
    .join("\n")
    .split("\n");
  const controlLines = new Map<string, number>();
  // Controls all 0 violate the allowed-0 (default1) settings: VMLAUNCH fails with VMfailValid (SDM 26.2.1.1).
  for (const set of CONTROL_SETS.filter((c) =>
    ["PIN_BASED", "PROC_BASED", "EXIT_CTLS", "ENTRY_CTLS"].includes(c.name),
  )) {
    lines.push(`    mov rax, ${hex(set.field)}`, "    xor ebx, ebx", "    vmwrite rax, rbx");
    controlLines.set(set.name, lines.length - 1); // 0-based line of the VMWRITE
  }
  lines.push(`    mov rax, ${hex(VMCS.HOST_RIP)}`, "    lea rbx, [rel vmx_failed]", "    vmwrite rax, rbx");
  const launchLine = lines.length;
  lines.push("    vmlaunch", "vmx_failed:", "    hlt");
  lines.push(
    ...body("VMXON / VMCS region")
      .split("\n")
      .map((l) => l.replaceAll("vmcs_region", "vmxon_region")),
  );
  lines.push(...body("VMXON / VMCS region").split("\n"));
  return { text: `${lines.join("\n")}\n`, controlLines, launchLine };
}

describe("debug adapter ⇄ VMCS view contract", () => {
  let dc: DebugClient;
  const p = program();
  const file = join(dir, "contract.asm");
  writeFileSync(file, p.text);

  before(async () => {
    dc = await startClient();
    const stopped = waitStopped(dc);
    await launch(dc, { program: file, breakOn: ["vmEntryFailure", "vmFail"] }, () =>
      dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: p.launchLine + 1 }] }),
    );
    assert.equal((await stopped).body.reason, "breakpoint");
  });
  after(() => dc.stop());

  test("before VMLAUNCH: VMX root, a current VMCS, every group, and provenance of the VMWRITEs", async () => {
    const state = (await dc.customRequest("vmx/state", {})).body as VmxStateResponseBody;
    assert.equal(state.mode, "root");
    assert.ok(state.currentVmcs);
    assert.equal(state.launchState, "clear");
    const tree = buildVmcsTree(state);
    assert.deepEqual(
      tree.filter((n) => n.contextValue === "vmcsGroup").map((n) => n.id),
      [
        "group:guest-state",
        "group:host-state",
        "group:vm-execution-control",
        "group:vm-exit-control",
        "group:vm-entry-control",
        "group:vm-exit-information",
      ],
    );
    const pin = CONTROL_SETS.find((c) => c.name === "PIN_BASED")!;
    const pinField = state.fields.find((f) => f.encoding === pin.field)!;
    assert.equal(pinField.value, "0x0");
    assert.equal(pinField.provenance?.file, file);
    assert.equal(pinField.provenance?.line, p.controlLines.get("PIN_BASED"));
    assert.match(findNode(tree, fieldNodeId(pinField.name))!.contextValue, /\bprovenance\b/);
    const history = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    assert.deepEqual(history, { exits: [], total: 0 });
  });

  test("a failing VMLAUNCH: the explanation decorates the VMLAUNCH line and the VMWRITE that set the field", async () => {
    const failed = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    await failed;
    const state = (await dc.customRequest("vmx/state", {})).body as VmxStateResponseBody;
    const f = state.lastEntryFailure;
    assert.ok(f, "no lastEntryFailure after a failed VMLAUNCH");
    assert.equal(f.instruction, "vmlaunch");
    assert.equal(f.location?.line, p.launchLine);
    const decorations = entryFailureDecorations(f);
    assert.deepEqual(decorations[0] && [decorations[0].kind, decorations[0].line], ["entry", p.launchLine]);
    // The failed check names the pin-based controls this program wrote: that VMWRITE line is decorated too.
    const pinLine = p.controlLines.get("PIN_BASED");
    assert.ok(
      f.fields.some((x) => x.provenance?.line === pinLine),
      JSON.stringify(f.fields),
    );
    assert.ok(decorations.some((d) => d.kind === "vmwrite" && d.line === pinLine));
  });
});

describe("a broken example: guest-state VM-entry failure", () => {
  const examples = join(__dirname, "..", "..", "examples");
  const broken = join(examples, "broken", "bad-guest-cr0.asm");
  let dc: DebugClient;
  before(async () => {
    dc = await startClient();
  });
  after(() => dc.stop());

  test("stops on the failure; the VMLAUNCH and the write of the guest CR0 are decorated in the included file", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: broken, breakOn: ["vmEntryFailure", "vmFail"] });
    assert.equal((await stopped).body.reason, "exception");
    const state = (await dc.customRequest("vmx/state", {})).body as VmxStateResponseBody;
    const f = state.lastEntryFailure;
    assert.ok(f);
    assert.equal(f.kind, "entryFailureExit");
    const decorations = entryFailureDecorations(f);
    const source = readFileSync(join(examples, "hypervisor.asm"), "utf8").split("\n");
    const entry = decorations.find((d) => d.kind === "entry")!;
    assert.equal(entry.file, join(examples, "hypervisor.asm"));
    assert.match(source[entry.line]!, /vmlaunch/i);
    // The adapter reports the VMWRITE itself (the example's one-VMWRITE helper `vmw`) and, from the tracked call
    // stack, the CALL that asked for the write; the decoration goes on that CALL line of the included file,
    // whatever path form the adapter used.
    const written = f.fields.find((x) => x.provenance)!.provenance!;
    assert.match(source[written.line]!, /vmwrite/i);
    assert.ok(written.calledFrom, "the helper was CALLed, so the call site is known");
    const write = decorations.find((d) => d.kind === "vmwrite")!;
    assert.equal(write.file, join(examples, "hypervisor.asm"));
    assert.equal(write.line, written.calledFrom.line);
    assert.match(source[write.line]!, /call\s+vmw/i);
  });
});

describe("the example hypervisor: VM-exit history and going back to an exit", () => {
  const file = join(__dirname, "..", "..", "examples", "hypervisor.asm");
  let dc: DebugClient;
  before(async () => {
    dc = await startClient();
    let stopped = waitStopped(dc);
    await launch(dc, { program: file, breakOn: ["vmExit"] });
    await stopped;
    for (let i = 0; i < 2; i++) {
      stopped = waitStopped(dc);
      await dc.continueRequest({ threadId: 1 });
      await stopped;
    }
  });
  after(() => dc.stop());

  test("the history view lists the three exits newest first, in the guest's source", async () => {
    const history = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    const nodes = buildExitHistory(history);
    assert.equal(nodes.length, 3);
    assert.deepEqual(
      nodes.map((n) => n.label.replace(/ .*/, "")),
      ["#2", "#1", "#0"],
    );
    const source = readFileSync(file, "utf8").split("\n");
    // Each exit's guest location is the guest instruction that caused it.
    for (const e of history.exits)
      assert.match(
        source[e.guestLocation!.line]!,
        new RegExp(e.reasonName === "IO_INSTRUCTION" ? "out" : e.reasonName, "i"),
      );
  });

  test("clicking the oldest exit travels back to it: stopped (goto) and vmx/state shows that exit", async () => {
    const history = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    const oldest = buildExitHistory(history).at(-1)!;
    const stopped = waitStopped(dc);
    await dc.customRequest("vmx/goToExit", { instructionCount: oldest.command!.arguments[0] });
    assert.equal((await stopped).body.reason, "goto");
    const state = (await dc.customRequest("vmx/state", {})).body as VmxStateResponseBody;
    assert.equal(state.lastExit?.reasonName, history.exits[0]!.reasonName);
  });
});

describe("the example hypervisor: Break When Value Changes on a VMCS field", () => {
  const file = join(__dirname, "..", "..", "examples", "hypervisor.asm");
  let dc: DebugClient;
  before(async () => {
    dc = await startClient();
    const stopped = waitStopped(dc);
    await launch(dc, { program: file, breakOn: ["vmExit"] });
    await stopped;
  });
  after(() => dc.stop());

  test("the exit handler's write of the guest RIP stops the program; the view marks the field changed, with its source", async () => {
    const state0 = (await dc.customRequest("vmx/state", {})).body as VmxStateResponseBody;
    const rip = state0.fields.find((f) => f.encoding === VMCS.GUEST_RIP)!;
    const r = await dc.customRequest("vmx/fieldBreakpoint", { field: rip.name, enabled: true });
    assert.deepEqual(r.body.fields, [rip.name]);
    const stopped = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await stopped).body.reason, "data breakpoint");
    const state = (await dc.customRequest("vmx/state", {})).body as VmxStateResponseBody;
    const node = findNode(buildVmcsTree(state, { breakpointFields: new Set(r.body.fields) }), fieldNodeId(rip.name))!;
    assert.equal(node.changed, true);
    assert.match(node.contextValue, /\bbreakpoint\b/);
    // "Go to VMWRITE" has a place to go. (Which line the adapter names is its own rule: a VMWRITE in a
    // one-VMWRITE routine is attributed to the routine's caller.)
    assert.equal(node.location?.file, file);
    assert.match(node.contextValue, /\bprovenance\b/);
  });
});
