// Files changed outside the editor: the server asks the client to watch the workspace's assembly files
// (client/registerCapability for workspace/didChangeWatchedFiles) and, when told of a change, updates the
// workspace symbol index and analyses open files again with the included file's new text from disk.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { WorkspaceSymbol } from "vscode-languageserver-protocol";
import { startServer } from "./client";

const CREATED = 1;
const CHANGED = 2;
const DELETED = 3;

test("workspace/didChangeWatchedFiles: an include changed on disk, a file created and deleted", async () => {
  const root = mkdtempSync(join(tmpdir(), "vmx-watch-"));
  const defs = join(root, "defs.inc");
  writeFileSync(defs, "FIELD equ 0x6C01\n"); // HIGH access of a natural-width field (HOST_CR0)
  const main = join(root, "main.asm");
  const text =
    'bits 64\n%include "defs.inc"\nstart:\n    mov rax, FIELD\n    vmwrite rax, rbx\n    jbe done\ndone:\n    hlt\n';
  writeFileSync(main, text);
  const registrations: unknown[] = [];
  const session = await startServer({ vmx: { cpuModel: "skylake-x" } }, root, {
    capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    onRegisterCapability: (p) => registrations.push(p),
  });
  const uri = `file://${main}`;
  const watched = (changes: { uri: string; type: number }[]) =>
    session.connection.sendNotification("workspace/didChangeWatchedFiles", { changes });
  const symbols = async (q: string, present: boolean) => {
    for (let i = 0; i < 100; i++) {
      const r = await session.connection.sendRequest<WorkspaceSymbol[]>("workspace/symbol", { query: q });
      if (r.length > 0 === present) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
    return undefined;
  };
  try {
    const high = (p: { diagnostics: { code?: unknown }[] }) => p.diagnostics.some((d) => d.code === "vmcs-high-access");
    let next = session.diagnostics(uri, high);
    await session.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "vmx-nasm", version: 1, text },
    });
    await next;
    assert.deepEqual(registrations, [
      {
        registrations: [
          {
            id: (registrations[0] as { registrations: { id: string }[] }).registrations[0]!.id,
            method: "workspace/didChangeWatchedFiles",
            registerOptions: { watchers: [{ globPattern: "**/*.{s,S,sx,asm,nasm,inc,mac}" }] },
          },
        ],
      },
    ]);

    // The include now defines the full field: the open file is analysed again without the warning.
    next = session.diagnostics(uri, (p) => !high(p));
    writeFileSync(defs, "FIELD equ 0x6C00\n");
    await watched([{ uri: `file://${defs}`, type: CHANGED }]);
    await next;

    const extra = join(root, "extra.s");
    writeFileSync(extra, "brand_new_label:\n    ret\n");
    await watched([{ uri: `file://${extra}`, type: CREATED }]);
    assert.equal((await symbols("brand_new_label", true))?.[0]?.location.uri, `file://${extra}`);
    unlinkSync(extra);
    await watched([{ uri: `file://${extra}`, type: DELETED }]);
    assert.deepEqual(await symbols("brand_new_label", false), []);
  } finally {
    await session.close();
    rmSync(root, { recursive: true, force: true });
  }
});
