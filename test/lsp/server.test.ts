// The bundled language server over stdio, driven by vscode-languageserver-protocol's client side.
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type {
  CodeAction,
  CompletionItem,
  Diagnostic,
  Hover,
  InlayHint,
  Location,
  SemanticTokens,
  WorkspaceEdit,
  WorkspaceSymbol,
} from "vscode-languageserver-protocol";
import {
  createProtocolConnection,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  PublishDiagnosticsNotification,
} from "vscode-languageserver-protocol/node";
import { analyze, DEFAULT_ANALYSIS_SETTINGS, diagnosticsForFile } from "../../language-server/analysis/index";
import { bundleServer, type ServerSession, startServer } from "./client";

const NASM = `bits 64
GUEST_CR0 equ 0x6800
section .text
start:
    mov rax, 0x6C01
    mov rbx, 5
    vmwrite rax, rbx
    jbe fail
    mov rax, 5
    mov rbx, GUEST_CR0
    vmwrite rax, rbx
    jbe fail
    mov ecx, 0x480
    rdmsr
    call helper
fail:
    hlt
helper:
    ret
`;

let s: ServerSession;
let firstDiagnostics: Diagnostic[] = [];
let version = 1;
const uri = "file:///virtual/lsp-test.asm";

function hoverText(h: Hover | null): string {
  if (!h) return "";
  const c = h.contents;
  return typeof c === "string"
    ? c
    : "value" in c
      ? c.value
      : c.map((x) => (typeof x === "string" ? x : x.value)).join("\n");
}

function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => String(d.code)).sort();
}

describe("language server over stdio", () => {
  before(async () => {
    s = await startServer({ vmx: { cpuModel: "skylake-x" } });
    const first = s.diagnostics(uri);
    await s.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "vmx-nasm", version, text: NASM },
    });
    firstDiagnostics = await first;
  });
  after(async () => {
    await s.close();
  });

  test("publishes VMX diagnostics with codes and ranges after open", () => {
    const high = firstDiagnostics.find((d) => d.code === "vmcs-high-access");
    assert.ok(high, codes(firstDiagnostics).join(","));
    assert.deepEqual(high.range, { start: { line: 6, character: 12 }, end: { line: 6, character: 15 } });
    assert.equal(high.severity, 1);
    assert.equal(high.source, "vmx");
    const swapped = firstDiagnostics.find((d) => d.code === "vmx-swapped-operands");
    assert.equal(swapped?.range.start.line, 10);
  });

  test("hover on VMWRITE explains the instruction in Intel syntax and the field written here", async () => {
    const h = await s.connection.sendRequest<Hover | null>("textDocument/hover", {
      textDocument: { uri },
      position: { line: 10, character: 6 },
    });
    const text = hoverText(h);
    assert.match(text, /\*\*VMWRITE\*\* \(Intel syntax\)/);
    assert.match(text, /VMfailValid\(13\)/);
    assert.match(text, /VM exit 25 \(VMWRITE\)/);
  });

  test("hover on a named constant shows the VMCS field", async () => {
    const h = await s.connection.sendRequest<Hover | null>("textDocument/hover", {
      textDocument: { uri },
      position: { line: 9, character: 15 },
    });
    const text = hoverText(h);
    assert.match(text, /GUEST_CR0/);
    assert.match(text, /natural-width/);
    assert.match(text, /guest-state/);
  });

  test("hover on RDMSR names the MSR ECX holds", async () => {
    const h = await s.connection.sendRequest<Hover | null>("textDocument/hover", {
      textDocument: { uri },
      position: { line: 13, character: 5 },
    });
    assert.match(hoverText(h), /IA32_VMX_BASIC/);
  });

  test("completion offers VMCS fields, MSRs, registers and labels in operands", async () => {
    const items = await s.connection.sendRequest<CompletionItem[]>("textDocument/completion", {
      textDocument: { uri },
      position: { line: 5, character: 12 },
    });
    const labels = new Set(items.map((i) => i.label));
    for (const l of ["GUEST_RIP", "IA32_VMX_BASIC", "rax", "helper", "GUEST_CR0"]) assert.ok(labels.has(l), l);
    const rip = items.find((i) => i.label === "GUEST_RIP");
    assert.ok(rip?.additionalTextEdits?.[0]?.newText.includes("GUEST_RIP equ 0x681E"));
  });

  test("completion at the start of a statement offers mnemonics and directives", async () => {
    const items = await s.connection.sendRequest<CompletionItem[]>("textDocument/completion", {
      textDocument: { uri },
      position: { line: 16, character: 4 },
    });
    const labels = new Set(items.map((i) => i.label));
    assert.ok(labels.has("vmlaunch"));
    assert.ok(labels.has("section"));
  });

  test("go to definition of a label and references", async () => {
    const defs = await s.connection.sendRequest<Location[]>("textDocument/definition", {
      textDocument: { uri },
      position: { line: 14, character: 10 },
    });
    assert.equal(defs.length, 1);
    assert.equal(defs[0]!.range.start.line, 17);
    const refs = await s.connection.sendRequest<Location[]>("textDocument/references", {
      textDocument: { uri },
      position: { line: 15, character: 1 },
      context: { includeDeclaration: true },
    });
    assert.deepEqual(
      refs.map((r) => r.range.start.line).sort((a, b) => a - b),
      [7, 11, 15],
    );
  });

  test("rename a constant edits its definition and uses", async () => {
    const edit = await s.connection.sendRequest<WorkspaceEdit | null>("textDocument/rename", {
      textDocument: { uri },
      position: { line: 1, character: 2 },
      newName: "CR0_FIELD",
    });
    const edits = edit?.changes?.[uri] ?? [];
    assert.deepEqual(edits.map((e) => e.range.start.line).sort(), [1, 9]);
  });

  test("code actions: swap operands, name the magic number", async () => {
    const actions = await s.connection.sendRequest<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: { start: { line: 10, character: 4 }, end: { line: 10, character: 20 } },
      context: { diagnostics: [] },
    });
    const swap = actions.find((a) => /Swap/.test(a.title));
    assert.ok(swap, actions.map((a) => a.title).join(", "));
    assert.deepEqual(
      swap.edit?.changes?.[uri]?.map((e) => e.newText),
      ["rbx", "rax"],
    );
    const named = await s.connection.sendRequest<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: { start: { line: 12, character: 13 }, end: { line: 12, character: 13 } },
      context: { diagnostics: [] },
    });
    assert.ok(
      named.some((a) => a.title.includes("IA32_VMX_BASIC")),
      named.map((a) => a.title).join(", "),
    );
  });

  test("inlay hints name the MSR next to the ECX load", async () => {
    const hints = await s.connection.sendRequest<InlayHint[]>("textDocument/inlayHint", {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
    });
    assert.ok(hints.some((h) => h.label === "IA32_VMX_BASIC" && h.position.line === 12));
    // 0x6C01 names no field (HIGH access to a natural-width field) and a named constant needs no hint.
    assert.ok(!hints.some((h) => h.position.line === 4 || h.position.line === 9));
  });

  test("semantic tokens mark VMX instructions", async () => {
    const tokens = await s.connection.sendRequest<SemanticTokens>("textDocument/semanticTokens/full", {
      textDocument: { uri },
    });
    assert.equal(tokens.data.length % 5, 0);
    assert.ok(tokens.data.length > 40);
    // Decode and find the VMWRITE on line 6 (keyword with the "vmx" modifier, bit 3).
    let line = 0;
    let col = 0;
    let found = false;
    for (let i = 0; i < tokens.data.length; i += 5) {
      const [dl, dc, len, type, mods] = tokens.data.slice(i, i + 5) as [number, number, number, number, number];
      line += dl;
      col = dl ? dc : col + dc;
      if (line === 6 && col === 4 && len === 7 && type === 0 && mods & 8) found = true;
    }
    assert.ok(found);
  });

  test("an incremental edit updates the diagnostics", async () => {
    version++;
    const next = s.diagnostics(uri, (p) => p.version === version);
    await s.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [
        { range: { start: { line: 4, character: 13 }, end: { line: 4, character: 19 } }, text: "0x6C00" },
      ],
    });
    const ds = await next;
    assert.ok(!codes(ds).includes("vmcs-high-access"), codes(ds).join(","));
    assert.ok(codes(ds).includes("vmx-swapped-operands"));
  });

  test("assembler errors arrive from the worker and move with later edits", async () => {
    version++;
    const bad = s.diagnostics(uri, (p) => p.diagnostics.some((d) => String(d.code).startsWith("asm")), 20000);
    await s.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [
        { range: { start: { line: 16, character: 0 }, end: { line: 16, character: 0 } }, text: "    bogusinstr rax\n" },
      ],
    });
    const ds = await bad;
    const asm = ds.find((d) => String(d.code).startsWith("asm"));
    assert.equal(asm?.range.start.line, 16);
    version++;
    const moved = s.diagnostics(uri, (p) => p.version === version);
    await s.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "; comment\n" },
      ],
    });
    const after = await moved;
    const again = after.find((d) => String(d.code).startsWith("asm"));
    assert.equal(again?.range.start.line, 17);
  });

  test("settings: a rule turned off disappears", async () => {
    version++;
    const next = s.diagnostics(uri, (p) => !p.diagnostics.some((d) => d.code === "vmx-swapped-operands"));
    await s.connection.sendNotification("workspace/didChangeConfiguration", {
      settings: { vmx: { cpuModel: "skylake-x", rules: { "vmx-swapped-operands": "off" } } },
    });
    await next;
  });
});

const EXAMPLES = [
  { file: join(__dirname, "..", "..", "examples", "hypervisor.asm"), languageId: "vmx-nasm", ext: "asm" },
  { file: join(__dirname, "..", "assembler", "programs", "hv-att.s"), languageId: "vmx-gas", ext: "s" },
];

function exampleText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return NASM;
  }
}

describe("robustness", () => {
  for (const ex of EXAMPLES) {
    test(`random edits of ${ex.file.split("/").slice(-2).join("/")} never crash the server and end with the diagnostics of the final text`, async () => {
      const session = await startServer();
      try {
        const docUri = `file:///virtual/random.${ex.ext}`;
        let text = exampleText(ex.file);
        let v = 1;
        await session.connection.sendNotification("textDocument/didOpen", {
          textDocument: { uri: docUri, languageId: ex.languageId, version: v, text },
        });
        let seed = 1234;
        const rnd = (n: number) => {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          return seed % n;
        };
        const snippets = [
          "vmwrite rax, rbx\n",
          "mov rax, 0x6C01",
          "[",
          "]",
          ";",
          ":",
          "\n",
          "%macro",
          "equ",
          "0x",
          "vmxon [",
          "    ",
          "rdmsr\n",
          "jbe",
          ".x:",
          '"',
          "'",
          "%ifdef X\n",
          "%endif\n",
          "(%rax)",
          "$0x4402, %rax",
          "/*",
          "*/",
          ".if 1\n",
        ];
        const positionAt = (t: string, offset: number) => {
          const before = t.slice(0, offset).split("\n");
          return { line: before.length - 1, character: before[before.length - 1]!.length };
        };
        for (let i = 0; i < 150; i++) {
          const a = rnd(text.length + 1);
          const b = Math.min(text.length, a + (rnd(3) === 0 ? rnd(40) : 0));
          const insert = rnd(2) ? snippets[rnd(snippets.length)]! : "";
          const range = { start: positionAt(text, a), end: positionAt(text, b) };
          text = text.slice(0, a) + insert + text.slice(b);
          v++;
          await session.connection.sendNotification("textDocument/didChange", {
            textDocument: { uri: docUri, version: v },
            contentChanges: [{ range, text: insert }],
          });
          if (i % 25 === 0) {
            // Requests in the middle of the edit storm are answered.
            await session.connection.sendRequest("textDocument/hover", {
              textDocument: { uri: docUri },
              position: range.start,
            });
            await session.connection.sendRequest("textDocument/completion", {
              textDocument: { uri: docUri },
              position: range.start,
            });
            await session.connection.sendRequest("textDocument/semanticTokens/full", { textDocument: { uri: docUri } });
          }
        }
        const final = await session.diagnostics(docUri, (p) => p.version === v, 30000);
        const expected = analyze({
          file: `/virtual/random.${ex.ext}`,
          text,
          languageId: ex.languageId,
          settings: DEFAULT_ANALYSIS_SETTINGS,
          readFile: () => undefined,
          skipFrontend: true,
        });
        const key = (d: { code?: unknown; range: { start: { line: number; character: number } } }) =>
          `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`;
        const ours = final
          .filter((d) => !String(d.code).startsWith("asm"))
          .map(key)
          .sort();
        const want = diagnosticsForFile(expected).map(key).sort();
        assert.deepEqual(ours, want);
        assert.equal(session.process.exitCode, null, "server still running");
        assert.ok(!session.stderr.join("").includes("uncaught"), session.stderr.join(""));
      } finally {
        await session.close();
      }
    });
  }
});

describe("node IPC transport", () => {
  test("the same bundle serves over --node-ipc", async () => {
    const serverJs = await bundleServer();
    const child = fork(serverJs, ["--node-ipc"], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const init = await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        capabilities: {},
        workspaceFolders: null,
      });
      assert.equal(init.capabilities.hoverProvider, true);
      const got = new Promise<Diagnostic[]>((resolve) => {
        connection.onNotification(PublishDiagnosticsNotification.type, (p) => resolve(p.diagnostics));
      });
      await connection.sendNotification("textDocument/didOpen", {
        textDocument: {
          uri: "file:///virtual/ipc.asm",
          languageId: "vmx-nasm",
          version: 1,
          text: "bits 64\nstart:\n    mov rax, 0x6C01\n    vmread rbx, rax\n    jbe x\nx: hlt\n",
        },
      });
      const ds = await got;
      assert.ok(ds.some((d) => d.code === "vmcs-high-access"));
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});

describe("included files", () => {
  test("definition from an included file finds what an open includer defines; includer shows its problems", async () => {
    const session = await startServer();
    try {
      const incUri = "file:///virtual/inc/helpers.inc";
      const mainUri = "file:///virtual/inc/main.asm";
      await session.connection.sendNotification("textDocument/didOpen", {
        textDocument: {
          uri: incUri,
          languageId: "vmx-nasm",
          version: 1,
          text: "helper:\n    mov rax, 0x6C01\n    vmwrite rax, rbx\n    jmp main_done\n",
        },
      });
      const mainDiags = session.diagnostics(mainUri, (p) => p.diagnostics.some((d) => d.code === "vmcs-high-access"));
      await session.connection.sendNotification("textDocument/didOpen", {
        textDocument: {
          uri: mainUri,
          languageId: "vmx-nasm",
          version: 1,
          text: 'bits 64\nstart:\n    call helper\nmain_done:\n    hlt\n%include "helpers.inc"\n',
        },
      });
      const ds = await mainDiags;
      const shown = ds.find((d) => d.code === "vmcs-high-access");
      assert.equal(shown?.range.start.line, 5, "attached to the %include line");
      assert.match(String(shown?.message ?? ""), /^In helpers\.inc:3:/);
      const defs = await session.connection.sendRequest<Location[]>("textDocument/definition", {
        textDocument: { uri: incUri },
        position: { line: 3, character: 10 },
      });
      assert.deepEqual(
        defs.map((d) => [d.uri, d.range.start.line]),
        [[mainUri, 3]],
      );
    } finally {
      await session.close();
    }
  });
});

describe("several documents", () => {
  test("editing one document (a quick fix and its undo) leaves another's diagnostics its own", async () => {
    const fixtures = join(__dirname, "..", "e2e", "fixtures");
    const asmPath = join(fixtures, "vmx-mistakes.asm");
    const gasPath = join(fixtures, "vmx-mistakes.s");
    const asmUri = `file://${asmPath}`;
    const gasUri = `file://${gasPath}`;
    const asm = readFileSync(asmPath, "utf8");
    const session = await startServer({ vmx: { cpuModel: "skylake-x" } });
    const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.code}@${d.range.start.line}`).sort();
    try {
      let next = session.diagnostics(asmUri);
      await session.connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri: asmUri, languageId: "vmx-nasm", version: 1, text: asm },
      });
      const opened = await next;
      assert.deepEqual(summary(opened), ["msr-read-only@23", "vmcs-high-access@17", "vmx-swapped-operands@13"]);
      const swapped = opened.find((d) => d.code === "vmx-swapped-operands")!;
      const actions = await session.connection.sendRequest<CodeAction[]>("textDocument/codeAction", {
        textDocument: { uri: asmUri },
        range: swapped.range,
        context: { diagnostics: [swapped] },
      });
      const edits = actions.find((x) => /Swap/.test(x.title))?.edit?.changes?.[asmUri] ?? [];
      assert.equal(edits.length, 2);
      const line = swapped.range.start.line;
      const before = asm.split("\n")[line]!;
      let after = before;
      for (const e of [...edits].sort((x, y) => y.range.start.character - x.range.start.character))
        after = after.slice(0, e.range.start.character) + e.newText + after.slice(e.range.end.character);
      const lineRange = (text: string) => ({
        start: { line, character: 0 },
        end: { line, character: text.length },
      });
      next = session.diagnostics(asmUri, (p) => p.version === 2);
      await session.connection.sendNotification("textDocument/didChange", {
        textDocument: { uri: asmUri, version: 2 },
        contentChanges: [{ range: lineRange(before), text: after }],
      });
      assert.deepEqual(summary(await next), ["msr-read-only@23", "vmcs-high-access@17"]);
      next = session.diagnostics(asmUri, (p) => p.version === 3);
      await session.connection.sendNotification("textDocument/didChange", {
        textDocument: { uri: asmUri, version: 3 },
        contentChanges: [{ range: lineRange(after), text: before }],
      });
      assert.deepEqual(summary(await next), summary(opened));
      // The other document, opened right after, and again once the assembler has reported on it.
      next = session.diagnostics(gasUri);
      await session.connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri: gasUri, languageId: "vmx-gas", version: 1, text: readFileSync(gasPath, "utf8") },
      });
      assert.deepEqual(summary(await next), ["vmx-swapped-operands@12"]);
      const later = await session.diagnostics(gasUri, () => true, 4000).catch(() => undefined);
      if (later) assert.deepEqual(summary(later), ["vmx-swapped-operands@12"]);
    } finally {
      await session.close();
    }
  });
});

describe("workspace", () => {
  test("an include file opened alone is analysed in its includer; workspace symbols cover files not open", async () => {
    const root = mkdtempSync(join(tmpdir(), "vmx-ws-"));
    mkdirSync(join(root, "inc"));
    writeFileSync(
      join(root, "main.asm"),
      'bits 64\nFIELD equ 0x6C01\nstart:\n    call helper\n    hlt\n%include "inc/helpers.inc"\n',
    );
    const incPath = join(root, "inc", "helpers.inc");
    const incText = "helper:\n    mov rax, FIELD\n    vmwrite rax, rbx\n    jbe .out\n.out:\n    ret\n";
    writeFileSync(incPath, incText);
    writeFileSync(join(root, "other.s"), "other_entry:\n    ret\n");
    const session = await startServer({ vmx: { cpuModel: "skylake-x" } }, root);
    try {
      // The index is built in the background: ask until it has read the folder.
      const query = async (q: string) => {
        for (let i = 0; i < 100; i++) {
          const r = await session.connection.sendRequest<WorkspaceSymbol[]>("workspace/symbol", { query: q });
          if (r.length > 0) return r;
          await new Promise((res) => setTimeout(res, 50));
        }
        return [];
      };
      const field = await query("FIELD");
      assert.deepEqual(
        field.map((w) => ["location" in w && "range" in w.location ? w.location.range.start.line : -1, w.location.uri]),
        [[1, `file://${join(root, "main.asm")}`]],
      );
      assert.ok((await query("other_entry")).length === 1, "GAS files are indexed too");
      const incUri = `file://${incPath}`;
      // Its includer defines FIELD (a HIGH access on a natural-width field): the VMX rule sees it, and the
      // assembler (run on the includer) finds no undefined symbol.
      const ds = session.diagnostics(incUri, (p) => p.diagnostics.some((d) => d.code === "vmcs-high-access"), 15000);
      await session.connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri: incUri, languageId: "vmx-nasm", version: 1, text: incText },
      });
      const got = await ds;
      assert.equal(got.find((d) => d.code === "vmcs-high-access")?.range.start.line, 2);
      const settled = await session.diagnostics(incUri, () => true, 6000).catch(() => got);
      assert.ok(!settled.some((d) => d.code === "asm-undefined-symbol"), JSON.stringify(settled));
      assert.ok(!settled.some((d) => d.severity === 1 && d.code !== "vmcs-high-access"), JSON.stringify(settled));
      const def = await session.connection.sendRequest<Location[]>("textDocument/definition", {
        textDocument: { uri: incUri },
        position: { line: 1, character: 14 },
      });
      assert.deepEqual(
        def.map((d) => [d.uri, d.range.start.line]),
        [[`file://${join(root, "main.asm")}`, 1]],
      );
    } finally {
      await session.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("settings over the protocol", () => {
  test("vmx.includePaths (relative to the workspace folder), per-rule severities, completion insert, inlay hints", async () => {
    const root = mkdtempSync(join(tmpdir(), "vmx-settings-"));
    mkdirSync(join(root, "inc"));
    writeFileSync(join(root, "inc", "defs.inc"), "FIELD equ 0x6C01\n");
    const text =
      'bits 64\n%include "defs.inc"\nstart:\n    mov rax, FIELD\n    vmwrite rax, rbx\n    jbe done\n    mov ecx, 0x3A\n    rdmsr\ndone:\n    hlt\n';
    const uri = `file://${join(root, "main.asm")}`;
    const session = await startServer(
      { vmx: { includePaths: ["inc"], rules: { "vmcs-high-access": "warning" }, completionInsert: "encoding" } },
      root,
    );
    try {
      const first = session.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === "vmcs-high-access"));
      await session.connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri, languageId: "vmx-nasm", version: 1, text },
      });
      const ds = await first;
      const high = ds.find((d) => d.code === "vmcs-high-access");
      assert.equal(high?.severity, 2, "the rule's severity comes from vmx.rules");
      assert.equal(high?.range.start.line, 4);
      const items = await session.connection.sendRequest<CompletionItem[]>("textDocument/completion", {
        textDocument: { uri },
        position: { line: 3, character: 13 },
      });
      assert.equal(items.find((i) => i.label === "GUEST_RIP")?.insertText, "0x681E");
      const hints = await session.connection.sendRequest<InlayHint[]>("textDocument/inlayHint", {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
      });
      assert.ok(hints.some((h) => String(h.label) === "IA32_FEATURE_CONTROL"));
      // New settings: the rule off, no include path, no inlay hints.
      const off = session.diagnostics(uri, (p) => !p.diagnostics.some((d) => d.code === "vmcs-high-access"));
      await session.connection.sendNotification("workspace/didChangeConfiguration", {
        settings: { vmx: { includePaths: [], rules: { "vmcs-high-access": "off" }, inlayHints: false } },
      });
      await off;
      const none = await session.connection.sendRequest<InlayHint[]>("textDocument/inlayHint", {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
      });
      assert.deepEqual(none, []);
      // Without the include path the assembler cannot find defs.inc (workspace folders are searched too, but
      // defs.inc is in inc/).
      const missing = await session.diagnostics(
        uri,
        (p) => p.diagnostics.some((d) => d.code === "asm-include-not-found"),
        10000,
      );
      assert.equal(missing.find((d) => d.code === "asm-include-not-found")?.range.start.line, 1);
    } finally {
      await session.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("an included .asm file", () => {
  test("whose assembly on its own finds undefined symbols is then analysed in its includer", async () => {
    const root = mkdtempSync(join(tmpdir(), "vmx-incasm-"));
    writeFileSync(
      join(root, "main.asm"),
      'bits 64\nFIELD equ 0x6C01\nstart:\n    call helper\n    hlt\n%include "part.asm"\n',
    );
    const partPath = join(root, "part.asm");
    const partText = "helper:\n    mov rax, FIELD\n    vmwrite rax, rbx\n    jbe .out\n.out:\n    ret\n";
    writeFileSync(partPath, partText);
    const session = await startServer({ vmx: { cpuModel: "skylake-x" } }, root);
    try {
      // Wait for the index to know main.asm.
      for (let i = 0; i < 100; i++) {
        const r = await session.connection.sendRequest<WorkspaceSymbol[]>("workspace/symbol", { query: "FIELD" });
        if (r.length > 0) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const uri = `file://${partPath}`;
      const settled = session.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === "vmcs-high-access"), 20000);
      await session.connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri, languageId: "vmx-nasm", version: 1, text: partText },
      });
      const ds = await settled;
      assert.deepEqual(
        ds.map((d) => `${d.code}@${d.range.start.line}`),
        ["vmcs-high-access@2"],
      );
    } finally {
      await session.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
