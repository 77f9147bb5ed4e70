// The VM-exit history view: newest exit first; clicking one asks the adapter to travel back to it.
import * as vscode from "vscode";
import { VMX_GO_TO_EXIT_REQUEST } from "../protocol/vmx-debug";
import { COMMANDS, VIEWS } from "./command-ids";
import { buildExitHistory } from "./exit-history-model";
import { toTreeItem } from "./tree-item";
import type { TreeNode } from "./tree-node";
import { vmxRequest } from "./vmx-requests";
import type { VmxSessionStore } from "./vmx-session";

class ExitHistoryProvider implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  constructor(private readonly store: VmxSessionStore) {
    store.onDidChange(() => this.changed.fire());
  }
  getTreeItem(n: TreeNode): vscode.TreeItem {
    return toTreeItem(n);
  }
  getChildren(n?: TreeNode): TreeNode[] {
    return n ? n.children : buildExitHistory(this.store.history);
  }
}

export function registerExitHistoryView(store: VmxSessionStore): vscode.Disposable[] {
  const view = vscode.window.createTreeView(VIEWS.exitHistory, { treeDataProvider: new ExitHistoryProvider(store) });
  return [
    view,
    vscode.commands.registerCommand(COMMANDS.exitHistoryRefresh.id, () => store.refresh()),
    vscode.commands.registerCommand(COMMANDS.exitHistoryGoTo.id, async (arg?: number | TreeNode) => {
      const session = store.session;
      const count = typeof arg === "number" ? arg : arg?.command?.arguments[0];
      if (!session || typeof count !== "number") return;
      try {
        await vmxRequest(session, VMX_GO_TO_EXIT_REQUEST, { instructionCount: count });
      } catch (e) {
        void vscode.window.showErrorMessage(`Could not go to that VM exit: ${e instanceof Error ? e.message : e}`);
      }
    }),
  ];
}
