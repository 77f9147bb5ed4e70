// The VMCS tree view (Run and Debug side bar) and its item commands. Fed by VmxSessionStore; the tree itself
// comes from the pure buildVmcsTree.
import { normalize } from "node:path";
import * as vscode from "vscode";
import {
  VMX_FIELD_BREAKPOINT_REQUEST,
  VMX_WRITE_FIELD_REQUEST,
  type VmxStateResponseBody,
} from "../protocol/vmx-debug";
import { COMMANDS, VIEWS } from "./command-ids";
import { type NumberFormat, parseUserNumber } from "./number-format";
import { toTreeItem } from "./tree-item";
import type { TreeNode } from "./tree-node";
import { buildVmcsTree } from "./vmcs-tree-model";
import { vmxRequest } from "./vmx-requests";
import type { VmxSessionStore } from "./vmx-session";

export class VmcsTreeProvider implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly formats = new Map<string, NumberFormat>();
  readonly breakpointFields = new Set<string>();
  private roots: TreeNode[] = [];

  constructor(private readonly store: VmxSessionStore) {
    store.onDidChange(() => {
      if (!store.session) this.breakpointFields.clear();
      this.rebuild();
    });
  }

  rebuild(): void {
    this.roots = buildVmcsTree(this.store.state, { formats: this.formats, breakpointFields: this.breakpointFields });
    this.changed.fire();
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    return toTreeItem(n);
  }

  getChildren(n?: TreeNode): TreeNode[] {
    return n ? n.children : this.roots;
  }

  /** View message: why the view is empty while a session runs. */
  message(state: VmxStateResponseBody | undefined): string | undefined {
    if (!this.store.session) return undefined;
    if (this.store.problem) return `The debug adapter did not answer vmx/state: ${this.store.problem}`;
    if (!state) return "Waiting for the program to stop…";
    if (this.store.running) return "Running… (values as of the last stop)";
    return state.fields.length === 0 && state.mode !== "off"
      ? "No current VMCS (VMPTRLD one to see its fields)."
      : undefined;
  }
}

export function registerVmcsView(store: VmxSessionStore): vscode.Disposable[] {
  const provider = new VmcsTreeProvider(store);
  const view = vscode.window.createTreeView(VIEWS.vmcs, { treeDataProvider: provider, showCollapseAll: true });
  const updateMessage = () => {
    view.message = provider.message(store.state);
  };
  const setFormat = (format: NumberFormat) => (n: TreeNode | undefined) => {
    if (!n) return;
    provider.formats.set(n.id, format);
    provider.rebuild();
  };
  const needSession = (): vscode.DebugSession | undefined => {
    if (!store.session) void vscode.window.showWarningMessage("No VMX debug session is running.");
    return store.session;
  };
  return [
    view,
    store.onDidChange(updateMessage),
    vscode.commands.registerCommand(COMMANDS.vmcsRefresh.id, () => store.refresh()),
    vscode.commands.registerCommand(COMMANDS.vmcsCopyValue.id, async (n?: TreeNode) => {
      if (n?.copyText) await vscode.env.clipboard.writeText(n.copyText);
    }),
    vscode.commands.registerCommand(COMMANDS.vmcsShowHex.id, setFormat("hex")),
    vscode.commands.registerCommand(COMMANDS.vmcsShowDecimal.id, setFormat("dec")),
    vscode.commands.registerCommand(COMMANDS.vmcsShowBinary.id, setFormat("bin")),
    vscode.commands.registerCommand(COMMANDS.vmcsGoToVmwrite.id, async (n?: TreeNode) => {
      const loc = n?.location;
      if (!loc) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(normalize(loc.file)));
      const pos = new vscode.Position(loc.line, loc.column);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, doc.lineAt(loc.line).range.end) });
    }),
    vscode.commands.registerCommand(COMMANDS.vmcsEditValue.id, async (n?: TreeNode) => {
      const session = needSession();
      if (!session || !n?.field) return;
      const value = await vscode.window.showInputBox({
        title: `Write ${n.field}`,
        prompt: "New value (hex 0x…, decimal, or binary 0b…); the adapter writes it into the current VMCS",
        value: n.copyText,
        validateInput: (v) => (parseUserNumber(v) === undefined ? "Not a number" : undefined),
      });
      if (value === undefined) return;
      try {
        await vmxRequest(session, VMX_WRITE_FIELD_REQUEST, { field: n.field, value: value.trim() });
        await store.refresh();
      } catch (e) {
        void vscode.window.showErrorMessage(`Could not write ${n.field}: ${e instanceof Error ? e.message : e}`);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.vmcsAddBreakpoint.id, (n?: TreeNode) => setFieldBreakpoint(n, true)),
    vscode.commands.registerCommand(COMMANDS.vmcsRemoveBreakpoint.id, (n?: TreeNode) => setFieldBreakpoint(n, false)),
  ];

  async function setFieldBreakpoint(n: TreeNode | undefined, enabled: boolean): Promise<void> {
    const session = needSession();
    if (!session || !n?.field) return;
    try {
      const r = await vmxRequest(session, VMX_FIELD_BREAKPOINT_REQUEST, { field: n.field, enabled });
      provider.breakpointFields.clear();
      for (const f of r.fields) provider.breakpointFields.add(f);
      provider.rebuild();
      if (!r.verified && enabled)
        void vscode.window.showWarningMessage(r.message ?? `No data breakpoint on ${n.field}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Data breakpoint on ${n.field} failed: ${e instanceof Error ? e.message : e}`,
      );
    }
  }
}
