// VM exits save the guest's segment registers as they are at the exit (SDM 27.3.2), also when VM entry and VM
// exit keep them in a snapshot (emulator/vmx/README.md "Performance"): a register the guest changed is saved,
// and a guest-state field changed behind the processor's back (a debugger writing the VMCS while the guest is
// paused) is overwritten with the register's value.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PROC_BASED, VMCS } from "../../arch/index";
import { runProgram } from "./helpers/program";

const DS = 3;
const ES = 0;

function pausedInGuest() {
  const r = runProgram(join(__dirname, "programs/host32.asm"), { start: "protected32", max: 1 });
  const guest = r.symbols.get("guest");
  assert.ok(guest !== undefined);
  assert.equal(r.machine.run({ maxInstructions: 100_000, breakpoints: new Set([guest]) }).kind, "breakpoint");
  assert.equal(r.vmx.nonRoot, true);
  return r;
}

/** Runs until the next VM exit (the guest's CPUID). */
function toExit(r: ReturnType<typeof pausedInGuest>): void {
  for (let i = 0; i < 10 && r.vmx.nonRoot; i++) r.machine.step();
  assert.equal(r.vmx.nonRoot, false);
  assert.equal(r.vmx.field32(VMCS.EXIT_REASON), 10);
}

describe("guest segment registers at VM exit", () => {
  test("a segment register changed in the guest is saved", () => {
    const r = pausedInGuest();
    assert.equal(r.vmx.field32(VMCS.GUEST_DS_SELECTOR), 0x10);
    // What MOV DS would leave in DS (a null selector: unusable), done directly on the processor.
    r.machine.cpu.setSegRaw(DS, 0, 0, 0, 0x10000);
    toExit(r);
    assert.equal(r.vmx.field32(VMCS.GUEST_DS_SELECTOR), 0);
    assert.equal(r.vmx.field32(VMCS.GUEST_DS_ACCESS_RIGHTS), 0x10000);
    assert.equal(r.vmx.field32(VMCS.GUEST_DS_LIMIT), 0);
  });
  test("a guest segment field written while the guest runs is overwritten by the register at the exit", () => {
    const r = pausedInGuest();
    r.vmx.setField32(VMCS.GUEST_ES_SELECTOR, 0x28);
    r.vmx.setField32(VMCS.GUEST_ES_LIMIT, 0xffff);
    toExit(r);
    assert.equal(r.vmx.field32(VMCS.GUEST_ES_SELECTOR), 0x10);
    assert.equal(r.vmx.field32(VMCS.GUEST_ES_LIMIT), 0xffffffff);
    assert.equal(r.machine.cpu.segSel[ES], 0x10, "host ES after the exit");
  });
  test("VM entry loads guest segment fields the host changed after the exit", () => {
    const r = pausedInGuest();
    toExit(r);
    // The host (here: the test, as a VMWRITE would) changes the guest's DS before VMRESUME.
    r.vmx.setField32(VMCS.GUEST_DS_SELECTOR, 0x30);
    r.vmx.setField32(VMCS.GUEST_DS_ACCESS_RIGHTS, 0xc0f3);
    // Run the handler to its VMRESUME and one guest instruction.
    for (let i = 0; i < 100 && !r.vmx.nonRoot; i++) r.machine.step();
    assert.equal(r.vmx.nonRoot, true);
    assert.equal(r.machine.cpu.segSel[DS], 0x30);
    assert.equal(r.machine.cpu.segAr[DS], 0xc0f3);
  });
});

describe("guest IA32_SYSENTER_* MSRs at VM exit (SDM 27.3.1)", () => {
  test("a guest WRMSR that does not exit (MSR bitmap bit clear) is saved at the next exit", () => {
    const r = pausedInGuest();
    const guest = r.symbols.get("guest");
    assert.ok(guest !== undefined);
    // mov ecx, 175h; mov eax, 5678h; xor edx, edx; wrmsr; cpuid
    r.machine.load(
      new Uint8Array([0xb9, 0x75, 0x01, 0, 0, 0xb8, 0x78, 0x56, 0, 0, 0x31, 0xd2, 0x0f, 0x30, 0x0f, 0xa2]),
      guest,
    );
    r.vmx.setField(VMCS.MSR_BITMAP, 0x300000n); // a zero page: no MSR access exits
    r.vmx.setField32(
      VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS,
      r.vmx.field32(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS) | PROC_BASED.USE_MSR_BITMAPS,
    );
    toExit(r);
    assert.equal(r.vmx.field(VMCS.GUEST_IA32_SYSENTER_ESP), 0x5678n);
    assert.equal(r.machine.cpu.vmxCpu.readMsr(0x175), 0n, "the host's value (0) is loaded");
  });
  test("an MSR written by a debugger while the guest is paused is saved at the exit", () => {
    const r = pausedInGuest();
    r.machine.cpu.vmxCpu.writeMsr(0x176, 0x9abcn);
    toExit(r);
    assert.equal(r.vmx.field(VMCS.GUEST_IA32_SYSENTER_EIP), 0x9abcn);
  });
});

describe("host state at VM exit (SDM 27.5) after the host-state fields change", () => {
  test("a new HOST_RIP and HOST_FS_SELECTOR are used by the next exit", () => {
    const r = pausedInGuest();
    toExit(r);
    assert.equal(r.machine.cpu.rip, Number(r.symbols.get("exit_handler")));
    // Back into the guest, then change host fields as a VMWRITE before VMRESUME would.
    for (let i = 0; i < 100 && !r.vmx.nonRoot; i++) r.machine.step();
    const fail = Number(r.symbols.get("fail"));
    r.vmx.setField(VMCS.HOST_RIP, BigInt(fail));
    r.vmx.setField32(VMCS.HOST_FS_SELECTOR, 0);
    for (let i = 0; i < 10 && r.vmx.nonRoot; i++) r.machine.step();
    assert.equal(r.vmx.nonRoot, false);
    assert.equal(r.machine.cpu.rip, fail);
    assert.equal(r.machine.cpu.segSel[4], 0);
    assert.equal(r.machine.cpu.segAr[4], 0x1c093, "a null FS selector leaves FS unusable (SDM 27.5.2)");
  });
});

describe("machine snapshots in VMX non-root operation", () => {
  test("after restoring a snapshot, the next VM exit saves the restored MSR, not what VM entry had loaded since", () => {
    const r = pausedInGuest();
    const m = r.machine;
    m.cpu.vmxCpu.writeMsr(0x175, 0x1111n); // the guest's IA32_SYSENTER_ESP differs from its field now
    const snap = m.snapshot();
    toExit(r); // saves 1111h
    assert.equal(r.vmx.field(VMCS.GUEST_IA32_SYSENTER_ESP), 0x1111n);
    for (let i = 0; i < 100 && !r.vmx.nonRoot; i++) m.step(); // the handler resumes: entry loads 1111h
    assert.equal(r.vmx.nonRoot, true);
    m.restore(snap); // back in the guest: MSR 1111h, the field (in the restored VMCS) 0 again
    assert.equal(r.vmx.field(VMCS.GUEST_IA32_SYSENTER_ESP), 0n);
    toExit(r);
    assert.equal(r.vmx.field(VMCS.GUEST_IA32_SYSENTER_ESP), 0x1111n);
  });
});

describe("VM entry invalidates cached translations (SDM 28.3.3.1, no VPID)", () => {
  test("a page-table entry the host changed between exit and entry is seen by the guest", () => {
    const r = pausedInGuest();
    const m = r.machine;
    const guest = r.symbols.get("guest");
    assert.ok(guest !== undefined);
    const dword = (v: number) => new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
    m.load(dword(0x11111111), 0x800000); // 4-MiB page 2
    m.load(dword(0x22222222), 0xc00000); // 4-MiB page 3
    // mov esi, [800000h]; cpuid; mov edi, [800000h]; hlt
    m.load(new Uint8Array([0x8b, 0x35, 0, 0, 0x80, 0, 0x0f, 0xa2, 0x8b, 0x3d, 0, 0, 0x80, 0, 0xf4]), guest);
    toExit(r); // the CPUID exit: the guest has read page 2 through a cached translation
    assert.equal(m.cpu.lo[6]! >>> 0, 0x11111111);
    // The host remaps linear 800000h to page 3 (PDE 2 of host32's page directory at 200000h), no INVLPG.
    m.load(dword(0xc00083), 0x200000 + 2 * 4);
    for (let i = 0; i < 200 && r.vmx.field32(VMCS.EXIT_REASON) !== 12; i++) m.step();
    assert.equal(r.vmx.field32(VMCS.EXIT_REASON), 12);
    assert.equal(m.cpu.lo[7]! >>> 0, 0x22222222, "the guest's second read uses the new mapping");
  });
});
