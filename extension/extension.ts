// Extension entry point: wires the language client, F5 debugging, the VMCS and VM-exit views, decorations,
// commands and the CPU-model status item. Activation is cheap: the language client bundle is loaded only when
// an assembly file is open (activation by debug resolution or a command does not load it).
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import type { VmxSettings } from "../protocol/vmx-settings";
import { COLORS, COMMANDS, type CommandKey } from "./command-ids";
import { decodeFieldEncodingCommand, decodeMsrCommand, explainLastEntryFailure, openExample } from "./commands";
import { debugFile, registerDebugging } from "./debug";
import { VMX_LANGUAGE_IDS } from "./debug-configuration";
import { registerExitHistoryView } from "./exit-history-view";
import { FailureDecorator } from "./failure-decorations";
import type * as LanguageClientModule from "./language-client";
import { runFileInEmulator, stopRunningFile } from "./run-file";
import { affectsServer, readVmxSettings } from "./settings";
import { registerCpuModelStatus, selectCpuModel } from "./status-bar";
import { ChangedValueDecorations } from "./tree-item";
import { registerVmcsView } from "./vmcs-view";
import { VmxSessionStore } from "./vmx-session";

let client: LanguageClientModule.VmxLanguageClient | undefined;
let clientStarting: Promise<void> | undefined;

function settingsFor(scope?: vscode.Uri): VmxSettings {
  const config = vscode.workspace.getConfiguration("vmx", scope);
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return readVmxSettings((key) => config.get(key), folders);
}

function isAssembly(doc: vscode.TextDocument): boolean {
  return VMX_LANGUAGE_IDS.includes(doc.languageId);
}

export function activate(context: vscode.ExtensionContext): void {
  const dist = (file: string) => context.asAbsolutePath(join("dist", file));
  const serverOutput = vscode.window.createOutputChannel("VMX Language Server");
  const runOutput = vscode.window.createOutputChannel("VMX");
  const store = new VmxSessionStore();

  const startClient = (): Promise<void> => {
    if (clientStarting) return clientStarting;
    const bundle = dist("language-client.js");
    const server = dist("server.js");
    if (!existsSync(bundle) || !existsSync(server)) {
      // Tried again on the next assembly file or by Restart Language Server.
      serverOutput.appendLine(
        `Language server not started: ${existsSync(bundle) ? server : bundle} is missing (npm run build).`,
      );
      return Promise.resolve();
    }
    clientStarting = (async () => {
      // A separate bundle, required at run time so esbuild does not inline vscode-languageclient here.
      const mod = require(bundle) as typeof LanguageClientModule;
      client = await mod.startLanguageClient({ serverModule: server, output: serverOutput, settings: settingsFor });
    })().catch((e: unknown) => {
      serverOutput.appendLine(`Language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
      clientStarting = undefined;
    });
    return clientStarting;
  };
  const startIfAssembly = (doc: vscode.TextDocument) => {
    if (isAssembly(doc)) void startClient();
  };

  const handlers: Record<CommandKey, ((...args: never[]) => unknown) | undefined> = {
    decodeFieldEncoding: decodeFieldEncodingCommand,
    decodeMsr: decodeMsrCommand,
    selectCpuModel: () => selectCpuModel(settingsFor().cpuModel),
    runFile: (uri?: vscode.Uri) => runFileInEmulator(dist("cli.js"), runOutput, settingsFor(uri).cpuModel, uri),
    debugFile: (uri?: vscode.Uri) => debugFile(uri),
    explainEntryFailure: () => explainLastEntryFailure(store),
    restartLanguageServer: async () => {
      if (client) await client.restart();
      else await startClient();
    },
    openExample: () => openExample(context.extensionUri),
    // Registered by the views:
    vmcsRefresh: undefined,
    vmcsCopyValue: undefined,
    vmcsEditValue: undefined,
    vmcsGoToVmwrite: undefined,
    vmcsAddBreakpoint: undefined,
    vmcsRemoveBreakpoint: undefined,
    vmcsShowHex: undefined,
    vmcsShowDecimal: undefined,
    vmcsShowBinary: undefined,
    exitHistoryGoTo: undefined,
    exitHistoryRefresh: undefined,
  };
  for (const [key, handler] of Object.entries(handlers)) {
    if (handler) context.subscriptions.push(vscode.commands.registerCommand(COMMANDS[key as CommandKey].id, handler));
  }

  context.subscriptions.push(
    serverOutput,
    runOutput,
    store,
    ...registerDebugging(dist("debug-adapter.js"), settingsFor),
    ...registerVmcsView(store),
    ...registerExitHistoryView(store),
    new FailureDecorator(store),
    vscode.window.registerFileDecorationProvider(new ChangedValueDecorations(COLORS.changedValue)),
    ...registerCpuModelStatus(() => settingsFor(vscode.window.activeTextEditor?.document.uri).cpuModel),
    vscode.workspace.onDidOpenTextDocument(startIfAssembly),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (client && affectsServer((s) => e.affectsConfiguration(s))) void client.settingsChanged();
    }),
    { dispose: stopRunningFile },
  );
  vscode.workspace.textDocuments.forEach(startIfAssembly);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
  clientStarting = undefined;
}
