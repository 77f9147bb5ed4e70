// The vscode-free description of a tree item: the view providers turn it into a vscode.TreeItem.
import type { SourceLocation } from "../protocol/vmx-debug";

export interface TreeNode {
  /** Stable across refreshes so VS Code keeps expansion state. */
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  /** Space-separated tokens that drive the context menu (package.json `viewItem =~ /\btoken\b/`). */
  contextValue: string;
  collapsible: "none" | "collapsed" | "expanded";
  children: TreeNode[];
  /** Changed since the last stop: the view highlights it. */
  changed: boolean;
  /** Codicon id. */
  icon?: string;
  /** VMCS field name, for the field commands. */
  field?: string;
  /** The value as shown, for "Copy Value". */
  copyText?: string;
  /** Source of the VMWRITE that last set the field. */
  location?: SourceLocation;
  /** Invoked on click. */
  command?: { command: string; title: string; arguments: unknown[] };
}
