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
  type VmxLaunchConfiguration,
} from "./debug-configuration";

type SettingsFor = (scope?: vscode.Uri) => VmxSettings;

class VmxConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly settings: SettingsFor) {}

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
    const doc = vscode.window.activeTextEditor?.document;
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
  return [
    vscode.debug.registerDebugConfigurationProvider(VMX_DEBUG_TYPE, new VmxConfigurationProvider(settings)),
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
