// The VMCS store: field data inside the region in memory; VMREAD/VMWRITE widths, HIGH access, read-only
// fields (IA32_VMX_MISC[29]) and unsupported components (SDM 30.3, 24.11.2).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cpuModel, VMCS } from "../../arch/index";
import { FlatPhysMem } from "../../emulator/vmx/memory";
import { VmcsStore } from "../../emulator/vmx/vmcs";
import {
  FIELD_DATA_OFFSET,
  LAUNCH_STATE_LAUNCHED,
  LAUNCH_STATE_OFFSET,
  offsetOf,
} from "../../emulator/vmx/vmcs-layout";

const SKYLAKE = cpuModel("skylake-x")!;
const SANDY = cpuModel("sandy-bridge")!;
const PA = 0x3000;

function store(model = SKYLAKE) {
  const mem = new FlatPhysMem(0x10000);
  return { mem, vmcs: new VmcsStore(mem, model) };
}

describe("VMCS region layout", () => {
  test("field data lives inside the region, after the architected header and the launch state", () => {
    const { mem, vmcs } = store();
    assert.deepEqual(vmcs.vmwrite(PA, BigInt(VMCS.GUEST_RIP), 0x1122334455667788n, 64), {
      ok: true,
      value: 0x1122334455667788n,
    });
    const off = offsetOf(VMCS.GUEST_RIP);
    assert.ok(off >= FIELD_DATA_OFFSET && off + 8 <= 4096);
    assert.equal(mem.read32(PA + off), 0x55667788);
    assert.equal(mem.read32(PA + off + 4), 0x11223344);
    mem.write32(PA + off, 0xabcd);
    assert.equal(vmcs.get(PA, VMCS.GUEST_RIP), 0x11223344_0000abcdn, "a memory write is seen by the next read");
  });
  test("revision id at offset 0, abort indicator at 4, launch state at 8", () => {
    const { mem, vmcs } = store();
    mem.write32(PA, 0x8000002b);
    assert.equal(vmcs.revisionDword(PA), 0x8000002b);
    vmcs.setAbortIndicator(PA, 3);
    assert.equal(mem.read32(PA + 4), 3);
    assert.equal(vmcs.launchState(PA), "uninitialized", "a zeroed region was never VMCLEARed");
    vmcs.setLaunched(PA, false);
    assert.equal(vmcs.launchState(PA), "clear");
    vmcs.setLaunched(PA, true);
    assert.equal(mem.read32(PA + LAUNCH_STATE_OFFSET), LAUNCH_STATE_LAUNCHED);
    assert.equal(vmcs.launched(PA), true);
  });
});

describe("VMREAD/VMWRITE semantics", () => {
  test("a 16-bit field keeps 16 bits; VMREAD zero-extends", () => {
    const { vmcs } = store();
    vmcs.vmwrite(PA, BigInt(VMCS.GUEST_CS_SELECTOR), 0xffff_0008n, 64);
    assert.deepEqual(vmcs.vmread(PA, BigInt(VMCS.GUEST_CS_SELECTOR), 64), { ok: true, value: 8n });
  });
  test("a 32-bit field keeps 32 bits", () => {
    const { vmcs } = store();
    vmcs.vmwrite(PA, BigInt(VMCS.GUEST_CS_LIMIT), 0x1_ffff_ffffn, 64);
    assert.deepEqual(vmcs.vmread(PA, BigInt(VMCS.GUEST_CS_LIMIT), 64), { ok: true, value: 0xffffffffn });
  });
  test("HIGH access reads and writes bits 63:32 of a 64-bit field", () => {
    const { vmcs } = store();
    const full = BigInt(VMCS.VMCS_LINK_POINTER);
    vmcs.vmwrite(PA, full, 0xffffffffffffffffn, 64);
    assert.deepEqual(vmcs.vmread(PA, full + 1n, 64), { ok: true, value: 0xffffffffn });
    vmcs.vmwrite(PA, full + 1n, 0x12n, 64);
    assert.deepEqual(vmcs.vmread(PA, full, 64), { ok: true, value: 0x00000012_ffffffffn });
  });
  test("HIGH access of a natural-width field is an unsupported component (12)", () => {
    const { vmcs } = store();
    assert.deepEqual(vmcs.vmread(PA, BigInt(VMCS.GUEST_CR0) + 1n, 64), { ok: false, error: 12 });
  });
  test("outside 64-bit mode: reads return bits 31:0, a full write clears bits 63:32", () => {
    const { vmcs } = store();
    vmcs.vmwrite(PA, BigInt(VMCS.GUEST_IA32_EFER), 0xaaaa_bbbb_cccc_ddddn, 64);
    assert.deepEqual(vmcs.vmread(PA, BigInt(VMCS.GUEST_IA32_EFER), 32), { ok: true, value: 0xccccddddn });
    vmcs.vmwrite(PA, BigInt(VMCS.GUEST_IA32_EFER), 0x1234n, 32);
    assert.equal(vmcs.get(PA, VMCS.GUEST_IA32_EFER), 0x1234n);
  });
  test("unknown encodings and encodings with bits 63:32 set fail with error 12", () => {
    const { vmcs } = store();
    assert.deepEqual(vmcs.vmread(PA, 0x4ffen, 64), { ok: false, error: 12 });
    assert.deepEqual(vmcs.vmwrite(PA, 0x12345678n, 0n, 64), { ok: false, error: 12 });
    assert.deepEqual(vmcs.vmread(PA, 0x1_0000_6800n, 64), { ok: false, error: 12 });
  });
  test("fields of features the model lacks are unsupported (12): HLAT pointer on skylake-x", () => {
    const { vmcs } = store();
    assert.deepEqual(vmcs.vmread(PA, BigInt(VMCS.HLAT_POINTER), 64), { ok: false, error: 12 });
    assert.equal(vmcs.vmread(PA, BigInt(VMCS.EPT_POINTER), 64).ok, true);
  });
  test("VM-exit information fields: writable with IA32_VMX_MISC[29] (skylake-x), error 13 without (sandy-bridge)", () => {
    assert.deepEqual(store(SKYLAKE).vmcs.vmwrite(PA, BigInt(VMCS.EXIT_REASON), 0x77n, 64), { ok: true, value: 0x77n });
    assert.deepEqual(store(SANDY).vmcs.vmwrite(PA, BigInt(VMCS.EXIT_REASON), 0x77n, 64), { ok: false, error: 13 });
  });
});
