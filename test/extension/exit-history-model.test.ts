import assert from "node:assert/strict";
import { test } from "node:test";
import { buildExitHistory, GO_TO_EXIT_COMMAND } from "../../extension/exit-history-model";
import type { VmExitHistoryEntry } from "../../protocol/vmx-debug";

function exit(
  index: number,
  reasonName: string,
  instructionCount: number,
  extra: Partial<VmExitHistoryEntry> = {},
): VmExitHistoryEntry {
  return {
    index,
    reason: index + 10,
    reasonName,
    entryFailure: false,
    qualification: "0x0",
    guestRip: "0x8000",
    instructionCount,
    ...extra,
  };
}

test("no session: no nodes", () => {
  assert.deepEqual(buildExitHistory(undefined), []);
});

test("exits are listed newest first with reason, qualification, RIP and instruction count", () => {
  const nodes = buildExitHistory({ exits: [exit(0, "CPUID", 100), exit(1, "HLT", 250)], total: 2 });
  assert.deepEqual(
    nodes.map((n) => n.label),
    ["#1 HLT", "#0 CPUID"],
  );
  assert.equal(nodes[0]!.description, "RIP 0x8000 · qual 0x0 · @250");
});

test("clicking an exit travels to its instruction count", () => {
  const [n] = buildExitHistory({ exits: [exit(3, "VMCALL", 777)], total: 4 });
  assert.equal(n!.command?.command, GO_TO_EXIT_COMMAND);
  assert.deepEqual(n!.command?.arguments, [777]);
});

test("a capped list says how many older exits are not shown", () => {
  const nodes = buildExitHistory({ exits: [exit(8, "HLT", 1)], total: 9 });
  assert.equal(nodes.at(-1)?.label, "… 8 older exits");
});

test("an entry-failure exit is marked and its guest source location is kept", () => {
  const loc = { file: "/ws/guest.s", line: 9, column: 0 };
  const [n] = buildExitHistory({
    exits: [exit(0, "VM-entry failure due to invalid guest state", 5, { entryFailure: true, guestLocation: loc })],
    total: 1,
  });
  assert.match(n!.label, /VM-entry failure\)$/);
  assert.deepEqual(n!.location, loc);
  assert.match(n!.tooltip ?? "", /guest\.s:10/);
});
