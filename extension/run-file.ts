// "VMX: Run File in Emulator": runs `vmx run FILE --cpu MODEL --max N` (dist/cli.js) as a child process and
// streams its UART/port-E9 output and stop reason into the VMX output channel. (`--trace` is left out: it
// traces every instruction, far too much for an output channel.)
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { lineBuffered } from "./line-buffer";

let running: ChildProcess | undefined;

export async function runFileInEmulator(
  cliPath: string,
  output: vscode.OutputChannel,
  cpuModel: string,
  uri?: vscode.Uri,
): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage("Running programs is disabled in Restricted Mode.");
    return;
  }
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (doc?.uri.scheme !== "file" || !(doc.languageId === "vmx-gas" || doc.languageId === "vmx-nasm")) {
    void vscode.window.showErrorMessage("Open a .s or .asm file to run it.");
    return;
  }
  if (doc.isDirty) await doc.save();
  if (!existsSync(cliPath)) {
    void vscode.window.showErrorMessage(`The vmx CLI is missing (${cliPath}); run \`npm run build\`.`);
    return;
  }
  running?.kill();
  const max = vscode.workspace.getConfiguration("vmx", doc.uri).get<number>("run.maxInstructions", 100_000_000);
  const args = [cliPath, "run", doc.uri.fsPath, "--cpu", cpuModel, "--max", String(max)];
  output.clear();
  output.show(true);
  output.appendLine(`$ vmx ${args.slice(1).join(" ")}`);
  const started = Date.now();
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
    cwd: folder && existsSync(folder) ? folder : undefined,
  });
  running = child;
  // stdout (the program's UART/port-E9 output) and stderr (exit trace, stop) arrive in chunks that can split a
  // line: each stream passes on whole lines, so the two never mix inside a line.
  const out = lineBuffered((s) => output.append(s));
  const err = lineBuffered((s) => output.append(s));
  child.stdout.setEncoding("utf8").on("data", out.push);
  child.stderr.setEncoding("utf8").on("data", err.push);
  child.on("error", (e) => output.appendLine(`[could not start: ${e.message}]`));
  child.on("close", (code, signal) => {
    out.flush();
    err.flush();
    if (running === child) running = undefined;
    const how = signal ? `stopped (${signal})` : `exited with code ${code}`;
    output.appendLine(`\n[vmx run ${how} after ${((Date.now() - started) / 1000).toFixed(2)} s]`);
  });
}

export function stopRunningFile(): void {
  running?.kill();
  running = undefined;
}
