// The settings contract between the extension and the real language server: the extension sends
// readVmxSettings(...) as initializationOptions and, after a change, as didChangeConfiguration
// { settings: { vmx } } (extension/language-client.ts). The server must honour both.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MSR } from "../../arch/index";
import { readVmxSettings } from "../../extension/settings";
import { type ServerSession, startServer } from "../lsp/client";

const uri = "file:///virtual/settings-contract.asm";
// WRMSR to IA32_VMX_BASIC, a read-only capability MSR (rule msr-read-only).
const text = `bits 64\n    mov ecx, 0x${MSR.IA32_VMX_BASIC!.toString(16)}\n    xor eax, eax\n    xor edx, edx\n    wrmsr\n    hlt\n`;

describe("extension settings → language server", () => {
  let s: ServerSession;
  const settings = (values: Record<string, unknown>) => readVmxSettings((k) => values[k], []);

  before(async () => {
    s = await startServer(settings({ "diagnostics.rules": { "msr-read-only": "warning" } }));
  });
  after(() => s.close());

  test("initializationOptions: a rule's severity override applies from the first diagnostics", async () => {
    const first = s.diagnostics(uri);
    await s.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "vmx-nasm", version: 1, text },
    });
    const d = (await first).find((x) => x.code === "msr-read-only");
    assert.ok(d, "no msr-read-only diagnostic");
    assert.equal(d.severity, 2);
  });

  test("didChangeConfiguration { settings: { vmx } }: turning the rule off removes the diagnostic", async () => {
    const next = s.diagnostics(uri, (p) => !p.diagnostics.some((x) => x.code === "msr-read-only"));
    await s.connection.sendNotification("workspace/didChangeConfiguration", {
      settings: { vmx: settings({ "diagnostics.rules": { "msr-read-only": "off" } }) },
    });
    await next;
  });
});
