// VMCS view model: the adapter's `vmx/state` answer → tree nodes (state header, six groups, fields, bit
// fields), in the peripheral-viewer style. Pure (no vscode import) so the tests run under node.
import type { VmcsBitState, VmcsFieldState, VmcsGroup, VmxStateResponseBody } from "../protocol/vmx-debug";
import { fromHexString } from "../protocol/vmx-debug";
import { COMMANDS } from "./command-ids";
import { formatNumber, type NumberFormat, widthInBits } from "./number-format";
import type { TreeNode } from "./tree-node";
import { describeWrite, writeSite } from "./write-site";

/** SDM 25.3 – 25.9 order of the VMCS regions. */
export const VMCS_GROUP_ORDER: readonly { group: VmcsGroup; label: string }[] = [
  { group: "guest-state", label: "Guest state" },
  { group: "host-state", label: "Host state" },
  { group: "vm-execution-control", label: "VM-execution controls" },
  { group: "vm-exit-control", label: "VM-exit controls" },
  { group: "vm-entry-control", label: "VM-entry controls" },
  { group: "vm-exit-information", label: "VM-exit information" },
];

export interface VmcsTreeOptions {
  /** Per-node number format, keyed by node id; hex when absent. */
  formats?: ReadonlyMap<string, NumberFormat>;
  /** Fields with a data breakpoint set from the view. */
  breakpointFields?: ReadonlySet<string>;
}

const MODE_LABEL = { off: "off", root: "root operation", "non-root": "non-root operation (guest)" } as const;

/** Builds the whole tree. No state (no VMX debug session) → no nodes, so the view shows its welcome text. */
export function buildVmcsTree(state: VmxStateResponseBody | undefined, options: VmcsTreeOptions = {}): TreeNode[] {
  if (!state) return [];
  const nodes: TreeNode[] = [stateNode(state)];
  if (state.lastEntryFailure) {
    const f = state.lastEntryFailure;
    nodes.push(
      leaf("vmx:entryFailure", "VM-entry failure", `${f.checkId} (SDM ${f.sdm})`, "vmxEntryFailure", {
        tooltip: `**${f.checkId}** (SDM ${f.sdm}): ${f.message}`,
        icon: "error",
        changed: true,
        command: { command: COMMANDS.explainEntryFailure.id, title: "Explain", arguments: [] },
      }),
    );
  }
  if (state.fields.length === 0) return nodes;
  for (const { group, label } of VMCS_GROUP_ORDER) {
    const fields = state.fields.filter((f) => f.group === group);
    if (fields.length === 0) continue;
    const changedCount = fields.filter((f) => f.changed).length;
    nodes.push({
      id: `group:${group}`,
      label,
      description: changedCount > 0 ? `${fields.length} fields, ${changedCount} changed` : `${fields.length} fields`,
      contextValue: "vmcsGroup",
      collapsible: "collapsed",
      changed: changedCount > 0,
      icon: "symbol-namespace",
      children: fields.map((f) => fieldNode(f, options)),
    });
  }
  return nodes;
}

function stateNode(s: VmxStateResponseBody): TreeNode {
  const children: TreeNode[] = [];
  if (s.vmxonPointer) children.push(leaf("vmx:vmxon", "VMXON pointer", s.vmxonPointer, "vmxStateValue"));
  children.push(leaf("vmx:vmcs", "Current VMCS", s.currentVmcs ?? "none", "vmxStateValue"));
  if (s.launchState) children.push(leaf("vmx:launch", "Launch state", s.launchState, "vmxStateValue"));
  if (s.lastExit) {
    const e = s.lastExit;
    children.push(
      leaf(
        "vmx:lastExit",
        "Last VM exit",
        `${e.reasonName} (${e.reason})${e.entryFailure ? ", VM-entry failure" : ""}, qualification ${e.qualification}`,
        "vmxStateValue",
        { tooltip: e.description },
      ),
    );
  }
  const exit = s.lastExit ? ` · last exit ${s.lastExit.reasonName}` : "";
  return {
    id: "vmx:state",
    label: "VMX",
    description: `${MODE_LABEL[s.mode]}${exit}`,
    contextValue: "vmxState",
    collapsible: "expanded",
    changed: false,
    icon: s.mode === "non-root" ? "vm-running" : s.mode === "root" ? "vm" : "vm-outline",
    children,
  };
}

function leaf(
  id: string,
  label: string,
  description: string,
  contextValue: string,
  extra: Partial<TreeNode> = {},
): TreeNode {
  return { id, label, description, contextValue, collapsible: "none", children: [], changed: false, ...extra };
}

const WIDTH_LABEL = { "16": "16-bit", "32": "32-bit", "64": "64-bit", natural: "natural-width" } as const;

/** The node id of a field; formats and expansion state are keyed by it. */
export function fieldNodeId(name: string): string {
  return `field:${name}`;
}

function fieldNode(f: VmcsFieldState, options: VmcsTreeOptions): TreeNode {
  const id = fieldNodeId(f.name);
  const bits = widthInBits(f.width);
  const value = fromHexString(f.value);
  const format = options.formats?.get(id) ?? "hex";
  const shown = value === undefined ? f.value : formatNumber(value, bits, format);
  const readOnly = f.type === "read-only";
  const hasBreakpoint = options.breakpointFields?.has(f.name) ?? false;
  const tokens = ["vmcsField", readOnly ? "readOnly" : "writable", `format-${format}`];
  if (f.provenance) tokens.push("provenance");
  tokens.push(hasBreakpoint ? "breakpoint" : "noBreakpoint");
  const tooltip = [
    `**${f.name}** — encoding \`0x${f.encoding.toString(16).padStart(4, "0")}\``,
    `${WIDTH_LABEL[f.width]}, ${f.type}${readOnly ? " (read-only)" : ""}, SDM ${f.sdm}`,
    f.description ?? "",
    `Value: \`${value === undefined ? f.value : formatNumber(value, bits, "hex")}\`${value === undefined ? "" : ` = ${value.toString(10)}`}`,
    f.provenance ? `Last set at ${describeWrite(f.provenance)}, instruction ${f.provenance.instructionCount}` : "",
  ]
    .filter((l) => l.length > 0)
    .join("\n\n");
  return {
    id,
    label: f.name,
    description: `${shown} · ${WIDTH_LABEL[f.width]}${readOnly ? " · RO" : ""}${hasBreakpoint ? " · ⬤" : ""}`,
    tooltip,
    contextValue: tokens.join(" "),
    collapsible: f.bits.length > 0 ? "collapsed" : "none",
    changed: f.changed,
    icon: readOnly ? "lock" : "symbol-field",
    field: f.name,
    copyText: shown,
    location: f.provenance && writeSite(f.provenance),
    children: f.bits.map((b) => bitNode(f.name, b, options)),
  };
}

function bitNode(field: string, b: VmcsBitState, options: VmcsTreeOptions): TreeNode {
  const id = `bit:${field}:${b.lsb}:${b.name}`;
  const range = b.width === 1 ? `[${b.lsb}]` : `[${b.lsb + b.width - 1}:${b.lsb}]`;
  const value = fromHexString(b.value);
  const format = options.formats?.get(id) ?? (b.width === 1 ? "dec" : "hex");
  const shown = value === undefined ? b.value : formatNumber(value, b.width, format);
  return {
    id,
    label: `${b.name} ${range}`,
    description: b.meaning ? `${shown} (${b.meaning})` : shown,
    tooltip: b.description,
    contextValue: `vmcsBits format-${format}`,
    collapsible: "none",
    changed: b.changed,
    icon: b.width === 1 ? (value === 1n ? "pass-filled" : "circle-large-outline") : "symbol-number",
    copyText: shown,
    children: [],
  };
}

/** Finds a node by id anywhere in the tree. */
export function findNode(nodes: readonly TreeNode[], id: string): TreeNode | undefined {
  for (const n of nodes) {
    if (n.id === id) return n;
    const inner = findNode(n.children, id);
    if (inner) return inner;
  }
  return undefined;
}
