// External interrupts from the machine's 8259A/8254 in VMX non-root operation where Bochs 2.7 departs from the
// SDM and test/vmx/payloads/irq.asm therefore cannot go: a guest with RFLAGS.IF = 0 under external-interrupt
// exiting. With that control set, "the value of RFLAGS.IF does not affect interrupt blocking" (SDM 24.6.1,
// Table 24-5): the interrupt causes VM exit 1 whether the guest runs or is halted, and an exit from the HLT state
// saves activity state HLT with RIP after the HLT (SDM 27.1, 27.3.4). Bochs neither exits nor wakes the guest.
// Then INIT, raised through port 92h as on a PC (Bochs resets the whole machine there instead): the INIT state
// outside VMX operation, blocked in VMX root operation until VMXOFF, VM exit 3 in non-root operation.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { EXIT_CTLS, PIN_BASED, PROC_BASED, VMCS } from "../../arch/index";
import { runProgram, runSource } from "./helpers/program";

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

/** A 64-bit program at 1 MiB (the long64 start state's load address) whose entry is `start`. */
const asm64 = (body: string) => `        bits 64\n        org 0x100000\nstart:\n${body}`;

/** Raises INIT the way software does on a PC: port 92h bit 0 from 0 to 1 (the chipset's INIT_NOW). */
const INIT_NOW = `
        in al, 0x92
        and al, 0xFE
        out 0x92, al
        or al, 1
init_out:
        out 0x92, al`;

describe("INIT (port 92h bit 0; SDM 9.1, 23.8, 25.2)", () => {
  test("outside VMX operation INIT puts the processor in its INIT state and ends the run (no firmware)", () => {
    const r = runSource(
      asm64(`        mov rbx, 0x1234
${INIT_NOW}
        hlt`),
      "init.asm",
    );
    assert.equal(r.stop.kind, "init");
    assert.equal(r.stop.rip, r.symbols.get("init_out"), "names the OUT that raised it");
    const cpu = r.machine.cpu;
    assert.equal(cpu.rip, 0xfff0);
    assert.equal(cpu.segBase[1], 0xffff0000);
    assert.equal(cpu.segSel[1], 0xf000);
    assert.equal(cpu.cr0, 0x10, "CD and NW were 0 and stay 0; PE and PG cleared");
    assert.equal(cpu.efer, 0);
    assert.equal(reg32(r.machine, 3), 0, "general registers cleared");
    assert.equal(cpu.codeMode, 16);
    // INIT is not RESET: MSRs and the TSC survive.
    assert.equal(cpu.msrs.get(0x3a), 5n, "IA32_FEATURE_CONTROL kept");
    assert.ok(cpu.instructionCount > 0);
  });

  test("only a 0-to-1 transition of bit 0 raises INIT", () => {
    const r = runSource(
      asm64(`        mov al, 3
        out 0x92, al
        hlt`),
      "init1.asm",
      { max: 1000 },
    );
    // The start state leaves port 92h at 02h: writing 03h is a rising edge.
    assert.equal(r.stop.kind, "init");
    const again = runSource(
      asm64(`        mov al, 2
        out 0x92, al
        hlt`),
      "init2.asm",
    );
    assert.equal(again.stop.kind, "halted");
  });

  test("in VMX root operation INIT is blocked until VMXOFF", () => {
    const r = runSource(
      asm64(`        mov ecx, 0x480
        rdmsr
        mov [0x200000], eax
        mov rax, cr4
        bts rax, 13
        mov cr4, rax
        vmxon [rel vmxon_ptr]
${INIT_NOW}
        mov dword [rel marker], 1  ; runs: INIT is blocked in VMX root operation
        vmxoff
        mov dword [rel marker], 2  ; never runs: INIT is taken right after VMXOFF
        hlt
vmxon_ptr: dq 0x200000
marker: dd 0`),
      "init-root.asm",
    );
    assert.equal(r.stop.kind, "init");
    const marker = r.symbols.get("marker");
    assert.ok(marker !== undefined);
    assert.equal(r.machine.readPhys(marker, 1)[0], 1);
    assert.equal(r.machine.cpu.codeMode, 16);
  });

  test("in VMX non-root operation INIT causes VM exit 3 instead of the INIT state (the guest's RIP and CR0 saved as they were)", () => {
    const { m, vmx, guest } = inGuestAt(0);
    m.devices.out(0x92, 1, 0x02);
    m.devices.out(0x92, 1, 0x03);
    m.run({ maxInstructions: 10_000 });
    assert.equal(vmx.nonRoot, false);
    assert.equal(vmx.field32(VMCS.EXIT_REASON), 3);
    assert.equal(vmx.field(VMCS.EXIT_QUALIFICATION), 0n);
    assert.equal(vmx.field(VMCS.GUEST_RIP), guest);
    assert.equal(vmx.field32(VMCS.GUEST_ACTIVITY_STATE), 0);
    assert.equal(Number(vmx.field(VMCS.GUEST_CR0) & 1n), 1, "still in protected mode: no INIT state");
    assert.equal(m.cpu.initPending, false, "consumed by the exit");
  });
});

function reg32(m: ReturnType<typeof inGuestAt>["m"], r: number): number {
  return m.cpu.lo[r]! >>> 0;
}
