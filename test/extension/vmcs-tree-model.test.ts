import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildVmcsTree, fieldNodeId, findNode, VMCS_GROUP_ORDER } from "../../extension/vmcs-tree-model";
import { fieldOf, fieldState, stateWith } from "./fixtures";

const guest32 = fieldOf("guest-state", "32");
const hostNat = fieldOf("host-state", "natural");
const exitInfo = fieldOf("vm-exit-information", "32");
const control = fieldOf("vm-execution-control", "32");

describe("buildVmcsTree", () => {
  test("no VMX session: no nodes, so the view shows its welcome text", () => {
    assert.deepEqual(buildVmcsTree(undefined), []);
  });

  test("VMX off: only the state header, no groups", () => {
    const nodes = buildVmcsTree(
      stateWith([], { mode: "off", vmxonPointer: undefined, currentVmcs: undefined, launchState: undefined }),
    );
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0]!.id, "vmx:state");
    assert.match(nodes[0]!.description ?? "", /off/);
    assert.equal(findNode(nodes, "vmx:vmcs")?.description, "none");
  });

  test("header shows mode, VMXON pointer, current VMCS, launch state and last exit", () => {
    const nodes = buildVmcsTree(
      stateWith([], {
        mode: "non-root",
        launchState: "launched",
        lastExit: { reason: 10, reasonName: "CPUID", entryFailure: false, qualification: "0x0" },
      }),
    );
    const header = nodes[0]!;
    assert.match(header.description ?? "", /non-root/);
    assert.match(header.description ?? "", /CPUID/);
    assert.equal(findNode(nodes, "vmx:vmxon")?.description, "0x1000");
    assert.equal(findNode(nodes, "vmx:vmcs")?.description, "0x2000");
    assert.equal(findNode(nodes, "vmx:launch")?.description, "launched");
    assert.match(findNode(nodes, "vmx:lastExit")?.description ?? "", /CPUID \(10\)/);
  });

  test("groups come in SDM order and only when they have fields", () => {
    const nodes = buildVmcsTree(
      stateWith([fieldState(exitInfo, "0x0"), fieldState(hostNat, "0x0"), fieldState(guest32, "0x0")]),
    );
    const groups = nodes.filter((n) => n.contextValue === "vmcsGroup").map((n) => n.id);
    assert.deepEqual(groups, ["group:guest-state", "group:host-state", "group:vm-exit-information"]);
    assert.equal(VMCS_GROUP_ORDER.length, 6);
  });

  test("a field shows its value padded to its width, its width, and a read-only marker", () => {
    const nodes = buildVmcsTree(stateWith([fieldState(guest32, "0x21"), fieldState(exitInfo, "0xa")]));
    const g = findNode(nodes, fieldNodeId(guest32.name))!;
    assert.equal(g.label, guest32.name);
    assert.equal(g.description, "0x00000021 · 32-bit");
    assert.match(g.contextValue, /\bwritable\b/);
    const e = findNode(nodes, fieldNodeId(exitInfo.name))!;
    assert.equal(e.description, "0x0000000a · 32-bit · RO");
    assert.match(e.contextValue, /\breadOnly\b/);
    assert.doesNotMatch(e.contextValue, /\bwritable\b/);
  });

  test("per-node formats switch a field to decimal or binary", () => {
    const formats = new Map([[fieldNodeId(guest32.name), "dec" as const]]);
    const nodes = buildVmcsTree(stateWith([fieldState(guest32, "0x21")]), { formats });
    assert.equal(findNode(nodes, fieldNodeId(guest32.name))?.copyText, "33");
    const bin = buildVmcsTree(stateWith([fieldState(guest32, "0x21")]), {
      formats: new Map([[fieldNodeId(guest32.name), "bin" as const]]),
    });
    assert.equal(findNode(bin, fieldNodeId(guest32.name))?.copyText, "0b0000_0000_0000_0000_0000_0000_0010_0001");
  });

  test("changed fields are flagged and counted on their group", () => {
    const nodes = buildVmcsTree(
      stateWith([fieldState(guest32, "0x1", { changed: true }), fieldState(fieldOf("guest-state", "16"), "0x0")]),
    );
    assert.equal(findNode(nodes, fieldNodeId(guest32.name))?.changed, true);
    const group = findNode(nodes, "group:guest-state")!;
    assert.equal(group.changed, true);
    assert.match(group.description ?? "", /1 changed/);
  });

  test("decoded bit fields become children with bit ranges", () => {
    const nodes = buildVmcsTree(
      stateWith([
        fieldState(control, "0x80", {
          bits: [
            { name: "HLT exiting", lsb: 7, width: 1, value: "0x1", changed: true },
            { name: "Type", lsb: 8, width: 4, value: "0xb", meaning: "64-bit busy TSS", changed: false },
          ],
        }),
      ]),
    );
    const f = findNode(nodes, fieldNodeId(control.name))!;
    assert.equal(f.collapsible, "collapsed");
    assert.equal(f.children.length, 2);
    assert.equal(f.children[0]!.label, "HLT exiting [7]");
    assert.equal(f.children[0]!.description, "1");
    assert.equal(f.children[0]!.changed, true);
    assert.equal(f.children[1]!.label, "Type [11:8]");
    assert.equal(f.children[1]!.description, "0xb (64-bit busy TSS)");
  });

  test("provenance enables 'go to VMWRITE' and is described in the tooltip", () => {
    const provenance = { file: "/ws/hv.asm", line: 41, column: 4, address: "0x7c30" as const, instructionCount: 120 };
    const nodes = buildVmcsTree(stateWith([fieldState(guest32, "0x1", { provenance })]));
    const f = findNode(nodes, fieldNodeId(guest32.name))!;
    assert.match(f.contextValue, /\bprovenance\b/);
    assert.deepEqual(f.location, provenance);
    assert.match(f.tooltip ?? "", /hv\.asm:42/);
  });

  test("a write through a CALLed one-VMWRITE helper goes to the CALL and names both lines", () => {
    const calledFrom = { file: "/ws/hv.asm", line: 99, column: 8 };
    const provenance = {
      file: "/ws/lib.asm",
      line: 7,
      column: 8,
      address: "0x7c30" as const,
      instructionCount: 120,
      calledFrom,
    };
    const f = findNode(
      buildVmcsTree(stateWith([fieldState(guest32, "0x1", { provenance })])),
      fieldNodeId(guest32.name),
    )!;
    assert.deepEqual(f.location, calledFrom);
    assert.match(f.tooltip ?? "", /hv\.asm:100 \(through the VMWRITE at lib\.asm:8\)/);
  });

  test("a field with a view data breakpoint says so in its context value", () => {
    const nodes = buildVmcsTree(stateWith([fieldState(guest32, "0x1")]), { breakpointFields: new Set([guest32.name]) });
    assert.match(findNode(nodes, fieldNodeId(guest32.name))!.contextValue, /\bbreakpoint\b/);
  });

  test("a VM-entry failure adds a node that runs the explain command", () => {
    const nodes = buildVmcsTree(
      stateWith([], {
        lastEntryFailure: {
          kind: "entryFailureExit",
          instruction: "vmlaunch",
          checkId: "GCR-03",
          sdm: "26.3.1.1",
          message: "CR0.PG=1 requires CR0.PE=1.",
          fields: [],
        },
      }),
    );
    const n = findNode(nodes, "vmx:entryFailure")!;
    assert.equal(n.command?.command, "vmx.explainEntryFailure");
    assert.match(n.description ?? "", /GCR-03/);
  });
});
