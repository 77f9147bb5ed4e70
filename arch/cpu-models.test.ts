import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  adjustControl,
  allowedControl,
  CONTROL_SETS,
  CPU_MODELS,
  checkFixedBits,
  cpuModel,
  DEFAULT_CPU_MODEL,
  defaultCpuModel,
  ENTRY_CTLS,
  EXIT_CTLS,
  effectiveControlMsr,
  featureSupported,
  MSR,
  PIN_BASED,
  PROC_BASED,
  PROC_BASED2,
  VMCS_FIELDS,
  vmcsFieldSupported,
} from "./index";

// RDMSR results printed by the Bochs oracle (shared/oracle/observed/basic_launch.out, corei7_skylake_x).
const OBSERVED_SKYLAKE_X = `
MSR 0x0480 IA32_VMX_BASIC = 0x00D810000000002B
MSR 0x0481 IA32_VMX_PINBASED_CTLS = 0x0000007F00000016
MSR 0x0482 IA32_VMX_PROCBASED_CTLS = 0xF7F9FFFE0401E172
MSR 0x0483 IA32_VMX_EXIT_CTLS = 0x007FFFFF00036DFF
MSR 0x0484 IA32_VMX_ENTRY_CTLS = 0x0000FFFF000011FF
MSR 0x0485 IA32_VMX_MISC = 0x00000000600401E0
MSR 0x0486 IA32_VMX_CR0_FIXED0 = 0x0000000080000021
MSR 0x0487 IA32_VMX_CR0_FIXED1 = 0x00000000FFFFFFFF
MSR 0x0488 IA32_VMX_CR4_FIXED0 = 0x0000000000002000
MSR 0x0489 IA32_VMX_CR4_FIXED1 = 0x00000000003727FF
MSR 0x048A IA32_VMX_VMCS_ENUM = 0x0000000000000034
MSR 0x048B IA32_VMX_PROCBASED_CTLS2 = 0x02177FFF00000000
MSR 0x048C IA32_VMX_EPT_VPID_CAP = 0x00000F0106334141
MSR 0x048D IA32_VMX_TRUE_PINBASED_CTLS = 0x0000007F00000016
MSR 0x048E IA32_VMX_TRUE_PROCBASED_CTLS = 0xF7F9FFFE04006172
MSR 0x048F IA32_VMX_TRUE_EXIT_CTLS = 0x007FFFFF00036DFB
MSR 0x0490 IA32_VMX_TRUE_ENTRY_CTLS = 0x0000FFFF000011FB
MSR 0x0491 IA32_VMX_VMFUNC = 0x0000000000000001`;

const model = (name: string) => {
  const m = cpuModel(name);
  assert.ok(m, name);
  return m;
};

describe("CPU models", () => {
  test("skylake-x is the default and reports the oracle's capability MSRs", () => {
    assert.equal(DEFAULT_CPU_MODEL, "skylake-x");
    const m = defaultCpuModel();
    for (const line of OBSERVED_SKYLAKE_X.trim().split("\n")) {
      const [, index, name, value] = /MSR (0x[0-9A-F]+) (\S+) = (0x[0-9A-F]+)/.exec(line)!;
      assert.equal(MSR[name!], Number(index), name);
      assert.equal(m.msr.get(Number(index)), BigInt(value!), name);
    }
  });

  test("skylake-x CPUID matches the oracle (leaf 0, leaf 1) and gives a 40-bit physical address width", () => {
    const m = model("skylake-x");
    const [max, ebx, ecx, edx] = m.cpuid(0, 0);
    assert.equal(max, 0x16);
    const vendor = Buffer.alloc(12);
    vendor.writeUInt32LE(ebx, 0);
    vendor.writeUInt32LE(edx, 4);
    vendor.writeUInt32LE(ecx, 8);
    assert.equal(vendor.toString("latin1"), "GenuineIntel");
    const leaf1 = m.cpuid(1, 0);
    assert.equal(leaf1[0], 0x00050654);
    assert.equal(leaf1[2], 0x77faf3bf);
    assert.equal(leaf1[3], 0xbfebfbff);
    assert.equal(m.physicalAddressWidth, 40);
  });

  test("CPUID above the highest leaf returns the highest basic leaf; leaf 0BH echoes the subleaf", () => {
    for (const m of CPU_MODELS) {
      const max = m.cpuid(0, 0)[0];
      assert.deepEqual(m.cpuid(0x40000000, 0), m.cpuid(max, 0), m.name);
      assert.deepEqual(m.cpuid(0x8000ffff, 0), m.cpuid(max, 0), m.name);
    }
    assert.deepEqual(model("skylake-x").cpuid(0xb, 0x1234), [0, 0, 0x1234, 0]);
    assert.deepEqual(model("skylake-x").cpuid(0x7, 5), [0, 0, 0, 0]);
    assert.equal(model("skylake-x").cpuid(0x7, 0)[1], 0xd19f27eb);
  });

  test("every model reports VMX in CPUID.1:ECX[5] and has the basic capability MSRs", () => {
    for (const m of CPU_MODELS) {
      assert.equal(m.features.vmx, true, m.name);
      for (const i of [0x480, 0x481, 0x482, 0x483, 0x484, 0x485, 0x486, 0x487, 0x488, 0x489])
        assert.ok(m.msr.has(i), `${m.name} lacks MSR ${i.toString(16)}`);
    }
  });

  test("features are what the MSRs say", () => {
    const sky = model("skylake-x").features;
    for (const f of ["ept", "vpid", "unrestrictedGuest", "vmcsShadowing", "preemptionTimer", "trueControls"] as const)
      assert.equal(sky[f], true, f);
    assert.equal(sky.postedInterrupts, false);
    assert.equal(sky.vmxEnabledByFirmware, true);
    assert.equal(model("sandy-bridge").features.vmwriteAnyField, false);
    assert.equal(model("sandy-bridge").features.vmcsShadowing, false);
    assert.equal(model("core2-penryn").features.ept, false);
    const first = model("core2-first-gen").features;
    assert.equal(first.secondaryControls, false);
    assert.equal(first.trueControls, false);
    assert.equal(first.ept, false);
    assert.equal(model("vmx-locked-off").features.vmxEnabledByFirmware, false);
    assert.equal(model("vmx-locked-off").msr.get(MSR.IA32_FEATURE_CONTROL), 1n);
  });

  test("the first-generation model has no secondary-control or TRUE MSRs", () => {
    const m = model("core2-first-gen");
    for (const i of [0x48b, 0x48d, 0x48e, 0x48f, 0x490]) assert.equal(m.msr.has(i), false, i.toString(16));
    assert.equal((m.msr.get(0x480)! >> 55n) & 1n, 0n);
  });

  test("the first-generation model's derived facts follow from the Core 2 X6800 dump", () => {
    const m = model("core2-first-gen");
    assert.equal(m.physicalAddressWidth, 36);
    assert.equal(Number(m.msr.get(0x480)! & 0x7fffffffn), 7);
    assert.equal(Number((m.msr.get(0x480)! >> 32n) & 0x1fffn), 1024);
    assert.equal(m.features.virtualNmis, false);
    assert.equal(m.features.preemptionTimer, false);
    assert.equal(m.features.monitorTrapFlag, false);
    assert.equal(m.features.vmwriteAnyField, false);
    assert.equal(m.cpuid(1, 0)[0], 0x6f6);
  });

  test("every control bit a model allows to be 1 is named or in the default1 class", () => {
    for (const m of CPU_MODELS) {
      for (const set of CONTROL_SETS) {
        const msr = effectiveControlMsr(m, set)!;
        const v = m.msr.get(msr);
        if (v === undefined) continue;
        const allowed1 = set.width === 64 ? v : v >> 32n;
        for (let b = 0; b < set.width; b++) {
          if (!((allowed1 >> BigInt(b)) & 1n)) continue;
          const named = set.bits.some((c) => c.bit === b);
          const default1 = (set.default1 & (2 ** b)) !== 0;
          assert.ok(named || default1, `${m.name} ${set.name} bit ${b} is allowed but unnamed`);
        }
      }
    }
  });

  test("cpuModel is case-insensitive and rejects unknown names", () => {
    assert.equal(cpuModel("SKYLAKE-X")?.name, "skylake-x");
    assert.equal(cpuModel("pentium-pro"), undefined);
  });
});

describe("allowed-0/allowed-1 rule (SDM A.3-A.5)", () => {
  const sky = () => model("skylake-x");

  test("uses the TRUE MSR when IA32_VMX_BASIC[55] = 1 and the plain one otherwise", () => {
    assert.equal(effectiveControlMsr(sky(), "PROC_BASED"), 0x48e);
    assert.equal(effectiveControlMsr(sky(), 0x482), 0x48e);
    assert.equal(effectiveControlMsr(sky(), "PROC_BASED2"), 0x48b);
    assert.equal(effectiveControlMsr(model("core2-first-gen"), 0x48e), 0x482);
  });

  test("reproduces the controls the oracle's vmcs_setup computed on corei7_skylake_x", () => {
    // basic_launch.out: "controls (TRUE_ MSRs): pin=0x00000016 proc=0x040061F2 proc2=0x00000000 exit=0x00036FFB entry=0x000013FB"
    assert.equal(adjustControl(sky(), "PIN_BASED", 0), 0x16n);
    assert.equal(adjustControl(sky(), "PROC_BASED", PROC_BASED.HLT_EXITING), 0x040061f2n);
    assert.equal(adjustControl(sky(), "PROC_BASED2", 0), 0n);
    assert.equal(adjustControl(sky(), "EXIT_CTLS", EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE), 0x00036ffbn);
    assert.equal(adjustControl(sky(), "ENTRY_CTLS", ENTRY_CTLS.IA32E_MODE_GUEST), 0x000013fbn);
  });

  test("reports default1 bits that are 0 as mustBeOne", () => {
    const r = allowedControl(sky(), "PROC_BASED", 0);
    assert.equal(r.ok, false);
    assert.equal(r.mustBeOne, 0x04006172n);
    assert.equal(r.mustBeZero, 0n);
    // Without TRUE controls, CR3-load/store exiting (15, 16) must be 1 as well.
    assert.equal(allowedControl(model("core2-first-gen"), "PROC_BASED", 0).mustBeOne, 0x0401e172n);
  });

  test("reports unsupported 1-settings as mustBeZero", () => {
    // Bochs' Skylake-X model does not offer the monitor trap flag (allowed-1 bit 27 = 0) nor posted interrupts.
    const mtf = allowedControl(sky(), "PROC_BASED", 0x04006172 + PROC_BASED.MONITOR_TRAP_FLAG);
    assert.equal(mtf.ok, false);
    assert.equal(mtf.mustBeZero, BigInt(PROC_BASED.MONITOR_TRAP_FLAG));
    assert.equal(allowedControl(sky(), "PIN_BASED", 0x16 + PIN_BASED.PROCESS_POSTED_INTERRUPTS).ok, false);
    assert.equal(allowedControl(sky(), "PIN_BASED", 0x16 + PIN_BASED.ACTIVATE_VMX_PREEMPTION_TIMER).ok, true);
  });

  test("a set the model does not implement allows no 1-settings", () => {
    const first = model("core2-first-gen");
    assert.equal(
      allowedControl(first, "PROC_BASED2", PROC_BASED2.ENABLE_EPT).mustBeZero,
      BigInt(PROC_BASED2.ENABLE_EPT),
    );
    assert.equal(allowedControl(first, "PROC_BASED2", 0).ok, true);
    assert.equal(allowedControl(sky(), "PROC_BASED3", 1).ok, false);
    assert.equal(allowedControl(first, "PROC_BASED", 0x0401e172 + PROC_BASED.ACTIVATE_SECONDARY_CONTROLS).ok, false);
  });

  test("accepts a control set by its VMCS field encoding and rejects other numbers", () => {
    assert.equal(allowedControl(sky(), 0x4002, 0x040061f2).ok, true);
    assert.throws(() => allowedControl(sky(), 0x6800, 0), RangeError);
  });

  test("CR0/CR4 fixed bits", () => {
    assert.equal(checkFixedBits(sky(), "cr0", 0x80000033).ok, true);
    const noPg = checkFixedBits(sky(), "cr0", 0x33);
    assert.equal(noPg.mustBeOne, 0x80000000n);
    assert.equal(checkFixedBits(sky(), "cr4", 0x620).mustBeOne, 0x2000n);
    // CR4.LA57 (bit 12) is not allowed by Bochs' Skylake-X (CR4_FIXED1 = 3727FFH).
    assert.equal(checkFixedBits(sky(), "cr4", 0x2000 + 0x1000).mustBeZero, 0x1000n);
  });
});

describe("VMCS fields a model implements", () => {
  const f = (name: string) => VMCS_FIELDS.find((x) => x.name === name)!;

  test("fields without a feature always exist", () => {
    for (const m of CPU_MODELS) assert.equal(vmcsFieldSupported(m, f("GUEST_CR0")), true);
  });

  test("skylake-x: VPID, EPT, PML and VMCS shadowing fields exist; posted-interrupt and tertiary ones do not", () => {
    const sky = model("skylake-x");
    for (const name of [
      "VIRTUAL_PROCESSOR_ID",
      "EPT_POINTER",
      "PML_INDEX",
      "VMREAD_BITMAP_ADDRESS",
      "EPTP_LIST_ADDRESS",
    ])
      assert.equal(vmcsFieldSupported(sky, f(name)), true, name);
    for (const name of [
      "POSTED_INTERRUPT_NOTIFICATION_VECTOR",
      "TERTIARY_PROC_BASED_VM_EXEC_CONTROLS",
      "SHARED_EPT_POINTER",
    ])
      assert.equal(vmcsFieldSupported(sky, f(name)), false, name);
  });

  test("the first-generation model has no secondary-control fields", () => {
    const first = model("core2-first-gen");
    assert.equal(vmcsFieldSupported(first, f("EPT_POINTER")), false);
    assert.equal(vmcsFieldSupported(first, f("SECONDARY_PROC_BASED_VM_EXEC_CONTROLS")), false);
    assert.equal(vmcsFieldSupported(model("core2-penryn"), f("SECONDARY_PROC_BASED_VM_EXEC_CONTROLS")), true);
    assert.equal(vmcsFieldSupported(first, f("APIC_ACCESS_ADDRESS")), false);
    assert.equal(vmcsFieldSupported(model("core2-penryn"), f("APIC_ACCESS_ADDRESS")), true);
    // Penryn's VM-exit controls stop at bit 17: no save/load IA32_PAT, so no guest/host PAT fields.
    assert.equal(vmcsFieldSupported(model("core2-penryn"), f("GUEST_IA32_PAT")), false);
  });

  test("sandy-bridge has no VM functions, so no EPTP-list address", () => {
    assert.equal(featureSupported(model("sandy-bridge"), "EPTP switching"), false);
    assert.equal(vmcsFieldSupported(model("sandy-bridge"), f("EPTP_LIST_ADDRESS")), false);
  });
});
