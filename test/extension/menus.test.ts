// The VMCS view's context menu: each `when` clause of contributes.json evaluated against the context values
// the tree model gives its nodes, so the menu offers exactly the actions that apply to a node.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { COMMANDS, VIEWS } from "../../extension/command-ids";
import type { TreeNode } from "../../extension/tree-node";
import { buildVmcsTree, fieldNodeId, findNode } from "../../extension/vmcs-tree-model";
import { fieldOf, fieldState, stateWith } from "./fixtures";

const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "extension", "contributes.json"), "utf8"));
const itemMenu: { command: string; when: string; group: string }[] = manifest.contributes.menus["view/item/context"];

/** Evaluates the subset of VS Code's when-clause language the manifest uses: `&&` of `k == v`, `k =~ /re/`, `k`. */
function when(clause: string, context: Record<string, string | boolean>): boolean {
  return clause.split("&&").every((raw) => {
    const term = raw.trim();
    const eq = /^(\S+)\s*==\s*(\S+)$/.exec(term);
    if (eq) return context[eq[1]!] === eq[2];
    const re = /^(\S+)\s*=~\s*\/(.*)\/$/.exec(term);
    if (re) return new RegExp(re[2]!).test(String(context[re[1]!] ?? ""));
    if (/^[\w.]+$/.test(term)) return context[term] === true;
    throw new Error(`unsupported when clause term: ${term}`);
  });
}

function menuFor(n: TreeNode, inDebugMode = true): string[] {
  const ctx = { view: VIEWS.vmcs, viewItem: n.contextValue, inDebugMode };
  return itemMenu.filter((m) => m.group !== "inline" && when(m.when, ctx)).map((m) => m.command);
}

const guest = fieldOf("guest-state", "32");
const ro = fieldOf("vm-exit-information", "32");
const provenance = { file: "/ws/hv.asm", line: 3, column: 0, address: "0x1" as const, instructionCount: 1 };
const tree = buildVmcsTree(
  stateWith([
    fieldState(guest, "0x1", {
      provenance,
      bits: [{ name: "X", lsb: 0, width: 1, value: "0x1", changed: false }],
    }),
    fieldState(ro, "0x2"),
  ]),
);
const writable = findNode(tree, fieldNodeId(guest.name))!;
const readOnly = findNode(tree, fieldNodeId(ro.name))!;

describe("VMCS view context menu", () => {
  test("a writable field with provenance: copy, edit, go to VMWRITE, break on change, decimal, binary", () => {
    assert.deepEqual(menuFor(writable), [
      COMMANDS.vmcsCopyValue.id,
      COMMANDS.vmcsEditValue.id,
      COMMANDS.vmcsGoToVmwrite.id,
      COMMANDS.vmcsAddBreakpoint.id,
      COMMANDS.vmcsShowDecimal.id,
      COMMANDS.vmcsShowBinary.id,
    ]);
  });
  test("a read-only field set by the CPU: no edit and no go-to", () => {
    const m = menuFor(readOnly);
    assert.ok(!m.includes(COMMANDS.vmcsEditValue.id));
    assert.ok(!m.includes(COMMANDS.vmcsGoToVmwrite.id));
    assert.ok(m.includes(COMMANDS.vmcsCopyValue.id));
  });
  test("a field shown in decimal offers hex and binary", () => {
    const dec = findNode(
      buildVmcsTree(stateWith([fieldState(guest, "0x1")]), { formats: new Map([[fieldNodeId(guest.name), "dec"]]) }),
      fieldNodeId(guest.name),
    )!;
    const m = menuFor(dec);
    assert.ok(m.includes(COMMANDS.vmcsShowHex.id) && m.includes(COMMANDS.vmcsShowBinary.id));
    assert.ok(!m.includes(COMMANDS.vmcsShowDecimal.id));
  });
  test("a field with a breakpoint offers removing it, not adding another", () => {
    const bp = findNode(
      buildVmcsTree(stateWith([fieldState(guest, "0x1")]), { breakpointFields: new Set([guest.name]) }),
      fieldNodeId(guest.name),
    )!;
    const m = menuFor(bp);
    assert.ok(m.includes(COMMANDS.vmcsRemoveBreakpoint.id));
    assert.ok(!m.includes(COMMANDS.vmcsAddBreakpoint.id));
  });
  test("outside a debug session nothing writes to the adapter", () => {
    const m = menuFor(writable, false);
    assert.ok(!m.includes(COMMANDS.vmcsEditValue.id));
    assert.ok(!m.includes(COMMANDS.vmcsAddBreakpoint.id));
  });
  test("bit fields can be copied and reformatted but not edited; groups and the header get no value actions", () => {
    const bit = writable.children[0]!;
    assert.deepEqual(menuFor(bit), [COMMANDS.vmcsCopyValue.id, COMMANDS.vmcsShowHex.id, COMMANDS.vmcsShowBinary.id]);
    assert.deepEqual(menuFor(tree[0]!), []);
    assert.deepEqual(menuFor(findNode(tree, "group:guest-state")!), []);
  });
  test("the inline action on fields with provenance is Go to VMWRITE", () => {
    const inline = itemMenu.filter((m) => m.group === "inline");
    assert.deepEqual(
      inline.map((m) => m.command),
      [COMMANDS.vmcsGoToVmwrite.id],
    );
    assert.ok(when(inline[0]!.when, { view: VIEWS.vmcs, viewItem: writable.contextValue }));
    assert.ok(!when(inline[0]!.when, { view: VIEWS.vmcs, viewItem: readOnly.contextValue }));
  });
});
