// protocol/vmx-state.ts: the adapter-side builders of the VMCS view's payload, checked against arch/.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CR0, EXIT_REASON, EXIT_REASONS, fieldByName, VMCS_FIELDS, vmcsFieldBits } from "../../arch/index";
import { fromHexString, toHexString } from "../../protocol/vmx-debug";
import { truncateToField, vmcsFieldState, vmExitHistoryEntry, vmExitSummary } from "../../protocol/vmx-state";

// The field whose layout is CR0's: found through arch, not by writing its name here.
const cr0Field = VMCS_FIELDS.find((f) => f.type === "guest" && vmcsFieldBits(f)?.some((b) => b.name === "PG"))!;
const plain16 = VMCS_FIELDS.find((f) => f.width === "16" && !vmcsFieldBits(f))!;

describe("vmcsFieldState", () => {
  test("carries arch's metadata and the value as hex", () => {
    const s = vmcsFieldState(cr0Field, BigInt(CR0.PE) | BigInt(CR0.PG));
    assert.equal(s.name, cr0Field.name);
    assert.equal(s.encoding, cr0Field.encoding);
    assert.equal(s.group, cr0Field.group);
    assert.equal(fromHexString(s.value), BigInt(CR0.PE) | BigInt(CR0.PG));
  });
  test("lists every bit field of the layout with its value", () => {
    const s = vmcsFieldState(cr0Field, BigInt(CR0.PG));
    assert.equal(s.bits.length, vmcsFieldBits(cr0Field)!.length);
    assert.equal(s.bits.find((b) => b.name === "PG")?.value, "0x1");
    assert.equal(s.bits.find((b) => b.name === "PE")?.value, "0x0");
  });
  test("no previous value: nothing is changed; a previous value flags the field and exactly the bits that differ", () => {
    assert.equal(vmcsFieldState(cr0Field, 1n).changed, false);
    const s = vmcsFieldState(cr0Field, BigInt(CR0.PE) | BigInt(CR0.PG), { previous: BigInt(CR0.PE) });
    assert.equal(s.changed, true);
    assert.deepEqual(
      s.bits.filter((b) => b.changed).map((b) => b.name),
      ["PG"],
    );
    assert.equal(vmcsFieldState(cr0Field, 5n, { previous: 5n }).changed, false);
  });
  test("fields without a layout have no bits; values are cut to the field width", () => {
    const s = vmcsFieldState(plain16, 0x12345n);
    assert.deepEqual(s.bits, []);
    assert.equal(s.value, "0x2345");
    assert.equal(truncateToField({ width: "natural" }, -1n), 0xffff_ffff_ffff_ffffn);
  });
  test("enumerated bit-field values get their names", () => {
    const withValues = VMCS_FIELDS.map((f) => ({ f, b: vmcsFieldBits(f)?.find((x) => x.values) })).find((x) => x.b)!;
    const [num, name] = Object.entries(withValues.b!.values!)[0]!;
    const s = vmcsFieldState(withValues.f, BigInt(num) << BigInt(withValues.b!.lsb));
    assert.equal(s.bits.find((b) => b.name === withValues.b!.name)?.meaning, name);
  });
  test("provenance is passed through", () => {
    const p = { file: "/a.s", line: 3, column: 4, address: toHexString(0x1000), instructionCount: 7 };
    assert.deepEqual(vmcsFieldState(fieldByName(cr0Field.name)!, 0n, { provenance: p }).provenance, p);
  });
});

describe("exit summaries", () => {
  test("basic reason, name and the VM-entry failure bit are split out", () => {
    const s = vmExitSummary(BigInt(EXIT_REASON.CPUID), 0n);
    assert.equal(s.reason, EXIT_REASON.CPUID);
    assert.equal(s.reasonName, EXIT_REASONS[EXIT_REASON.CPUID]!.name);
    assert.equal(s.entryFailure, false);
    const f = vmExitSummary((1n << 31n) | 33n, 0n);
    assert.equal(f.entryFailure, true);
    assert.equal(f.reason, 33);
  });
  test("an unknown reason is named by number", () => {
    assert.equal(vmExitSummary(0xfffen, 0n).reasonName, "reason 65534");
  });
  test("history entries carry RIP as hex and the instruction count", () => {
    const e = vmExitHistoryEntry(2, BigInt(EXIT_REASON.HLT), 0n, 0x8000n, 1234);
    assert.equal(e.guestRip, "0x8000");
    assert.equal(e.instructionCount, 1234);
    assert.equal(e.index, 2);
  });
});
