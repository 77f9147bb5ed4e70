// activate() with stand-ins for the separately built bundles (dist/language-client.js, dist/cli.js): when the
// language client starts, what settings it gets and when, the restart command, Run File's output channel,
// and the CPU-model status item.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CPU_MODELS } from "../../arch/index";
import { COMMANDS } from "../../extension/command-ids";
import { type FakeVscode, fakeDocument, fakeEditor } from "./harness/fake-vscode";
import { loadExtensionWithFake } from "./harness/load-extension";

interface ClientCall {
  kind: string;
  serverModule?: string;
  cpuModel?: string;
}

const root = mkdtempSync(join(tmpdir(), "vmx-ext-client-"));
mkdirSync(join(root, "dist"));
writeFileSync(join(root, "dist", "server.js"), "");
// Records what extension.ts asks of the language client module (the real one needs a running VS Code).
writeFileSync(
  join(root, "dist", "language-client.js"),
  `const calls = { push: (c) => globalThis.__vmxClientCalls.push(c) };
exports.startLanguageClient = async (host) => {
  calls.push({ kind: "start", serverModule: host.serverModule, cpuModel: host.settings().cpuModel });
  return {
    settingsChanged: async () => calls.push({ kind: "settings", cpuModel: host.settings().cpuModel }),
    restart: async () => calls.push({ kind: "restart" }),
    stop: async () => calls.push({ kind: "stop" }),
  };
};`,
);
// Stands in for `vmx run`: echoes its arguments, prints guest output, exits 3.
writeFileSync(
  join(root, "dist", "cli.js"),
  `process.stdout.write("ARGS " + JSON.stringify(process.argv.slice(2)) + "\\n"); process.stdout.write("hello from the guest\\n"); process.exitCode = 3;`,
);
after(() => rmSync(root, { recursive: true, force: true }));

const g = globalThis as { __vmxClientCalls?: ClientCall[] };
let fake: FakeVscode;
let ext: ReturnType<typeof loadExtensionWithFake>["ext"];

beforeEach(() => {
  g.__vmxClientCalls = [];
  const loaded = loadExtensionWithFake();
  fake = loaded.fake;
  ext = loaded.ext;
  fake.config.set("cpuModel", "sandy-bridge");
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: fake.module.Uri.file(root),
    asAbsolutePath: (p: string) => join(root, p),
  };
  // biome-ignore lint/suspicious/noExplicitAny: the stand-in context has only the members activate() reads.
  ext.activate(context as any);
});

const calls = () => g.__vmxClientCalls ?? [];

describe("language client", () => {
  test("does not start until an assembly file opens", async () => {
    fake.ev.openDocument.fire(fakeDocument("/ws/readme.md", "markdown"));
    await sleep(20);
    assert.deepEqual(calls(), []);
  });
  test("starts once on the first assembly file, with dist/server.js and the settings", async () => {
    fake.ev.openDocument.fire(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    fake.ev.openDocument.fire(fakeDocument("/ws/guest.s", "vmx-gas"));
    await sleep(20);
    assert.deepEqual(calls(), [
      { kind: "start", serverModule: join(root, "dist", "server.js"), cpuModel: "sandy-bridge" },
    ]);
  });
  test("a vmx.* change is pushed to the server; other settings are not", async () => {
    fake.ev.openDocument.fire(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    await sleep(20);
    fake.config.set("cpuModel", "core2-penryn");
    fake.ev.configuration.fire({ affectsConfiguration: (s: string) => s === "editor.tabSize" });
    fake.ev.configuration.fire({ affectsConfiguration: (s: string) => s === "vmx.cpuModel" || s === "vmx" });
    await sleep(20);
    assert.deepEqual(calls().slice(1), [{ kind: "settings", cpuModel: "core2-penryn" }]);
  });
  test("Restart Language Server restarts the running client; deactivate stops it", async () => {
    fake.ev.openDocument.fire(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    await sleep(20);
    await fake.commands.get(COMMANDS.restartLanguageServer.id)!();
    await ext.deactivate();
    assert.deepEqual(
      calls().map((c) => c.kind),
      ["start", "restart", "stop"],
    );
  });
});

describe("Run File in Emulator", () => {
  test("runs `vmx run FILE --cpu MODEL --max N` and streams its output into the VMX channel", async () => {
    fake.module.window.activeTextEditor = fakeEditor(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    await fake.commands.get(COMMANDS.runFile.id)!();
    const out = fake.outputChannels.get("VMX")!;
    for (let i = 0; i < 100 && !out.lines.some((l) => l.includes("exited")); i++) await sleep(20);
    const text = out.lines.join("");
    assert.match(text, /ARGS \["run","\/ws\/hv\.asm","--cpu","sandy-bridge","--max","100000000"\]/);
    assert.match(text, /hello from the guest/);
    assert.match(text, /exited with code 3/);
  });
  test("refuses a non-assembly file", async () => {
    fake.module.window.activeTextEditor = fakeEditor(fakeDocument("/ws/a.md", "markdown"));
    await fake.commands.get(COMMANDS.runFile.id)!();
    assert.ok(fake.messages.some((m) => m.level === "error" && /\.asm/.test(m.text)));
  });
  test("refuses to run in an untrusted workspace", async () => {
    fake.module.workspace.isTrusted = false;
    fake.module.window.activeTextEditor = fakeEditor(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    await fake.commands.get(COMMANDS.runFile.id)!();
    assert.ok(fake.messages.some((m) => /Restricted Mode/.test(m.text)));
  });
});

describe("CPU-model status item", () => {
  test("shows the model for assembly editors only and opens the picker", () => {
    const item = fake.statusItems[0]!;
    assert.equal(item.command, COMMANDS.selectCpuModel.id);
    fake.module.window.activeTextEditor = fakeEditor(fakeDocument("/ws/hv.asm", "vmx-nasm"));
    fake.ev.activeEditor.fire(fake.module.window.activeTextEditor);
    assert.equal(item.visible, true);
    assert.match(item.text, /sandy-bridge/);
    fake.module.window.activeTextEditor = fakeEditor(fakeDocument("/ws/a.md", "markdown"));
    fake.ev.activeEditor.fire(fake.module.window.activeTextEditor);
    assert.equal(item.visible, false);
  });
});

describe("VMX: Select CPU Model", () => {
  test("offers arch's CPU models and stores the pick in vmx.cpuModel", async () => {
    fake.quickPick.answer = CPU_MODELS.at(-1)!.name;
    await fake.commands.get(COMMANDS.selectCpuModel.id)!();
    assert.deepEqual(
      fake.quickPick.offered.map((i) => i.label),
      CPU_MODELS.map((m) => m.name),
    );
    assert.equal(fake.config.get("cpuModel"), CPU_MODELS.at(-1)!.name);
  });
  test("dismissing the picker changes nothing", async () => {
    fake.quickPick.answer = undefined;
    await fake.commands.get(COMMANDS.selectCpuModel.id)!();
    assert.equal(fake.config.get("cpuModel"), "sandy-bridge");
  });
});

describe("language client bundle missing", () => {
  test("is reported, and Restart Language Server retries once it exists", async () => {
    const bare = mkdtempSync(join(tmpdir(), "vmx-ext-bare-"));
    try {
      mkdirSync(join(bare, "dist"));
      const loaded = loadExtensionWithFake();
      loaded.ext.activate({
        subscriptions: [],
        extensionUri: loaded.fake.module.Uri.file(bare),
        asAbsolutePath: (p: string) => join(bare, p),
        // biome-ignore lint/suspicious/noExplicitAny: the stand-in context has only the members activate() reads.
      } as any);
      loaded.fake.ev.openDocument.fire(fakeDocument("/ws/hv.asm", "vmx-nasm"));
      await sleep(20);
      assert.match(
        loaded.fake.outputChannels.get("VMX Language Server")!.lines.join("\n"),
        /language-client\.js is missing/,
      );
      assert.deepEqual(calls(), []);
      writeFileSync(join(bare, "dist", "server.js"), "");
      writeFileSync(join(bare, "dist", "language-client.js"), readFileSync(join(root, "dist", "language-client.js")));
      await loaded.fake.commands.get(COMMANDS.restartLanguageServer.id)!();
      assert.deepEqual(
        calls().map((c) => c.kind),
        ["start"],
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
