// activate() against the in-memory vscode stand-in: what gets registered, what F5 resolves to, how the VMCS
// view, the VM-exit history and the failure decorations follow a debug session's custom requests and events.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { COLORS, COMMANDS, VIEWS } from "../../extension/command-ids";
import type { TreeNode } from "../../extension/tree-node";
import type { VmxExitHistoryResponseBody, VmxStateResponseBody } from "../../protocol/vmx-debug";
import { fieldOf, fieldState, stateWith } from "./fixtures";
import { type FakeSession, type FakeVscode, fakeDocument, fakeEditor, fakeSession } from "./harness/fake-vscode";
import { loadExtensionWithFake } from "./harness/load-extension";

const extensionRoot = mkdtempSync(join(tmpdir(), "vmx-ext-"));
mkdirSync(join(extensionRoot, "dist"));
writeFileSync(join(extensionRoot, "dist", "debug-adapter.js"), "");
after(() => rmSync(extensionRoot, { recursive: true, force: true }));

let fake: FakeVscode;

function activate(): void {
  const loaded = loadExtensionWithFake();
  fake = loaded.fake;
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: fake.module.Uri.file(extensionRoot),
    asAbsolutePath: (p: string) => join(extensionRoot, p),
  };
  // biome-ignore lint/suspicious/noExplicitAny: the stand-in context has only the members activate() reads.
  loaded.ext.activate(context as any);
}

beforeEach(activate);

const guest = fieldOf("guest-state", "32");
const readOnly = fieldOf("vm-exit-information", "32");

async function startSession(state: VmxStateResponseBody, history?: VmxExitHistoryResponseBody): Promise<FakeSession> {
  const session = fakeSession((method) => {
    if (method === "vmx/state") return state;
    if (method === "vmx/exitHistory") return history ?? { exits: [], total: 0 };
    if (method === "vmx/writeField") return { value: "0x10" };
    if (method === "vmx/fieldBreakpoint") return { verified: true, fields: [guest.name] };
    return {};
  });
  fake.ev.startSession.fire(session);
  fake.ev.customEvent.fire({ session, event: "vmx/stateChanged", body: { stopId: state.stopId } });
  await sleep(60);
  return session;
}

function roots(view: string): TreeNode[] {
  return fake.treeViews.get(view)!.provider.getChildren();
}

describe("activation", () => {
  test("every contributed command has a handler", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "extension", "contributes.json"), "utf8"));
    for (const c of manifest.contributes.commands) assert.ok(fake.commands.has(c.command), c.command);
  });
  test("both views, the debug providers, the adapter factory and the changed-value colours are registered", () => {
    assert.ok(fake.treeViews.has(VIEWS.vmcs));
    assert.ok(fake.treeViews.has(VIEWS.exitHistory));
    assert.equal(fake.debugProviders.filter((p) => p.type === "vmx").length, 2);
    assert.ok(fake.adapterFactories.has("vmx"));
    assert.equal(fake.decorationProviders.length, 1);
  });
  test("with no session the views are empty, so their welcome text shows", () => {
    assert.deepEqual(roots(VIEWS.vmcs), []);
    assert.deepEqual(roots(VIEWS.exitHistory), []);
  });
});

describe("F5", () => {
  const resolver = () => fake.debugProviders.find((p) => p.trigger === undefined)!.provider;
  test("with an .asm editor and no launch.json it debugs that file", () => {
    fake.module.window.activeTextEditor = fakeEditor(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    fake.config.set("cpuModel", "sandy-bridge");
    const config = resolver().resolveDebugConfiguration(undefined, {});
    assert.equal(config.program, "/ws/hv.asm");
    assert.equal(config.type, "vmx");
    assert.equal(config.cpuModel, "sandy-bridge");
  });
  test("from the Debug Console (no active editor) it debugs the assembly file used last", () => {
    const asm = fakeEditor(fakeDocument("/ws/last.asm", "vmx-nasm"));
    fake.module.window.activeTextEditor = asm;
    fake.ev.activeEditor.fire(asm);
    fake.module.window.activeTextEditor = undefined;
    fake.ev.activeEditor.fire(undefined);
    assert.equal(resolver().resolveDebugConfiguration(undefined, {}).program, "/ws/last.asm");
    asm.document.isClosed = true;
    assert.equal(resolver().resolveDebugConfiguration(undefined, {}), undefined);
  });
  test("with another file it shows why and does not start", () => {
    fake.module.window.activeTextEditor = fakeEditor(fakeDocument("/ws/a.ts", "typescript"));
    assert.equal(resolver().resolveDebugConfiguration(undefined, {}), undefined);
    assert.ok(fake.messages.some((m) => m.level === "error" && /\.asm/.test(m.text)));
  });
  test("in an untrusted workspace nothing runs", () => {
    fake.module.workspace.isTrusted = false;
    fake.module.window.activeTextEditor = fakeEditor(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    assert.equal(resolver().resolveDebugConfiguration(undefined, {}), undefined);
  });
  test("a missing program file is reported after variable substitution", () => {
    const r = resolver().resolveDebugConfigurationWithSubstitutedVariables(undefined, {
      type: "vmx",
      request: "launch",
      name: "x",
      program: "/nonexistent/x.asm",
    });
    assert.equal(r, undefined);
    assert.ok(fake.messages.some((m) => /nonexistent/.test(m.text)));
  });
  test("the adapter runs as a separate process from dist/debug-adapter.js", () => {
    const d = fake.adapterFactories.get("vmx").createDebugAdapterDescriptor();
    assert.equal(d.command, process.execPath);
    assert.deepEqual(d.args, [join(extensionRoot, "dist", "debug-adapter.js")]);
  });
});

describe("VMCS view", () => {
  test("fills from vmx/state after the adapter's event and colours changed fields", async () => {
    await startSession(stateWith([fieldState(guest, "0x21", { changed: true }), fieldState(readOnly, "0x0")]));
    const nodes = roots(VIEWS.vmcs);
    assert.deepEqual(
      nodes.map((n) => n.id),
      ["vmx:state", "group:guest-state", "group:vm-exit-information"],
    );
    const field = nodes[1]!.children[0]!;
    const item = fake.treeViews.get(VIEWS.vmcs)!.provider.getTreeItem(field);
    assert.equal(item.label, guest.name);
    assert.equal(item.resourceUri.query, "changed");
    const deco = fake.decorationProviders[0].provideFileDecoration(item.resourceUri);
    assert.equal(deco.color.id, COLORS.changedValue);
  });
  test("the DAP stopped event alone also refreshes the view", async () => {
    const session = fakeSession(() => stateWith([fieldState(guest, "0x1")]));
    fake.ev.startSession.fire(session);
    const tracker = fake.trackerFactories.get("vmx").createDebugAdapterTracker(session);
    tracker.onDidSendMessage({ type: "event", event: "stopped" });
    await sleep(60);
    assert.equal(roots(VIEWS.vmcs).length, 2);
  });
  test("Edit Value writes through vmx/writeField; Copy Value copies the shown value", async () => {
    const session = await startSession(stateWith([fieldState(guest, "0x21")]));
    const field = roots(VIEWS.vmcs)[1]!.children[0]!;
    fake.inputBoxAnswers.push("0x10");
    await fake.commands.get(COMMANDS.vmcsEditValue.id)!(field);
    assert.deepEqual(session.requests.find((r) => r.method === "vmx/writeField")?.args, {
      field: guest.name,
      value: "0x10",
    });
    await fake.commands.get(COMMANDS.vmcsCopyValue.id)!(field);
    assert.equal(fake.clipboard.text, "0x00000021");
  });
  test("Show as Decimal switches only that node", async () => {
    await startSession(stateWith([fieldState(guest, "0x21")]));
    await fake.commands.get(COMMANDS.vmcsShowDecimal.id)!(roots(VIEWS.vmcs)[1]!.children[0]!);
    assert.equal(roots(VIEWS.vmcs)[1]!.children[0]!.copyText, "33");
  });
  test("Break When Value Changes asks the adapter and marks the field", async () => {
    const session = await startSession(stateWith([fieldState(guest, "0x21")]));
    await fake.commands.get(COMMANDS.vmcsAddBreakpoint.id)!(roots(VIEWS.vmcs)[1]!.children[0]!);
    assert.deepEqual(session.requests.find((r) => r.method === "vmx/fieldBreakpoint")?.args, {
      field: guest.name,
      enabled: true,
    });
    assert.match(roots(VIEWS.vmcs)[1]!.children[0]!.contextValue, /\bbreakpoint\b/);
  });
  test("while the program runs the view says its values are from the last stop", async () => {
    const session = await startSession(stateWith([fieldState(guest, "0x21")]));
    const tracker = fake.trackerFactories.get("vmx").createDebugAdapterTracker(session);
    tracker.onWillReceiveMessage({ type: "request", command: "continue" });
    assert.match(fake.treeViews.get(VIEWS.vmcs)!.message ?? "", /Running/);
    tracker.onDidSendMessage({ type: "event", event: "stopped" });
    await sleep(60);
    assert.equal(fake.treeViews.get(VIEWS.vmcs)!.message, undefined);
  });
  test("the session ending empties the view", async () => {
    const session = await startSession(stateWith([fieldState(guest, "0x21")]));
    fake.ev.terminateSession.fire(session);
    assert.deepEqual(roots(VIEWS.vmcs), []);
  });
});

describe("VM-exit history and entry failures", () => {
  test("clicking an exit sends vmx/goToExit with its instruction count", async () => {
    const exits = [
      {
        index: 0,
        reason: 10,
        reasonName: "CPUID",
        entryFailure: false,
        qualification: "0x0" as const,
        guestRip: "0x9000" as const,
        instructionCount: 42,
      },
    ];
    const session = await startSession(stateWith([]), { exits, total: 1 });
    const [node] = roots(VIEWS.exitHistory);
    await fake.commands.get(COMMANDS.exitHistoryGoTo.id)!(...node!.command!.arguments);
    assert.deepEqual(session.requests.find((r) => r.method === "vmx/goToExit")?.args, { instructionCount: 42 });
  });
  test("a failed VM entry decorates the VMLAUNCH line and the VMWRITE line in the visible editor", async () => {
    const editor = fakeEditor(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    fake.module.window.visibleTextEditors = [editor];
    const session = await startSession(
      stateWith([], {
        lastEntryFailure: {
          kind: "entryFailureExit",
          instruction: "vmlaunch",
          location: { file: "/ws/hv.asm", line: 50, column: 4 },
          checkId: "GCR-03",
          sdm: "26.3.1.1",
          message: "CR0.PG=1 requires CR0.PE=1.",
          fields: [
            {
              name: guest.name,
              value: "0x80000000",
              provenance: { file: "/ws/hv.asm", line: 20, column: 4, address: "0x100", instructionCount: 9 },
            },
          ],
        },
      }),
    );
    const lines = [...editor.decorations.values()]
      .flat()
      .map((o) => o.range.start.line)
      .sort((a, b) => a - b);
    assert.deepEqual(lines, [20, 50]);
    await fake.commands.get(COMMANDS.explainEntryFailure.id)!();
    assert.ok(fake.messages.some((m) => /VMLAUNCH failed/.test(m.text) && /GCR-03/.test(m.text)));
    // Still explained after the session ended (the decorations stay too).
    fake.messages.length = 0;
    fake.ev.terminateSession.fire(session);
    await fake.commands.get(COMMANDS.explainEntryFailure.id)!();
    assert.ok(fake.messages.some((m) => /VMLAUNCH failed/.test(m.text)));
    assert.equal([...editor.decorations.values()].flat().length, 2);
  });
  test("Explain with no failure says so", async () => {
    await fake.commands.get(COMMANDS.explainEntryFailure.id)!();
    assert.ok(fake.messages.some((m) => /No VMX debug session/.test(m.text)));
  });
});
