// A hypervisor in 32-bit protected mode (test/vmx/programs/host32.asm, start state protected32): VMX operation
// outside IA-32e mode, where VMX instructions take 32-bit operands and natural-width fields are 32 bits wide
// (SDM 24.11.2, 30.3 VMREAD/VMWRITE), the host address-space size is 0 and the guest is a 32-bit guest.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { VMCS } from "../../arch/index";
import { runProgram } from "./helpers/program";

const run = runProgram(join(__dirname, "programs/host32.asm"), { start: "protected32" });
const sym = (name: string): number => {
  const v = run.symbols.get(name);
  assert.ok(v !== undefined, `symbol ${name}`);
  return Number(v);
};
const dword = (addr: number): number => new DataView(run.machine.readPhys(addr, 4).buffer).getUint32(0, true);

describe("a 32-bit VMX host (protected32 start, VMXON with CR0.PG=1 and 4-MiB pages)", () => {
  test("VMXON … VMLAUNCH, a CPUID exit handled with VMRESUME, a HLT exit, VMXOFF", () => {
    assert.equal(run.stop.kind, "halted");
    assert.equal(run.output, "OK", "the host reports no VMfail");
    const exits = run.events.flatMap((e) => (e.kind === "vmExit" ? [[e.exitReason, e.instructionLength]] : []));
    assert.deepEqual(exits, [
      [10, 2],
      [12, 1],
    ]);
    assert.equal(run.vmx.inVmxOperation, false);
  });
  test("the guest is a 32-bit guest (no IA-32e mode, 32-bit CS) and the host stays in 32-bit mode", () => {
    const entry = run.events.find((e) => e.kind === "vmEntry");
    assert.ok(entry && entry.kind === "vmEntry");
    assert.equal(entry.guestRip, BigInt(sym("guest")));
    const pa = 0x202000;
    assert.equal(run.vmx.store.get(pa, VMCS.VM_ENTRY_CONTROLS) & 0x200n, 0n, "IA-32e mode guest 0");
    assert.equal(run.vmx.store.get(pa, VMCS.GUEST_CS_ACCESS_RIGHTS), 0xc09bn, "saved CS: D=1, L=0");
    assert.equal(run.machine.cpu.codeMode, 32);
    // The CPUID exit saved the guest RIP of CPUID; the HLT exit the RIP of HLT, 2 bytes later.
    assert.equal(dword(sym("guest_rip_at_cpuid")), sym("guest") + 2);
    assert.equal(dword(sym("guest_rip_at_hlt")), sym("guest") + 4);
  });
  test("a VMREAD to memory writes 32 bits: the next dword is untouched", () => {
    assert.equal(dword(sym("exit_reason")), 12);
    assert.equal(dword(sym("exit_reason") + 4), 0xaaaaaaaa);
  });
  test("32-bit VMWRITEs: natural-width fields get bits 63:32 clear, a 64-bit field needs its HIGH encoding", () => {
    const vmx = run.vmx;
    // The VMCS stays in memory after VMXOFF: read it through the store.
    const pa = 0x202000;
    assert.equal(vmx.store.get(pa, VMCS.HOST_RIP), BigInt(sym("exit_handler")));
    assert.equal(vmx.store.get(pa, VMCS.GUEST_RSP), 0x204000n);
    assert.equal(vmx.store.get(pa, VMCS.VMCS_LINK_POINTER), 0xffffffffffffffffn);
    assert.equal(vmx.store.get(pa, VMCS.PRIMARY_VM_EXIT_CONTROLS) & 0x200n, 0n, "host address-space size 0");
  });
});
