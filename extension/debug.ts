// F5: the `vmx` DebugConfigurationProvider (no launch.json → debug the active .s/.asm file) and the
// DebugAdapterDescriptorFactory that starts dist/debug-adapter.js as its own process, so emulation never
// blocks the extension host.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import * as vscode from "vscode";
import type { VmxSettings } from "../protocol/vmx-settings";
import {
  checkProgramsExist,
  launchVariable,
  resolveLaunchConfiguration,
  VMX_DEBUG_TYPE,
  VMX_LANGUAGE_IDS,
  type VmxLaunchConfiguration,
} from "./debug-configuration";

type SettingsFor = (scope?: vscode.Uri) => VmxSettings;

const isAssembly = (d: vscode.TextDocument | undefined): d is vscode.TextDocument =>
  d !== undefined && d.uri.scheme === "file" && VMX_LANGUAGE_IDS.includes(d.languageId);

class VmxConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** The assembly file the user worked in last: F5 from the Debug Console or a view still debugs it. */
  private lastAssembly: vscode.TextDocument | undefined;

  constructor(private readonly settings: SettingsFor) {
    const d = vscode.window.activeTextEditor?.document;
    if (isAssembly(d)) this.lastAssembly = d;
  }

  noteActiveEditor(editor: vscode.TextEditor | undefined): void {
    if (isAssembly(editor?.document)) this.lastAssembly = editor.document;
  }

  /** The active editor's document when it is assembly, else the last assembly file still open. */
  private targetDocument(): vscode.TextDocument | undefined {
    const active = vscode.window.activeTextEditor?.document;
    if (isAssembly(active)) return active;
    if (this.lastAssembly && !this.lastAssembly.isClosed) return this.lastAssembly;
    return active;
  }

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [
      { type: VMX_DEBUG_TYPE, request: "launch", name: "Debug current assembly file", program: launchVariable("file") },
    ];
  }

  resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        "Running programs is disabled in Restricted Mode. Trust the workspace to debug.",
      );
      return undefined;
    }
    const doc = this.targetDocument();
    const active = doc && doc.uri.scheme === "file" ? { path: doc.uri.fsPath, languageId: doc.languageId } : undefined;
    const s = this.settings(doc?.uri ?? folder?.uri);
    const r = resolveLaunchConfiguration(config, active, s);
    if ("error" in r) {
      void vscode.window.showErrorMessage(r.error);
      return undefined;
    }
    return r.config;
  }

  resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    const problem = checkProgramsExist(config as VmxLaunchConfiguration, existsSync);
    if (problem) {
      void vscode.window.showErrorMessage(problem);
      return undefined;
    }
    return config;
  }
}

/** Offers "Debug <file>" for each open assembly file in the Run and Debug drop-down. */
class VmxDynamicProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return vscode.workspace.textDocuments
      .filter((d) => (d.languageId === "vmx-gas" || d.languageId === "vmx-nasm") && d.uri.scheme === "file")
      .map((d) => ({
        type: VMX_DEBUG_TYPE,
        request: "launch",
        name: `Debug ${basename(d.uri.fsPath)}`,
        program: d.uri.fsPath,
      }));
  }
}

class VmxAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly adapterPath: string) {}
  createDebugAdapterDescriptor(): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    if (!existsSync(this.adapterPath)) {
      throw new Error(`The VMX debug adapter is missing (${this.adapterPath}); run \`npm run build\`.`);
    }
    // The extension host's runtime runs the adapter as plain Node (Electron needs ELECTRON_RUN_AS_NODE).
    return new vscode.DebugAdapterExecutable(process.execPath, [this.adapterPath], {
      env: { ELECTRON_RUN_AS_NODE: "1" },
    });
  }
}

export function registerDebugging(adapterPath: string, settings: SettingsFor): vscode.Disposable[] {
  const provider = new VmxConfigurationProvider(settings);
  return [
    vscode.debug.registerDebugConfigurationProvider(VMX_DEBUG_TYPE, provider),
    vscode.window.onDidChangeActiveTextEditor((e) => provider.noteActiveEditor(e)),
    vscode.debug.registerDebugConfigurationProvider(
      VMX_DEBUG_TYPE,
      new VmxDynamicProvider(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(VMX_DEBUG_TYPE, new VmxAdapterFactory(adapterPath)),
  ];
}

/** "VMX: Debug File in Emulator": debug the active (or given) assembly file without a launch.json. */
export async function debugFile(uri?: vscode.Uri): Promise<void> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (target?.scheme !== "file") {
    void vscode.window.showErrorMessage("Open a .s or .asm file to debug it.");
    return;
  }
  await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), {
    type: VMX_DEBUG_TYPE,
    request: "launch",
    name: `Debug ${basename(target.fsPath)}`,
    program: target.fsPath,
  });
}
