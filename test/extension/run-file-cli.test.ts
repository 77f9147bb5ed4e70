// "VMX: Run File in Emulator" against the real `vmx run` (cli/main.ts bundled as the build does) on the
// example hypervisor: the output channel gets the guest's UART output, the exit trace it prints, and the stop.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { build } from "esbuild";
import { COMMANDS } from "../../extension/command-ids";
import { type FakeVscode, fakeDocument, fakeEditor } from "./harness/fake-vscode";
import { loadExtensionWithFake } from "./harness/load-extension";

const repo = join(__dirname, "..", "..");
const root = mkdtempSync(join(tmpdir(), "vmx-ext-run-"));
after(() => rmSync(root, { recursive: true, force: true }));
let fake: FakeVscode;

before(async () => {
  mkdirSync(join(root, "dist"));
  await build({
    entryPoints: [join(repo, "cli", "main.ts")],
    outfile: join(root, "dist", "cli.js"),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "error",
  });
  const loaded = loadExtensionWithFake();
  fake = loaded.fake;
  loaded.ext.activate({
    subscriptions: [],
    extensionUri: fake.module.Uri.file(root),
    asAbsolutePath: (p: string) => join(root, p),
    // biome-ignore lint/suspicious/noExplicitAny: the stand-in context has only the members activate() reads.
  } as any);
});

test("the example hypervisor's UART output, exit trace and stop reason reach the VMX output channel", async () => {
  fake.module.window.activeTextEditor = fakeEditor(fakeDocument(join(repo, "examples", "hypervisor.asm"), "vmx-nasm"));
  await fake.commands.get(COMMANDS.runFile.id)!();
  const out = fake.outputChannels.get("VMX")!;
  for (let i = 0; i < 600 && !out.lines.some((l) => /\[vmx run (exited|stopped)/.test(l)); i++) await sleep(100);
  const text = out.lines.join("");
  assert.match(text, /exit \d+: CPUID/);
  assert.match(text, /VM exits handled: \d+/);
  assert.match(text, /halted/);
  assert.match(text, /\[vmx run exited with code 0/);
});
