// TreeNode (pure model) → vscode.TreeItem, shared by the VMCS and VM-exit history views.
import * as vscode from "vscode";
import { VMCS_NODE_SCHEME } from "./command-ids";
import type { TreeNode } from "./tree-node";

const COLLAPSIBLE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

export function toTreeItem(n: TreeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(n.label, COLLAPSIBLE[n.collapsible]);
  item.id = n.id;
  item.description = n.description;
  if (n.tooltip) item.tooltip = new vscode.MarkdownString(n.tooltip);
  item.contextValue = n.contextValue;
  if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon);
  if (n.command) item.command = n.command;
  // The resource URI lets ChangedValueDecorations colour changed nodes (TreeItem labels have no colour API).
  item.resourceUri = vscode.Uri.from({
    scheme: VMCS_NODE_SCHEME,
    path: `/${encodeURIComponent(n.id)}`,
    query: n.changed ? "changed" : "",
  });
  return item;
}

/** Colours the label of every changed node (peripheral-viewer style) and explains the colour on hover. */
export class ChangedValueDecorations implements vscode.FileDecorationProvider {
  constructor(private readonly color: string) {}
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== VMCS_NODE_SCHEME || uri.query !== "changed") return undefined;
    return { color: new vscode.ThemeColor(this.color), badge: "●", tooltip: "Changed since the last stop" };
  }
}
