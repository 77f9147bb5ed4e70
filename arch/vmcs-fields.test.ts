import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  decodeEncoding,
  encodeField,
  fieldByEncoding,
  fieldByName,
  fieldByNameOrHigh,
  highEncoding,
  VMCS,
  VMCS_FIELDS,
} from "./index";

describe("VMCS field table (SDM Appendix B)", () => {
  test("has well over 150 fields", () => {
    assert.ok(VMCS_FIELDS.length > 170, `only ${VMCS_FIELDS.length}`);
  });

  test("every encoding's width and type bits agree with its entry", () => {
    for (const f of VMCS_FIELDS) {
      const d = decodeEncoding(f.encoding);
      assert.equal(d.width, f.width, f.name);
      assert.equal(d.type, f.type, f.name);
      assert.equal(d.accessType, "full", f.name);
      assert.equal(d.reservedBitsSet, false, f.name);
      assert.equal(d.valid, true, `${f.name}: ${d.problems.join("; ")}`);
      assert.equal(d.field, f);
    }
  });

  test("every entry's SDM subsection matches its width and type", () => {
    const widthPart = { "16": "1", "64": "2", "32": "3", natural: "4" } as const;
    const typePart = { control: "1", "read-only": "2", guest: "3", host: "4" } as const;
    for (const f of VMCS_FIELDS) {
      // B.1.x has no read-only block, so its guest/host subsections are numbered one lower.
      const t = f.width === "16" ? String(Number(typePart[f.type]) - (f.type === "control" ? 0 : 1)) : typePart[f.type];
      assert.equal(f.sdm, `B.${widthPart[f.width]}.${t}`, f.name);
    }
  });

  test("no duplicate encodings, names or aliases", () => {
    const encodings = new Set<number>();
    const names = new Set<string>();
    for (const f of VMCS_FIELDS) {
      assert.ok(!encodings.has(f.encoding), `duplicate encoding 0x${f.encoding.toString(16)}`);
      encodings.add(f.encoding);
      for (const n of [f.name, ...(f.aliases ?? [])]) {
        assert.ok(!names.has(n), `duplicate name ${n}`);
        names.add(n);
      }
    }
    for (const f of VMCS_FIELDS) assert.ok(!names.has(`${f.name}_HIGH`), `${f.name}_HIGH collides with a name`);
  });

  test("every 64-bit field has a HIGH form and no other field does", () => {
    for (const f of VMCS_FIELDS) {
      const high = f.encoding | 1;
      const r = fieldByEncoding(high);
      if (f.width === "64") {
        assert.deepEqual(r, { field: f, high: true }, f.name);
        assert.equal(highEncoding(f), high);
        assert.deepEqual(fieldByNameOrHigh(`${f.name}_HIGH`), { field: f, high: true });
      } else {
        assert.equal(r, undefined, f.name);
        assert.equal(highEncoding(f), undefined);
        assert.equal(fieldByNameOrHigh(`${f.name}_HIGH`), undefined);
        assert.match(decodeEncoding(high).problems.join(), /HIGH access/);
      }
    }
  });

  test("VMCS constants map names to encodings", () => {
    assert.equal(VMCS.GUEST_CR0, 0x6800);
    assert.equal(VMCS.HOST_CR0, 0x6c00);
    assert.equal(VMCS.GUEST_RIP, 0x681e);
    assert.equal(VMCS.VM_INSTRUCTION_ERROR, 0x4400);
    assert.equal(VMCS.EPT_POINTER, 0x201a);
    assert.equal(Object.keys(VMCS).length, VMCS_FIELDS.length);
    assert.ok(Object.isFrozen(VMCS));
  });

  test("well-known encodings from the SDM tables", () => {
    // Spot checks against SDM Tables B-1 .. B-15, one per block and the newer fields.
    const expected: [string, number][] = [
      ["VIRTUAL_PROCESSOR_ID", 0x0000],
      ["LAST_PID_POINTER_INDEX", 0x0008],
      ["PML_INDEX", 0x0812],
      ["HOST_TR_SELECTOR", 0x0c0c],
      ["EXECUTIVE_VMCS_POINTER", 0x200c],
      ["TSC_MULTIPLIER", 0x2032],
      ["TERTIARY_PROC_BASED_VM_EXEC_CONTROLS", 0x2034],
      ["ENCLV_EXITING_BITMAP", 0x2036],
      ["GUEST_PHYSICAL_ADDRESS", 0x2400],
      ["GUEST_IA32_PKRS", 0x2818],
      ["HOST_IA32_PKRS", 0x2c06],
      ["SECONDARY_PROC_BASED_VM_EXEC_CONTROLS", 0x401e],
      ["INSTRUCTION_TIMEOUT_CONTROL", 0x4024],
      ["VM_EXIT_INSTRUCTION_INFORMATION", 0x440e],
      ["VMX_PREEMPTION_TIMER_VALUE", 0x482e],
      ["HOST_IA32_SYSENTER_CS", 0x4c00],
      ["CR3_TARGET_VALUE3", 0x600e],
      ["GUEST_LINEAR_ADDRESS", 0x640a],
      ["GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR", 0x682c],
      ["HOST_IA32_INTERRUPT_SSP_TABLE_ADDR", 0x6c1c],
    ];
    for (const [name, enc] of expected) assert.equal(fieldByName(name)?.encoding, enc, name);
  });

  test("fieldByName accepts aliases and any case", () => {
    assert.equal(fieldByName("guest_cr0")?.encoding, 0x6800);
    assert.equal(fieldByName("CPU_BASED_VM_EXEC_CONTROL")?.name, "PRIMARY_PROC_BASED_VM_EXEC_CONTROLS");
    assert.equal(fieldByName("NO_SUCH_FIELD"), undefined);
  });

  test("encodeField is the inverse of decodeEncoding", () => {
    for (const f of VMCS_FIELDS) {
      const d = decodeEncoding(f.encoding);
      assert.equal(encodeField(d), f.encoding);
      if (f.width === "64") assert.equal(encodeField({ ...d, accessType: "high" }), f.encoding + 1);
    }
    assert.throws(() => encodeField({ accessType: "full", index: 512, type: "guest", width: "32" }), RangeError);
  });

  test("decodeEncoding explains invalid encodings", () => {
    const reserved = decodeEncoding(0x6800 | (1 << 12));
    assert.equal(reserved.reservedBitsSet, true);
    assert.equal(reserved.valid, false);
    assert.match(reserved.problems[0]!, /reserved bit 12/);
    assert.equal(decodeEncoding(0x1_0000_6800n).reservedBitsSet, true);
    const unknown = decodeEncoding(0x482c); // the one gap in the 32-bit guest-state block
    assert.equal(unknown.valid, false);
    assert.equal(unknown.field, undefined);
    assert.match(unknown.problems[0]!, /no 32-bit guest field has index 22/);
    const high = decodeEncoding(0x6c01);
    assert.equal(high.valid, false);
    assert.match(high.problems[0]!, /only allowed for 64-bit fields/);
  });
});
