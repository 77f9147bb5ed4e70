// External interrupts from the machine's 8259A/8254 in VMX non-root operation where Bochs 2.7 departs from the
// SDM and test/vmx/payloads/irq.asm therefore cannot go: a guest with RFLAGS.IF = 0 under external-interrupt
// exiting. With that control set, "the value of RFLAGS.IF does not affect interrupt blocking" (SDM 24.6.1,
// Table 24-5): the interrupt causes VM exit 1 whether the guest runs or is halted, and an exit from the HLT state
// saves activity state HLT with RIP after the HLT (SDM 27.1, 27.3.4). Bochs neither exits nor wakes the guest.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { EXIT_CTLS, PIN_BASED, PROC_BASED, VMCS } from "../../arch/index";
import { runProgram } from "./helpers/program";

/** host32.asm stopped in its 32-bit guest at `guest + offset` (0: before CPUID; 4: the HLT after it). */
function inGuestAt(offset: number) {
  const first = runProgram(join(__dirname, "programs/host32.asm"), { start: "protected32", max: 1 });
  const guest = first.symbols.get("guest");
  assert.ok(guest !== undefined);
  const m = first.machine;
  const stop = m.run({ maxInstructions: 100_000, breakpoints: new Set([guest + BigInt(offset)]) });
  assert.equal(stop.kind, "breakpoint");
  assert.equal(first.vmx.nonRoot, true);
  return { m, vmx: first.vmx, guest };
}

/** The PIC pair initialized like a PC's (vectors 20h/28h), only IRQ0 unmasked, through its ports. */
function initPic(m: ReturnType<typeof inGuestAt>["m"]): void {
  const d = m.devices;
  for (const [port, v] of [
    [0x20, 0x11],
    [0xa0, 0x11],
    [0x21, 0x20],
    [0xa1, 0x28],
    [0x21, 0x04],
    [0xa1, 0x02],
    [0x21, 0x01],
    [0xa1, 0x01],
    [0x21, 0xfe],
    [0xa1, 0xff],
  ] as const)
    d.out(port, 1, v);
}

/** PIT channel 0, mode 0 (one shot) with `count`, through its ports. */
function armPit(m: ReturnType<typeof inGuestAt>["m"], count: number): void {
  m.devices.out(0x43, 1, 0x30);
  m.devices.out(0x40, 1, count & 0xff);
  m.devices.out(0x40, 1, count >> 8);
}

describe("external-interrupt exiting ignores the guest's RFLAGS.IF (SDM 24.6.1)", () => {
  test("a running guest with IF = 0 exits with reason 1; acknowledged, the vector is in the interruption information", () => {
    const { m, vmx, guest } = inGuestAt(0);
    assert.equal(m.cpu.getFlags() & 0x200, 0, "the guest runs with IF = 0");
    vmx.setField32(VMCS.PIN_BASED_VM_EXEC_CONTROLS, PIN_BASED.EXTERNAL_INTERRUPT_EXITING);
    vmx.setField32(
      VMCS.PRIMARY_VM_EXIT_CONTROLS,
      vmx.field32(VMCS.PRIMARY_VM_EXIT_CONTROLS) | EXIT_CTLS.ACKNOWLEDGE_INTERRUPT_ON_EXIT,
    );
    initPic(m);
    // IRQ0 rises now (as the timer would): the guest's next instruction boundary sees INTR.
    m.devices.pic.setIrq(0, true);
    m.devices.pic.setIrq(0, false);
    m.cpu.interruptStateChanged();
    m.run({ maxInstructions: 10_000 });
    assert.equal(vmx.nonRoot, false);
    assert.equal(vmx.field32(VMCS.EXIT_REASON), 1);
    assert.equal(vmx.field32(VMCS.VM_EXIT_INTERRUPTION_INFORMATION), 0x80000020);
    assert.equal(vmx.field(VMCS.GUEST_RIP), guest, "before the guest's first instruction");
    assert.equal(m.devices.pic.master.isr, 1, "acknowledged: IRQ0 in service");
    assert.equal(m.devices.pic.master.irr, 0);
  });

  test("a guest halted with IF = 0 is woken by the VM exit: activity state HLT, RIP after the HLT", () => {
    const { m, vmx, guest } = inGuestAt(4);
    vmx.setField32(
      VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS,
      vmx.field32(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS) & ~PROC_BASED.HLT_EXITING,
    );
    vmx.setField32(VMCS.PIN_BASED_VM_EXEC_CONTROLS, PIN_BASED.EXTERNAL_INTERRUPT_EXITING);
    initPic(m);
    armPit(m, 500);
    const before = m.instructionCount;
    m.run({ maxInstructions: 10_000 });
    assert.equal(vmx.nonRoot, false);
    assert.equal(vmx.field32(VMCS.EXIT_REASON), 1);
    assert.equal(vmx.field32(VMCS.VM_EXIT_INTERRUPTION_INFORMATION), 0, "not acknowledged");
    assert.equal(vmx.field32(VMCS.GUEST_ACTIVITY_STATE), 1);
    assert.equal(vmx.field(VMCS.GUEST_RIP), guest + 5n);
    assert.equal(m.devices.pic.master.irr, 1, "not acknowledged: IRQ0 stays requested");
    // The guest waited without executing: time passed in the HLT state, not in instructions.
    assert.ok(m.instructionCount - before < 100, `${m.instructionCount - before} instructions`);
  });

  test("without the control a guest halted with IF = 0 stays halted for good (no VM exit)", () => {
    const { m, vmx, guest } = inGuestAt(4);
    vmx.setField32(
      VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS,
      vmx.field32(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS) & ~PROC_BASED.HLT_EXITING,
    );
    initPic(m);
    armPit(m, 50);
    const stop = m.run({ maxInstructions: 10_000 });
    assert.equal(stop.kind, "halted");
    assert.equal(vmx.nonRoot, true);
    assert.equal(m.rip, guest + 5n);
  });
});
