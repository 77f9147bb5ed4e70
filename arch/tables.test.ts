import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ACCESS_RIGHTS,
  CONTROL_SETS,
  CR0,
  CR4,
  controlByTitle,
  decodeAccessRights,
  describeAccessRights,
  EFER,
  EXIT_REASON,
  EXIT_REASONS,
  encodeAccessRights,
  formatValue,
  MSR,
  MSRS,
  msrByIndex,
  msrByName,
  PROC_BASED,
  RFLAGS,
  VM_INSTRUCTION_ERRORS,
  VMCS_FIELDS,
  VMX_INSTRUCTIONS,
  vmxInstruction,
} from "./index";

describe("control bit tables", () => {
  test("names and bits are unique within each set and masks match bits", () => {
    for (const set of CONTROL_SETS) {
      const bits = new Set<number>();
      const names = new Set<string>();
      for (const b of set.bits) {
        assert.ok(!bits.has(b.bit), `${set.name} bit ${b.bit} twice`);
        assert.ok(!names.has(b.name), `${set.name} ${b.name} twice`);
        assert.ok(b.bit >= 0 && b.bit < set.width);
        bits.add(b.bit);
        names.add(b.name);
      }
    }
    assert.equal(PROC_BASED.HLT_EXITING, 0x80);
    assert.equal(PROC_BASED.ACTIVATE_SECONDARY_CONTROLS, 0x80000000);
  });

  test("default1 flags follow the SDM default1 classes", () => {
    const proc = CONTROL_SETS.find((s) => s.name === "PROC_BASED")!;
    assert.deepEqual(
      proc.bits.filter((b) => b.default1).map((b) => b.name),
      ["CR3_LOAD_EXITING", "CR3_STORE_EXITING"],
    );
    const exit = CONTROL_SETS.find((s) => s.name === "EXIT_CTLS")!;
    assert.deepEqual(
      exit.bits.filter((b) => b.default1).map((b) => b.name),
      ["SAVE_DEBUG_CONTROLS"],
    );
    const entry = CONTROL_SETS.find((s) => s.name === "ENTRY_CTLS")!;
    assert.deepEqual(
      entry.bits.filter((b) => b.default1).map((b) => b.name),
      ["LOAD_DEBUG_CONTROLS"],
    );
  });

  test("every VMCS field's feature names a control (or a documented non-control feature)", () => {
    const nonControls = new Set(["Intel TDX", "EPTP switching"]);
    for (const f of VMCS_FIELDS) {
      if (!f.feature) continue;
      for (const part of f.feature.split(" or ")) {
        assert.ok(nonControls.has(part) || controlByTitle(part), `${f.name}: feature '${part}' is not a control`);
      }
    }
  });
});

describe("exit reasons and VM-instruction errors", () => {
  test("basic exit reasons 0..79 with the SDM's gaps", () => {
    assert.equal(EXIT_REASONS[10]?.name, "CPUID");
    assert.equal(EXIT_REASON.HLT, 12);
    assert.equal(EXIT_REASON.VM_ENTRY_FAILURE_INVALID_GUEST_STATE, 33);
    assert.equal(EXIT_REASON.EPT_VIOLATION, 48);
    for (const gap of [35, 38, 42, 71]) assert.equal(EXIT_REASONS[gap], undefined, String(gap));
    assert.equal(Object.keys(EXIT_REASONS).length, 80 - 4);
  });

  test("VM-instruction errors 1..28", () => {
    for (let n = 1; n <= 28; n++) assert.ok(VM_INSTRUCTION_ERRORS[n], String(n));
    assert.equal(VM_INSTRUCTION_ERRORS[0], undefined);
    assert.equal(VM_INSTRUCTION_ERRORS[29], undefined);
    assert.match(VM_INSTRUCTION_ERRORS[12]!, /unsupported VMCS component/);
  });
});

describe("registers and access rights", () => {
  test("bit constants", () => {
    assert.equal(CR0.PE, 1);
    assert.equal(CR0.PG, 0x80000000);
    assert.equal(CR4.VMXE, 0x2000);
    assert.equal(EFER.LMA, 0x400);
    assert.equal(RFLAGS.IOPL, 0x3000);
    assert.equal(ACCESS_RIGHTS.UNUSABLE, 0x10000);
  });

  test("access rights decode and encode round-trip", () => {
    for (const v of [0xa09b, 0xc093, 0x8b, 0x10000, 0x82]) assert.equal(encodeAccessRights(decodeAccessRights(v)), v);
    assert.equal(describeAccessRights(0xa09b), "code execute/read, accessed, DPL=0, P, L, G");
    assert.equal(describeAccessRights(0x8b), "32/64-bit TSS (busy), DPL=0, P");
    assert.equal(describeAccessRights(0x10000), "unusable");
    assert.match(describeAccessRights(0xa09b | 0x100), /reserved bits set/);
  });
});

describe("MSR table", () => {
  test("indices and names are unique; VMX capability MSRs are read-only", () => {
    assert.equal(new Set(MSRS.map((m) => m.index)).size, MSRS.length);
    assert.equal(new Set(MSRS.map((m) => m.name)).size, MSRS.length);
    for (let i = 0x480; i <= 0x493; i++) assert.equal(msrByIndex(i)?.access, "ro", i.toString(16));
  });

  test("lookups", () => {
    assert.equal(MSR.IA32_VMX_BASIC, 0x480);
    assert.equal(MSR.IA32_FEATURE_CONTROL, 0x3a);
    assert.equal(MSR.IA32_EFER, 0xc0000080);
    assert.equal(msrByName("efer")?.index, 0xc0000080);
    assert.equal(msrByName("MSR_LSTAR")?.index, 0xc0000082);
    assert.equal(msrByIndex(0x12345), undefined);
  });

  test("bit fields of one MSR do not overlap", () => {
    for (const m of MSRS) {
      let used = 0n;
      for (const f of m.bits ?? []) {
        const mask = ((1n << BigInt(f.msb - f.lsb + 1)) - 1n) << BigInt(f.lsb);
        assert.equal(used & mask, 0n, `${m.name}.${f.name} overlaps`);
        used |= mask;
      }
    }
  });
});

describe("formatValue", () => {
  test("IA32_VMX_BASIC of skylake-x", () => {
    const lines = formatValue("IA32_VMX_BASIC", 0x00d810000000002bn);
    assert.ok(lines.some((l) => /VMCS_REVISION_ID=0x2B/.test(l)));
    assert.ok(lines.some((l) => /VMCS_REGION_SIZE=0x1000/.test(l)));
    assert.ok(lines.some((l) => /MEMORY_TYPE=6 \(WB\)/.test(l)));
    assert.ok(lines.some((l) => /TRUE_CONTROLS/.test(l)));
  });

  test("control fields name their bits and the default1 ones", () => {
    const lines = formatValue("PRIMARY_PROC_BASED_VM_EXEC_CONTROLS", 0x040061f2n);
    assert.ok(lines.some((l) => /HLT_EXITING/.test(l)));
    assert.ok(lines.some((l) => /DEFAULT1_26/.test(l)));
    assert.ok(!lines.some((l) => /not defined/.test(l)));
  });

  test("exit reason, interruption info and qualifications", () => {
    assert.match(
      formatValue("EXIT_REASON", 0x80000021n).join("\n"),
      /VM_ENTRY_FAILURE_INVALID_GUEST_STATE[\s\S]*VM_ENTRY_FAILURE/,
    );
    const intr = formatValue("VM_EXIT_INTERRUPTION_INFORMATION", 0x80000b0dn).join("\n");
    assert.match(intr, /VECTOR=0xD \(#GP\)/);
    assert.match(intr, /TYPE=3 \(hardware exception\)/);
    assert.match(intr, /ERROR_CODE_VALID/);
    const cr = formatValue("EXIT_QUALIFICATION", 0x304n, { exitReason: 28 }).join("\n");
    assert.match(cr, /CR=4/);
    assert.match(cr, /GPR=3 \(RBX\)/);
    const io = formatValue("EXIT_QUALIFICATION", 0x03f80008n, { exitReason: 30 }).join("\n");
    assert.match(io, /DIRECTION=1 \(IN\)/);
    assert.match(io, /PORT=0x3F8/);
    assert.match(
      formatValue("EXIT_QUALIFICATION", 0x181n, { exitReason: 48 }).join("\n"),
      /READ[\s\S]*GUEST_LINEAR_ADDRESS_VALID/,
    );
    assert.match(formatValue("EXIT_QUALIFICATION", 5n).join("\n"), /depends on the exit reason/);
  });

  test("VM-exit instruction information of VMWRITE with register operands", () => {
    // VMWRITE RBX, RAX (Intel order: field encoding in RBX, value in RAX): reg1 = RAX, reg2 = RBX, bit 10 = 1.
    const info = (3n << 28n) | (1n << 10n) | (2n << 7n) | (0n << 3n);
    const text = formatValue("VM_EXIT_INSTRUCTION_INFORMATION", info, { exitReason: 25 }).join("\n");
    assert.match(text, /REG1=0 \(RAX\)/);
    assert.match(text, /MEM_REG=1 \(register\)/);
    assert.match(text, /REG2=3 \(RBX\)/);
    assert.match(text, /ADDRESS_SIZE=2 \(64-bit\)/);
  });

  test("registers, HIGH halves and unknown targets", () => {
    assert.match(formatValue("CR4", 0x2620n).join("\n"), /VMXE/);
    assert.match(formatValue("RFLAGS", 0x3002n).join("\n"), /IOPL=3/);
    // A HIGH access holds bits 63:32 of the field: PAT entry 4 is in its low byte.
    assert.match(formatValue("GUEST_IA32_PAT_HIGH", 0x00070406n).join("\n"), /PA4=6 \(WB\)/);
    assert.match(formatValue("VM_INSTRUCTION_ERROR", 12n)[0]!, /unsupported VMCS component/);
    assert.match(formatValue("EXCEPTION_BITMAP", 0x4002n)[0]!, /#DB #PF/);
    assert.deepEqual(formatValue("GUEST_RIP", 0x1234n), []);
    assert.deepEqual(formatValue("NOT_A_THING", 1n), []);
    assert.match(formatValue("CR0", 1n << 40n).join("\n"), /bits 40 set but not defined/);
  });
});

describe("VMX instructions", () => {
  test("thirteen, each exiting with the exit reason of its own name (SDM 25.1.2, Appendix C)", () => {
    assert.equal(VMX_INSTRUCTIONS.length, 13);
    for (const i of VMX_INSTRUCTIONS) {
      assert.equal(EXIT_REASONS[i.exitReason]?.name, i.mnemonic.toUpperCase(), i.mnemonic);
      assert.equal(vmxInstruction(i.mnemonic.toUpperCase()), i);
    }
    assert.equal(vmxInstruction("cpuid"), undefined);
    // SDM 30.3: VMPTRST and VMFUNC have no VMfail outcome; the other eleven set CF/ZF.
    assert.deepEqual(
      VMX_INSTRUCTIONS.filter((i) => !i.vmFail).map((i) => i.mnemonic),
      ["vmptrst", "vmfunc"],
    );
  });
});
