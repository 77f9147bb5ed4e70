// Command handlers that are not tied to a view: decode encoding / MSR, explain the last VM-entry failure,
// open an example.
import { normalize } from "node:path";
import * as vscode from "vscode";
import { type DecodeReport, decodeFieldEncoding, decodeMsr } from "./decode";
import { explainEntryFailure } from "./entry-failure-model";
import type { VmxSessionStore } from "./vmx-session";
import { writeSite } from "./write-site";

async function decodeWith(
  title: string,
  prompt: string,
  placeHolder: string,
  decode: (s: string) => DecodeReport,
): Promise<void> {
  const input = await vscode.window.showInputBox({
    title,
    prompt,
    placeHolder,
    // Live feedback while typing: the report's one-line title.
    validateInput: (v) =>
      v.trim().length === 0
        ? undefined
        : {
            message: decode(v).title,
            severity: decode(v).ok ? vscode.InputBoxValidationSeverity.Info : vscode.InputBoxValidationSeverity.Warning,
          },
  });
  if (input === undefined || input.trim().length === 0) return;
  const report = decode(input);
  const choice = await vscode.window.showInformationMessage(
    report.title,
    { modal: true, detail: report.lines.join("\n") },
    "Copy",
  );
  if (choice === "Copy") await vscode.env.clipboard.writeText([report.title, ...report.lines].join("\n"));
}

export function decodeFieldEncodingCommand(): Promise<void> {
  return decodeWith(
    "VMX: Decode VMCS Field Encoding",
    "A VMCS field encoding in any radix, or a field name; add `= value` to decode a value's bits",
    "0x6800   or   GUEST_CR0 = 0x80000031",
    decodeFieldEncoding,
  );
}

export function decodeMsrCommand(): Promise<void> {
  return decodeWith(
    "VMX: Decode MSR",
    "An MSR index or name; add `= value` to decode a value's bit fields",
    "0x480   or   IA32_FEATURE_CONTROL = 5",
    decodeMsr,
  );
}

export async function explainLastEntryFailure(store: VmxSessionStore): Promise<void> {
  const f = store.lastEntryFailure;
  if (!f) {
    void vscode.window.showInformationMessage(
      store.session
        ? "No VM entry has failed in the current debug session."
        : "No VMX debug session is running. Press F5 on a .s or .asm file; a failed VMLAUNCH/VMRESUME is explained here.",
    );
    return;
  }
  const text = explainEntryFailure(f);
  const [headline, ...rest] = text.split("\n");
  const written = f.fields.find((x) => x.provenance)?.provenance;
  const firstWrite = written && writeSite(written);
  const buttons = [...(f.location ? ["Go to VMLAUNCH"] : []), ...(firstWrite ? ["Go to VMWRITE"] : [])];
  const choice = await vscode.window.showErrorMessage(
    headline ?? text,
    { modal: true, detail: rest.join("\n").trim() },
    ...buttons,
  );
  const target = choice === "Go to VMLAUNCH" ? f.location : choice === "Go to VMWRITE" ? firstWrite : undefined;
  if (target) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(normalize(target.file)));
    const pos = new vscode.Position(target.line, target.column);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
  }
}

export async function openExample(extensionUri: vscode.Uri): Promise<void> {
  const dir = vscode.Uri.joinPath(extensionUri, "examples");
  let entries: [string, vscode.FileType][] = [];
  try {
    entries = await vscode.workspace.fs.readDirectory(dir);
  } catch {
    // No examples folder in this installation.
  }
  const files = entries
    .filter(([name, type]) => type === vscode.FileType.File && /\.(s|S|asm|nasm)$/.test(name))
    .map(([name]) => name)
    .sort();
  if (files.length === 0) {
    void vscode.window.showWarningMessage("This installation has no example programs.");
    return;
  }
  const picked = await vscode.window.showQuickPick(
    files.map((name) => ({ label: name, description: /\.s$/i.test(name) ? "GAS" : "NASM" })),
    { title: "VMX: Open an Example Program" },
  );
  if (!picked) return;
  await vscode.window.showTextDocument(vscode.Uri.joinPath(dir, picked.label));
}
