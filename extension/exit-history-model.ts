// VM-exit history view model: the adapter's `vmx/exitHistory` answer → tree nodes, newest first; clicking one
// travels to that exit (vmx/goToExit). Pure, no vscode import.
import type { VmxExitHistoryResponseBody } from "../protocol/vmx-debug";
import { baseName } from "./base-name";
import { COMMANDS } from "./command-ids";
import type { TreeNode } from "./tree-node";

export const GO_TO_EXIT_COMMAND = COMMANDS.exitHistoryGoTo.id;

export function buildExitHistory(history: VmxExitHistoryResponseBody | undefined): TreeNode[] {
  if (!history) return [];
  const nodes: TreeNode[] = [];
  for (let i = history.exits.length - 1; i >= 0; i--) {
    const e = history.exits[i]!;
    const where = e.guestLocation ? ` at ${baseName(e.guestLocation.file)}:${e.guestLocation.line + 1}` : "";
    nodes.push({
      id: `exit:${e.index}:${e.instructionCount}`,
      label: `#${e.index} ${e.reasonName}${e.entryFailure ? " (VM-entry failure)" : ""}`,
      description: `RIP ${e.guestRip} · qual ${e.qualification} · @${e.instructionCount}`,
      tooltip: [
        `**VM exit #${e.index}**: ${e.reasonName} (basic reason ${e.reason})${e.entryFailure ? ", VM-entry failure" : ""}`,
        `Exit qualification \`${e.qualification}\`, guest RIP \`${e.guestRip}\`${where}`,
        `Instruction ${e.instructionCount}. Click to go back to this exit.`,
      ].join("\n\n"),
      contextValue: "vmExit",
      collapsible: "none",
      changed: false,
      icon: e.entryFailure ? "error" : "debug-step-out",
      location: e.guestLocation,
      command: { command: GO_TO_EXIT_COMMAND, title: "Go to VM exit", arguments: [e.instructionCount] },
      children: [],
    });
  }
  if (history.total > history.exits.length) {
    nodes.push({
      id: "exit:older",
      label: `… ${history.total - history.exits.length} older exits`,
      contextValue: "vmExitOlder",
      collapsible: "none",
      changed: false,
      children: [],
    });
  }
  return nodes;
}
