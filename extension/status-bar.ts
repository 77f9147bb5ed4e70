// The CPU-model status bar item (shown for assembly files) and the "Select CPU Model" quick pick.
import * as vscode from "vscode";
import { CPU_MODELS } from "../arch/index";
import { COMMANDS } from "./command-ids";

export function registerCpuModelStatus(currentModel: () => string): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem("vmx.cpuModel", vscode.StatusBarAlignment.Right, 100);
  item.name = "VMX CPU Model";
  item.command = COMMANDS.selectCpuModel.id;
  const update = () => {
    const model = currentModel();
    const known = CPU_MODELS.find((m) => m.name === model);
    item.text = `$(chip) ${model}`;
    item.tooltip = known ? `VMX CPU model: ${known.description}\nClick to change.` : `Unknown CPU model "${model}".`;
    const lang = vscode.window.activeTextEditor?.document.languageId;
    if (lang === "vmx-gas" || lang === "vmx-nasm") item.show();
    else item.hide();
  };
  update();
  return [
    item,
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("vmx.cpuModel")) update();
    }),
  ];
}

export async function selectCpuModel(currentModel: string): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    CPU_MODELS.map((m) => ({
      label: m.name,
      description: m.name === currentModel ? "current" : undefined,
      detail: m.description,
    })),
    { title: "VMX: Select CPU Model", placeHolder: "The model the diagnostics and the emulator use" },
  );
  if (!picked) return;
  const config = vscode.workspace.getConfiguration("vmx");
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config.update("cpuModel", picked.label, target);
}
