// Every command, view and color the extension contributes: ids, titles and icons in one table read by both
// extension.ts (registration) and manifest/build-contributes.ts (package.json `contributes`). Pure data.

export interface CommandInfo {
  id: string;
  title: string;
  category?: string;
  icon?: string;
  enablement?: string;
  /** Hidden from the Command Palette (tree-item commands that need a node argument). */
  paletteHidden?: boolean;
}

export const COMMANDS = {
  decodeFieldEncoding: { id: "vmx.decodeFieldEncoding", title: "Decode VMCS Field Encoding…", category: "VMX" },
  decodeMsr: { id: "vmx.decodeMsr", title: "Decode MSR…", category: "VMX" },
  selectCpuModel: { id: "vmx.selectCpuModel", title: "Select CPU Model", category: "VMX" },
  runFile: {
    id: "vmx.runFile",
    title: "Run File in Emulator",
    category: "VMX",
    icon: "$(play)",
    enablement: "isWorkspaceTrusted",
  },
  debugFile: {
    id: "vmx.debugFile",
    title: "Debug File in Emulator",
    category: "VMX",
    icon: "$(debug-alt)",
    enablement: "isWorkspaceTrusted",
  },
  explainEntryFailure: { id: "vmx.explainEntryFailure", title: "Explain Last VM-Entry Failure", category: "VMX" },
  restartLanguageServer: { id: "vmx.restartLanguageServer", title: "Restart Language Server", category: "VMX" },
  openExample: { id: "vmx.openExample", title: "Open an Example Program…", category: "VMX" },
  vmcsRefresh: { id: "vmx.vmcs.refresh", title: "Refresh", category: "VMX", icon: "$(refresh)", paletteHidden: true },
  vmcsCopyValue: { id: "vmx.vmcs.copyValue", title: "Copy Value", paletteHidden: true },
  vmcsEditValue: { id: "vmx.vmcs.editValue", title: "Edit Value…", icon: "$(edit)", paletteHidden: true },
  vmcsGoToVmwrite: { id: "vmx.vmcs.goToVmwrite", title: "Go to VMWRITE", icon: "$(go-to-file)", paletteHidden: true },
  vmcsAddBreakpoint: { id: "vmx.vmcs.addDataBreakpoint", title: "Break When Value Changes", paletteHidden: true },
  vmcsRemoveBreakpoint: {
    id: "vmx.vmcs.removeDataBreakpoint",
    title: "Remove Break When Value Changes",
    paletteHidden: true,
  },
  vmcsShowHex: { id: "vmx.vmcs.showHex", title: "Show as Hexadecimal", paletteHidden: true },
  vmcsShowDecimal: { id: "vmx.vmcs.showDecimal", title: "Show as Decimal", paletteHidden: true },
  vmcsShowBinary: { id: "vmx.vmcs.showBinary", title: "Show as Binary", paletteHidden: true },
  exitHistoryGoTo: { id: "vmx.exitHistory.goTo", title: "Go Back to This VM Exit", paletteHidden: true },
  exitHistoryRefresh: {
    id: "vmx.exitHistory.refresh",
    title: "Refresh",
    category: "VMX",
    icon: "$(refresh)",
    paletteHidden: true,
  },
} as const satisfies Record<string, CommandInfo>;

export type CommandKey = keyof typeof COMMANDS;

export const VIEWS = {
  vmcs: "vmx.vmcs",
  exitHistory: "vmx.exitHistory",
} as const;

export const COLORS = {
  entryFailureLine: "vmx.entryFailureLineBackground",
  vmwriteFailureLine: "vmx.vmwriteFailureLineBackground",
  changedValue: "vmx.changedValueForeground",
} as const;

/** URI scheme of the VMCS view's resourceUri, which its FileDecorationProvider colours when changed. */
export const VMCS_NODE_SCHEME = "vmx-vmcs-node";
